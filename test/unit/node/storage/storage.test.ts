/** The LMDB environment: every registered table opens with its stable name and round-trips bytes. */
import { describe, expect, it } from "vitest";
import { openStorage } from "../../../../node/storage/storage.ts";
import { TABLES, type TableId } from "../../../../node/storage/tables.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import { tempStorage } from "../../../utils/tempDatadir.ts";

describe("storage", () => {
  it("declares unique, stable table names, including every table of ARCHITECTURE §6", () => {
    const names = Object.values(TABLES).map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
    const required = [
      "accounts",
      "storage",
      "code",
      "trieNodes",
      "headers",
      "bodies",
      "receipts",
      "canonical",
      "txIndex",
    ];
    for (const id of [...required, "consensusBlocks", "consensusCommits", "meta"])
      expect(Object.keys(TABLES)).toContain(id);
    // Names are on-disk identities: these must never change.
    expect(TABLES.trieNodes.name).toBe("trie_nodes");
    expect(TABLES.txIndex.name).toBe("tx_index");
  });

  it("opens every table and persists across reopen (read-only reopen sees the data)", async () => {
    const storage = tempStorage();
    try {
      storage.env.transactionSync(() => {
        for (const id of Object.keys(TABLES) as TableId[])
          storage.tables[id].putSync(Uint8Array.of(1, 2), new TextEncoder().encode(id));
      });
      const ro = openStorage(storage.datadir, { readOnly: true });
      for (const id of Object.keys(TABLES) as TableId[]) {
        expect(new TextDecoder().decode(ro.tables[id].get(Uint8Array.of(1, 2)))).toBe(id);
      }
      await ro.close();
    } finally {
      await storage.close();
    }
  });

  it("keeps trie nodes pending until commit", async () => {
    const storage = tempStorage();
    try {
      const store = TrieNodeStore.forStorage(storage);
      await store.put("aa".repeat(32), Uint8Array.of(7));
      expect(store.pendingCount).toBe(1);
      expect(storage.tables.trieNodes.get(new Uint8Array(32).fill(0xaa))).toBeUndefined();
      expect(store.getSync("aa".repeat(32))).toEqual(Uint8Array.of(7));
      store.commit();
      expect(store.pendingCount).toBe(0);
      expect(new Uint8Array(storage.tables.trieNodes.get(new Uint8Array(32).fill(0xaa))!)).toEqual(
        Uint8Array.of(7),
      );
      expect(await TrieNodeStore.forStorage(storage).get("aa".repeat(32))).toEqual(Uint8Array.of(7));
    } finally {
      await storage.close();
    }
  });
});
