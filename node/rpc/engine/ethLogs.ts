/**
 * eth_getLogs on the Engine API port (common.md's eth_ subset): logs of canonical blocks in a range, or of
 * one block by hash, filtered by address(es) and positional topic sets. The header bloom skips blocks that
 * cannot match; the range is capped so one call cannot scan the whole chain.
 */

import type { ChainStore } from "../../chain/chainStore.ts";
import { bloomContains } from "../../core/block/bloom.ts";
import type { Log } from "../../core/block/log.ts";
import { equalBytes } from "../../core/bytes.ts";
import { keccak256 } from "../../core/hash.ts";
import { bigintToQuantity, bytesToHex, hexToBytes, quantityToBigint } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { asObject, data32, parseField } from "./validate.ts";

/** Blocks one query may scan, and logs it may return (geth's logquerylimit-like bounds). */
export const MAX_LOG_RANGE = 10_000n;
export const MAX_LOGS = 10_000;

interface LogFilter {
  readonly addresses: readonly Uint8Array[];
  /** per position: null = any, else any of these */
  readonly topics: readonly (readonly Uint8Array[] | null)[];
}

function address(v: unknown, what: string): Uint8Array {
  return parseField(what, RpcCode.INVALID_PARAMS, () => hexToBytes(v as string, 20));
}

function blockTag(store: ChainStore, v: unknown, what: string): bigint {
  const head = store.head().header.number;
  if (v === undefined || v === null || v === "latest" || v === "safe" || v === "finalized" || v === "pending")
    return head;
  if (v === "earliest") return 0n;
  return parseField(what, RpcCode.INVALID_PARAMS, () => quantityToBigint(v as string, 64));
}

function parseFilter(o: Record<string, unknown>): LogFilter {
  const a = o.address;
  const addresses =
    a === undefined || a === null
      ? []
      : Array.isArray(a)
        ? a.map((x, i) => address(x, `address[${i}]`))
        : [address(a, "address")];
  const t = o.topics ?? [];
  if (!Array.isArray(t) || t.length > 4)
    throw new RpcError(RpcCode.INVALID_PARAMS, "topics must be an array of at most 4");
  const topics = t.map((x, i) =>
    x === null
      ? null
      : Array.isArray(x)
        ? x.map((y, j) => data32(y, `topics[${i}][${j}]`))
        : [data32(x, `topics[${i}]`)],
  );
  return { addresses, topics };
}

function matches(l: Log, f: LogFilter): boolean {
  if (f.addresses.length > 0 && !f.addresses.some((a) => equalBytes(a, l.address))) return false;
  return f.topics.every(
    (set, i) =>
      set === null ||
      set.length === 0 ||
      (l.topics[i] !== undefined && set.some((s) => equalBytes(s, l.topics[i]!))),
  );
}

/** Cheap pre-check with the header bloom: false means no log of the block can match. */
function bloomMayMatch(bloom: Uint8Array, f: LogFilter): boolean {
  const has = (v: Uint8Array) => bloomContains(bloom, v);
  if (f.addresses.length > 0 && !f.addresses.some(has)) return false;
  return f.topics.every((set) => set === null || set.length === 0 || set.some(has));
}

export function getLogs(store: ChainStore, params: readonly unknown[]): unknown[] {
  const o = asObject(params[0], "filter", RpcCode.INVALID_PARAMS);
  const filter = parseFilter(o);
  let hashes: Uint8Array[];
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined)
      throw new RpcError(RpcCode.INVALID_PARAMS, "blockHash excludes fromBlock/toBlock");
    hashes = [data32(o.blockHash, "blockHash")];
  } else {
    const from = blockTag(store, o.fromBlock, "fromBlock");
    const to = blockTag(store, o.toBlock, "toBlock");
    if (to < from) return [];
    if (to - from >= MAX_LOG_RANGE)
      throw new RpcError(RpcCode.SERVER_ERROR, `block range above ${MAX_LOG_RANGE}`);
    hashes = [];
    for (let n = from; n <= to; n++) {
      const h = store.canonicalHash(n);
      if (h !== undefined) hashes.push(h);
    }
  }
  const out: unknown[] = [];
  for (const hash of hashes) {
    const header = store.header(hash);
    if (header === undefined) continue;
    if (!bloomMayMatch(header.logsBloom, filter)) continue;
    const receipts = store.receipts(hash) ?? [];
    const body = store.body(hash);
    let logIndex = 0;
    receipts.forEach((r, txIndex) => {
      for (const l of r.logs) {
        if (matches(l, filter)) {
          if (out.length >= MAX_LOGS) throw new RpcError(RpcCode.SERVER_ERROR, `more than ${MAX_LOGS} logs`);
          const raw = body?.transactions[txIndex];
          out.push({
            address: bytesToHex(l.address),
            topics: l.topics.map(bytesToHex),
            data: bytesToHex(l.data),
            blockNumber: bigintToQuantity(header.number),
            blockHash: bytesToHex(hash),
            transactionHash: raw === undefined ? null : bytesToHex(keccak256(raw)),
            transactionIndex: bigintToQuantity(txIndex),
            logIndex: bigintToQuantity(logIndex),
            removed: false,
          });
        }
        logIndex++;
      }
    });
  }
  return out;
}
