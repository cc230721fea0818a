/**
 * Kill -9 of a validator with blocks in flight (issue 12, "Kill -9 with blocks in memory"; reliability
 * matrix rows 1 "kill -9 during block import/commit" and 29 "crash f of 3f+1", in
 * ../shared/design/reference/reliability.md). A 4-validator devnet of real `fastevm node --validator`
 * processes carries a steady, modest transfer load (eth_sendRawTransaction: eight senders to validators
 * 0–2, two to the victim, validator 3). The victim is SIGKILLed KILLS times, at seeded moments (0.3–3 s
 * apart), and restarted each time on the same datadir and ports. After every restart:
 * - it is ready and its head advances past its pre-kill head; the block it served at that height before
 *   the kill is the same block after it (a block — or a receipt — a user saw is not rewritten);
 * - over the blocks new since the last check all four validators have the same hashes; the commit stamps
 *   (extraData, node/core/chain/commitStamp.ts) strictly increase along the chain, so no commit is
 *   executed twice;
 * - on the victim the blocks around the crash point (from CRASH_WINDOW below the lower of the head it
 *   restarted from — its "execution head" log record — and its pre-kill head, to CRASH_WINDOW above the
 *   head it passed) are whole: the full block, `eth_getBlockReceipts` (one successful receipt per transaction, in
 *   order), `eth_getTransactionReceipt` of each transaction, and the state at the block: the sink's balance
 *   equals the number of 1-wei transfers up to it.
 * The test does not assume the restarted head equals the pre-kill head (blocks held only in memory may be
 * lost and re-executed), only that it reaches the same hashes.
 * After the load stops, every transaction a validator acknowledged is included exactly once. Then all
 * validators stop (SIGTERM) and each datadir is read offline: every canonical block has its header, body,
 * receipts, transaction hashes, tx-index entries, state diff and state root in the trie-node table; the flat
 * state equals the trie at the head's state root;
 * every commit in the validator's consensus store up to its last executed commit that carries transactions
 * has exactly one block (none skipped, none twice), holding a subsequence of the commit's transactions; and
 * the four consensus stores hold the same commit sequence.
 * VALIDATOR_KILL_TEST=0 skips it; VALIDATOR_KILL_SEED and VALIDATOR_KILL_COUNT change the seed and the number
 * of kills; DEBUG_VALIDATOR_KILL=1 prints progress, DEBUG_E2E=1 the validators' stderr.
 */
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../node/chain/chainGenerator.ts";
import { ChainStore } from "../../node/chain/chainStore.ts";
import { dedupeTransactions } from "../../node/consensus/execution/engineDriver.ts";
import { LmdbConsensusStore } from "../../node/consensus/lmdbStore.ts";
import { subDagTransactions } from "../../node/consensus/mysticeti/commit.ts";
import { committedSubDagsAfter } from "../../node/consensus/mysticeti/commitReplay.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { decodeCommitStamp } from "../../node/core/chain/commitStamp.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { StateTrie } from "../../node/state/stateTrie.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import { DevnetProcs, devnetTransfer } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const VALIDATORS = 4;
const VICTIM = 3;
/** each kill costs a restart of 10-15 s under load on 2 cores; VALIDATOR_KILL_COUNT=20 or more for a longer soak */
const KILLS = Number(process.env.VALIDATOR_KILL_COUNT ?? 12);
const SEED = Number(process.env.VALIDATOR_KILL_SEED ?? 20_261_202);
/** dev accounts 0–7 send to validators 0–2 (account % 3), accounts 8 and 9 to the victim */
const SENDERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const homeOf = (account: number) => (account >= 8 ? VICTIM : account % 3);
/** each sender's pause between transactions: 10 senders, about 20 tx/s in all */
const SEND_INTERVAL_MS = 500;
/** how long the victim has, after each restart, to pass its pre-kill head */
const RESUME_MS = 60_000;
/** how long the accepted transactions have to be included once the load stops */
const DRAIN_MS = 60_000;
/** the blocks on either side of the crash point whose completeness is checked over RPC after each restart */
const CRASH_WINDOW = 3;
/** where every transfer goes (devnetTransfer: 1 wei to 0x4242…42) */
const SINK = `0x${"42".repeat(20)}`;

