/**
 * The Engine API driver against a real in-process Engine API over a dev chain (non-decreasing timestamps,
 * as FastEVM chains declare): one block per non-empty commit with the commit's stamp, digest and leader's fee
 * recipient; empty commits produce none; duplicates are dropped; a new driver resumes from the head's stamp
 * and skips executed commits; failures (unreachable node, a crash between newPayload and the head update)
 * are retried until the commit is executed exactly once; stop() ends a retry loop. On a chain whose
 * `config.fastevm.feeRecipient` is a fixed address, the driver builds with it (that address earns the
 * priority fees) and a driver left on `leader` is refused by the execution node. Following block sync (a
 * validator far behind): the commits the imported blocks cover are skipped, an empty commit leaves sync
 * running, the first uncovered non-empty commit stops it (imports in flight finish first, and are not built
 * again) and the driver then builds the same blocks the network made.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devGenesisJson } from "../../../../../node/chain/chainGenerator.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import {
  dedupeTransactions,
  EngineDriver,
  feeRecipientFor,
} from "../../../../../node/consensus/execution/engineDriver.ts";
import type { CommittedSubDag } from "../../../../../node/consensus/mysticeti/commit.ts";
import { committeeFromJson } from "../../../../../node/consensus/mysticeti/committee.ts";
import { parseChainConfig } from "../../../../../node/core/chain/chainConfig.ts";
import { decodeCommitStamp } from "../../../../../node/core/chain/commitStamp.ts";
import { type FastEvmError, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import type { ExecutionEngine } from "../../../../../node/core/wire/engine.ts";
import { devTx, KEYS } from "../../../../utils/devChain.ts";
import { closePayloadPool, type EngineHarness, openEngine } from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
const config = {
  ...parseChainConfig((JSON.parse(devGenesisJson(KEYS)) as { config: unknown }).config),
  timestampRule: "non-decreasing" as const,
};
const committee = committeeFromJson({
  epoch: 0,
  epochStartMs: 0,
  authorities: [0, 1, 2, 3].map((i) => ({
    name: `v${i}`,
    stake: 1,
    protocolKey: bytesToHex(new Uint8Array(32).fill(i + 1)),
    peerId: "",
    addresses: [],
    feeRecipient: bytesToHex(new Uint8Array(20).fill(0xa0 + i)),
  })),
});

/**
 * The harness's real in-process ExecutionEngine, with optional injected failures before a call; `calls`
 * names each call made (forkchoiceUpdated, getPayload, newPayload, headBlock).
 */
function endpoint(
  fail: (method: string) => boolean = () => false,
  on: () => EngineHarness = () => h,
): ExecutionEngine & { calls: string[] } {
  const calls: string[] = [];
  const step = <T>(method: string, run: (e: ExecutionEngine) => Promise<T>): Promise<T> => {
    calls.push(method);
    if (fail(method)) return Promise.reject(new Error(`injected: ${method} unreachable`));
    return run(on().typed);
  };
  return {
    calls,
    forkchoiceUpdated: (state, attrs) => step("forkchoiceUpdated", (e) => e.forkchoiceUpdated(state, attrs)),
    getPayload: (id) => step("getPayload", (e) => e.getPayload(id)),
    newPayload: (p, hashes, root) => step("newPayload", (e) => e.newPayload(p, hashes, root)),
    headBlock: () => step("headBlock", (e) => e.headBlock()),
  };
}

/** A committed sub-DAG as the linearizer hands it over (only the fields execution reads matter). */
function subDag(index: number, timestampMs: number, blocksTxs: Uint8Array[][], leader = 1): CommittedSubDag {
  const digest = new Uint8Array(32).fill(index);
  const leaderRef = { round: index + 1, author: leader, digest };
  return {
    commit: { index, previousDigest: new Uint8Array(32), timestampMs, leader: leaderRef, blocks: [] },
    commitRef: { index, digest },
    leader: leaderRef,
    blocks: blocksTxs.map((transactions) => ({ block: { transactions } })),
    timestampMs,
  } as unknown as CommittedSubDag;
}

