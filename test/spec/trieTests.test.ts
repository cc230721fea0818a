/**
 * ethereum/tests TrieTests against all three trie implementations: the in-memory root builder
 * (`node/core/trie/trieRoot.ts`), the synchronous `PatriciaTrie` and the @ethereumjs/mpt-based layer
 * (`node/state/stateTrie.ts`), the last two on the LMDB trie-nodes table, committed and reopened from the root.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { PatriciaTrie } from "../../node/core/trie/patriciaTrie.ts";
import { secureTrieRoot, trieRoot } from "../../node/core/trie/trieRoot.ts";
import { MerkleTrie } from "../../node/state/stateTrie.ts";
import type { Storage } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import { fixturePath, listJsonFiles, readJson } from "../utils/fixtures.ts";
import { tempStorage } from "../utils/tempDatadir.ts";

type Ops = [string, string | null][];
interface Case {
  in: Ops | Record<string, string | null>;
  root: string;
}

/** File → whether keys are hashed. Unknown files fail the run; skipped ones need a reason. */
const FILES: Record<string, { secure: boolean } | { skip: string }> = {
  "trietest.json": { secure: false },
  "trieanyorder.json": { secure: false },
  "trietest_secureTrie.json": { secure: true },
  "trieanyorder_secureTrie.json": { secure: true },
  "hex_encoded_securetrie_test.json": { secure: true },
  "trietestnextprev.json": { skip: "next/prev key iteration: our trie layer has no ordered-iteration API" },
};

/** Fixture strings: `0x…` is hex, anything else UTF-8. */
const bytesOf = (s: string): Uint8Array => (s.startsWith("0x") ? hexToBytes(s) : new TextEncoder().encode(s));

function opsOf(c: Case): [Uint8Array, Uint8Array | null][] {
  const list: Ops = Array.isArray(c.in) ? c.in : Object.entries(c.in);
  return list.map(([k, v]) => [bytesOf(k), v === null ? null : bytesOf(v)]);
}

function memoryRoot(ops: [Uint8Array, Uint8Array | null][], secure: boolean): Uint8Array {
  const state = new Map<string, [Uint8Array, Uint8Array]>();
  for (const [k, v] of ops) {
    if (v === null || v.length === 0) state.delete(bytesToHex(k));
    else state.set(bytesToHex(k), [k, v]);
  }
  return secure ? secureTrieRoot(state.values()) : trieRoot(state.values());
}

async function lmdbRoot(
  storage: Storage,
  ops: [Uint8Array, Uint8Array | null][],
  secure: boolean,
): Promise<Uint8Array> {
  const store = TrieNodeStore.forStorage(storage);
  const trie = await MerkleTrie.open(store, undefined, secure);
  for (const [k, v] of ops) {
    if (v === null) await trie.del(k);
    else await trie.put(k, v);
  }
  store.commit();
  // Reopen from the committed nodes: every key must read back.
  const reopened = await MerkleTrie.open(TrieNodeStore.forStorage(storage), trie.root(), secure);
  const final = new Map<string, Uint8Array | null>();
  for (const [k, v] of ops) final.set(bytesToHex(k), v === null || v.length === 0 ? null : v);
  for (const [k, v] of final) {
    const got = await reopened.get(hexToBytes(k));
    expect(got === undefined ? null : bytesToHex(got)).toBe(v === null ? null : bytesToHex(v));
  }
  return trie.root();
}

/** The synchronous trie: apply, commit to LMDB, reopen from the root and read every key back. */
function patriciaRoot(storage: Storage, ops: [Uint8Array, Uint8Array | null][], secure: boolean): Uint8Array {
  const store = TrieNodeStore.forStorage(storage);
  const trie = new PatriciaTrie(store.readNode, undefined, { secure });
  for (const [k, v] of ops) {
    if (v === null) trie.del(k);
    else trie.put(k, v);
  }
  const root = trie.commit(store.putNode);
  store.commit();
  const reopened = new PatriciaTrie(TrieNodeStore.forStorage(storage).readNode, root, { secure });
  const final = new Map<string, Uint8Array | null>();
  for (const [k, v] of ops) final.set(bytesToHex(k), v === null || v.length === 0 ? null : v);
  for (const [k, v] of final) expect(reopened.get(hexToBytes(k)) ?? null).toEqual(v);
  return root;
}

const dir = fixturePath("TrieTests");
const files = listJsonFiles(dir).map((f) => f.slice(dir.length + 1));
const cases: { name: string; file: string; secure: boolean; c: Case }[] = [];
for (const file of files) {
  const spec = FILES[file];
  if (spec === undefined) throw new Error(`unknown TrieTests file ${file}: add it to FILES`);
  if ("skip" in spec) continue;
  for (const [name, c] of Object.entries(readJson<Record<string, Case>>(`${dir}/${file}`))) {
    cases.push({ name: `${file}:${name}`, file, secure: spec.secure, c });
  }
}

describe("TrieTests", () => {
  let storage: Storage;
  beforeAll(() => {
    storage = tempStorage();
  });
  afterAll(async () => {
    await storage.close();
  });

  it("covers every case of the non-skipped files", () => {
    expect(cases.length).toBe(25);
  });

  it.each(cases)("$name (in-memory builder)", ({ c, secure }) => {
    expect(bytesToHex(memoryRoot(opsOf(c), secure))).toBe(c.root);
  });

  it.each(cases)("$name (LMDB trie layer)", async ({ c, secure }) => {
    expect(bytesToHex(await lmdbRoot(storage, opsOf(c), secure))).toBe(c.root);
  });

  it.each(cases.filter((x) => !Array.isArray(x.c.in)))(
    "$name (any order: reversed)",
    async ({ c, secure }) => {
      const reversed = opsOf(c).reverse();
      expect(bytesToHex(memoryRoot(reversed, secure))).toBe(c.root);
      expect(bytesToHex(await lmdbRoot(storage, reversed, secure))).toBe(c.root);
      expect(bytesToHex(patriciaRoot(storage, reversed, secure))).toBe(c.root);
    },
  );

  it.each(cases)("$name (PatriciaTrie over LMDB)", ({ c, secure }) => {
    expect(bytesToHex(patriciaRoot(storage, opsOf(c), secure))).toBe(c.root);
  });
});
