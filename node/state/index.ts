/** Public surface of the state domain: accounts, in-memory state roots, the LMDB state trie, genesis. */
export * from "./account.ts";
export * from "./genesis.ts";
export * from "./stateRoot.ts";
export * from "./stateTrie.ts";
export * from "./syncStateTrie.ts";