const tx = (nonce: number) => devTx(0, BigInt(nonce), new Uint8Array(20).fill(9), 1n);
const head = () => h.dev.chain.head();

beforeAll(async () => {
  h = await openEngine(pools, 64, { config });
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("engine driver", () => {
  it("dedupes by bytes, keeping linearized order", () => {
    const [a, b] = [tx(0), tx(1)];
    expect(dedupeTransactions([a, b, a.slice(), b, a])).toEqual([a, b]);
  });

  it("one block per non-empty commit: stamp, randao, fee recipient, timestamps; empty commits make none", async () => {
    const d = new EngineDriver({
      engine: endpoint(),
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
    });
    expect(await d.init()).toBe(0);
    await d.execute(subDag(1, 1_000_500, [[tx(0)], [tx(1), tx(0)]], 2));
    let b = head();
    expect(b.header.number).toBe(1n);
    expect(b.header.timestamp).toBe(1000n);
    expect(decodeCommitStamp(b.header.extraData)).toEqual({ index: 1, timestampMs: 1_000_500 });
    expect(bytesToHex(b.header.mixHash)).toBe(bytesToHex(new Uint8Array(32).fill(1)));
    expect(bytesToHex(b.header.coinbase)).toBe(committee.authority(2).feeRecipient);
    expect(h.dev.chain.block(b.hash)!.transactions.length).toBe(2);
    expect(d.counters.duplicateTxs).toBe(1);

    await d.execute(subDag(2, 1_000_900, [[], []]));
    expect(head().header.number).toBe(1n);
    expect(d.lastExecutedCommit).toBe(2);
    // same second as the parent: an equal timestamp; an earlier commit time cannot go below the parent
    await d.execute(subDag(3, 1_000_999, [[tx(2)]]));
    expect(head().header.timestamp).toBe(1000n);
    await d.execute(subDag(4, 999_000, [[tx(3)]]));
    b = head();
    expect([b.header.number, b.header.timestamp]).toEqual([3n, 1000n]);
    await d.execute(subDag(5, 1_002_000, [[tx(4)]]));
    expect(head().header.timestamp).toBe(1002n);
    expect(d.counters).toMatchObject({ blocks: 4, emptyCommits: 1 });
  });

  it("a new driver resumes at the head's stamp and skips executed commits (idempotent by index)", async () => {
    const e = endpoint();
    const d = new EngineDriver({
      engine: e,
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
    });
    expect(await d.init()).toBe(5);
    const before = bytesToHex(head().hash);
    // the head as the validator logs it: hex hash, number
    expect(d.head).toMatchObject({ hash: before, number: head().header.number });
    for (const i of [1, 3, 5]) await d.execute(subDag(i, 1_003_000, [[tx(99)]]));
    expect(bytesToHex(head().hash)).toBe(before);
    expect(d.counters.replaysSkipped).toBe(3);
    expect(e.calls.filter((m) => m !== "headBlock")).toEqual([]);
  });

  it("retries an unreachable node until it answers, then executes the commit once", async () => {
    let failures = 3;
    const d = new EngineDriver({
      engine: endpoint(() => failures-- > 0),
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
      retryMaxMs: 20,
    });
    expect(await d.init()).toBe(5);
    await d.execute(subDag(6, 1_004_000, [[tx(5)]]));
    expect(d.counters.retries).toBe(3);
    expect(decodeCommitStamp(head().header.extraData)?.index).toBe(6);
  });

  it("a failure after newPayload (head not moved) re-reads the head and finishes the same block", async () => {
    let fcus = 0;
    const e = endpoint((m) => m === "forkchoiceUpdated" && ++fcus === 2);
    const d = new EngineDriver({
      engine: e,
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
    });
    await d.init();
    const number = head().header.number;
    await d.execute(subDag(7, 1_005_000, [[tx(6)]]));
    expect(head().header.number).toBe(number + 1n);
    expect(decodeCommitStamp(head().header.extraData)?.index).toBe(7);
    expect(d.counters).toMatchObject({ blocks: 1, retries: 1 });
    expect(e.calls.filter((m) => m === "newPayload").length).toBe(2);
  });

  it("a deterministic rejection (-38003, a gas limit past the 1/1024 bound) is not retried: CONSENSUS_ENGINE_REJECTED, onRejected, and nothing more executes", async () => {
    const e = endpoint();
    const rejected: FastEvmError[] = [];
    const d = new EngineDriver({
      engine: e,
      committee,
      timestampRule: config.timestampRule,
      gasLimit: head().header.gasLimit * 2n,
      retryInitialMs: 5,
      onRejected: (x) => rejected.push(x),
    });
    await d.init();
    const before = bytesToHex(head().hash);
    const err = await d.execute(subDag(20, 1_007_000, [[tx(7)]])).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isFastEvmError(err, "CONSENSUS_ENGINE_REJECTED")).toBe(true);
    expect((err as FastEvmError).meta).toMatchObject({
      commitIndex: 20,
      reason: "-38003 invalid payload attributes",
    });
    expect(rejected).toEqual([err]);
    expect(d.counters.retries).toBe(0);
    expect(e.calls.filter((m) => m === "forkchoiceUpdated")).toHaveLength(1);
    expect(bytesToHex(head().hash)).toBe(before);
    // the driver stays stopped: the next commit gets the same error, and calls nothing
    const calls = e.calls.length;
    await expect(d.execute(subDag(21, 1_007_500, [[tx(7)]]))).rejects.toBe(err);
    expect(e.calls.length).toBe(calls);
  });

  it("stop() ends a retry loop with an error instead of skipping the commit", async () => {
    const d = new EngineDriver({
      engine: endpoint(() => true),
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
    });
    const pending = d.execute(subDag(8, 1_006_000, [[tx(7)]]));
    setTimeout(() => d.stop(), 30);
    const err = await pending.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isFastEvmError(err, "CONSENSUS_ENGINE")).toBe(true);
    expect(d.lastExecutedCommit).toBe(0);
    expect(decodeCommitStamp(head().header.extraData)?.index).toBe(7);
  });
});

