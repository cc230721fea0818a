/**
 * Log queries (eth_getLogs, log filters, `logs` subscriptions): one filter parser, one matcher, one reader of
 * a block's logs. The header bloom skips blocks that cannot match. A query spans at most
 * `limits.logRange` blocks and answers at most `limits.maxLogs` logs (geth's error wording).
 */
import type { HeadChange } from "../../chain/chain.ts";
import { type BloomProbe, bloomHas, bloomProbe } from "../../core/block/bloom.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import type { Log } from "../../core/block/log.ts";
import { equalBytes } from "../../core/bytes.ts";
import { keccak256 } from "../../core/hash.ts";
import { hexToBytes } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { type BlockSpec, parseBlockSpec, resolveBlockNumber } from "./blockTag.ts";
import type { RpcContext } from "./context.ts";
import { type Json, logJson } from "./format.ts";
import { field, invalidArg } from "./params.ts";

export interface LogCriteria {
  readonly addresses: readonly Uint8Array[];
  /** per position: null = any, else any of these */
  readonly topics: readonly (readonly Uint8Array[] | null)[];
}

export interface LogQuery extends LogCriteria {
  readonly blockHash?: Uint8Array;
  readonly fromBlock: BlockSpec;
  readonly toBlock: BlockSpec;
}

/** Parses a Filter object (execution-apis `Filter`) at argument position `i`. */
export function parseLogQuery(i: number, v: unknown): LogQuery {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw invalidArg(i, "filter must be an object");
  const o = v as Record<string, unknown>;
  const a = o.address;
  const addr = (x: unknown, name: string) => field(i, name, x, (y) => hexToBytes(y as string, 20));
  const addresses =
    a === undefined || a === null
      ? []
      : Array.isArray(a)
        ? a.map((x, j) => addr(x, `address[${j}]`))
        : [addr(a, "address")];
  const t = o.topics ?? [];
  if (!Array.isArray(t)) throw invalidArg(i, "topics must be an array");
  if (t.length > 4) throw invalidArg(i, "exceed max topics");
  const topic = (x: unknown, name: string) => field(i, name, x, (y) => hexToBytes(y as string, 32));
  const topics = t.map((x, j) =>
    x === null
      ? null
      : Array.isArray(x)
        ? x.length === 0
          ? null
          : x.map((y, k) => topic(y, `topics[${j}][${k}]`))
        : [topic(x, `topics[${j}]`)],
  );
  const has = (k: string) => o[k] !== undefined && o[k] !== null;
  if (has("blockHash")) {
    if (has("fromBlock") || has("toBlock"))
      throw invalidArg(i, "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other");
    return {
      addresses,
      topics,
      blockHash: field(i, "blockHash", o.blockHash, (y) => hexToBytes(y as string, 32)),
      fromBlock: { kind: "tag", tag: "latest" },
      toBlock: { kind: "tag", tag: "latest" },
    };
  }
  return {
    addresses,
    topics,
    fromBlock: parseBlockSpec(i, o.fromBlock, { dflt: "latest" }),
    toBlock: parseBlockSpec(i, o.toBlock, { dflt: "latest" }),
  };
}

export function logMatches(l: Log, f: LogCriteria): boolean {
  if (f.addresses.length > 0 && !f.addresses.some((a) => equalBytes(a, l.address))) return false;
  return f.topics.every(
    (set, i) => set === null || (l.topics[i] !== undefined && set.some((s) => equalBytes(s, l.topics[i]!))),
  );
}

/** Cheap pre-check with the header bloom: false means no log of the block can match. */
export function bloomMayMatch(bloom: Uint8Array, f: LogCriteria): boolean {
  const p = probesOf(f);
  const has = (q: BloomProbe) => bloomHas(bloom, q);
  if (p.addresses.length > 0 && !p.addresses.some(has)) return false;
  return p.topics.every((set) => set === null || set.some(has));
}

interface CriteriaProbes {
  readonly addresses: readonly BloomProbe[];
  readonly topics: readonly (readonly BloomProbe[] | null)[];
}

