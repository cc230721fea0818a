/**
 * The state-root step with its tries kept between blocks (real LMDB): over a seeded random run of blocks —
 * new accounts, balance updates, storage writes and clears, deletions, wiped storage — the kept tries give
 * the same roots and hand over the same new nodes as fresh tries; the persisted nodes alone reopen every
 * account and slot; a task on another root starts fresh; an update that throws keeps nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../../../node/chain/chainGenerator.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../../../node/core/trie/trieRoot.ts";
import { EMPTY_CODE_HASH } from "../../../../node/state/account.ts";
import { SyncStateTrie } from "../../../../node/state/syncStateTrie.ts";
import type { Storage } from "../../../../node/storage/storage.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import type { BlockWrite } from "../../../../workers/execute/blockState.ts";
import {
  dropWarmTries,
  type TrieUpdate,
  updateStateTrie,
  WARM_STORAGE_TRIES,
  warmTries,
} from "../../../../workers/execute/updateTrie.ts";
import { tempStorage } from "../../../utils/tempDatadir.ts";

const open: Storage[] = [];
afterEach(async () => {
  dropWarmTries();
  for (const s of open.splice(0)) await s.close();
});

function storage(): Storage {
  const s = tempStorage();
  open.push(s);
  return s;
}

const address = (i: number): Uint8Array =>
  Uint8Array.of(...new Array<number>(16).fill(0xaa), 0, 0, i >> 8, i & 255);
const slot = (i: number): Uint8Array => {
  const s = new Uint8Array(32);
  s[30] = i >> 8;
  s[31] = i & 255;
  return s;
};

/** A seeded run of blocks' write-sets over 300 accounts, 40 of them contracts with storage. */
function randomBlocks(seed: number, blocks: number): BlockWrite[][] {
  const rnd = seededRandom(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const out: BlockWrite[][] = [];
  for (let b = 0; b < blocks; b++) {
    const touched = new Map<number, BlockWrite>();
    for (let k = 0; k < 40; k++) {
      const i = pick(300);
      const contract = i < 40;
      const roll = rnd();
      touched.set(i, {
        address: address(i),
        deleted: roll < 0.03,
        wiped: contract && roll > 0.97,
        nonce: BigInt(b),
        balance: BigInt(pick(1_000_000)),
        codeHash: EMPTY_CODE_HASH,
        code: null,
        slots: contract
          ? Array.from({ length: pick(6) }, () => ({
              key: slot(pick(500)),
              value: rnd() < 0.2 ? 0n : BigInt(pick(1e9)),
            }))
          : [],
      });
    }
    out.push([...touched.values()]);
  }
  return out;
}

/** Runs the blocks in order, persisting each block's new nodes as the writer would; the updates. */
function run(s: Storage, blocks: readonly BlockWrite[][], fresh: boolean): TrieUpdate[] {
  const out: TrieUpdate[] = [];
  let root = EMPTY_TRIE_ROOT;
  for (const writes of blocks) {
    if (fresh) dropWarmTries();
    const u = updateStateTrie(s.tables.trieNodes, root, writes);
    s.env.transactionSync(() => {
      for (const [h, n] of u.nodes) s.tables.trieNodes.putSync(h, n);
    });
    out.push(u);
    root = u.stateRoot;
  }
  return out;
}

describe("updateStateTrie with the tries kept between blocks", () => {
  it("gives fresh tries' roots and nodes; the persisted nodes alone hold the final state", () => {
    const blocks = randomBlocks(11, 60);
    const warm = run(storage(), blocks, false);
    expect(warmTries().stateRoot).toBe(bytesToHex(warm.at(-1)!.stateRoot));
    expect(warmTries().storageTries).toBeGreaterThan(0);
    expect(warmTries().storageTries).toBeLessThanOrEqual(WARM_STORAGE_TRIES);
    const s = storage();
    const cold = run(s, blocks, true);
    for (const [i, u] of warm.entries()) {
      expect(bytesToHex(u.stateRoot), `block ${i}`).toBe(bytesToHex(cold[i]!.stateRoot));
      const nodes = (x: TrieUpdate) => x.nodes.map(([h]) => bytesToHex(h)).sort();
      expect(nodes(u), `block ${i} nodes`).toEqual(nodes(cold[i]!));
      expect(u.writes.map((w) => bytesToHex(w.storageRoot))).toEqual(
        cold[i]!.writes.map((w) => bytesToHex(w.storageRoot)),
      );
    }
    // every account and slot readable from LMDB alone, at the last root of the warm run's own datadir
    const last = new Map<string, BlockWrite & { storageRoot: Uint8Array }>();
    for (const u of warm) for (const w of u.writes) last.set(bytesToHex(w.address), w);
    const ws = storage();
    const again = run(ws, blocks, false);
    const trie = new SyncStateTrie(new TrieNodeStore(ws.tables.trieNodes), again.at(-1)!.stateRoot);
    for (const w of last.values()) {
      const a = trie.getAccount(w.address);
      if (w.deleted) expect(a).toBeUndefined();
      else {
        expect(a?.balance).toBe(w.balance);
        expect(bytesToHex(a!.storageRoot)).toBe(bytesToHex(w.storageRoot));
        const st = trie.storageTrie(a!.storageRoot);
        const final = new Map(w.slots.map((sl) => [bytesToHex(sl.key), sl]));
        for (const sl of final.values()) expect(st.getSlot(sl.key)).toBe(sl.value);
      }
    }
  });

  it("a task on another root starts fresh; an update that throws keeps nothing", () => {
    const s = storage();
    const blocks = randomBlocks(5, 3);
    const [u1] = run(s, blocks.slice(0, 1), false);
    expect(warmTries().stateRoot).toBe(bytesToHex(u1!.stateRoot));
    // a side branch off genesis: not the kept root, computed from LMDB, and now the kept one
    const side = updateStateTrie(s.tables.trieNodes, EMPTY_TRIE_ROOT, blocks[1]!);
    const fresh = (() => {
      dropWarmTries();
      return updateStateTrie(s.tables.trieNodes, EMPTY_TRIE_ROOT, blocks[1]!);
    })();
    expect(bytesToHex(side.stateRoot)).toBe(bytesToHex(fresh.stateRoot));
    expect(warmTries().stateRoot).toBe(bytesToHex(fresh.stateRoot));
    const bad: BlockWrite = { ...blocks[2]![0]!, address: new Uint8Array(19) };
    expect(() => updateStateTrie(s.tables.trieNodes, fresh.stateRoot, [...blocks[2]!, bad])).toThrow(
      /20 bytes/,
    );
    expect(warmTries().stateRoot).toBeUndefined();
  });
});