const BURN = `0x${"de".repeat(20)}` as const;

describe("engine driver: the chain's fee-recipient rule", () => {
  let f: EngineHarness;
  beforeAll(async () => {
    f = await openEngine(pools, 64, { config: { ...config, feeRecipient: BURN } });
  });
  afterAll(async () => {
    await f.close();
  });
  // the persisted state, once the chain's background writer has written what the engine accepted
  const balance = async (a: string) => {
    await f.dev.chain.persisted();
    return f.dev.chain.store.account(hexToBytes(a, 20))?.balance ?? 0n;
  };

  it("feeRecipientFor: the leader's recipient under `leader` (and by default), else the fixed address", () => {
    expect(feeRecipientFor(undefined, committee, 3)).toBe(committee.authority(3).feeRecipient);
    expect(feeRecipientFor("leader", committee, 2)).toBe(committee.authority(2).feeRecipient);
    expect(feeRecipientFor(BURN, committee, 2)).toBe(BURN);
  });

  it("a fixed recipient: every block's coinbase, and its balance grows by the priority fees", async () => {
    const d = new EngineDriver({ engine: endpoint(undefined, () => f), committee, feeRecipient: BURN });
    await d.init();
    const before = await balance(BURN);
    const leaderBefore = await balance(committee.authority(1).feeRecipient);
    await d.execute(subDag(1, 1_000_000, [[tx(0), tx(1)]], 1));
    await d.execute(subDag(2, 1_001_000, [[tx(2)]], 2));
    expect(f.dev.chain.head().header.number).toBe(2n);
    await f.dev.chain.persisted();
    for (const n of [1n, 2n])
      expect(bytesToHex(f.dev.chain.store.blockByNumber(n)!.header.coinbase)).toBe(BURN);
    // devTx: 21,000 gas at a 1 gwei tip, three transfers
    expect((await balance(BURN)) - before).toBe(3n * 21_000n * 1_000_000_000n);
    expect(await balance(committee.authority(1).feeRecipient)).toBe(leaderBefore);
  });

  it("a driver left on `leader` is refused by that chain's execution node (-38003) and stops, no block made", async () => {
    const logs: string[] = [];
    const d = new EngineDriver({
      engine: endpoint(undefined, () => f),
      committee,
      retryInitialMs: 5,
      retryMaxMs: 10,
      log: (m) => logs.push(m),
    });
    await d.init();
    const number = f.dev.chain.head().header.number;
    // a deterministic rejection: not retried, the validator stops (engineFailure.ts)
    const e = await d.execute(subDag(3, 1_002_000, [[tx(3)]], 1)).catch((x: unknown) => x);
    expect(isFastEvmError(e, "CONSENSUS_ENGINE_REJECTED")).toBe(true);
    expect((e as FastEvmError).message).toMatch(/-38003 .*is not the chain's fee recipient/);
    expect(f.dev.chain.head().header.number).toBe(number);
    d.stop();
  });
});

describe("engine driver: catch-up by block sync (a validator far behind)", () => {
  // two chains from the same genesis: `ahead` is built by a driver (the network), `behind` gets its blocks
  // by import, as block sync would hand them over, and a second driver follows it
  let ahead: EngineHarness;
  let behind: EngineHarness | undefined;
  /** commit index → the block `ahead` made for it */
  const made = new Map<number, Uint8Array>();
  const commits = [
    subDag(1, 1_000_000, [[tx(0)]]),
    subDag(2, 1_001_000, [[tx(1)]]),
    subDag(3, 1_002_000, [[]]),
    subDag(4, 1_003_000, [[tx(2)]]),
    subDag(5, 1_004_000, [[tx(3)]]),
  ];
  const importUpTo = async (index: number) => {
    for (const [i, hash] of made)
      if (i <= index && behind!.dev.chain.block(hash) === undefined)
        await behind!.dev.chain.importBlock(ahead.dev.chain.block(hash)!);
  };

  beforeAll(async () => {
    ahead = await openEngine(pools, 64, { config });
    const d = new EngineDriver({
      engine: endpoint(undefined, () => ahead),
      committee,
      timestampRule: config.timestampRule,
    });
    await d.init();
    for (const c of commits) {
      await d.execute(c);
      if (c.commit.index !== 3) made.set(c.commit.index, ahead.dev.chain.head().hash);
    }
  });
  afterAll(async () => {
    await ahead.close();
    await behind?.close();
  });

  /**
   * A driver over `behind` following a block sync that has imported through `syncedAt`, imports through
   * `onStop` as it stops, and says it is behind its peers while `isBehind()`.
   */
  async function follow(syncedAt: number, onStop: number, isBehind = () => false, stallMs?: number) {
    await behind?.close();
    behind = await openEngine(pools, 64, { config });
    let stops = 0;
    let running = true;
    const sync = {
      get running() {
        return running;
      },
      behind: isBehind,
      async stop() {
        stops++;
        // an import still in flight finishes before stop resolves
        await importUpTo(onStop);
        running = false;
      },
    };
    const e = endpoint(undefined, () => behind!);
    const d = new EngineDriver({
      engine: e,
      committee,
      timestampRule: config.timestampRule,
      retryInitialMs: 5,
      ...(stallMs === undefined ? {} : { catchUpStallMs: stallMs }),
    });
    await d.init();
    // block sync imports after the driver read its start head, as in a validator
    await importUpTo(syncedAt);
    d.followBlockSync(sync);
    return { d, e, sync, stops: () => stops };
  }

  it("skips what the imported blocks cover, an empty commit leaves sync running, the first uncovered one hands over once sync is not behind", async () => {
    const f = await follow(2, 2);
    await f.d.execute(commits[0]!);
    await f.d.execute(commits[1]!);
    expect(f.d.counters).toMatchObject({ syncedCommits: 2, blocks: 0 });
    // commit 3 has no transactions: no block either way, block sync goes on
    await f.d.execute(commits[2]!);
    expect(f.stops()).toBe(0);
    expect(f.sync.running).toBe(true);
    expect(f.e.calls.filter((m) => m !== "headBlock")).toEqual([]);
    // commit 4 is not on the imported chain: sync stops, the driver builds the same block the network did
    await f.d.execute(commits[3]!);
    expect(f.stops()).toBe(1);
    expect(f.d.counters).toMatchObject({ handovers: 1, blocks: 1, syncedCommits: 2 });
    await f.d.execute(commits[4]!);
    expect(bytesToHex(behind!.dev.chain.head().hash)).toBe(bytesToHex(made.get(5)!));
    await behind!.dev.chain.persisted();
    expect(bytesToHex(behind!.dev.chain.store.canonicalHash(3n) ?? new Uint8Array())).toBe(
      bytesToHex(made.get(4)!),
    );
    expect(f.d.counters).toMatchObject({ blocks: 2, handovers: 1 });
  });

  it("blocks imported while sync stops are not built again", async () => {
    // synced through commit 1; the import in flight when the driver stops it brings commits 2 and 4
    const f = await follow(1, 4);
    await f.d.execute(commits[0]!);
    await f.d.execute(commits[1]!);
    expect(f.stops()).toBe(1);
    for (const c of commits.slice(2)) await f.d.execute(c);
    expect(bytesToHex(behind!.dev.chain.head().hash)).toBe(bytesToHex(made.get(5)!));
    expect(f.d.counters).toMatchObject({ syncedCommits: 4, handovers: 1, blocks: 1, emptyCommits: 0 });
  });

  it("a commit sync has not reached waits while sync is behind and moving, and is then skipped", async () => {
    const f = await follow(2, 2, () => true);
    await f.d.execute(commits[0]!);
    await f.d.execute(commits[1]!);
    await f.d.execute(commits[2]!);
    // commit 4's block arrives by sync 150 ms later: the driver waits for it instead of building it
    const later = new Promise((r) => setTimeout(r, 150)).then(() => importUpTo(4));
    await f.d.execute(commits[3]!);
    await later;
    expect(f.stops()).toBe(0);
    expect(f.d.counters.syncWaits).toBeGreaterThan(0);
    expect(f.d.counters).toMatchObject({ syncedCommits: 3, handovers: 0, blocks: 0 });
    expect(f.e.calls.filter((m) => m !== "headBlock")).toEqual([]);
  });

  it("block sync behind but stalled is taken over after catchUpStallMs", async () => {
    const f = await follow(2, 2, () => true, 200);
    for (const c of commits.slice(0, 3)) await f.d.execute(c);
    const t0 = Date.now();
    await f.d.execute(commits[3]!);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(f.stops()).toBe(1);
    expect(f.d.counters).toMatchObject({ handovers: 1, blocks: 1 });
    expect(bytesToHex(behind!.dev.chain.head().hash)).toBe(bytesToHex(made.get(4)!));
  });

  it("stop() ends a wait for block sync with an error, the commit not skipped", async () => {
    const f = await follow(2, 2, () => true);
    for (const c of commits.slice(0, 3)) await f.d.execute(c);
    const pending = f.d.execute(commits[3]!);
    setTimeout(() => f.d.stop(), 100);
    const err = await pending.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isFastEvmError(err, "CONSENSUS_ENGINE")).toBe(true);
    expect(f.d.lastExecutedCommit).toBe(3);
  });
});
