/**
 * The chain's head changes, handed to the public API off the head-moving call: the chain listener only
 * queues the change (at most `MAX_QUEUED`; past that the oldest is dropped and counted) and a drain on the
 * next macrotask delivers them in order to filters and subscriptions.
 */
import type { HeadChange } from "../../chain/chain.ts";
import type { RpcContext } from "./context.ts";

export const MAX_QUEUED = 1024;

export class HeadEvents {
  readonly #queue: HeadChange[] = [];
  readonly #listeners = new Set<(c: HeadChange) => void>();
  #scheduled = false;
  #unsubscribe: (() => void) | null = null;
  dropped = 0;

  constructor(private readonly ctx: RpcContext) {}

  /** Subscribes; the chain hook is held only while someone listens. Returns the unsubscribe function. */
  listen(cb: (c: HeadChange) => void): () => void {
    this.#listeners.add(cb);
    this.#unsubscribe ??= this.ctx.chain.onHeadChange((c) => this.#push(c));
    return () => {
      this.#listeners.delete(cb);
      if (this.#listeners.size === 0) this.close();
    };
  }

  #push(c: HeadChange): void {
    if (this.#queue.length >= MAX_QUEUED) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(c);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    for (const c of this.#queue.splice(0))
      for (const l of [...this.#listeners]) {
        try {
          l(c);
        } catch {
          // one consumer's failure never stops the others
        }
      }
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#queue.length = 0;
  }
}