const dir = tempDir("fastevm-validator-kill-");
let net: DevnetProcs;

const debug = (...a: unknown[]) => {
  if (process.env.DEBUG_VALIDATOR_KILL === "1") console.error(...a);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Times consecutive phases (for DEBUG_VALIDATOR_KILL): `phase(name)` ends one, `report()` lists them. */
function phases(): ((name: string) => void) & { report(): string } {
  const parts: string[] = [];
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    parts.push(`${name} ${Math.round(now - t)} ms`);
    t = now;
  };
  return Object.assign(phase, { report: () => parts.join(", ") });
}
const hex = (n: number) => `0x${n.toString(16)}`;

/** One JSON-RPC call to validator i's public HTTP endpoint; rejects on a transport failure or an error answer. */
async function rpc<T>(i: number, method: string, params: readonly unknown[]): Promise<T> {
  return (await rpcBatch<T>(i, [[method, params]]))[0]!;
}

/** the calls per HTTP request of `rpcBatch` (the server allows 1000) */
const BATCH = 250;

/** JSON-RPC calls to validator i in batches of BATCH: their results in order; rejects on any error answer. */
async function rpcBatch<T>(
  i: number,
  calls: readonly (readonly [string, readonly unknown[]])[],
): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < calls.length; start += BATCH) {
    const part = calls.slice(start, start + BATCH);
    const res = await fetch(net.rpcUrl(i), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(part.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
      signal: AbortSignal.timeout(30_000),
    });
    const answers = (await res.json()) as { id: number; result?: T; error?: { message: string } }[];
    const byId = new Map(answers.map((a) => [a.id, a]));
    part.forEach(([method], id) => {
      const a = byId.get(id);
      if (a === undefined || a.error !== undefined)
        throw new Error(`${method} on validator ${i}: ${a?.error?.message ?? "no answer"}`);
      out.push(a.result as T);
    });
  }
  return out;
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => from + k);

interface FullBlock {
  hash: string;
  number: string;
  parentHash: string;
  stateRoot: string;
  extraData: string;
  transactions: { hash: string; transactionIndex: string }[];
}
interface Receipt {
  transactionHash: string;
  transactionIndex: string;
  blockHash: string;
  blockNumber: string;
  status: string;
}

async function head(i: number): Promise<{ number: number; hash: string }> {
  const b = await rpc<FullBlock>(i, "eth_getBlockByNumber", ["latest", false]);
  return { number: Number(b.number), hash: b.hash };
}

/** Polls `probe` until it returns a value (not undefined) or `ms` passes; transport failures are retried. */
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last = "";
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(150);
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what}${last === "" ? "" : ` (last error: ${last})`}`,
  );
}

/** The canonical chain as validator 0 serves it, block by block: what every other validator must match. */
interface RefBlock {
  hash: string;
  stamp: number;
  txs: string[];
  /** transfers in blocks 1..n: the sink's balance at n (its genesis balance aside) */
  transfers: number;
}
const chain: RefBlock[] = [];
/** every transaction hash on the canonical chain → its block number */
const includedAt = new Map<string, number>();

/** Extends `chain` (validator 0's view) to block `to`, checking stamps and that no transaction repeats. */
async function extendReference(to: number): Promise<void> {
  const numbers = range(chain.length, to);
  const blocks = await rpcBatch<Omit<FullBlock, "transactions"> & { transactions: string[] }>(
    0,
    numbers.map((n) => ["eth_getBlockByNumber", [hex(n), false]]),
  );
  blocks.forEach((b, k) => {
    const n = numbers[k]!;
    const prev = chain[n - 1];
    if (n > 0) expect(b.parentHash, `block ${n}'s parent`).toBe(prev!.hash);
    const stamp = n === 0 ? 0 : decodeCommitStamp(hexToBytes(b.extraData))?.index;
    expect(stamp, `block ${n} carries a commit stamp`).toBeDefined();
    if (n > 0) expect(stamp!, `block ${n}'s commit after block ${n - 1}'s`).toBeGreaterThan(prev!.stamp);
    const txs = b.transactions;
    for (const h of txs) {
      expect(includedAt.get(h), `transaction ${h} in block ${n} and before`).toBeUndefined();
      includedAt.set(h, n);
    }
    chain.push({ hash: b.hash, stamp: stamp!, txs, transfers: (prev?.transfers ?? 0) + txs.length });
  });
}

