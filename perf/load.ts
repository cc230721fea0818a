/**
 * One load run: the transactions of a rate step signed before its clock starts (in worker threads), sent at
 * the step's rate with eth_sendRawTransaction (each sender has a home node and several requests in flight),
 * and their inclusion tracked from `newHeads` (or polling), block reads and block receipts.
 *
 * A refused transaction is sent again (after 200 ms, ahead of that sender's newer ones), as a wallet would,
 * so one refusal leaves no nonce gap; every send, first or again, takes one slot of the rate. "already
 * known" counts as accepted; "nonce too low" is not resent (that nonce is taken).
 */
import { availableParallelism } from "node:os";
import { decodeCommitStamp } from "../node/core/chain/commitStamp.ts";
import { bytesToHex, hexToBytes } from "../node/core/hex.ts";
import type { UnsignedTransaction } from "../node/core/tx/sign.ts";
import type { SignResult, SignTask } from "../node/core/wire/sign.ts";
import { WorkerPool } from "../node/pool/workerPool.ts";
import type { Scenario } from "./args.ts";
import { type HeadEvent, REQUEST_TIMEOUT_MS, RpcBatcher, RpcClient, subscribeHeads } from "./rpc.ts";
import { nonceOf, type Sender, stepFees } from "./setup.ts";
import {
  type BlockRecord,
  percentiles,
  type StepCounters,
  type StepSummary,
  summarize,
  type TxRecord,
} from "./stats.ts";
import { transferCalldata } from "./token/token.ts";

const RESEND_DELAY_MS = 200;
const TICK_MS = 5;
const POLL_MS = 250;
/** the head poll beside a newHeads subscription */
const FALLBACK_POLL_MS = 1000;

interface SenderState {
  readonly sender: Sender;
  readonly node: number;
  readonly queue: TxRecord[];
  next: number;
  /** refused transactions waiting to be sent again, lowest nonce first */
  readonly resend: TxRecord[];
  resendAt: number;
  inflight: number;
}

/** A JSON-RPC refusal's reason: its message up to the first ':' (geth appends the numbers after one). */
export function refusalReason(message: string): string {
  const i = message.indexOf(":");
  return (i < 0 ? message : message.slice(0, i)).trim();
}

export interface RunOptions {
  readonly chainId: bigint;
  readonly scenario: Scenario;
  readonly inflight: number;
  /** eth_sendRawTransaction requests per JSON-RPC batch, at most (1: each alone) */
  readonly batch: number;
  readonly drainS: number;
  /** token address for erc20/mixed */
  readonly token?: Uint8Array;
  /** progress line sink */
  readonly progress: (line: string, final: boolean) => void;
}

export class LoadRun {
  readonly txs: TxRecord[] = [];
  readonly blocks: BlockRecord[] = [];
  readonly summaries: StepSummary[] = [];
  readonly startedMs = Date.now();
  readonly #byHash = new Map<string, TxRecord>();
  readonly #clients: RpcClient[];
  /** the sends, batched per node */
  readonly #senders: RpcBatcher[];
  readonly #reader: RpcClient;
  readonly #pool: WorkerPool<SignTask, SignResult>;
  #lastBlock = -1;
  #wantBlock = -1;
  /** head number → when it was reported; an entry lives until its block is read (bounded by the heads ahead) */
  readonly #seen = new Map<number, number>();
  #reading: Promise<void> = Promise.resolve();
  #stopHeads: () => void = () => {};
  #headError: string | undefined;

