/** Public surface of the transaction pool (pure logic; the wiring to recovery, state, gossip and consensus is elsewhere). */
export { DEFAULT_TXPOOL_CONFIG, TX_SLOT_SIZE, type TxPoolConfig, txPoolConfig } from "./config.ts";
export { effectiveTip, slotsOf } from "./entry.ts";
export { TXPOOL_MESSAGES, type TxPoolErrorCode, txPoolError } from "./errors.ts";
export { type HeadUpdate, TxPool, type TxPoolOptions } from "./txPool.ts";
export * from "./types.ts";
