/**
 * The public JSON-RPC method table (eth, net, web3, debug; filters and subscriptions in their own files),
 * bound to one RpcContext. `publicMethods(ctx, ...extra)` merges other method maps (state methods, txpool)
 * into it; `selectApis` keeps the namespaces a port serves (`--http.api eth,net,web3,txpool`); `engine_`
 * methods are never public.
 */
import { encodeBlock } from "../../core/block/block.ts";
import { encodeHeader } from "../../core/block/header.ts";
import { encodeReceipt } from "../../core/block/receipt.ts";
import { keccak256 } from "../../core/hash.ts";
import { bytesToHex as hex, bigintToQuantity as q } from "../../core/hex.ts";
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { lookupBlock, parseBlockSpec, type ResolvedBlock, resolveBlock } from "./blockTag.ts";
import type { RpcContext } from "./context.ts";
import { FeeOracle, feeHistory, headBlobBaseFee } from "./fees.ts";
import { FilterManager } from "./filters.ts";
import { blockJson, poolTxJson, receiptsJson, txJson } from "./format.ts";
import { parseLogQuery, queryLogs } from "./logs.ts";
import { boolArg, bytesArg, hash32, maxArgs, uintArg } from "./params.ts";
import { Subscriptions } from "./subscriptions.ts";

const byNumber = (ctx: RpcContext, p: readonly unknown[]) => lookupBlock(ctx, parseBlockSpec(0, p[0]));
const byHash = (ctx: RpcContext, p: readonly unknown[]): ResolvedBlock | null => {
  const hash = hash32(0, p[0]);
  const header = ctx.chain.store.header(hash);
  return header === undefined ? null : { hash, header };
};

function genesisDifficulty(ctx: RpcContext): bigint {
  const g = ctx.chain.store.canonicalHash(0n);
  return (g === undefined ? undefined : ctx.chain.store.header(g)?.difficulty) ?? 0n;
}

async function blockAnswer(ctx: RpcContext, b: ResolvedBlock | null, full: boolean): Promise<unknown> {
  if (b === null) return null;
  const body = ctx.chain.store.body(b.hash);
  if (body === undefined) return null;
  const txs = await ctx.txs.of(b.hash, body.transactions);
  return blockJson(b.hash, { header: b.header, ...body }, txs, full, genesisDifficulty(ctx));
}

async function txAt(ctx: RpcContext, b: ResolvedBlock | null, index: number): Promise<unknown> {
  if (b === null) return null;
  const txs = await ctx.txs.ofBlock(b.hash);
  const t = txs[index];
  if (t === undefined) return null;
  return txJson(t, {
    blockHash: b.hash,
    blockNumber: b.header.number,
    index,
    baseFee: b.header.baseFeePerGas,
  });
}

async function receiptsOf(
  ctx: RpcContext,
  b: ResolvedBlock | null,
): Promise<ReturnType<typeof receiptsJson> | null> {
  if (b === null) return null;
  const receipts = ctx.chain.store.receipts(b.hash);
  if (receipts === undefined) return null;
  return receiptsJson(b.hash, b.header, await ctx.txs.ofBlock(b.hash), receipts);
}

/** The block a transaction hash is in (canonical chain), with its index. */
function txLocation(ctx: RpcContext, p: readonly unknown[]): { block: ResolvedBlock; index: number } | null {
  const loc = ctx.chain.store.txLocation(hash32(0, p[0]));
  if (loc === undefined) return null;
  const header = ctx.chain.store.header(loc.blockHash);
  return header === undefined ? null : { block: { hash: loc.blockHash, header }, index: loc.index };
}

const txCount = (ctx: RpcContext, b: ResolvedBlock | null) =>
  b === null ? null : q(ctx.chain.store.body(b.hash)?.transactions.length ?? 0);
const uncleCount = (ctx: RpcContext, b: ResolvedBlock | null) =>
  b === null ? null : q(ctx.chain.store.body(b.hash)?.ommers.length ?? 0);

function requireBlock(b: ResolvedBlock | null): ResolvedBlock {
  if (b === null) throw RpcError.exact(RpcCode.SERVER_ERROR, "header not found");
  return b;
}

