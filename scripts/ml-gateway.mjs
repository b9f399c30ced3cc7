#!/usr/bin/env node
// The `ml-gateway` command (package.json "bin"): the operator's CLI, src/cli.ts, run
// through tsx like the server itself.
import { register } from "tsx/esm/api";

register();
const { cli } = await import("../src/cli.ts");
const code = await cli(process.argv.slice(2));
// `serve` keeps running; every other command ends with its code.
if (process.argv[2] !== "serve" || code !== 0) process.exit(code);