let sinkGenesis = 0n;

/**
 * Blocks from..to on validator i are validator 0's, and whole: the full block, its receipts, each
 * transaction's receipt by hash (the transaction index) and the state at the block (the sink's balance is
 * the number of transfers up to it: a trie read at the block's state root).
 */
async function checkComplete(i: number, from: number, to: number): Promise<void> {
  const numbers = range(Math.max(1, from), to);
  const calls: [string, unknown[]][] = [];
  for (const n of numbers)
    calls.push(
      ["eth_getBlockByNumber", [hex(n), true]],
      ["eth_getBlockReceipts", [hex(n)]],
      ["eth_getBalance", [SINK, hex(n)]],
      ...chain[n]!.txs.map((h): [string, unknown[]] => ["eth_getTransactionReceipt", [h]]),
    );
  const answers = await rpcBatch<unknown>(i, calls);
  let at = 0;
  for (const n of numbers) {
    const ref = chain[n]!;
    const b = answers[at++] as FullBlock;
    expect(b.hash, `validator ${i} block ${n}`).toBe(ref.hash);
    expect(
      b.transactions.map((t) => t.hash),
      `validator ${i} block ${n} body`,
    ).toEqual(ref.txs);
    const receipts = answers[at++] as Receipt[];
    expect(
      receipts.map((r) => [r.transactionHash, Number(r.transactionIndex), r.blockHash, r.status]),
      `validator ${i} block ${n} receipts`,
    ).toEqual(ref.txs.map((h, k) => [h, k, ref.hash, "0x1"]));
    const balance = BigInt(answers[at++] as string);
    expect(balance, `validator ${i} sink balance at block ${n}`).toBe(sinkGenesis + BigInt(ref.transfers));
    for (const [k, h] of ref.txs.entries()) {
      const r = answers[at++] as Receipt | null;
      expect([r?.blockHash, Number(r?.transactionIndex)], `validator ${i} receipt of ${h}`).toEqual([
        ref.hash,
        k,
      ]);
    }
  }
}

/**
 * Validators 1–3 have validator 0's hashes at the given heights. `chain` is hash-linked (extendReference
 * checks every parentHash), so one equal hash means an equal chain up to it.
 */
async function checkSameHashes(numbers: readonly number[]): Promise<void> {
  for (let i = 1; i < VALIDATORS; i++) {
    const blocks = await rpcBatch<FullBlock>(
      i,
      numbers.map((n) => ["eth_getBlockByNumber", [hex(n), false]]),
    );
    expect(
      blocks.map((b) => b.hash),
      `validator ${i} blocks ${numbers.join(",")}`,
    ).toEqual(numbers.map((n) => chain[n]!.hash));
  }
}

/** The lowest head of the given validators. */
async function lowestHead(which: readonly number[]): Promise<number> {
  return Math.min(...(await Promise.all(which.map(async (i) => (await head(i)).number))));
}

/** One sender: the next transfer to its home validator every SEND_INTERVAL_MS, retried until acknowledged. */
interface Sender {
  readonly account: number;
  nonce: bigint;
  /** hashes a validator answered "accepted" (or "already known") for */
  readonly accepted: Set<string>;
  /** attempts that got no answer (the victim was down or died mid-request) */
  unanswered: number;
  /** the transaction of the last attempt when it got no answer and the load stopped before a retry */
  pending: string | undefined;
  /** refusals other than the expected ones, by message */
  readonly refusals: string[];
}

