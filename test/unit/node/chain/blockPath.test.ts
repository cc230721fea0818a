/**
 * The one path finder (node/chain/blockPath.ts) over a tree of headers held in a map:
 *
 *   g ─ a1 ─ a2 ─ a3        (the "head" branch)
 *        └─ b2 ─ b3 ─ b4    (a side branch off a1)
 */
import { describe, expect, it } from "vitest";
import {
  type BlockRef,
  blockPath,
  DEFAULT_MAX_REORG_DEPTH,
  pathFromHead,
} from "../../../../node/chain/blockPath.ts";
import { type BlockHeader, headerHash } from "../../../../node/core/block/header.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { cancunHeader } from "../../../utils/headers.ts";

const byHash = new Map<string, BlockHeader>();
function child(parent: BlockRef, salt: number): BlockRef {
  const header: BlockHeader = {
    ...parent.header,
    parentHash: parent.hash,
    number: parent.header.number + 1n,
    timestamp: parent.header.timestamp + BigInt(salt),
  };
  const hash = headerHash(header);
  byHash.set(bytesToHex(hash), header);
  return { hash, header };
}
const gHeader: BlockHeader = { ...cancunHeader(), number: 0n };
const g: BlockRef = { hash: headerHash(gHeader), header: gHeader };
byHash.set(bytesToHex(g.hash), gHeader);
const a1 = child(g, 1);
const a2 = child(a1, 1);
const a3 = child(a2, 1);
const b2 = child(a1, 2);
const b3 = child(b2, 2);
const b4 = child(b3, 2);
const headers = { header: (h: Uint8Array) => byHash.get(bytesToHex(h)) };
const names = new Map(
  Object.entries({ g, a1, a2, a3, b2, b3, b4 }).map(([n, r]) => [bytesToHex(r.hash), n] as const),
);
const named = (rs: readonly BlockRef[]) => rs.map((r) => names.get(bytesToHex(r.hash)));

describe("blockPath", () => {
  it.each<[string, BlockRef, BlockRef, string[], string[]]>([
    ["same block", a3, a3, [], []],
    ["forward along the chain", a1, a3, [], ["a2", "a3"]],
    ["back to an ancestor", a3, a1, ["a3", "a2"], []],
    ["to a longer side branch", a3, b4, ["a3", "a2"], ["b2", "b3", "b4"]],
    ["to a shorter side branch", b4, a2, ["b4", "b3", "b2"], ["a2"]],
    ["back to genesis", b3, g, ["b3", "b2", "a1"], []],
  ])("%s", (_, from, to, rewind, reapply) => {
    const p = blockPath(headers, from, to);
    expect(named(p.rewind)).toEqual(rewind);
    expect(named(p.reapply)).toEqual(reapply);
  });

  it("accepts a rewind of exactly maxRewind and refuses one more (BLOCK_REORG_TOO_DEEP)", () => {
    expect(blockPath(headers, b4, a2, { maxRewind: 3 }).rewind).toHaveLength(3);
    let err: unknown;
    try {
      blockPath(headers, b4, a2, { maxRewind: 2 });
    } catch (e) {
      err = e;
    }
    expect(isFastEvmError(err, "BLOCK_REORG_TOO_DEEP")).toBe(true);
    // forward moves rewind nothing, so no limit applies
    expect(blockPath(headers, g, b4, { maxRewind: 0 }).reapply).toHaveLength(4);
  });

  it("STORAGE when an ancestor's header is missing", () => {
    const orphanHeader: BlockHeader = { ...a1.header, parentHash: new Uint8Array(32).fill(7) };
    const orphan = { hash: headerHash(orphanHeader), header: orphanHeader };
    expect(() => blockPath(headers, orphan, a3)).toThrow(/missing ancestor/);
  });

  it("pathFromHead: from the store's head; NOT_FOUND for an unknown target", () => {
    const store = { ...headers, head: () => a3 };
    expect(named(pathFromHead(store, b3.hash).reapply)).toEqual(["b2", "b3"]);
    let err: unknown;
    try {
      pathFromHead(store, new Uint8Array(32));
    } catch (e) {
      err = e;
    }
    expect(isFastEvmError(err, "NOT_FOUND")).toBe(true);
  });

  it("the default reorg depth is 64", () => {
    expect(DEFAULT_MAX_REORG_DEPTH).toBe(64);
  });
});
