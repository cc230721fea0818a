/**
 * The JSON-RPC the perf tool speaks: an HTTP client (one keep-alive connection pool per node, through
 * Node's fetch) and a `newHeads` WebSocket subscription. A JSON-RPC error is returned as data by `send` (the
 * load records refusals with their message) and thrown by `call`.
 */
import WebSocket from "ws";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";

export interface RpcError {
  readonly code: number;
  readonly message: string;
}

export type RpcReply<T> = { readonly result: T } | { readonly error: RpcError };

/**
 * How long one HTTP request may go unanswered: a node that stops answering under load fails the request
 * (a transport failure, which the load records) instead of holding the run for undici's minutes.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

export class RpcClient {
  #id = 0;
  constructor(
    readonly url: string,
    readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  /** POSTs `body` as JSON and parses the answer; an answer that is not JSON throws, naming `what`. */
  async #post(body: unknown, what: string): Promise<{ status: number; json: unknown; text: string }> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      if ((e as Error).name !== "TimeoutError") throw e;
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url} ${what}: no answer in ${this.timeoutMs} ms`,
      );
    }
    try {
      return { status: res.status, json: JSON.parse(text), text };
    } catch {
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url} ${what}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /** One request; a JSON-RPC error comes back as `{ error }`, a transport failure throws. */
  async send<T>(method: string, params: readonly unknown[]): Promise<RpcReply<T>> {
    const { json } = await this.#post({ jsonrpc: "2.0", id: ++this.#id, method, params }, method);
    const j = json as { result?: T; error?: RpcError };
    if (j.error !== undefined) return { error: j.error };
    return { result: j.result as T };
  }

  /**
   * Several requests in one JSON-RPC batch: the replies in the order of `calls` (matched by id). A reply
   * missing from the answer, or an answer that is not a batch, throws for the whole batch.
   */
  async sendBatch(
    calls: readonly { method: string; params: readonly unknown[] }[],
  ): Promise<RpcReply<unknown>[]> {
    const first = this.#id + 1;
    const body = calls.map((c) => ({ jsonrpc: "2.0", id: ++this.#id, method: c.method, params: c.params }));
    const what = `batch of ${calls.length}`;
    const { status, json, text } = await this.#post(body, what);
    if (!Array.isArray(json))
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url} ${what}: HTTP ${status}, not a batch answer: ${text.slice(0, 200)}`,
      );
    const byId = new Map<number, { result?: unknown; error?: RpcError }>();
    for (const a of json as { id?: unknown; result?: unknown; error?: RpcError }[])
      if (typeof a?.id === "number") byId.set(a.id, a);
    return calls.map((c, i) => {
      const a = byId.get(first + i);
      if (a === undefined)
        throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${this.url} ${c.method}: no answer in the batch`);
      return a.error !== undefined ? { error: a.error } : { result: a.result };
    });
  }

  /** One request whose JSON-RPC error throws. */
  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const r = await this.send<T>(method, params);
    if ("error" in r)
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url} ${method}: ${r.error.message} (${r.error.code})`,
      );
    return r.result;
  }
}

/**
 * Gathers requests into JSON-RPC batches of at most `max`, each flushed when full or `flushMs` after its
 * first request, so a client offering thousands of requests a second needs tens of HTTP requests, not
 * thousands. `max` 1 sends each request alone. Batches are not limited in number: the callers bound what is
 * in flight.
 */
export class RpcBatcher {
  #queue: {
    method: string;
    params: readonly unknown[];
    ok: (r: RpcReply<unknown>) => void;
    fail: (e: unknown) => void;
  }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: RpcClient,
    readonly max: number,
    readonly flushMs = 2,
  ) {}

  send<T>(method: string, params: readonly unknown[]): Promise<RpcReply<T>> {
    if (this.max <= 1) return this.client.send<T>(method, params);
    return new Promise<RpcReply<T>>((ok, fail) => {
      this.#queue.push({ method, params, ok: ok as (r: RpcReply<unknown>) => void, fail });
      if (this.#queue.length >= this.max) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.flushMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const items = this.#queue.splice(0, this.#queue.length);
    if (items.length === 0) return;
    this.client.sendBatch(items).then(
      (replies) => {
        for (const [i, it] of items.entries()) it.ok(replies[i]!);
      },
      (e: unknown) => {
        for (const it of items) it.fail(e);
      },
    );
  }
}

export interface HeadEvent {
  readonly number: number;
  readonly hash: string;
  /** local wall clock (ms) when the notification arrived */
  readonly seenMs: number;
}

/** A `newHeads` subscription; `onHead` gets every notification, `close()` ends it. */
export async function subscribeHeads(
  url: string,
  onHead: (h: HeadEvent) => void,
  onClose: (why: string) => void,
): Promise<{ close(): void }> {
  const ws = new WebSocket(url);
  await new Promise<void>((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", (e) =>
      fail(new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${url}: ${e.message}`, undefined, { cause: e })),
    );
  });
  let closing = false;
  const subscribed = new Promise<void>((ok, fail) => {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number;
        result?: string;
        error?: RpcError;
        params?: { result?: { number?: string; hash?: string } };
      };
      if (msg.id === 1) {
        if (msg.error !== undefined)
          fail(new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${url} eth_subscribe: ${msg.error.message}`));
        else ok();
        return;
      }
      const head = msg.params?.result;
      if (head?.number !== undefined && head.hash !== undefined)
        onHead({ number: Number(head.number), hash: head.hash, seenMs: Date.now() });
    });
  });
  ws.on("close", () => {
    if (!closing) onClose(`${url} closed the newHeads subscription`);
  });
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  await subscribed;
  return {
    close() {
      closing = true;
      ws.close();
    },
  };
}
