/** A well-formed post-merge Cancun header for unit tests; override the fields a test is about. */
import { type BlockHeader, EMPTY_OMMERS_HASH } from "../../node/core/block/header.ts";

export function cancunHeader(overrides: Partial<BlockHeader> = {}): BlockHeader {
  return {
    parentHash: new Uint8Array(32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: new Uint8Array(20),
    stateRoot: new Uint8Array(32),
    transactionsRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number: 10n,
    gasLimit: 30_000_000n,
    gasUsed: 15_000_000n,
    timestamp: 1000n,
    extraData: new Uint8Array(),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    baseFeePerGas: 1_000_000_000n,
    withdrawalsRoot: new Uint8Array(32),
    blobGasUsed: 786_432n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: new Uint8Array(32),
    ...overrides,
  };
}
