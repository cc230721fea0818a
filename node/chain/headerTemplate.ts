/**
 * The header of a block about to be built, before execution fills in its roots, bloom and gas used: the
 * parent-derived fields (number, EIP-1559 base fee, EIP-4844 excess blob gas) and the proposer's choices.
 * Used by the one block builder (blockBuilder.ts), so every build derives a child the same way.
 */
import { type BlockHeader, EMPTY_OMMERS_HASH } from "../core/block/header.ts";
import { calcBaseFee, calcExcessBlobGas } from "../core/chain/fees.ts";

export interface HeaderChoices {
  readonly coinbase: Uint8Array;
  readonly timestamp: bigint;
  /** prevRandao after the merge */
  readonly mixHash: Uint8Array;
  /** default: the parent's */
  readonly gasLimit?: bigint;
  readonly extraData?: Uint8Array;
  /** Shanghai: the block carries withdrawals (its root is filled in after execution) */
  readonly withdrawals: boolean;
  /** Cancun: the EIP-4788 root; undefined before Cancun (no blob gas fields either) */
  readonly parentBeaconBlockRoot?: Uint8Array;
}

export function headerTemplate(parent: BlockHeader, parentHash: Uint8Array, c: HeaderChoices): BlockHeader {
  return {
    parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: c.coinbase,
    stateRoot: new Uint8Array(32),
    transactionsRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number: parent.number + 1n,
    gasLimit: c.gasLimit ?? parent.gasLimit,
    gasUsed: 0n,
    timestamp: c.timestamp,
    extraData: c.extraData ?? new Uint8Array(0),
    mixHash: c.mixHash,
    nonce: new Uint8Array(8),
    baseFeePerGas: calcBaseFee(parent),
    ...(c.withdrawals ? { withdrawalsRoot: new Uint8Array(32) } : {}),
    ...(c.parentBeaconBlockRoot === undefined
      ? {}
      : {
          blobGasUsed: 0n,
          excessBlobGas: calcExcessBlobGas(parent),
          parentBeaconBlockRoot: c.parentBeaconBlockRoot,
        }),
  };
}
