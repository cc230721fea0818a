/**
 * Trie and hashing throughput: the in-memory root builder and the LMDB-backed state trie against raw
 * @ethereumjs/mpt (in memory), and keccak-256 (ours, @noble/hashes) against noble used directly and
 * node:crypto's native SHA3-256 (a different padding, so a speed reference only). Every variant's output is
 * checked before timing.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMPT } from "@ethereumjs/mpt";
import { blake2b } from "@noble/hashes/blake2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { equalBytes } from "../../node/core/bytes.ts";
import { blake2b256, keccak256 } from "../../node/core/hash.ts";
import { encodeRlp } from "../../node/core/rlp.ts";
import { PatriciaTrie } from "../../node/core/trie/patriciaTrie.ts";
import { orderedTrieRoot, secureTrieRoot } from "../../node/core/trie/trieRoot.ts";
import { EMPTY_ACCOUNT, encodeAccount } from "../../node/state/account.ts";
import { MerkleTrie } from "../../node/state/stateTrie.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import { runComparison } from "../compare.ts";

const N = 1000;

/** 1000 transaction-sized values (~110 bytes) keyed by rlp(index), as in a transactions root. */
const txValues = Array.from({ length: N }, (_, i) => new Uint8Array(110).fill(i & 0xff));
/** 1000 accounts keyed by address, as in a state root. */
const accounts = Array.from({ length: N }, (_, i): [Uint8Array, Uint8Array] => {
  const address = keccak256(encodeRlp(i)).subarray(12);
  return [
    address,
    encodeAccount({ ...EMPTY_ACCOUNT, nonce: BigInt(i), balance: 10n ** 18n * BigInt(i + 1) }),
  ];
});

async function mptRoot(
  pairs: readonly (readonly [Uint8Array, Uint8Array])[],
  secure: boolean,
): Promise<Uint8Array> {
  const t = await createMPT({ useKeyHashing: secure });
  for (const [k, v] of pairs) await t.put(k, v);
  return t.root();
}

/** The synchronous PatriciaTrie over LMDB: inserts, commit into the node store, persist in one transaction. */
function patriciaLmdbRoot(dir: string, pairs: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  const storage = openStorage(dir, { noSync: true, lock: false });
  try {
    const store = TrieNodeStore.forStorage(storage);
    const trie = new PatriciaTrie(store.readNode, undefined, { secure: true });
    for (const [k, v] of pairs) trie.put(k, v);
    const root = trie.commit(store.putNode);
    store.commit();
    return root;
  } finally {
    void storage.close();
  }
}

/** Updates 10% of the accounts of an existing LMDB state and commits: one block's state-root work. */
function patriciaUpdate(
  store: TrieNodeStore,
  root: Uint8Array,
  pairs: readonly (readonly [Uint8Array, Uint8Array])[],
  round: number,
): Uint8Array {
  const trie = new PatriciaTrie(store.readNode, root, { secure: true });
  for (let i = round % 10; i < pairs.length; i += 10)
    trie.put(pairs[i]![0], encodeRlp([BigInt(round), BigInt(i)]));
  return trie.commit(() => {});
}

async function mptUpdate(
  trie: Awaited<ReturnType<typeof createMPT>>,
  pairs: readonly (readonly [Uint8Array, Uint8Array])[],
  round: number,
): Promise<void> {
  for (let i = round % 10; i < pairs.length; i += 10)
    await trie.put(pairs[i]![0], encodeRlp([BigInt(round), BigInt(i)]));
  trie.root();
}

async function lmdbRoot(
  dir: string,
  pairs: readonly (readonly [Uint8Array, Uint8Array])[],
): Promise<Uint8Array> {
  const storage = openStorage(dir, { noSync: true, lock: false });
  try {
    const store = TrieNodeStore.forStorage(storage);
    const trie = await MerkleTrie.open(store);
    for (const [k, v] of pairs) await trie.put(k, v);
    store.commit();
    return trie.root();
  } finally {
    await storage.close();
  }
}

