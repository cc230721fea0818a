#!/usr/bin/env node
// Entry point for the `fastevm` binary: loads the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";

register();
await import("../node/cli/main.ts");
