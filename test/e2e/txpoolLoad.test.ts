/**
 * No accepted transaction is lost (issue: txpool; reliability matrix rows 20–23). A 4-validator devnet of
 * real processes; 200 funded senders, each with a home validator; every sender's transactions go out in
 * groups of 4 consecutive nonces, spread in shuffled order over 4 lanes of JSON-RPC batches (separate
 * connections), so they arrive out of nonce order. The load is offered for 20 s from 2,200 tx/s, rising to
 * 3.3 times the inclusion rate measured so far (up to 2,600 tx/s): three times or more what a 2-core machine
 * includes (the ratio reached is printed; the test asserts only that the load exceeds the inclusion rate).
 * Then:
 * - every accepted transaction is included within 60 s after the load stops (longer, up to 180 s, when the
 *   chain included slower during the load: twice the time its rate needs for the backlog), in exactly one block;
 * - every refused one got an explicit error (a JSON-RPC error with the pool's message), counted by reason;
 * - at least 99 % of the included transactions appear in exactly one DAG block (the validator a
 *   transaction arrived at proposes it; the others hold their gossiped copy back);
 * and the figures (offered, accepted, refused by reason, included, DAG-block duplicates) are printed.
 * A refused transaction is retried, as a wallet would, so a refusal never leaves a nonce gap behind.
 * TXPOOL_LOAD_TEST=0 skips it; TXPOOL_LOAD_RATE sets the offered rate (tx/s).
 */
import { Agent, request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { DEVNET_CHAIN_ID, devAccountKey } from "../../node/core/chain/devnet.ts";
import { privateKeyToAddress } from "../../node/core/crypto/secp256k1.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import { DevnetProcs } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const VALIDATORS = 4;
const SENDERS = 200;
const GROUP = 4;
const LOAD_MS = 20_000;
const DRAIN_MS = 60_000;
const MAX_DRAIN_MS = 180_000;
/** the starting rate; it rises to stay at least 3.3x the inclusion rate measured so far, up to MAX_RATE */
const RATE = Number(process.env.TXPOOL_LOAD_RATE ?? 2200);
const MAX_RATE = 2600;
const dir = tempDir("fastevm-txpool-load-");
let net: DevnetProcs;

const GWEI = 1_000_000_000n;
const senderKey = (i: number) => keccak256(new TextEncoder().encode(`fastevm txpool load sender ${i}`));

function transfer(key: Uint8Array, nonce: bigint, to: Uint8Array, value: bigint): Uint8Array {
  return encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: DEVNET_CHAIN_ID,
        nonce,
        maxPriorityFeePerGas: GWEI,
        maxFeePerGas: 100n * GWEI,
        gasLimit: 21_000n,
        to,
        value,
        data: new Uint8Array(0),
        accessList: [],
      },
      key,
    ),
  );
}

interface Outcome {
  accepted: boolean;
  /** refusal messages, one per refused attempt */
  refusals: string[];
}

/** Keep-alive connections, several per validator: a sender's requests go out over several of them. */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

type Answer = { id?: number; result?: string; error?: { message?: string } };

/** One JSON-RPC request (or batch) over the keep-alive agent: its parsed answer. */
function post(url: string, body: string): Promise<Answer | Answer[]> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on("error", reject);
    req.setHeader("content-type", "application/json");
    req.end(body);
  });
}

/**
 * eth_sendRawTransaction calls gathered into JSON-RPC batches (at most BATCH each, flushed every few ms), one
 * stream of batches per validator and lane: a sender's group of nonces is spread over the lanes in shuffled
 * order, so its transactions still travel concurrently over several connections and arrive out of nonce
 * order. Batching lets one test process offer several times what the chain includes.
 */
const BATCH = 64;
interface Waiting {
  readonly raw: string;
  readonly resolve: (a: Answer) => void;
  readonly reject: (e: Error) => void;
}
const lanes = new Map<string, { url: string; queue: Waiting[] }>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const [key, lane] of lanes) {
    lanes.delete(key);
    for (let i = 0; i < lane.queue.length; i += BATCH) {
      const chunk = lane.queue.slice(i, i + BATCH);
      const body = JSON.stringify(
        chunk.map((w, id) => ({ jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params: [w.raw] })),
      );
      post(lane.url, body).then(
        (answers) => {
          const list = Array.isArray(answers) ? answers : [];
          for (const [id, w] of chunk.entries()) {
            const a = list.find((x) => x.id === id);
            if (a === undefined) w.reject(new Error(`no answer in the batch: ${JSON.stringify(answers)}`));
            else w.resolve(a);
          }
        },
        (e: Error) => {
          for (const w of chunk) w.reject(e);
        },
      );
    }
  }
}

