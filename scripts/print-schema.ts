// npm run print-schema — writes schema.graphql from the code (test/schema.test.ts checks it).
import { writeFileSync } from "node:fs";
import { printSchema } from "graphql";
import { schema } from "../src/graphql/schema/index.js";

writeFileSync("schema.graphql", printSchema(schema) + "\n");
console.log("wrote schema.graphql");
