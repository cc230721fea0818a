/**
 * Proposals from a txpool in another process (`fastevm consensus --execution-url`): Core asks for a DAG
 * block's transactions synchronously, so this keeps ONE prefetched selection, made by the execution node
 * under the same caps (`fastevm_txpoolSelectV1`), hands it to the next proposal and fetches the next one.
 * A selection that is never used (the process stops) stays "in flight" in the pool until its proposal
 * timeout, then becomes proposable again: nothing is lost. Transport failures leave the buffer empty (the
 * proposal carries no transactions) and are retried on the next call.
 */
import { bigintToQuantity, hexToBytes } from "../../core/hex.ts";
import {
  TXPOOL_SELECT_METHOD,
  type TxPoolSelectParams,
  type TxPoolSelectResult,
} from "../../core/wire/txpool.ts";
import type { SelectionLimits, TxSource } from "../../txpool/source.ts";

/**
 * One JSON-RPC call to the execution node (the HTTP Engine API client has it): resolves with the result,
 * rejects on an error answer or a transport failure.
 */
export interface EngineEndpoint {
  call<T>(method: string, params?: readonly unknown[]): Promise<T>;
}

export class RemoteTxSource implements TxSource {
  #next: Uint8Array[] = [];
  #fetching = false;
  #limits: SelectionLimits | undefined;
  failures = 0;

  constructor(private readonly engine: EngineEndpoint) {}

  select(limits: SelectionLimits): Uint8Array[] {
    this.#limits = limits;
    const out = this.#next;
    this.#next = [];
    this.prefetch();
    return out;
  }

  /** Starts fetching the next selection (once the caps are known from a first proposal). */
  prefetch(): void {
    const l = this.#limits;
    if (this.#fetching || l === undefined || this.#next.length > 0) return;
    this.#fetching = true;
    const params: TxPoolSelectParams = {
      maxCount: bigintToQuantity(BigInt(l.maxCount)),
      maxBytes: bigintToQuantity(BigInt(l.maxBytes)),
      maxGas: bigintToQuantity(l.maxGas),
    };
    this.engine
      .call<TxPoolSelectResult>(TXPOOL_SELECT_METHOD, [params])
      .then(
        (txs) => {
          this.#next = txs.map((t) => hexToBytes(t));
        },
        () => {
          this.failures++;
        },
      )
      .finally(() => {
        this.#fetching = false;
      });
  }
}
