#!/usr/bin/env node
// Entry point for the `fastevm` binary: loads the TypeScript CLI through tsx and runs it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../node/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
