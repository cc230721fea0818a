/**
 * `POST /tx`: the interim submission endpoint (the public JSON-RPC's `eth_sendRawTransaction` replaces it).
 * The body is one 0x-hex raw transaction; it goes to the txpool as a local transaction. Answers 202 with
 * `{"hash"}` when the pool accepted it, 400 with `{"error": {code, message}}` when the pool refused it (the
 * message is geth's: `nonce too low`, `txpool is full`, …), 413 for a body over the size limit (dropped
 * before it is buffered whole), 404 for anything else.
 */
import { createServer, type Server } from "node:http";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { hexToBytes } from "../core/hex.ts";
import type { SubmitResult } from "../txpool/service/txPoolService.ts";

/** Two hex digits per byte of the pool's 128 KiB limit, the 0x and a newline. */
const MAX_BODY = 2 * 128 * 1024 + 4;

export type Submit = (raws: readonly Uint8Array[]) => Promise<SubmitResult[]>;

export function startTxEndpoint(submit: Submit, hostPort: string): Promise<Server> {
  const [host = "127.0.0.1", port = "0"] = hostPort.split(":");
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/tx") {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    let tooLarge = false;
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      if (tooLarge) return;
      body += c;
      if (body.length > MAX_BODY) {
        tooLarge = true;
        body = "";
        res.writeHead(413, { connection: "close" }).end(json({ error: { message: "oversized data" } }));
        req.destroy();
      }
    });
    req.on("end", () => {
      if (tooLarge) return;
      let tx: Uint8Array;
      try {
        tx = hexToBytes(body.trim());
      } catch {
        res.writeHead(400).end(json({ error: { code: ErrorCode.HEX_INVALID, message: "malformed hex" } }));
        return;
      }
      submit([tx]).then(
        ([r]) => {
          if (r?.ok === true) res.writeHead(202).end(json({ hash: r.hash }));
          else res.writeHead(400).end(json({ hash: r?.hash ?? null, error: r?.error ?? null }));
        },
        (e: unknown) => res.writeHead(500).end(json({ error: { message: (e as Error).message } })),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e) =>
      reject(new FastEvmError(ErrorCode.INVALID_ARGUMENT, `tx endpoint ${hostPort}: ${e.message}`)),
    );
    server.listen(Number(port), host, () => resolve(server));
  });
}

const json = (v: unknown) => `${JSON.stringify(v)}\n`;
