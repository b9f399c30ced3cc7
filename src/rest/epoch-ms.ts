import { z } from "zod";
import { dateRangeMessage, isStorableTime } from "../domain/validate.js";

/**
 * Pluto's epoch-millisecond fields: integers in 0 … 8.64e15 (rest-contract.md), of which
 * the database stores the years up to 9999 (validate.ts); past that, a 400 naming the field.
 */
export const epochMs = (field: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(8.64e15)
    .refine(isStorableTime, dateRangeMessage(field))
    .nullish();
