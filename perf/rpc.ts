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

export class RpcClient {
  #id = 0;
  constructor(readonly url: string) {}

  /** One request; a JSON-RPC error comes back as `{ error }`, a transport failure throws. */
  async send<T>(method: string, params: readonly unknown[]): Promise<RpcReply<T>> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params }),
    });
    const text = await res.text();
    let json: { result?: T; error?: RpcError };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url} ${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (json.error !== undefined) return { error: json.error };
    return { result: json.result as T };
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
