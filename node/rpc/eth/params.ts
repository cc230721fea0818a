/**
 * Parameter parsing for the public methods, with geth's wording: a bad parameter answers -32602
 * `invalid argument N: <reason>` (N its position), a bad field inside an object names the field.
 */
import { isFastEvmError } from "../../core/errors.ts";
import { hexToBytes, quantityToBigint } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";

export function invalidArg(i: number, reason: string): RpcError {
  return RpcError.exact(RpcCode.INVALID_PARAMS, `invalid argument ${i}: ${reason}`);
}

/** geth's hexutil wording for a malformed hex value. */
function hexReason(v: unknown, e: unknown): string {
  if (typeof v !== "string") return "json: cannot unmarshal non-string into hex value";
  if (!/^0x/i.test(v)) return "hex string without 0x prefix";
  return isFastEvmError(e) ? e.message : String(e);
}

export function parseArg<T>(i: number, v: unknown, parse: (v: unknown) => T): T {
  try {
    return parse(v);
  } catch (e) {
    if (e instanceof RpcError) throw e;
    if (isFastEvmError(e)) throw invalidArg(i, hexReason(v, e));
    throw e;
  }
}

/** params[i] (undefined when missing). Too many parameters answer -32602 as geth does. */
export function arg(params: readonly unknown[], i: number): unknown {
  return params[i];
}

export function maxArgs(params: readonly unknown[], n: number): void {
  if (params.length > n)
    throw RpcError.exact(RpcCode.INVALID_PARAMS, `too many arguments, want at most ${n}`);
}

export function required(params: readonly unknown[], i: number, name: string): unknown {
  const v = params[i];
  if (v === undefined || v === null) throw invalidArg(i, `missing value for required argument ${name}`);
  return v;
}

export const hash32 = (i: number, v: unknown): Uint8Array =>
  parseArg(i, v, (x) => hexToBytes(x as string, 32));
export const address20 = (i: number, v: unknown): Uint8Array =>
  parseArg(i, v, (x) => hexToBytes(x as string, 20));
export const bytesArg = (i: number, v: unknown): Uint8Array => parseArg(i, v, (x) => hexToBytes(x as string));
export const uintArg = (i: number, v: unknown, bits = 64): bigint =>
  parseArg(i, v, (x) => quantityToBigint(x as string, bits));

export function boolArg(i: number, v: unknown, dflt = false): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw invalidArg(i, "json: cannot unmarshal into Go value of type bool");
  return v;
}

/** A field of a parameter object, -32602 naming it on failure. */
export function field<T>(i: number, name: string, v: unknown, parse: (v: unknown) => T): T {
  try {
    return parse(v);
  } catch (e) {
    if (isFastEvmError(e) || e instanceof RpcError)
      throw invalidArg(i, `${name}: ${e instanceof RpcError ? e.message : hexReason(v, e)}`);
    throw e;
  }
}
