/**
 * The synchronous state trie over LMDB: same roots as the in-memory builder and the @ethereumjs/mpt-based
 * `StateTrie`, durable through commit + reopen, incremental updates across blocks, verifiable proofs.
 */
import { verifyMerkleProof } from "@ethereumjs/mpt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToFixedBytes } from "../../../../node/core/bytes.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../../../node/core/trie/trieRoot.ts";
import { decodeAccount, EMPTY_ACCOUNT } from "../../../../node/state/account.ts";
import { computeStateRoot, type FullAccount, toTrieAccount } from "../../../../node/state/stateRoot.ts";
import { StateTrie } from "../../../../node/state/stateTrie.ts";
import { SyncStateTrie } from "../../../../node/state/syncStateTrie.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import { tempStorage } from "../../../utils/tempDatadir.ts";

const slotArb = fc.bigInt({ min: 0n, max: 20n }).map((s) => bytesToHex(bigintToFixedBytes(s, 32)));
const accountArb: fc.Arbitrary<FullAccount> = fc.record({
  nonce: fc.bigInt({ min: 0n, max: 1000n }),
  balance: fc.bigInt({ min: 0n, max: (1n << 100n) - 1n }),
  code: fc.uint8Array({ maxLength: 30 }),
  storage: fc
    .array(fc.tuple(slotArb, fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })), { maxLength: 6 })
    .map((e) => new Map(e)),
});
const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(bytesToHex);
const stateArb = fc
  .uniqueArray(fc.tuple(addressArb, accountArb), { maxLength: 12, selector: ([a]) => a })
  .map((e) => new Map(e));

function writeState(trie: SyncStateTrie, state: ReadonlyMap<string, FullAccount>): void {
  for (const [address, acc] of state) {
    const existing = trie.getAccount(hexToBytes(address));
    const storage = trie.storageTrie(existing?.storageRoot);
    for (const [slot, value] of acc.storage) storage.putSlot(hexToBytes(slot), value);
    trie.putAccount(hexToBytes(address), { ...toTrieAccount(acc), storageRoot: storage.commit() });
  }
}

describe("SyncStateTrie over LMDB", () => {
  it("matches computeStateRoot and the mpt-based StateTrie on random states", async () => {
    const storage = tempStorage();
    try {
      await fc.assert(
        fc.asyncProperty(stateArb, async (state) => {
          const trie = new SyncStateTrie(TrieNodeStore.forStorage(storage));
          writeState(trie, state);
          const root = bytesToHex(trie.commit());
          expect(root).toBe(bytesToHex(computeStateRoot(state)));
          const ref = await StateTrie.open(TrieNodeStore.forStorage(storage));
          for (const [address, acc] of state) {
            const st = await ref.storageTrie();
            for (const [slot, value] of acc.storage) await st.putSlot(hexToBytes(slot), value);
            await ref.putAccount(hexToBytes(address), { ...toTrieAccount(acc), storageRoot: st.root() });
          }
          expect(bytesToHex(ref.root())).toBe(root);
        }),
        { seed: 77, numRuns: 30 },
      );
    } finally {
      await storage.close();
    }
  });

  it("applies block after block on top of committed state, reopening from each root", async () => {
    const storage = tempStorage();
    try {
      const blocks = fc.sample(stateArb, { seed: 8, numRuns: 6 });
      const model = new Map<string, FullAccount>();
      let root = EMPTY_TRIE_ROOT;
      for (const block of blocks) {
        const store = TrieNodeStore.forStorage(storage);
        const trie = new SyncStateTrie(store, root);
        writeState(trie, block);
        for (const [address, acc] of block) {
          const prev = model.get(address);
          const merged = new Map(prev?.storage ?? []);
          for (const [k, v] of acc.storage) {
            if (v === 0n) merged.delete(k);
            else merged.set(k, v);
          }
          model.set(address, { ...acc, storage: merged });
        }
        root = trie.commit();
        store.commit();
        expect(bytesToHex(root)).toBe(bytesToHex(computeStateRoot(model)));
      }
      // Everything reads back from LMDB alone, and deleting every account empties the trie.
      const trie = new SyncStateTrie(TrieNodeStore.forStorage(storage), root);
      for (const address of model.keys()) expect(trie.getAccount(hexToBytes(address))).toBeDefined();
      for (const address of model.keys()) trie.deleteAccount(hexToBytes(address));
      expect(trie.rootHash()).toEqual(EMPTY_TRIE_ROOT);
    } finally {
      await storage.close();
    }
  });

  it("proves accounts and slots", async () => {
    const storage = tempStorage();
    try {
      const store = TrieNodeStore.forStorage(storage);
      const trie = new SyncStateTrie(store);
      const a = new Uint8Array(20).fill(7);
      const st = trie.storageTrie();
      const slot = bigintToFixedBytes(3n, 32);
      st.putSlot(slot, 99n);
      trie.putAccount(a, { ...EMPTY_ACCOUNT, balance: 5n, storageRoot: st.commit() });
      for (let i = 0; i < 50; i++)
        trie.putAccount(new Uint8Array(20).fill(i + 10), { ...EMPTY_ACCOUNT, nonce: BigInt(i) });
      const root = trie.commit();
      const proven = await verifyMerkleProof(a, trie.proof(a), { root, useKeyHashing: true });
      expect(decodeAccount(proven!).balance).toBe(5n);
      const slotProof = trie.storageTrie(decodeAccount(proven!).storageRoot).proof(slot);
      expect(
        await verifyMerkleProof(slot, slotProof, {
          root: decodeAccount(proven!).storageRoot,
          useKeyHashing: true,
        }),
      ).toBeDefined();
    } finally {
      await storage.close();
    }
  });
});