async function runSender(s: Sender, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    // the same bytes for a nonce on every attempt: a retry of an unanswered send is the same transaction
    const raw = devnetTransfer(s.account, s.nonce);
    const hash = bytesToHex(keccak256(raw));
    let answer: Awaited<ReturnType<DevnetProcs["sendRaw"]>>;
    s.pending = undefined;
    try {
      answer = await net.sendRaw(homeOf(s.account), raw);
    } catch {
      s.unanswered++;
      s.pending = hash;
      await sleep(200);
      continue;
    }
    const msg = answer.error?.message ?? "";
    if (answer.error === undefined || msg.startsWith("already known")) s.accepted.add(hash);
    else if (msg.startsWith("nonce too low")) {
      // an earlier, unanswered attempt of these very bytes got in: it must be on the chain
      s.accepted.add(hash);
    } else {
      s.refusals.push(msg);
      await sleep(SEND_INTERVAL_MS);
      continue;
    }
    s.nonce++;
    await sleep(SEND_INTERVAL_MS);
  }
}

describe.skipIf(process.env.VALIDATOR_KILL_TEST === "0")("validator SIGKILL with blocks in flight", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    dir.remove();
  });

  it(`a validator killed ${KILLS} times resumes, matches the others and loses nothing`, {
    timeout: 900_000,
  }, async () => {
    const t0 = performance.now();
    net = await DevnetProcs.prepare(dir.path, VALIDATORS);
    await Promise.all([0, 1, 2, 3].map((i) => net.launch(i)));
    sinkGenesis = BigInt(await rpc<string>(0, "eth_getBalance", [SINK, "0x0"]));
    await extendReference(0);

    let stopLoad = false;
    const senders: Sender[] = SENDERS.map((account) => ({
      account,
      nonce: 0n,
      accepted: new Set(),
      unanswered: 0,
      pending: undefined,
      refusals: [],
    }));
    const loops = senders.map((s) => runSender(s, () => stopLoad));
    // the load is flowing: every validator has executed a block
    await waitFor("the first blocks", 60_000, async () =>
      (await lowestHead([0, 1, 2, 3])) > 0 ? true : undefined,
    );

    const rand = seededRandom(SEED);
    const restartMs: number[] = [];
    /** per kill: blocks it had served before the kill and executed again after it (not yet on disk) */
    const reExecuted: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(300 + Math.floor(rand() * 2700));
      const before = await head(VICTIM);
      await net.stop(VICTIM, "SIGKILL");
      const killedAt = performance.now();
      // the head it restarts from, before consensus hands it any commit (its "execution head" log record)
      let startHead: number | undefined;
      await net.launch(VICTIM, ["--log.format", "json"], undefined, (l) => {
        if (startHead === undefined && l.includes('"msg":"execution head"'))
          startHead = Number((JSON.parse(l) as { block: string }).block);
      });
      const readyMs = Math.round(performance.now() - killedAt);
      expect(startHead, "the restarted validator logs the execution head it starts from").toBeDefined();
      const restartHead = startHead!;
      // it resumes: its head passes the pre-kill head
      const after = await waitFor(
        `validator ${VICTIM} past block ${before.number} (kill ${k + 1})`,
        RESUME_MS,
        async () => {
          const h = await head(VICTIM);
          return h.number > before.number ? h : undefined;
        },
      );
      restartMs.push(Math.round(performance.now() - killedAt));
      reExecuted.push(Math.max(0, before.number - restartHead));
      debug(
        `kill ${k + 1}: head ${before.number} before, ${restartHead} at restart (ready in ${readyMs} ms), ${after.number} after ${restartMs.at(-1)} ms`,
      );
      // the block it served before the kill is the one it serves now
      expect((await rpc<FullBlock>(VICTIM, "eth_getBlockByNumber", [hex(before.number), false])).hash).toBe(
        before.hash,
      );
      const phase = phases();
      const to = await lowestHead([0, 1, 2, 3]);
      phase("heads");
      await extendReference(to);
      phase("reference");
      // around the crash point, and at the newest common block (so the whole chain up to it), all four
      // validators have the same blocks; the victim's there are whole (every block of every datadir is
      // checked offline at the end)
      const window = range(
        Math.max(1, Math.min(restartHead, before.number) - CRASH_WINDOW),
        Math.min(to, after.number + CRASH_WINDOW),
      );
      await checkSameHashes([...window, to]);
      phase("hashes");
      await checkComplete(VICTIM, window[0] ?? to, window.at(-1) ?? to);
      phase("complete");
      debug(`  checked blocks ${window[0]}..${window.at(-1)} and ${to}: ${phase.report()}`);
    }
    const killLoopMs = Math.round(performance.now() - t0);

    stopLoad = true;
    await Promise.all(loops);
    const accepted = new Set(senders.flatMap((s) => [...s.accepted]));
    // every acknowledged transaction is included (on validator 0's chain), then all four agree
    await waitFor(`${accepted.size} accepted transactions included`, DRAIN_MS, async () => {
      await extendReference((await head(0)).number);
      return [...accepted].every((h) => includedAt.has(h)) ? true : undefined;
    });
    const final = await waitFor("the four heads to agree", 30_000, async () => {
      const heads = await Promise.all([0, 1, 2, 3].map(head));
      return heads.every((h) => h.hash === heads[0]!.hash) ? heads[0]! : undefined;
    });
    await extendReference(final.number);
    await checkSameHashes(range(Math.max(1, final.number - CRASH_WINDOW), final.number));
    await checkComplete(VICTIM, final.number - CRASH_WINDOW, final.number);
    // nothing else reached the chain, but perhaps a last unanswered send the load stopped before retrying
    const maybe = new Set(senders.flatMap((s) => (s.pending === undefined ? [] : [s.pending])));
    expect([...includedAt.keys()].filter((h) => !accepted.has(h) && !maybe.has(h))).toEqual([]);
    for (const s of senders) expect(s.refusals, `dev account ${s.account} refusals`).toEqual([]);

    // offline: every datadir after a clean stop
    await net.stopAll("SIGTERM");
    const commitSequences: string[][] = [];
    for (let i = 0; i < VALIDATORS; i++) {
      const summary = net.summaries.get(i);
      expect(summary, `validator ${i} summary`).toBeDefined();
      commitSequences.push(await checkDatadir(i, summary!.lastExecutedCommit));
    }
    const common = Math.min(...commitSequences.map((c) => c.length));
    for (let i = 1; i < VALIDATORS; i++)
      expect(commitSequences[i]!.slice(0, common), `validator ${i} commits`).toEqual(
        commitSequences[0]!.slice(0, common),
      );

    const unanswered = senders.reduce((a, s) => a + s.unanswered, 0);
    console.info(
      `validator kill test (seed ${SEED}): ${KILLS} kills in ${killLoopMs} ms, head ${final.number}, ` +
        `${includedAt.size} transactions, ${unanswered} unanswered sends to the victim retried; ` +
        `kill→past pre-kill head ms ${restartMs.join(",")}; blocks re-executed per kill ${reExecuted.join(",")}; ` +
        `total ${Math.round(performance.now() - t0)} ms`,
    );
  });
});