/** A criteria's bloom probes, hashed once per criteria object (a query tests them against every block). */
const probes = new WeakMap<LogCriteria, CriteriaProbes>();
function probesOf(f: LogCriteria): CriteriaProbes {
  let p = probes.get(f);
  if (p === undefined) {
    p = {
      addresses: f.addresses.map(bloomProbe),
      topics: f.topics.map((set) => (set === null ? null : set.map(bloomProbe))),
    };
    probes.set(f, p);
  }
  return p;
}

/** The matching logs of one stored block, in order (`removed` marks logs a reorg took out). */
export function blockLogs(
  ctx: RpcContext,
  hash: Uint8Array,
  header: BlockHeader,
  f: LogCriteria,
  removed = false,
  out: Json[] = [],
  max = Number.POSITIVE_INFINITY,
): Json[] {
  if (!bloomMayMatch(header.logsBloom, f)) return out;
  const store = ctx.chain.store;
  const receipts = store.receipts(hash) ?? [];
  let body: readonly Uint8Array[] | undefined;
  let logIndex = 0;
  receipts.forEach((r, txIndex) => {
    let txHash: Uint8Array | undefined;
    for (const l of r.logs) {
      if (logMatches(l, f)) {
        if (out.length >= max) throw RpcError.exact(-32005, `query returned more than ${max} results`);
        body ??= store.body(hash)?.transactions ?? [];
        const raw = body[txIndex];
        txHash ??= raw === undefined ? new Uint8Array(32) : keccak256(raw);
        out.push(
          logJson(l, { blockHash: hash, blockNumber: header.number, txHash, txIndex, logIndex, removed }),
        );
      }
      logIndex++;
    }
  });
  return out;
}

/** eth_getLogs (and eth_getFilterLogs): by block hash, or over a canonical range. */
export function queryLogs(ctx: RpcContext, q: LogQuery): Json[] {
  const store = ctx.chain.store;
  const max = ctx.limits.maxLogs;
  if (q.blockHash !== undefined) {
    const header = store.header(q.blockHash);
    if (header === undefined) throw RpcError.exact(RpcCode.SERVER_ERROR, "unknown block");
    return blockLogs(ctx, q.blockHash, header, q, false, [], max);
  }
  const head = store.head().header.number;
  const from = resolveBlockNumber(ctx, q.fromBlock);
  const to = resolveBlockNumber(ctx, q.toBlock);
  if (from > head || to > head)
    throw RpcError.exact(RpcCode.INVALID_PARAMS, "block range extends beyond current head block");
  if (from > to) throw RpcError.exact(RpcCode.INVALID_PARAMS, "invalid block range");
  const range = ctx.limits.logRange;
  if (range > 0 && to - from >= BigInt(range))
    throw RpcError.exact(RpcCode.SERVER_ERROR, `exceed maximum block range: ${range}`);
  const out: Json[] = [];
  for (let n = from; n <= to; n++) {
    const hash = store.canonicalHash(n);
    if (hash === undefined) continue;
    const header = store.header(hash);
    if (header !== undefined) blockLogs(ctx, hash, header, q, false, out, max);
  }
  return out;
}

/**
 * The matching logs of a head change: those of the blocks a reorg removed (oldest first, `removed: true`),
 * then those of the blocks that joined (oldest first). `from`/`to` bound the block numbers when given.
 */
export function headChangeLogs(
  ctx: RpcContext,
  change: HeadChange,
  f: LogCriteria,
  from?: bigint,
  to?: bigint,
): Json[] {
  const out: Json[] = [];
  const inRange = (n: bigint) => (from === undefined || n >= from) && (to === undefined || n <= to);
  for (const b of [...change.removed].reverse())
    if (inRange(b.header.number)) blockLogs(ctx, b.hash, b.header, f, true, out);
  for (const b of change.added) if (inRange(b.header.number)) blockLogs(ctx, b.hash, b.header, f, false, out);
  return out;
}
