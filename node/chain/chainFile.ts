/**
 * geth-format chain files (`geth export` / `geth import`): RLP-encoded blocks concatenated, nothing else.
 * Reading streams the file in chunks and yields each block's bytes; a truncated or non-list item is a
 * CHAIN_FILE error naming its byte offset.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { concatBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

const CHUNK = 1 << 20;

/** Total length (header + payload) of the RLP list starting at `buf[0]`, or undefined if the header is cut. */
function listLength(buf: Uint8Array, offset: number): number | undefined {
  const b0 = buf[0]!;
  if (b0 < 0xc0)
    throw new FastEvmError(ErrorCode.CHAIN_FILE, `chain file: item at byte ${offset} is not an RLP list`);
  if (b0 <= 0xf7) return 1 + (b0 - 0xc0);
  const ll = b0 - 0xf7;
  if (buf.length < 1 + ll) return undefined;
  let len = 0;
  for (let i = 1; i <= ll; i++) len = len * 256 + buf[i]!;
  return 1 + ll + len;
}

export interface ChainFileItem {
  readonly raw: Uint8Array;
  /** byte offset of the block in the file */
  readonly offset: number;
}

/** Yields every block's RLP bytes in file order. */
export function* readChainFile(path: string): Generator<ChainFileItem> {
  const fd = openSync(path, "r");
  try {
    let buf: Uint8Array = new Uint8Array(0);
    let filePos = 0;
    let offset = 0;
    let eof = false;
    const fill = (need: number): void => {
      while (buf.length < need && !eof) {
        const chunk = new Uint8Array(Math.max(CHUNK, need - buf.length));
        const n = readSync(fd, chunk, 0, chunk.length, filePos);
        if (n === 0) eof = true;
        else {
          filePos += n;
          buf = buf.length === 0 ? chunk.subarray(0, n) : concatBytes(buf, chunk.subarray(0, n));
        }
      }
    };
    for (;;) {
      fill(9);
      if (buf.length === 0) return;
      const total = listLength(buf, offset);
      if (total === undefined)
        throw new FastEvmError(ErrorCode.CHAIN_FILE, `chain file: truncated at byte ${offset}`);
      fill(total);
      if (buf.length < total)
        throw new FastEvmError(ErrorCode.CHAIN_FILE, `chain file: block at byte ${offset} is truncated`);
      yield { raw: buf.slice(0, total), offset };
      buf = buf.subarray(total);
      offset += total;
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes encoded blocks to `path` (replacing it); returns the number written. */
export function writeChainFile(path: string, blocks: Iterable<Uint8Array>): number {
  const fd = openSync(path, "w");
  let n = 0;
  try {
    for (const b of blocks) {
      writeSync(fd, b);
      n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}