export async function benchTrie(): Promise<void> {
  const txPairs = txValues.map((v, i) => [encodeRlp(i), v] as const);
  const ours = orderedTrieRoot(txValues);
  if (!equalBytes(ours, await mptRoot(txPairs, false)))
    throw new Error("bench: ordered trie roots differ from @ethereumjs/mpt");
  await runComparison({
    title: `ordered trie root (${N} tx-sized values, in memory)`,
    unit: "inserts/s",
    unitsPerOp: N,
    variants: [
      { name: "fastevm trieRoot", fn: () => orderedTrieRoot(txValues) },
      { name: "@ethereumjs/mpt", fn: () => mptRoot(txPairs, false) },
    ],
  });

  const stateRoot = secureTrieRoot(accounts);
  if (!equalBytes(stateRoot, await mptRoot(accounts, true)))
    throw new Error("bench: state roots differ from @ethereumjs/mpt");
  const tmp = mkdtempSync(join(tmpdir(), "fastevm-bench-"));
  let run = 0;
  try {
    if (!equalBytes(stateRoot, await lmdbRoot(join(tmp, "check"), accounts)))
      throw new Error("bench: LMDB trie root differs");
    await runComparison({
      title: `secure state trie (${N} accounts)`,
      unit: "inserts/s",
      unitsPerOp: N,
      variants: [
        { name: "fastevm trieRoot (memory)", fn: () => secureTrieRoot(accounts) },
        { name: "fastevm PatriciaTrie + LMDB", fn: () => patriciaLmdbRoot(join(tmp, `p${run++}`), accounts) },
        { name: "fastevm mpt trie + LMDB", fn: () => lmdbRoot(join(tmp, `r${run++}`), accounts) },
        { name: "@ethereumjs/mpt (memory)", fn: () => mptRoot(accounts, true) },
      ],
    });
    // Incremental: a committed 1000-account state in LMDB, 100 accounts updated per round.
    const storage = openStorage(join(tmp, "incremental"), { noSync: true, lock: false });
    const store = TrieNodeStore.forStorage(storage);
    const base = new PatriciaTrie(store.readNode, undefined, { secure: true });
    for (const [k, v] of accounts) base.put(k, v);
    const baseRoot = base.commit(store.putNode);
    store.commit();
    const mpt = await createMPT({ useKeyHashing: true });
    for (const [k, v] of accounts) await mpt.put(k, v);
    let round = 0;
    await runComparison({
      title: `state update: 100 of ${N} accounts, then root`,
      unit: "updates/s",
      unitsPerOp: N / 10,
      variants: [
        { name: "fastevm PatriciaTrie + LMDB", fn: () => patriciaUpdate(store, baseRoot, accounts, round++) },
        { name: "@ethereumjs/mpt (memory)", fn: () => mptUpdate(mpt, accounts, round++) },
      ],
    });
    await storage.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  for (const size of [32, 1024]) {
    const input = new Uint8Array(size).fill(0x5a);
    if (!equalBytes(keccak256(input), keccak_256(input))) throw new Error("bench: keccak differs from noble");
    await runComparison({
      title: `keccak-256 (${size}-byte input)`,
      unit: "MB/s",
      unitsPerOp: size / 1e6,
      variants: [
        { name: "fastevm (node/core/hash)", fn: () => keccak256(input) },
        { name: "node:crypto sha3-256 (ref)", fn: () => createHash("sha3-256").update(input).digest() },
        { name: "@noble/hashes keccak_256", fn: () => keccak_256(input) },
      ],
    });
  }

  // BLAKE2b-256 digests every consensus block and commit: a 1 KiB input is a typical signed DAG block.
  for (const size of [128, 1024]) {
    const input = new Uint8Array(size).fill(0x3c);
    if (!equalBytes(blake2b256(input), blake2b(input, { dkLen: 32 })))
      throw new Error("bench: blake2b differs from noble");
    await runComparison({
      title: `BLAKE2b-256 (${size}-byte input)`,
      unit: "MB/s",
      unitsPerOp: size / 1e6,
      variants: [
        { name: "fastevm (node/core/hash)", fn: () => blake2b256(input) },
        { name: "@noble/hashes blake2b", fn: () => blake2b(input, { dkLen: 32 }) },
      ],
    });
  }
}
