/**
 * Applies a block's write-set to the Merkle-Patricia state trie, starting from the parent's state root:
 * storage tries first (from the account's previous storage root, or empty when wiped), then the accounts.
 * Uses the synchronous trie (`SyncStateTrie`); nodes are read from LMDB (content-addressed, never pruned, so
 * every executed block's root is readable) and the new ones are returned for the writer to commit with the
 * block.
 */
import { EMPTY_TRIE_ROOT } from "../../node/core/trie/trieRoot.ts";
import type { AccountWrite } from "../../node/core/wire/execute.ts";
import { SyncStateTrie } from "../../node/state/syncStateTrie.ts";
import type { Table } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import type { BlockWrite } from "./blockState.ts";

export interface TrieUpdate {
  readonly stateRoot: Uint8Array;
  readonly writes: AccountWrite[];
  readonly nodes: [Uint8Array, Uint8Array][];
}

/** `known`: nodes not in LMDB yet (the overlay's, of blocks accepted and not persisted), read first. */
export function updateStateTrie(
  trieNodes: Table,
  parentRoot: Uint8Array,
  writes: readonly BlockWrite[],
  known: readonly (readonly [Uint8Array, Uint8Array])[] = [],
): TrieUpdate {
  const store = new TrieNodeStore(
    trieNodes,
    new Map(),
    known.length > 0 ? TrieNodeStore.knownNodes(known) : undefined,
  );
  const trie = new SyncStateTrie(store, parentRoot);
  const out: AccountWrite[] = [];
  for (const w of writes) {
    if (w.deleted) {
      trie.deleteAccount(w.address);
      out.push({ ...w, storageRoot: EMPTY_TRIE_ROOT, slots: [] });
      continue;
    }
    const prev = w.wiped ? undefined : trie.getAccount(w.address);
    let storageRoot = prev?.storageRoot ?? EMPTY_TRIE_ROOT;
    if (w.slots.length > 0) {
      const st = trie.storageTrie(storageRoot);
      for (const s of w.slots) st.putSlot(s.key, s.value);
      storageRoot = st.commit();
    }
    trie.putAccount(w.address, { nonce: w.nonce, balance: w.balance, storageRoot, codeHash: w.codeHash });
    out.push({ ...w, storageRoot });
  }
  const stateRoot = trie.commit();
  return { stateRoot, writes: out, nodes: store.pendingNodes() };
}
