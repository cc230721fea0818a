/** Word helpers shared by the host-computed precompiles: EVM inputs are read as zero-padded 32-byte words. */

/** `input` right-padded with zeros to at least `length` bytes (reads past the end read zeros). */
export function rightPad(input: Uint8Array, length: number): Uint8Array {
  if (input.length >= length) return input;
  const out = new Uint8Array(length);
  out.set(input);
  return out;
}

/** The big-endian 32-byte word at `offset` (the caller guarantees it is in range). */
export function readWord(data: Uint8Array, offset: number): bigint {
  let hex = "0x";
  for (let i = offset; i < offset + 32; i++) hex += (data[i] ?? 0).toString(16).padStart(2, "0");
  return BigInt(hex);
}

/** Writes `v` (< 2^256) as a big-endian 32-byte word at `offset`. */
export function writeWord(out: Uint8Array, offset: number, v: bigint): void {
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}
