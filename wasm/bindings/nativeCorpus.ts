/**
 * Encoding of world states and execution records for the native runner (`wasm/test/nativeRunner.cpp`),
 * used by the benchmark and the sanitizer replay corpus:
 * `bench` takes one state + request, `replay` takes { state, request, expected response } records.
 */
import { bigintToFixedBytes } from "../../node/core/bytes.ts";
import { hexToBytes } from "../../node/core/hex.ts";

/** The shape of a whole in-memory state (node/evm/memoryState.ts has it): 0x-hex keys. */
export interface StateSnapshot {
  readonly accounts: ReadonlyMap<
    string,
    {
      readonly nonce: bigint;
      readonly balance: bigint;
      readonly code: Uint8Array;
      readonly storage: ReadonlyMap<string, bigint>;
    }
  >;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** u32 count { address[20] balance[32] nonce:u64 code_len:u32 code slot_count:u32 { key[32] value[32] }* }* */
export function encodeNativeState(st: StateSnapshot): Uint8Array[] {
  const parts: Uint8Array[] = [u32(st.accounts.size)];
  for (const [addr, a] of st.accounts) {
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setBigUint64(0, a.nonce, true);
    parts.push(hexToBytes(addr, 20), bigintToFixedBytes(a.balance, 32), nonce, u32(a.code.length), a.code);
    parts.push(u32(a.storage.size));
    for (const [k, v] of a.storage) parts.push(hexToBytes(k, 32), bigintToFixedBytes(v, 32));
  }
  return parts;
}

export function encodeBenchFile(st: StateSnapshot, request: Uint8Array): Uint8Array {
  return Buffer.concat([...encodeNativeState(st), u32(request.length), request]);
}

export function encodeReplayRecord(
  st: StateSnapshot,
  request: Uint8Array,
  response: Uint8Array,
): Uint8Array[] {
  return [...encodeNativeState(st), u32(request.length), request, u32(response.length), response];
}