function sendRaw(url: string, lane: number, raw: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const key = `${url} ${lane}`;
    let l = lanes.get(key);
    if (l === undefined) {
      l = { url, queue: [] };
      lanes.set(key, l);
    }
    l.queue.push({ raw: bytesToHex(raw), resolve, reject });
    if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 2);
    }
  });
}

/**
 * Sends `raw` to validator `to` (on `lane`) until the pool accepts it (or `deadline` passes); every refusal
 * recorded.
 */
async function submit(
  to: number,
  lane: number,
  raw: Uint8Array,
  out: Outcome,
  deadline: number,
): Promise<void> {
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    let res: Answer;
    try {
      res = await sendRaw(net.rpcUrl(to), lane, raw);
    } catch (e) {
      out.refusals.push(`transport: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (res.error === undefined) {
      out.accepted = true;
      return;
    }
    const msg = res.error.message ?? "an error without a message";
    // a retry of one that got through before (its answer was lost) is "already known": accepted
    if (attempt > 0 && msg.startsWith("already known")) {
      out.accepted = true;
      return;
    }
    out.refusals.push(msg);
    await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** attempt)));
  }
}

describe.skipIf(process.env.TXPOOL_LOAD_TEST === "0")("txpool under load on a 4-validator devnet", () => {
  afterAll(async () => {
    agent.destroy();
    await net?.stopAll("SIGKILL");
    dir.remove();
  });

  it("includes every accepted transaction, refuses the rest explicitly, proposes each once", async () => {
    net = await DevnetProcs.prepare(dir.path, VALIDATORS);
    await Promise.all([0, 1, 2, 3].map((i) => net.launch(i)));

    // 1. fund the senders from the 10 dev accounts (each funds 20), through their home validators
    const keys = Array.from({ length: SENDERS }, (_, i) => senderKey(i));
    const addresses = keys.map((k) => privateKeyToAddress(k));
    const funding: Promise<void>[] = [];
    const fundOutcomes: Outcome[] = [];
    for (let s = 0; s < SENDERS; s++) {
      const dev = s % 10;
      const raw = transfer(devAccountKey(dev), BigInt(Math.floor(s / 10)), addresses[s]!, 10n ** 18n);
      const o: Outcome = { accepted: false, refusals: [] };
      fundOutcomes.push(o);
      funding.push(submit(dev % VALIDATORS, 0, raw, o, Date.now() + 30_000));
    }
    await Promise.all(funding);
    expect(fundOutcomes.every((o) => o.accepted)).toBe(true);
    const fundedBy = Date.now() + 60_000;
    let txCount = 0;
    let scanned = 1;
    while (txCount < SENDERS) {
      if (Date.now() > fundedBy) throw new Error(`only ${txCount} of ${SENDERS} funding transfers included`);
      const head = await net.headNumber(0);
      for (; scanned <= head; scanned++) txCount += (await net.block(0, scanned)).transactions.length;
      await new Promise((r) => setTimeout(r, 250));
    }
    const loadStartBlock = scanned;

    // 2. sign everything before the clock starts
    const perSender = Math.ceil((MAX_RATE * LOAD_MS) / 1000 / SENDERS);
    const sink = new Uint8Array(20).fill(0x42);
    const signed = keys.map((k) =>
      Array.from({ length: perSender }, (_, n) => transfer(k, BigInt(n), sink, 1n)),
    );
    /** by transaction hash */
    const outcomes = new Map<string, Outcome>();
    const hashOf = (raw: Uint8Array) => bytesToHex(keccak256(raw));

    // 3. the load: groups of GROUP nonces of one sender, shuffled, concurrently; senders round-robin
    const groups: { sender: number; from: number }[] = [];
    for (let from = 0; from < perSender; from += GROUP)
      for (let s = 0; s < SENDERS; s++) groups.push({ sender: s, from });
    const t0 = Date.now();
    const loadEnd = t0 + LOAD_MS;
    const inflight: Promise<void>[] = [];
    let offered = 0;
    let g = 0;
    // the inclusion rate while the load runs, polled once a second
    let includedSoFar = 0;
    let polled = loadStartBlock;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const head = await net.headNumber(0);
          for (; polled <= head; polled++) includedSoFar += (await net.block(0, polled)).transactions.length;
        } catch {
          // a keep-alive socket the server closed under us: the next poll asks again
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    let due = 0;
    let last = t0;
    while (g < groups.length && Date.now() < loadEnd) {
      const now = Date.now();
      const rate = Math.min(MAX_RATE, Math.max(RATE, (3.3 * includedSoFar) / ((now - t0) / 1000)));
      due += ((now - last) / 1000) * rate;
      last = now;
      while (offered < due && g < groups.length) {
        const { sender, from } = groups[g++]!;
        const batch = signed[sender]!.slice(from, from + GROUP);
        const order = batch.map((_, k) => k).sort(() => Math.random() - 0.5);
        for (const [lane, k] of order.entries()) {
          const raw = batch[k]!;
          const o: Outcome = { accepted: false, refusals: [] };
          outcomes.set(hashOf(raw), o);
          inflight.push(submit(sender % VALIDATORS, lane, raw, o, loadEnd + DRAIN_MS / 2));
          offered++;
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    const headAtLoadEnd = await net.headNumber(0);
    polling = false;
    await poller;
    await Promise.all(inflight);

    // 4. every accepted transaction in a block within DRAIN_MS after the load stopped
    const accepted = new Set([...outcomes].filter(([, o]) => o.accepted).map(([h]) => h));
    const included = new Map<string, number>();
    let includedDuringLoad = 0;
    let next = loadStartBlock;
    // the backlog drains at the chain's own pace: on a machine slower than this one's class (CI with other
    // tests on its two cores) give it twice the time its inclusion rate during the load needs, up to MAX_DRAIN_MS
    const rateDuringLoad = Math.max(1, includedSoFar / loadSeconds);
    const drainMs = Math.min(
      MAX_DRAIN_MS,
      Math.max(DRAIN_MS, (2000 * (offered - includedSoFar)) / rateDuringLoad),
    );
    const deadline = loadEnd + drainMs;
    for (;;) {
      const head = await net.headNumber(0);
      for (; next <= head; next++) {
        for (const h of (await net.block(0, next)).transactions) {
          included.set(h, (included.get(h) ?? 0) + 1);
          if (next <= headAtLoadEnd) includedDuringLoad++;
        }
      }
      if ([...accepted].every((h) => included.has(h)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const drainedAfterMs = Date.now() - loadEnd;
    const missing = [...accepted].filter((h) => !included.has(h));

    // 5. the figures
    const refusedByReason = new Map<string, number>();
    let refusedAttempts = 0;
    for (const o of outcomes.values())
      for (const r of o.refusals) {
        refusedAttempts++;
        const reason = r.split(":")[0]!;
        refusedByReason.set(reason, (refusedByReason.get(reason) ?? 0) + 1);
      }
    const inclusionRate = includedDuringLoad / loadSeconds;

    // 6. DAG blocks: stop the validators, count each included transaction's DAG blocks (union by block)
    await net.stopAll("SIGTERM");
    const dagCount = new Map<string, number>();
    const seenBlocks = new Set<string>();
    for (let i = 0; i < VALIDATORS; i++) {
      for (const b of await net.dagBlocks(i)) {
        if (seenBlocks.has(b.key)) continue;
        seenBlocks.add(b.key);
        for (const t of b.transactions) {
          const h = hashOf(t);
          if (outcomes.has(h)) dagCount.set(h, (dagCount.get(h) ?? 0) + 1);
        }
      }
    }
    const loadIncluded = [...included.keys()].filter((h) => outcomes.has(h));
    const once = loadIncluded.filter((h) => dagCount.get(h) === 1).length;
    const report = {
      offeredTxs: offered,
      offeredRate: Math.round(offered / loadSeconds),
      accepted: accepted.size,
      refusedAttempts,
      refusedByReason: Object.fromEntries(refusedByReason),
      included: loadIncluded.length,
      includedDuringLoad,
      inclusionRateDuringLoad: Math.round(inclusionRate),
      overloadRatio: Number((offered / loadSeconds / inclusionRate).toFixed(2)),
      drainedAfterMs,
      drainAllowedMs: Math.round(drainMs),
      missing: missing.length,
      inExactlyOneDagBlock: once,
      inSeveralDagBlocks: loadIncluded.length - once,
    };
    console.log(`txpool load: ${JSON.stringify(report)}`);

    expect(missing, "accepted transactions never included").toEqual([]);
    // within the drain time this run allowed (DRAIN_MS, longer when the chain included slower during the load)
    expect(drainedAfterMs).toBeLessThanOrEqual(drainMs + 5000);
    // every transaction in exactly one block
    expect([...included.values()].every((c) => c === 1)).toBe(true);
    // nothing included that was not accepted
    expect(loadIncluded.every((h) => accepted.has(h))).toBe(true);
    // each refusal named its reason
    for (const reason of refusedByReason.keys()) expect(reason.length).toBeGreaterThan(0);
    // the load was an overload: more offered than the chain included, so a backlog formed (the offered rate
    // follows 3.3x the inclusion rate measured while it runs; the ratio reached is in the printed figures)
    expect(offered / loadSeconds).toBeGreaterThan(inclusionRate);
    expect(once / loadIncluded.length).toBeGreaterThanOrEqual(0.99);
  }, 360_000);
});
