/**
 * Fee methods: eth_gasPrice and eth_maxPriorityFeePerGas (geth's oracle: the 60th percentile of the three
 * lowest effective tips of each of the last 20 blocks, tips under 2 wei ignored, an empty history keeping
 * the last answer, capped at 500 gwei), eth_feeHistory (gas-weighted reward percentiles), eth_blobBaseFee.
 */
import { blobBaseFee, calcBaseFee } from "../../core/chain/fees.ts";
import { bigintToQuantity as q, quantityToBigint } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { lookupBlock, parseBlockSpec } from "./blockTag.ts";
import type { RpcContext } from "./context.ts";
import { effectiveTip } from "./format.ts";
import { invalidArg, maxArgs, parseArg } from "./params.ts";

const ORACLE_BLOCKS = 20;
const ORACLE_SAMPLES = 3;
const ORACLE_PERCENTILE = 60;
const IGNORE_PRICE = 2n;
const MAX_PRICE = 500_000_000_000n;
/** geth's default miner gas price (0.001 gwei): the answer before any block had a tip */
const DEFAULT_TIP = 1_000_000n;

export class FeeOracle {
  #last = DEFAULT_TIP;
  #lastHead = "";

  constructor(private readonly ctx: RpcContext) {}

  /** The suggested priority fee per gas at the head. */
  async tip(): Promise<bigint> {
    const store = this.ctx.chain.store;
    const head = store.head();
    const key = `${head.header.number}:${head.hash.join(",")}`;
    if (key === this.#lastHead) return this.#last;
    const samples: bigint[] = [];
    let n = head.header.number;
    for (let i = 0; i < ORACLE_BLOCKS && n >= 0n; i++, n--) {
      const hash = store.canonicalHash(n);
      const header = hash === undefined ? undefined : store.header(hash);
      if (hash === undefined || header === undefined) break;
      const txs = await this.ctx.txs.ofBlock(hash);
      const tips = txs
        .filter((t) => !bytesEqual(t.sender, header.coinbase))
        .map((t) => effectiveTip(t.tx, header.baseFeePerGas))
        .filter((t) => t >= IGNORE_PRICE)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, ORACLE_SAMPLES);
      samples.push(...(tips.length === 0 ? [this.#last] : tips));
    }
    samples.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let tip =
      samples.length === 0
        ? this.#last
        : samples[Math.floor(((samples.length - 1) * ORACLE_PERCENTILE) / 100)]!;
    if (tip > MAX_PRICE) tip = MAX_PRICE;
    this.#last = tip;
    this.#lastHead = key;
    return tip;
  }

  async gasPrice(): Promise<bigint> {
    const tip = await this.tip();
    return tip + (this.ctx.chain.store.head().header.baseFeePerGas ?? 0n);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** eth_feeHistory(blockCount, newestBlock, rewardPercentiles?) */
export async function feeHistory(ctx: RpcContext, params: readonly unknown[]): Promise<unknown> {
  maxArgs(params, 3);
  const rawCount = params[0];
  const count =
    typeof rawCount === "number" && Number.isInteger(rawCount) && rawCount >= 0
      ? BigInt(rawCount)
      : parseArg(0, rawCount, (v) => quantityToBigint(v as string, 64));
  const spec = parseBlockSpec(1, params[1]);
  const pct = params[2] ?? [];
  if (!Array.isArray(pct) || !pct.every((p) => typeof p === "number"))
    throw invalidArg(2, "rewardPercentiles must be an array of numbers");
  const percentiles = pct as number[];
  for (let i = 0; i < percentiles.length; i++) {
    const p = percentiles[i]!;
    if (p < 0 || p > 100) throw RpcError.exact(RpcCode.INVALID_PARAMS, `invalid reward percentile: ${p}`);
    if (i > 0 && p < percentiles[i - 1]!)
      throw RpcError.exact(
        RpcCode.INVALID_PARAMS,
        `invalid reward percentile: #${i - 1}:${percentiles[i - 1]} > #${i}:${p}`,
      );
  }
  if (count === 0n) return { oldestBlock: "0x0", baseFeePerGas: [], gasUsedRatio: [] };
  const newest = lookupBlock(ctx, spec);
  if (newest === null) throw RpcError.exact(RpcCode.SERVER_ERROR, "header not found");
  const max = BigInt(ctx.limits.feeHistoryBlocks);
  const blocks = count > max ? max : count;
  const last = newest.header.number;
  const oldest = last + 1n >= blocks ? last + 1n - blocks : 0n;
  const store = ctx.chain.store;
  const baseFees: string[] = [];
  const ratios: number[] = [];
  const rewards: string[][] = [];
  for (let n = oldest; n <= last; n++) {
    const hash = store.canonicalHash(n);
    const header = hash === undefined ? undefined : store.header(hash);
    if (hash === undefined || header === undefined)
      throw RpcError.exact(RpcCode.SERVER_ERROR, "header not found");
    baseFees.push(q(header.baseFeePerGas ?? 0n));
    ratios.push(Number(header.gasUsed) / Number(header.gasLimit));
    if (percentiles.length === 0) continue;
    const txs = await ctx.txs.ofBlock(hash);
    const receipts = store.receipts(hash) ?? [];
    if (txs.length === 0) {
      rewards.push(percentiles.map(() => "0x0"));
      continue;
    }
    let prev = 0n;
    const used = receipts.map((r) => {
      const g = r.cumulativeGasUsed - prev;
      prev = r.cumulativeGasUsed;
      return g;
    });
    const sorted = txs
      .map((t, i) => ({ tip: effectiveTip(t.tx, header.baseFeePerGas), gas: used[i] ?? 0n }))
      .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
    const row: string[] = [];
    let idx = 0;
    let sum = sorted[0]!.gas;
    for (const p of percentiles) {
      const threshold = (Number(header.gasUsed) * p) / 100;
      while (Number(sum) < threshold && idx < sorted.length - 1) {
        idx++;
        sum += sorted[idx]!.gas;
      }
      row.push(q(sorted[idx]!.tip));
    }
    rewards.push(row);
  }
  baseFees.push(q(calcBaseFee(newest.header)));
  return {
    oldestBlock: q(oldest),
    ...(percentiles.length === 0 ? {} : { reward: rewards }),
    baseFeePerGas: baseFees,
    gasUsedRatio: ratios,
  };
}

/** eth_blobBaseFee: the blob base fee of the head block. */
export function headBlobBaseFee(ctx: RpcContext): string {
  const h = ctx.chain.store.head().header;
  if (h.excessBlobGas === undefined)
    throw RpcError.exact(RpcCode.SERVER_ERROR, "blob base fee not available before Cancun");
  return q(blobBaseFee(h.excessBlobGas));
}
