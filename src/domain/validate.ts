import { ValidationError, type FieldError } from "./errors.js";
import { isJsonObject } from "./json-merge.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * PostgreSQL stores no NUL in text and no \u0000 in jsonb, and an unpaired UTF-16 surrogate
 * is no Unicode text at all (Prisma's protocol fails on it): such input is refused up front.
 */
export function containsUnstorableText(v: unknown): boolean {
  if (typeof v === "string") return v.includes("\u0000") || LONE_SURROGATE.test(v);
  if (Array.isArray(v)) return v.some(containsUnstorableText);
  if (v !== null && typeof v === "object") return Object.entries(v).some(([k, x]) => containsUnstorableText(k) || containsUnstorableText(x));
  return false;
}

export const NUL_MESSAGE = "must not contain NUL (\\u0000) characters or unpaired surrogates";

/** What is wrong with a text field, or null; a hot path may ask this without an InputCheck. */
export function textProblem(label: string, value: string | null | undefined, opts: { required?: boolean; max: number }): string | null {
  if (value == null) return opts.required ? `${label} is required.` : null;
  if (value.trim().length === 0) return `${label} must not be empty.`;
  if (containsUnstorableText(value)) return `${label} ${NUL_MESSAGE}.`;
  if (value.length > opts.max) return `${label} must be at most ${opts.max} characters (got ${value.length}).`;
  return null;
}

export const isStep = (value: number, max = Number.MAX_SAFE_INTEGER) => Number.isInteger(value) && value >= 0 && value <= max;

// PostgreSQL has no year 0 (JavaScript's 1 BC), and past 9999 a date's ISO form gets a "+"
// PostgreSQL refuses: stored dates fall in the years 1 to 9999. (Parsed: Date.UTC maps the
// years 0-99 to 1900-1999.)
const MIN_DATE = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_DATE = Date.parse("9999-12-31T23:59:59.999Z");

/** A time (epoch ms) the database can store. */
export const isStorableTime = (ms: number) => ms >= MIN_DATE && ms <= MAX_DATE;
export const dateRangeMessage = (field: string) => `${field} must fall between the years 1 and 9999.`;

// Collects every problem of an input before anything is written, so the client sees all
// of them at once, each with the path of its field.
export class InputCheck {
  private readonly errors: FieldError[] = [];

  constructor(private readonly root: string[] = ["input"]) {}

  fail(path: (string | number)[], message: string): this {
    this.errors.push({ path: [...this.root, ...path.map(String)], message });
    return this;
  }

  text(path: (string | number)[], value: string | null | undefined, opts: { required?: boolean; max: number }): this {
    const problem = textProblem(String(path.at(-1)), value, opts);
    return problem ? this.fail(path, problem) : this;
  }

  step(path: (string | number)[], value: number | null | undefined, max = Number.MAX_SAFE_INTEGER): this {
    if (value == null || isStep(value, max)) return this;
    return this.fail(path, `${String(path.at(-1))} must be an integer from 0 to ${max} (got ${value}).`);
  }

  object(path: (string | number)[], value: unknown): this {
    if (value != null && !isJsonObject(value)) return this.fail(path, `${String(path.at(-1))} must be a JSON object.`);
    return this.json(path, value);
  }

  json(path: (string | number)[], value: unknown): this {
    if (containsUnstorableText(value)) this.fail(path, `${String(path.at(-1))} ${NUL_MESSAGE}.`);
    return this;
  }

  date(path: (string | number)[], value: Date | null | undefined): this {
    if (value == null) return this;
    if (Number.isNaN(value.getTime())) this.fail(path, `${String(path.at(-1))} is not a valid date.`);
    else if (!isStorableTime(value.getTime())) this.fail(path, dateRangeMessage(String(path.at(-1))));
    return this;
  }

  /** Runs a rule that throws ValidationError and keeps its fields. */
  rule(fn: () => void): this {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.errors.push(...e.fields.map((f) => ({ ...f, path: [...this.root, ...f.path] })));
    }
    return this;
  }

  /** Throws one ValidationError carrying every collected field error. */
  done(): void {
    if (this.errors.length === 0) return;
    const first = this.errors[0]!;
    const message = this.errors.length === 1 ? first.message : `${first.message} (and ${this.errors.length - 1} more)`;
    throw new ValidationError(message, this.errors);
  }
}
