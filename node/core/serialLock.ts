/**
 * A FIFO async mutex: `run(fn)` starts `fn` after every earlier `run` has settled, in call order. The Engine
 * API serialises its calls with one; the chain serialises state work (executions and its background writes)
 * with another.
 */
export class SerialLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => {});
    return next;
  }
}
