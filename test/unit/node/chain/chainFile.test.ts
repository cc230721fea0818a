/** geth chain files: blocks round-trip in order across chunk boundaries; truncation and junk are CHAIN_FILE errors. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readChainFile, writeChainFile } from "../../../../node/chain/chainFile.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { encodeRlp } from "../../../../node/core/rlp.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const dir = tempDir();
afterAll(() => dir.remove());

function items(n: number): Uint8Array[] {
  // lists of very different sizes: short (<56 bytes) and long headers, some larger than the 1 MiB read chunk
  return Array.from({ length: n }, (_, i) =>
    encodeRlp([new Uint8Array(i % 7 === 0 ? 1_300_000 : i * 13).fill(i), BigInt(i)]),
  );
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isFastEvmError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("chain files", () => {
  it("reads back what was written, with offsets", () => {
    const blocks = items(20);
    const path = join(dir.path, "ok.rlp");
    expect(writeChainFile(path, blocks)).toBe(20);
    const read = [...readChainFile(path)];
    expect(read.map((r) => r.raw)).toEqual(blocks);
    let offset = 0;
    read.forEach((r, i) => {
      expect(r.offset).toBe(offset);
      offset += blocks[i]!.length;
    });
  });

  it("rejects a truncated file and a non-list item", () => {
    const blocks = items(3);
    const whole = Buffer.concat(blocks);
    const cut = join(dir.path, "cut.rlp");
    writeFileSync(cut, whole.subarray(0, whole.length - 5));
    expect(codeOf(() => [...readChainFile(cut)])).toBe("CHAIN_FILE");
    const junk = join(dir.path, "junk.rlp");
    writeFileSync(junk, Buffer.concat([blocks[0]!, Buffer.from([0x83, 1, 2, 3])]));
    expect(codeOf(() => [...readChainFile(junk)])).toBe("CHAIN_FILE");
    const empty = join(dir.path, "empty.rlp");
    writeFileSync(empty, new Uint8Array(0));
    expect([...readChainFile(empty)]).toEqual([]);
  });
});
