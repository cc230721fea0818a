/**
 * Payload building for forkchoiceUpdated: the Engine API's side of the one block builder
 * (node/chain/blockBuilder.ts). The attributes become a build request whose transactions are the forced
 * list (`transactions`, the FastEVM/OP Stack extension) followed — unless `noTxPool` — by the txpool's
 * selection. A transaction that cannot be included is skipped, never fatal (the builder decides it from the
 * attributes and the parent state only, so every node building from the same attributes gets the same
 * block), and reported to `onSkip`. The build is remembered by the chain (`Chain.rememberExecuted`), so the
 * newPayload of the built block executes nothing. A failure is PAYLOAD_BUILD (its cause the builder's code).
 */
import { BlockBuilder, type BuiltBlock, type SkippedTx } from "../../chain/blockBuilder.ts";
import type { Chain } from "../../chain/chain.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../../core/errors.ts";
import type { PayloadAttributes } from "../../core/wire/engine.ts";
import { EMPTY_TX_SOURCE, type TxSource } from "../../txpool/source.ts";

export type { SkippedTx } from "../../chain/blockBuilder.ts";
export type BuiltPayload = BuiltBlock;

/** What one build takes from the pool at most (the gas bound is the block's). */
const POOL_SELECTION = { maxCount: 10_000, maxBytes: 4 * 1024 * 1024 } as const;

export class PayloadBuilder {
  readonly #builder: BlockBuilder;

  constructor(
    private readonly chain: Chain,
    private readonly txSource: TxSource = EMPTY_TX_SOURCE,
    private readonly onSkip: (s: SkippedTx) => void = () => {},
  ) {
    this.#builder = new BlockBuilder(chain);
  }

  /** Builds (never stores) a block on `parentHash`. Must run under the engine's chain lock. */
  async build(parentHash: Uint8Array, attrs: PayloadAttributes): Promise<BuiltPayload> {
    const forced = attrs.transactions ?? [];
    const parent = this.chain.header(parentHash);
    const gasLimit = attrs.gasLimit ?? parent?.gasLimit ?? 0n;
    const pool =
      attrs.noTxPool || parent === undefined
        ? []
        : this.txSource.select({ ...POOL_SELECTION, maxGas: gasLimit });
    try {
      return await this.#builder.build(
        {
          parentHash,
          timestamp: attrs.timestamp,
          coinbase: attrs.suggestedFeeRecipient,
          prevRandao: attrs.prevRandao,
          ...(attrs.gasLimit === undefined ? {} : { gasLimit: attrs.gasLimit }),
          ...(attrs.extraData === undefined ? {} : { extraData: attrs.extraData }),
          ...(attrs.withdrawals === undefined ? {} : { withdrawals: attrs.withdrawals }),
          ...(attrs.parentBeaconBlockRoot === undefined
            ? {}
            : { parentBeaconBlockRoot: attrs.parentBeaconBlockRoot }),
          transactions: pool.length === 0 ? forced : [...forced, ...pool],
        },
        { invalid: "skip", remember: true, onSkip: this.onSkip },
      );
    } catch (e) {
      if (!isFastEvmError(e)) throw e;
      throw new FastEvmError(ErrorCode.PAYLOAD_BUILD, `payload build failed: ${e.message}`, {
        cause: e.code,
      });
    }
  }
}
