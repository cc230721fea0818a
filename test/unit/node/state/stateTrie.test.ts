/**
 * The LMDB-backed state trie: agrees with the in-memory `computeStateRoot` on random states, persists through
 * commit + reopen from its root, and produces Merkle proofs that verify against the root.
 */
import { verifyMerkleProof } from "@ethereumjs/mpt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToFixedBytes } from "../../../../node/core/bytes.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { encodeRlp } from "../../../../node/core/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../../../../node/core/trie/trieRoot.ts";
import { decodeAccount, EMPTY_ACCOUNT, encodeAccount } from "../../../../node/state/account.ts";
import { computeStateRoot, type FullAccount, toTrieAccount } from "../../../../node/state/stateRoot.ts";
import { StateTrie } from "../../../../node/state/stateTrie.ts";
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
const stateArb = fc
  .uniqueArray(fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }).map(bytesToHex), accountArb), {
    maxLength: 12,
    selector: ([a]) => a,
  })
  .map((e) => new Map(e));

async function writeState(trie: StateTrie, state: ReadonlyMap<string, FullAccount>): Promise<void> {
  for (const [address, acc] of state) {
    const storage = await trie.storageTrie();
    for (const [slot, value] of acc.storage) await storage.putSlot(hexToBytes(slot), value);
    await trie.putAccount(hexToBytes(address), { ...toTrieAccount(acc), storageRoot: storage.root() });
  }
}

describe("state trie over LMDB", () => {
  it("agrees with computeStateRoot on random states", async () => {
    const storage = tempStorage();
    try {
      await fc.assert(
        fc.asyncProperty(stateArb, async (state) => {
          const trie = await StateTrie.open(TrieNodeStore.forStorage(storage));
          await writeState(trie, state);
          expect(bytesToHex(trie.root())).toBe(bytesToHex(computeStateRoot(state)));
        }),
        { seed: 99, numRuns: 40 },
      );
    } finally {
      await storage.close();
    }
  });

  it("persists through commit and reopen; reads, updates and deletes accounts and slots", async () => {
    const storage = tempStorage();
    try {
      const store = TrieNodeStore.forStorage(storage);
      const trie = await StateTrie.open(store);
      const a = new Uint8Array(20).fill(0xa1);
      const slot = bigintToFixedBytes(5n, 32);
      const st = await trie.storageTrie();
      await st.putSlot(slot, 77n);
      await trie.putAccount(a, { ...EMPTY_ACCOUNT, nonce: 3n, balance: 10n, storageRoot: st.root() });
      store.commit();
      const reopened = await StateTrie.open(TrieNodeStore.forStorage(storage), trie.root());
      const acc = await reopened.getAccount(a);
      expect(acc?.nonce).toBe(3n);
      expect(await (await reopened.storageTrie(acc?.storageRoot)).getSlot(slot)).toBe(77n);
      expect(await reopened.getAccount(new Uint8Array(20))).toBeUndefined();
      await st.putSlot(slot, 0n);
      expect(st.root()).toEqual(EMPTY_TRIE_ROOT);
      await reopened.deleteAccount(a);
      expect(reopened.root()).toEqual(EMPTY_TRIE_ROOT);
    } finally {
      await storage.close();
    }
  });

  it("produces account and storage proofs that verify against the roots", async () => {
    const storage = tempStorage();
    try {
      const state = fc.sample(
        stateArb.filter((s) => s.size > 3),
        { seed: 5, numRuns: 1 },
      )[0]!;
      const trie = await StateTrie.open(TrieNodeStore.forStorage(storage));
      await writeState(trie, state);
      for (const [address, acc] of state) {
        const slots = [...acc.storage.keys()].map((s) => hexToBytes(s));
        const p = await trie.accountProof(hexToBytes(address), slots);
        const proven = await verifyMerkleProof(hexToBytes(address), p.proof, {
          root: trie.root(),
          useKeyHashing: true,
        });
        expect(decodeAccount(proven!)).toEqual(p.account);
        for (const sp of p.storageProofs) {
          const v = await verifyMerkleProof(sp.slot, sp.proof, {
            root: p.account!.storageRoot,
            useKeyHashing: true,
          });
          expect(v === null ? 0n : sp.value).toBe(sp.value);
          if (sp.value !== 0n) expect(v).toEqual(encodeRlp(sp.value));
        }
      }
      // A proof of absence verifies to null.
      const absent = new Uint8Array(20).fill(0xee);
      const p = await trie.accountProof(absent);
      expect(await verifyMerkleProof(absent, p.proof, { root: trie.root(), useKeyHashing: true })).toBeNull();
    } finally {
      await storage.close();
    }
  });

  it("encodes accounts as rlp([nonce, balance, storageRoot, codeHash])", () => {
    expect(decodeAccount(encodeAccount(EMPTY_ACCOUNT))).toEqual(EMPTY_ACCOUNT);
    expect(bytesToHex(encodeAccount(EMPTY_ACCOUNT)).slice(0, 8)).toBe("0xf84480");
  });
});