/** The eth_ / net_ / web3_ / debug_ methods of this file (chain and block reads, fees, logs). */
export function chainMethods(ctx: RpcContext): Map<string, RpcHandler> {
  const store = ctx.chain.store;
  const oracle = new FeeOracle(ctx);
  const m = new Map<string, RpcHandler>();
  m.set("eth_chainId", () => q(ctx.chain.config.chainId));
  m.set("eth_blockNumber", () => q(store.head().header.number));
  m.set("eth_syncing", () => {
    const s = ctx.syncing();
    return s === undefined
      ? false
      : {
          startingBlock: q(s.startingBlock),
          currentBlock: q(s.currentBlock),
          highestBlock: q(s.highestBlock),
        };
  });
  m.set("eth_getBlockByHash", (p) => blockAnswer(ctx, byHash(ctx, p), boolArg(1, p[1])));
  m.set("eth_getBlockByNumber", (p) => blockAnswer(ctx, byNumber(ctx, p), boolArg(1, p[1])));
  m.set("eth_getBlockTransactionCountByHash", (p) => txCount(ctx, byHash(ctx, p)));
  m.set("eth_getBlockTransactionCountByNumber", (p) => txCount(ctx, byNumber(ctx, p)));
  m.set("eth_getUncleCountByBlockHash", (p) => uncleCount(ctx, byHash(ctx, p)));
  m.set("eth_getUncleCountByBlockNumber", (p) => uncleCount(ctx, byNumber(ctx, p)));
  m.set("eth_getUncleByBlockHashAndIndex", () => null);
  m.set("eth_getUncleByBlockNumberAndIndex", () => null);
  m.set("eth_getTransactionByHash", async (p) => {
    maxArgs(p, 1);
    const at = txLocation(ctx, p);
    if (at !== null) return txAt(ctx, at.block, at.index);
    // as geth: a transaction not in the chain is looked up in the pool (pending or queued)
    const pooled = ctx.pool?.pool?.get(hash32(0, p[0]));
    return pooled === undefined ? null : poolTxJson(pooled);
  });
  m.set("eth_getTransactionByBlockHashAndIndex", (p) =>
    txAt(ctx, byHash(ctx, p), Number(uintArg(1, p[1], 32))),
  );
  m.set("eth_getTransactionByBlockNumberAndIndex", (p) =>
    txAt(ctx, byNumber(ctx, p), Number(uintArg(1, p[1], 32))),
  );
  m.set("eth_getTransactionReceipt", async (p) => {
    maxArgs(p, 1);
    const at = txLocation(ctx, p);
    if (at === null) return null;
    return (await receiptsOf(ctx, at.block))?.[at.index] ?? null;
  });
  m.set("eth_getBlockReceipts", (p) => receiptsOf(ctx, resolveBlock(ctx, p[0])));
  m.set("eth_gasPrice", async () => q(await oracle.gasPrice()));
  m.set("eth_maxPriorityFeePerGas", async () => q(await oracle.tip()));
  m.set("eth_feeHistory", (p) => feeHistory(ctx, p));
  m.set("eth_blobBaseFee", () => headBlobBaseFee(ctx));
  m.set("eth_getLogs", (p) => {
    maxArgs(p, 1);
    return queryLogs(ctx, parseLogQuery(0, p[0]));
  });
  m.set("net_version", () => ctx.chain.config.chainId.toString());
  m.set("net_listening", () => true);
  m.set("net_peerCount", () => q(ctx.peerCount()));
  m.set("web3_clientVersion", () => ctx.clientVersion);
  m.set("web3_sha3", (p) => hex(keccak256(bytesArg(0, p[0]))));
  m.set("debug_getRawHeader", (p) => hex(encodeHeader(requireBlock(resolveBlock(ctx, p[0])).header)));
  m.set("debug_getRawBlock", (p) => {
    const b = requireBlock(resolveBlock(ctx, p[0]));
    const body = store.body(b.hash);
    if (body === undefined) throw RpcError.exact(RpcCode.SERVER_ERROR, "block not found");
    return hex(encodeBlock({ header: b.header, ...body }));
  });
  m.set("debug_getRawReceipts", (p) => {
    const b = requireBlock(resolveBlock(ctx, p[0]));
    return (store.receipts(b.hash) ?? []).map((r) => hex(encodeReceipt(r)));
  });
  m.set("debug_getRawTransaction", (p) => {
    const loc = store.txLocation(hash32(0, p[0]));
    const raw = loc === undefined ? undefined : store.body(loc.blockHash)?.transactions[loc.index];
    return raw === undefined ? null : hex(raw);
  });
  return m;
}

/** A running public API: its method table and the parts that hold state (filters, subscriptions). */
export interface PublicApi {
  readonly methods: RpcMethods;
  readonly filters: FilterManager;
  readonly subscriptions: Subscriptions;
  close(): void;
}

/**
 * Every public method this folder serves, plus `extra` maps (state methods, txpool) merged in after — an
 * extra entry replaces one of ours of the same name. Call `close()` to stop the filters' expiry timer and
 * the chain / pool listeners.
 */
export function publicMethods(ctx: RpcContext, ...extra: RpcMethods[]): PublicApi {
  const m = chainMethods(ctx);
  const filters = new FilterManager(ctx);
  const subscriptions = new Subscriptions(ctx);
  for (const [k, v] of filters.methods()) m.set(k, v);
  for (const [k, v] of subscriptions.methods()) m.set(k, v);
  for (const e of extra) for (const [k, v] of e) m.set(k, v);
  // Each call first lets the chain write the blocks and head moves it holds in memory (unless an execution is
  // running), so answers follow the canonical head the Engine API set.
  for (const [k, h] of m)
    m.set(k, (params, call) => {
      ctx.chain.catchUp();
      return h(params, call);
    });
  return {
    methods: m,
    filters,
    subscriptions,
    close() {
      filters.close();
      subscriptions.close();
      ctx.txs.close();
    },
  };
}

export const DEFAULT_HTTP_APIS: readonly string[] = ["eth", "net", "web3", "txpool"];
export const KNOWN_APIS: readonly string[] = ["eth", "net", "web3", "txpool", "debug"];

/** The methods of the listed namespaces (`engine_` never: the Engine API has its own port). */
export function selectApis(methods: RpcMethods, apis: readonly string[]): RpcMethods {
  const out = new Map<string, RpcHandler>();
  for (const [name, h] of methods) {
    const ns = name.slice(0, name.indexOf("_"));
    if (ns !== "engine" && apis.includes(ns)) out.set(name, h);
  }
  return out;
}
