/** Public surface of the storage domain: the LMDB environment, table registry, key encodings, lock, trie nodes. */
export * from "./datadirLock.ts";
export * from "./keys.ts";
export * from "./storage.ts";
export * from "./tables.ts";
export * from "./trieNodeStore.ts";
