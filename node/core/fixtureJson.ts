/**
 * The outer shape shared by ethereum-tests fixture files (GeneralStateTests, BlockchainTests): a non-empty
 * object of named tests, each an object. Each runner checks its own fields on top.
 */
import { ErrorCode, FastEvmError } from "./errors.ts";

export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** FIXTURE_INVALID naming the file and what is wrong with it. */
export function fixtureError(source: string, kind: string, why: string): FastEvmError {
  return new FastEvmError(ErrorCode.FIXTURE_INVALID, `${source} is not a ${kind} file: ${why}`);
}

/** The named tests of a parsed fixture file, or FIXTURE_INVALID when it is not an object of objects. */
export function fixtureTests(
  json: unknown,
  source: string,
  kind: string,
): [string, Record<string, unknown>][] {
  if (!isJsonObject(json)) throw fixtureError(source, kind, "the top level is not an object of tests");
  const tests = Object.entries(json);
  if (tests.length === 0) throw fixtureError(source, kind, "it holds no tests");
  for (const [name, t] of tests)
    if (!isJsonObject(t)) throw fixtureError(source, kind, `${name} is not an object`);
  return tests as [string, Record<string, unknown>][];
}