  private constructor(
    readonly rpcUrls: readonly string[],
    readonly senders: readonly Sender[],
    readonly opts: RunOptions,
  ) {
    this.#clients = rpcUrls.map((u) => new RpcClient(u));
    this.#senders = this.#clients.map((c) => new RpcBatcher(c, opts.batch));
    this.#reader = this.#clients[0]!;
    this.#pool = new WorkerPool<SignTask, SignResult>({
      name: "perf-sign",
      worker: new URL("./sign.worker.ts", import.meta.url),
      threads: Math.max(1, availableParallelism()),
      maxQueue: 1 << 20,
    });
  }

  /** Starts tracking heads (over `wsUrl`, or by polling the first node) from the current head on. */
  static async start(
    rpcUrls: readonly string[],
    wsUrl: string | undefined,
    senders: readonly Sender[],
    opts: RunOptions,
  ): Promise<LoadRun> {
    const run = new LoadRun(rpcUrls, senders, opts);
    run.#lastBlock = Number(await run.#reader.call<string>("eth_blockNumber"));
    run.#wantBlock = run.#lastBlock;
    // polled heads: the only source without a WebSocket, and beside one a fallback for the heads its
    // subscription does not deliver (anvil's stopped under 4,000 tx/s while it went on mining)
    const timer = setInterval(
      () => {
        void run.#reader.call<string>("eth_blockNumber").then(
          (n) => run.#onHead({ number: Number(n), hash: "", seenMs: Date.now() }),
          () => {},
        );
      },
      wsUrl === undefined ? POLL_MS : FALLBACK_POLL_MS,
    );
    if (wsUrl !== undefined) {
      const sub = await subscribeHeads(
        wsUrl,
        (h) => run.#onHead(h),
        (why) => {
          run.#headError = why;
        },
      ).catch((e: unknown) => {
        clearInterval(timer);
        throw e;
      });
      run.#stopHeads = () => {
        clearInterval(timer);
        sub.close();
      };
    } else {
      run.#stopHeads = () => clearInterval(timer);
    }
    return run;
  }

  #onHead(h: HeadEvent): void {
    if (h.number <= this.#wantBlock) return;
    this.#wantBlock = h.number;
    this.#seen.set(h.number, h.seenMs);
    this.#reading = this.#reading
      .then(() => this.#readBlocks())
      .catch((e: unknown) => {
        this.#headError = `reading blocks: ${(e as Error).message}`;
      });
  }

  /** When block `n` was reported: its own head, or (skipped by the notifications) the first head above it. */
  #seenAt(n: number): number {
    for (let k = n; k <= this.#wantBlock; k++) {
      const t = this.#seen.get(k);
      if (t !== undefined) return t;
    }
    return Date.now();
  }

  /** Reads every block up to the newest head seen, in order. */
  async #readBlocks(): Promise<void> {
    while (this.#lastBlock < this.#wantBlock && this.#headError === undefined) {
      const n = this.#lastBlock + 1;
      const seenMs = this.#seenAt(n);
      const b = await this.#reader.call<{
        hash: string;
        transactions: string[];
        gasUsed: string;
        gasLimit: string;
        timestamp: string;
        extraData: string;
        baseFeePerGas?: string;
      } | null>("eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      if (b === null) return; // not served yet by this node: the next head retries
      const ours = b.transactions.map((h) => this.#byHash.get(h)).filter((t) => t !== undefined);
      if (ours.length > 0) {
        const receipts = await this.#reader.call<
          { transactionHash: string; status: string; gasUsed: string }[]
        >("eth_getBlockReceipts", [`0x${n.toString(16)}`]);
        const byHash = new Map(receipts.map((r) => [r.transactionHash, r]));
        for (const t of ours) {
          const r = byHash.get(t.hash);
          t.block = n;
          t.includedMs = seenMs;
          if (r !== undefined) {
            t.status = Number(r.status);
            t.gasUsed = Number(r.gasUsed);
          }
        }
      }
      const stamp = decodeCommitStamp(hexToBytes(b.extraData));
      this.blocks.push({
        number: n,
        hash: b.hash,
        seenMs,
        timeMs: stamp?.timestampMs ?? Number(b.timestamp) * 1000,
        txCount: b.transactions.length,
        ours: ours.length,
        gasUsed: Number(b.gasUsed),
        gasLimit: Number(b.gasLimit),
        baseFee: BigInt(b.baseFeePerGas ?? "0x0"),
      });
      this.#lastBlock = n;
      this.#seen.delete(n);
    }
  }

  /** Signs step `step`'s transactions: `rate × duration` of them, spread evenly over the senders. */
  async #sign(step: number, total: number, baseFee: bigint): Promise<SenderState[]> {
    const n = this.senders.length;
    const nonces = await Promise.all(this.senders.map((s) => nonceOf(this.#reader, s.addressHex)));
    const fees = stepFees(baseFee, step);
    const states = await Promise.all(
      this.senders.map(async (s, i) => {
        const count = Math.floor(total / n) + (i < total % n ? 1 : 0);
        const to = this.senders[(i + 1) % n]!.address;
        const kinds: ("transfer" | "erc20")[] = [];
        const unsigned: UnsignedTransaction[] = [];
        for (let k = 0; k < count; k++) {
          const nonce = nonces[i]! + k;
          const kind =
            this.opts.scenario === "transfer" || (this.opts.scenario === "mixed" && nonce % 2 === 0)
              ? "transfer"
              : "erc20";
          kinds.push(kind);
          const common = {
            type: 2 as const,
            chainId: this.opts.chainId,
            nonce: BigInt(nonce),
            ...fees,
            accessList: [],
          };
          unsigned.push(
            kind === "transfer"
              ? { ...common, gasLimit: 21_000n, to, value: 1n, data: new Uint8Array(0) }
              : {
                  ...common,
                  gasLimit: 60_000n,
                  to: this.opts.token!,
                  value: 0n,
                  data: transferCalldata(to, 1n),
                },
          );
        }
        const signed =
          count === 0 ? { raw: [], hashes: [] } : await this.#pool.run({ privateKey: s.key, txs: unsigned });
        const node = i % this.#clients.length;
        const queue = signed.raw.map((raw, k): TxRecord => {
          const t: TxRecord = {
            step,
            hash: bytesToHex(signed.hashes[k]!),
            sender: i,
            nonce: nonces[i]! + k,
            kind: kinds[k]!,
            node,
            raw: bytesToHex(raw),
            attempts: 0,
          };
          this.txs.push(t);
          this.#byHash.set(t.hash, t);
          return t;
        });
        return { sender: s, node, queue, next: 0, resend: [], resendAt: 0, inflight: 0 };
      }),
    );
    return states;
  }

  /** Runs one rate step and records its summary. */
  async step(rate: number, durationS: number): Promise<StepSummary> {
    const step = this.summaries.length;
    const base = BigInt(
      (await this.#reader.call<{ baseFeePerGas?: string }>("eth_getBlockByNumber", ["latest", false]))
        .baseFeePerGas ?? "0x0",
    );
    const signStart = Date.now();
    const states = await this.#sign(step, Math.round(rate * durationS), base);
    const mine = states.flatMap((s) => s.queue);
    this.opts.progress(
      `step ${step + 1}: ${rate} tx/s for ${durationS} s: ${mine.length} transactions signed in ${Date.now() - signStart} ms`,
      true,
    );
    const counters: StepCounters = { offered: 0, failed: 0, refusedByReason: new Map() };
    let inflight = 0;
    let rr = 0;
    const refuse = (t: TxRecord, s: SenderState, reason: string, resend: boolean): void => {
      counters.refusedByReason.set(reason, (counters.refusedByReason.get(reason) ?? 0) + 1);
      t.lastRefusal = reason;
      if (resend) {
        let at = s.resend.length;
        while (at > 0 && s.resend[at - 1]!.nonce > t.nonce) at--;
        s.resend.splice(at, 0, t);
        s.resendAt = Date.now() + RESEND_DELAY_MS;
      }
    };
    const dispatch = (s: SenderState, now: number): void => {
      const t = s.resend.length > 0 && now >= s.resendAt ? s.resend.shift()! : s.queue[s.next++]!;
      t.attempts++;
      t.firstSentMs ??= now;
      counters.offered++;
      s.inflight++;
      inflight++;
      this.#senders[s.node]!.send<string>("eth_sendRawTransaction", [t.raw])
        .then(
          (r) => {
            if ("result" in r || /already known/i.test(r.error.message)) t.acceptedMs ??= Date.now();
            else refuse(t, s, refusalReason(r.error.message), !/nonce too low/i.test(r.error.message));
          },
          (e: unknown) => {
            counters.failed++;
            refuse(t, s, `transport: ${(e as Error).message}`, true);
          },
        )
        .finally(() => {
          s.inflight--;
          inflight--;
        });
    };
    const ready = (s: SenderState, now: number): boolean =>
      s.inflight < this.opts.inflight &&
      ((s.resend.length > 0 && now >= s.resendAt) || s.next < s.queue.length);

    const t0 = Date.now();
    const endSend = t0 + durationS * 1000;
    const showProgress = (final: boolean): void => {
      const now = Date.now();
      const inc = mine.filter((t) => t.block !== undefined);
      const acc = mine.filter((t) => t.acceptedMs !== undefined || t.block !== undefined).length;
      const recent = this.blocks.filter((b) => b.seenMs > now - 5000);
      const tps = recent.reduce((a, b) => a + b.ours, 0) / Math.min(5, Math.max(1, (now - t0) / 1000));
      const p50 = percentiles(inc.map((t) => t.includedMs! - t.firstSentMs!)).p50;
      this.opts.progress(
        `[${((now - t0) / 1000).toFixed(0).padStart(3)} s] ${rate} tx/s  sent ${counters.offered}  included ${inc.length}  pending ${acc - inc.length}  TPS ${tps.toFixed(0)}  p50 ${Number.isNaN(p50) ? "-" : `${p50} ms`}`,
        final,
      );
    };
    const progressTimer = setInterval(() => showProgress(false), 1000);
    await new Promise<void>((done) => {
      const tick = (): void => {
        const now = Date.now();
        let due = Math.floor((rate * (Math.min(now, endSend) - t0)) / 1000) - counters.offered;
        for (let probes = 0; due > 0 && probes < states.length; probes++) {
          const s = states[rr]!;
          rr = (rr + 1) % states.length;
          if (!ready(s, now)) continue;
          dispatch(s, now);
          due--;
          probes = -1;
        }
        if (now >= endSend) done();
        else setTimeout(tick, TICK_MS);
      };
      tick();
    });
    // drain: in-flight replies, resends of refused ones (so no nonce gap is left), then inclusion of what
    // was accepted, or the drain timeout
    const drainEnd = Date.now() + this.opts.drainS * 1000;
    for (;;) {
      const now = Date.now();
      for (const s of states)
        if (s.resend.length > 0 && now >= s.resendAt && s.inflight < this.opts.inflight) dispatch(s, now);
      const waiting =
        inflight > 0 ||
        states.some((s) => s.resend.length > 0) ||
        mine.some((t) => t.block === undefined && t.acceptedMs !== undefined);
      if (!waiting || now > drainEnd || this.#headError !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // the block reads still under way get until the drain's end plus one request's timeout: a node that
    // answers too slowly to be read ends the step with an error, not with an unbounded wait
    let readTimer: NodeJS.Timeout | undefined;
    const caughtUp = await Promise.race([
      this.#reading.then(() => true),
      new Promise<boolean>((r) => {
        readTimer = setTimeout(() => r(false), Math.max(0, drainEnd - Date.now()) + REQUEST_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(readTimer);
    if (!caughtUp)
      this.#headError ??= `reading blocks: still at block ${this.#lastBlock} of ${this.#wantBlock} ${REQUEST_TIMEOUT_MS / 1000} s after the drain (the node answers too slowly)`;
    clearInterval(progressTimer);
    showProgress(true);
    const summary = summarize(step, rate, durationS, this.txs, this.blocks, counters);
    this.summaries.push(summary);
    return summary;
  }

  /** Why head tracking stopped, if it did. */
  get headError(): string | undefined {
    return this.#headError;
  }

  async close(): Promise<void> {
    this.#stopHeads();
    await this.#reading;
    await this.#pool.close();
  }
}
