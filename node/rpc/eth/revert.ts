/**
 * Revert data as geth reports it: code 3, `execution reverted`, with `: <reason>` when the data is a
 * Solidity `Error(string)` or `Panic(uint256)` (geth's abi.UnpackRevert), and the raw data hex in `data`.
 */
import { bytesToBigint, equalBytes } from "../../core/bytes.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";

/** keccak256("Error(string)")[0..4] */
const ERROR_SELECTOR = hexToBytes("0x08c379a0");
/** keccak256("Panic(uint256)")[0..4] */
const PANIC_SELECTOR = hexToBytes("0x4e487b71");

const PANIC_REASONS: Record<number, string> = {
  0: "generic panic",
  1: "assert(false)",
  17: "arithmetic underflow or overflow",
  18: "division or modulo by zero",
  33: "enum overflow",
  34: "invalid encoded storage byte array accessed",
  49: "out-of-bounds array access; popping on an empty array",
  50: "out-of-bounds access of an array or bytesN",
  65: "out of memory",
  81: "uninitialized function",
};

function word(data: Uint8Array, at: number): bigint | undefined {
  return at + 32 <= data.length ? bytesToBigint(data.subarray(at, at + 32)) : undefined;
}

/** The reason in revert data, or undefined when it is neither Error(string) nor Panic(uint256). */
export function revertReason(data: Uint8Array): string | undefined {
  if (data.length < 4) return undefined;
  const sel = data.subarray(0, 4);
  const body = data.subarray(4);
  if (equalBytes(sel, ERROR_SELECTOR)) {
    const offset = word(body, 0);
    if (offset === undefined || offset > BigInt(body.length)) return undefined;
    const len = word(body, Number(offset));
    const start = Number(offset) + 32;
    if (len === undefined || BigInt(start) + len > BigInt(body.length)) return undefined;
    return new TextDecoder().decode(body.subarray(start, start + Number(len)));
  }
  if (equalBytes(sel, PANIC_SELECTOR)) {
    const code = word(body, 0);
    if (code === undefined) return undefined;
    const known = code <= 0xffn ? PANIC_REASONS[Number(code)] : undefined;
    return known ?? `unknown panic code: 0x${code.toString(16)}`;
  }
  return undefined;
}

/** The JSON-RPC error of a reverted call. */
export function revertError(data: Uint8Array): RpcError {
  return new RpcError(RpcCode.EXECUTION_REVERTED, revertReason(data), bytesToHex(data));
}
