/** Public surface of the block domain: headers, blocks and bodies, withdrawals, receipts, logs, blooms, payloads. */
export * from "./block.ts";
export * from "./bloom.ts";
export * from "./header.ts";
export * from "./log.ts";
export * from "./payload.ts";
export * from "./receipt.ts";
export * from "./withdrawal.ts";