/**
 * Validator i's datadir, read-only: its canonical chain is `chain`'s prefix, every block whole, the flat state
 * the trie's at the head, and each commit up to `lastExecuted` that carries transactions in exactly one block.
 * Returns the digests of its stored commits, in index order.
 */
async function checkDatadir(i: number, lastExecuted: number): Promise<string[]> {
  const storage = openStorage(net.layout.validators[i]!.datadir, { readOnly: true, lock: false });
  try {
    const store = new ChainStore(storage);
    const top = store.head();
    const headNumber = Number(top.header.number);
    // the head may be past `chain` (a block after the last check, before SIGTERM): extend the reference
    if (headNumber >= chain.length) await extendReferenceOffline(store, headNumber);
    const stampBlocks = new Map<number, readonly Uint8Array[]>();
    for (let n = 1; n <= headNumber; n++) {
      const hash = store.canonicalHash(BigInt(n));
      expect(hash && bytesToHex(hash), `validator ${i} canonical block ${n}`).toBe(chain[n]!.hash);
      const header = store.header(hash!);
      const body = store.body(hash!);
      expect(header, `validator ${i} header ${n}`).toBeDefined();
      expect(body, `validator ${i} body ${n}`).toBeDefined();
      expect(store.receipts(hash!)?.length, `validator ${i} receipts ${n}`).toBe(body!.transactions.length);
      expect(
        store.txHashes(hash!)?.map((h) => bytesToHex(h)),
        `validator ${i} tx hashes ${n}`,
      ).toEqual(chain[n]!.txs);
      expect(store.stateDiff(hash!), `validator ${i} state diff ${n}`).toBeDefined();
      expect(storage.tables.trieNodes.doesExist(header!.stateRoot), `validator ${i} state root ${n}`).toBe(
        true,
      );
      body!.transactions.forEach((raw, index) => {
        const at = store.txLocation(keccak256(raw));
        expect(at && [bytesToHex(at.blockHash), at.index], `validator ${i} tx ${index} of ${n}`).toEqual([
          chain[n]!.hash,
          index,
        ]);
      });
      const stamp = decodeCommitStamp(header!.extraData)!.index;
      expect(stampBlocks.has(stamp), `commit ${stamp} in two blocks of validator ${i}`).toBe(false);
      stampBlocks.set(stamp, body!.transactions);
    }
    expect(store.canonicalHash(BigInt(headNumber + 1))).toBeUndefined();
    // the flat state is the trie's at the head's state root
    expect(storage.tables.trieNodes.doesExist(top.header.stateRoot), `validator ${i} head state root`).toBe(
      true,
    );
    const trie = await StateTrie.open(TrieNodeStore.forStorage(storage), top.header.stateRoot);
    for (const key of storage.tables.accounts.getKeys()) {
      const address = new Uint8Array(key);
      expect(store.account(address), `validator ${i} account ${bytesToHex(address)}`).toEqual(
        await trie.getAccount(address),
      );
    }
    // every executed commit with transactions has its one block, holding those transactions in order
    const consensus = new LmdbConsensusStore(storage);
    const digests: string[] = [];
    const headStamp = decodeCommitStamp(top.header.extraData)?.index ?? 0;
    expect(lastExecuted, `validator ${i} last executed commit`).toBeGreaterThanOrEqual(headStamp);
    for (const sub of committedSubDagsAfter(consensus, 0, Number.MAX_SAFE_INTEGER)) {
      digests.push(bytesToHex(sub.commitRef.digest));
      if (sub.commit.index > lastExecuted) continue;
      const txs = dedupeTransactions(subDagTransactions(sub));
      const block = stampBlocks.get(sub.commit.index);
      if (txs.length === 0) {
        expect(block, `empty commit ${sub.commit.index} has a block on validator ${i}`).toBeUndefined();
        continue;
      }
      expect(
        block,
        `commit ${sub.commit.index} (${txs.length} txs) has no block on validator ${i}`,
      ).toBeDefined();
      // the block's transactions are the commit's, in order, less those the builder skipped (already included)
      let k = 0;
      for (const t of block!) {
        while (k < txs.length && !equalBytes(txs[k]!, t)) k++;
        expect(
          k < txs.length,
          `validator ${i} commit ${sub.commit.index}: a block tx not in the commit`,
        ).toBe(true);
        k++;
      }
      stampBlocks.delete(sub.commit.index);
    }
    expect([...stampBlocks.keys()], `validator ${i} blocks whose commit it does not hold`).toEqual([]);
    return digests;
  } finally {
    await storage.close();
  }
}

/** Extends `chain` from a stopped validator's store (the validators no longer answer RPC). */
async function extendReferenceOffline(store: ChainStore, to: number): Promise<void> {
  for (let n = chain.length; n <= to; n++) {
    const block = store.blockByNumber(BigInt(n))!;
    const prev = chain[n - 1]!;
    const hash = bytesToHex(store.canonicalHash(BigInt(n))!);
    const stamp = decodeCommitStamp(block.header.extraData)!.index;
    expect(stamp).toBeGreaterThan(prev.stamp);
    const txs = block.transactions.map((raw) => bytesToHex(keccak256(raw)));
    chain.push({ hash, stamp, txs, transfers: prev.transfers + txs.length });
  }
}
