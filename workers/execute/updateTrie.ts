/**
 * Applies a block's write-set to the Merkle-Patricia state trie, starting from the parent's state root:
 * storage tries first (from the account's previous storage root, or empty when wiped), then the accounts.
 * Uses the synchronous trie (`SyncStateTrie`); nodes are read from LMDB (content-addressed, never pruned, so
 * every executed block's root is readable) and the new ones are returned for the writer to commit with the
 * block.
 *
 * The upper trie stays hot between blocks: the worker keeps the last block's state trie, decoded to
 * WARM_STATE_LEVELS levels, and the storage tries it last wrote (WARM_STORAGE_TRIES of them, to
 * WARM_STORAGE_LEVELS levels). The next block whose parent root is that root starts from it, so its paths
 * read only their lower nodes from LMDB and hash only what changed. A trie is found by its root hash, which
 * names its whole content, so a kept trie is right for any task on that root (a side branch, a rebuilt
 * payload); one in the middle of an update is never kept.
 */

import { setNewest } from "../../node/core/boundedMap.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../node/core/trie/trieRoot.ts";
import type { AccountWrite } from "../../node/core/wire/execute.ts";
import { SyncStateTrie, type SyncStorageTrie } from "../../node/state/syncStateTrie.ts";
import type { Table } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import type { BlockWrite } from "./blockState.ts";

/**
 * Levels of the state trie kept decoded between blocks: at most 1 + 16 + 256 + 4,096 branch nodes (a few MB),
 * which covers every path of a state under ~65,000 accounts down to its last one or two nodes.
 */
export const WARM_STATE_LEVELS = 4;
/** Levels of each kept storage trie: at most 273 branch nodes each. */
export const WARM_STORAGE_LEVELS = 3;
/** Storage tries kept between blocks (the contracts written last), least recently written dropped first. */
export const WARM_STORAGE_TRIES = 64;

/** The last block's state trie, by its root. */
let warmState: { readonly root: string; readonly trie: SyncStateTrie } | undefined;
/** Storage tries written by recent blocks, by root (hex), oldest first. */
const warmStorage = new Map<string, SyncStorageTrie>();

/** What the worker keeps between blocks (tests). */
export function warmTries(): { readonly stateRoot: string | undefined; readonly storageTries: number } {
  return { stateRoot: warmState?.root, storageTries: warmStorage.size };
}

/** Forgets the kept tries: when the worker moves to another datadir (`runTask.ts`), and in tests. */
export function dropWarmTries(): void {
  warmState = undefined;
  warmStorage.clear();
}

export interface TrieUpdate {
  readonly stateRoot: Uint8Array;
  readonly writes: AccountWrite[];
  readonly nodes: [Uint8Array, Uint8Array][];
}

/**
 * `known`: nodes not in LMDB yet (the overlay's, of blocks accepted and not persisted), read first.
 * `midway`: called once half of the writes are in the trie (the crash test's fault point, `runTask.ts`).
 */
export function updateStateTrie(
  trieNodes: Table,
  parentRoot: Uint8Array,
  writes: readonly BlockWrite[],
  known: readonly (readonly [Uint8Array, Uint8Array])[] = [],
  midway?: () => void,
): TrieUpdate {
  const store = new TrieNodeStore(
    trieNodes,
    new Map(),
    known.length > 0 ? TrieNodeStore.knownNodes(known) : undefined,
  );
  const parentKey = bytesToHex(parentRoot);
  // taken out while it is being changed: an update that throws leaves nothing half-done behind
  const kept = warmState?.root === parentKey ? warmState.trie : undefined;
  warmState = undefined;
  kept?.useStore(store);
  const trie = kept ?? new SyncStateTrie(store, parentRoot);
  const out: AccountWrite[] = [];
  const half = Math.floor(writes.length / 2);
  for (const w of writes) {
    if (out.length === half) midway?.();
    if (w.deleted) {
      trie.deleteAccount(w.address);
      out.push({ ...w, storageRoot: EMPTY_TRIE_ROOT, slots: [] });
      continue;
    }
    const prev = w.wiped ? undefined : trie.getAccount(w.address);
    let storageRoot = prev?.storageRoot ?? EMPTY_TRIE_ROOT;
    if (w.slots.length > 0) {
      const st = storageTrie(trie, store, storageRoot);
      for (const s of w.slots) st.putSlot(s.key, s.value);
      storageRoot = st.commit();
      st.prune(WARM_STORAGE_LEVELS);
      setNewest(warmStorage, bytesToHex(storageRoot), st, WARM_STORAGE_TRIES);
    }
    trie.putAccount(w.address, { nonce: w.nonce, balance: w.balance, storageRoot, codeHash: w.codeHash });
    out.push({ ...w, storageRoot });
  }
  const stateRoot = trie.commit();
  trie.prune(WARM_STATE_LEVELS);
  warmState = { root: bytesToHex(stateRoot), trie };
  return { stateRoot, writes: out, nodes: store.pendingNodes() };
}

/** The storage trie at `root`: a kept one (taken out while it changes), else a fresh one over `store`. */
function storageTrie(state: SyncStateTrie, store: TrieNodeStore, root: Uint8Array): SyncStorageTrie {
  const key = bytesToHex(root);
  const kept = warmStorage.get(key);
  if (kept === undefined) return state.storageTrie(root);
  warmStorage.delete(key);
  kept.useStore(store);
  return kept;
}
