/**
 * The synchronous Patricia trie: random put/update/delete sequences, interleaved with commits and reopening
 * from the committed root, always agree with the one-shot root builder; a trie kept in use after commits and
 * prunes to a few levels (as the execute worker keeps it between blocks) agrees too and reads its pruned
 * nodes back from the store; proofs verify with @ethereumjs/mpt.
 */
import { verifyMerkleProof } from "@ethereumjs/mpt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { PatriciaTrie } from "../../../../../node/core/trie/patriciaTrie.ts";
import { EMPTY_TRIE_ROOT, secureTrieRoot, trieRoot } from "../../../../../node/core/trie/trieRoot.ts";

/** Short keys over a small alphabet (shared prefixes, prefix keys, branch values); empty value = delete. */
const key = fc.uint8Array({ minLength: 0, maxLength: 4 }).map((b) => b.map((x) => x & 0x31));
const op = fc.record({
  key,
  value: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 40 })),
  commit: fc.boolean(),
});

function memStore(): { nodes: Map<string, Uint8Array>; read: (h: Uint8Array) => Uint8Array | undefined } {
  const nodes = new Map<string, Uint8Array>();
  return { nodes, read: (h) => nodes.get(bytesToHex(h)) };
}

type Model = Map<string, [Uint8Array, Uint8Array]>;

/** Applies `o` to the trie and to the model of what it should hold. */
function apply(trie: PatriciaTrie, model: Model, o: { key: Uint8Array; value: Uint8Array }): void {
  trie.put(o.key, o.value);
  if (o.value.length === 0) model.delete(bytesToHex(o.key));
  else model.set(bytesToHex(o.key), [o.key, o.value]);
}

/** The trie holds exactly the model: its root is the one-shot builder's, and every key reads back. */
function expectModel(trie: PatriciaTrie, model: Model, secure: boolean): void {
  const expected = secure ? secureTrieRoot(model.values()) : trieRoot(model.values());
  expect(bytesToHex(trie.rootHash())).toBe(bytesToHex(expected));
  for (const [k, v] of model.values()) expect(trie.get(k)).toEqual(v);
}

describe("PatriciaTrie", () => {
  it("agrees with trieRoot through random updates, deletes, commits and reopens", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), (ops, secure) => {
        const store = memStore();
        let trie = new PatriciaTrie(store.read, EMPTY_TRIE_ROOT, { secure });
        const model: Model = new Map();
        for (const o of ops) {
          apply(trie, model, o);
          if (o.commit) {
            const root = trie.commit((h, enc) => store.nodes.set(bytesToHex(h), enc));
            trie = new PatriciaTrie(store.read, root, { secure });
          }
        }
        expectModel(trie, model, secure);
      }),
      { seed: 31337, numRuns: 300 },
    );
  });

  it("kept in use after each commit, pruned to 0–3 levels, with the reader swapped: still agrees", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.nat(3), fc.boolean(), (ops, levels, secure) => {
        const store = memStore();
        const trie = new PatriciaTrie(() => undefined, EMPTY_TRIE_ROOT, { secure });
        trie.setReader(store.read);
        const model: Model = new Map();
        for (const o of ops) {
          apply(trie, model, o);
          if (o.commit) {
            const root = trie.commit((h, enc) => store.nodes.set(bytesToHex(h), enc));
            trie.prune(levels);
            expect(bytesToHex(trie.rootHash())).toBe(bytesToHex(root));
            // the store alone holds the whole trie: what the kept one handed to its commits is complete
            const reopened = new PatriciaTrie(store.read, root, { secure });
            for (const [k, v] of model.values()) expect(reopened.get(k)).toEqual(v);
          }
        }
        expectModel(trie, model, secure);
      }),
      { seed: 4242, numRuns: 300 },
    );
    const t = new PatriciaTrie(() => undefined);
    t.put(Uint8Array.of(1), new Uint8Array(40).fill(2));
    expect(() => t.prune(1)).toThrow(/commit before pruning/);
  });

  it("produces proofs that @ethereumjs/mpt verifies, for present and absent keys", async () => {
    const pairs = fc.sample(
      fc.tuple(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uint8Array({ minLength: 1, maxLength: 70 }),
      ),
      {
        seed: 3,
        numRuns: 200,
      },
    );
    const store = memStore();
    const trie = new PatriciaTrie(store.read, EMPTY_TRIE_ROOT, { secure: true });
    for (const [k, v] of pairs) trie.put(k, v);
    const root = trie.commit((h, enc) => store.nodes.set(bytesToHex(h), enc));
    const reopened = new PatriciaTrie(store.read, root, { secure: true });
    for (const [k, v] of pairs.slice(0, 40)) {
      expect(await verifyMerkleProof(k, reopened.proof(k), { root, useKeyHashing: true })).toEqual(v);
    }
    const absent = new Uint8Array(20).fill(0xfe);
    expect(await verifyMerkleProof(absent, reopened.proof(absent), { root, useKeyHashing: true })).toBeNull();
  });

  it("reports a missing node as TRIE_INVALID and refuses to prove uncommitted changes", () => {
    const trie = new PatriciaTrie(() => undefined, new Uint8Array(32).fill(1));
    let thrown: unknown;
    try {
      trie.get(Uint8Array.of(1));
    } catch (e) {
      thrown = e;
    }
    expect(isFastEvmError(thrown, ErrorCode.TRIE_INVALID)).toBe(true);
    const t = new PatriciaTrie(() => undefined);
    t.put(Uint8Array.of(1), Uint8Array.of(2));
    expect(() => t.proof(Uint8Array.of(1))).toThrow();
  });
});
