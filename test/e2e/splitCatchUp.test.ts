/**
 * A split validator far behind catches up and rejoins in an all-split devnet (issue 14, "A validator far
 * behind"; the layout of `fastevm devnet --split` and docker-compose.yml), with real processes: 4 pairs of
 * `fastevm node` (execution) + `fastevm consensus --execution-url` under transfer load (to pairs 0–2); pair
 * 3 stops (SIGTERM, consensus then execution) early and stays down while the other three make
 * SPLIT_CATCHUP_BEHIND (120) more blocks. Restarted on its datadirs, its consensus process
 * - catches up on execution by block sync from the other consensus processes, which serve their execution
 *   nodes' chains through the Engine port (node/sync/engineSyncChain.ts EngineChainServer), into its own
 *   execution node by newPayloadV3 + forkchoiceUpdatedV3: its summary counts at least 90 % of the missed
 *   blocks imported (each re-executed by its execution node, its commit stamp checked against certified
 *   commits) and as many commits skipped by its engine driver, with no block refused;
 * - then its driver takes over (one hand-over) and builds blocks itself;
 * - and its execution node holds the same chain as pair 0's, block by block.
 * Reliability matrix (../shared/design/reference/reliability.md) row 29, "crash f of 3f+1". DEVNET_TEST=0
 * skips it; DEBUG_DEVNET_TEST=1 prints progress, DEBUG_E2E=1 stderr.
 */
import { afterAll, describe, expect, it } from "vitest";
import { SplitProcs, waitFor } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const LATE = 3;
const SENDERS = 6;
const BEHIND = Number(process.env.SPLIT_CATCHUP_BEHIND ?? 120);
const dir = tempDir("fastevm-split-catchup-");
let net: SplitProcs;

const debug = (...a: unknown[]) => {
  if (process.env.DEBUG_DEVNET_TEST === "1") console.error(...a);
};

interface ConsensusSummary {
  driver?: { blocks: number; syncedCommits: number; handovers: number };
  sync?: {
    sync: { blocksImported: number; invalidBlocks: number; invalidHeaders: number; invalidBodies: number };
  };
}

/** The consensus process's shutdown lines: the driver's counters and the block sync's. */
function summaryReader(): { line(l: string): void; summary: ConsensusSummary } {
  const summary: ConsensusSummary = {};
  return {
    summary,
    line(l) {
      const driver = /^execution head #\S+ \S+ last executed commit \S+ (\{.*\})$/.exec(l);
      if (driver !== null) summary.driver = JSON.parse(driver[1]!);
      if (l.startsWith("block sync ")) summary.sync = JSON.parse(l.slice("block sync ".length));
    },
  };
}

describe.skipIf(process.env.DEVNET_TEST === "0")("a split validator far behind", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    if (process.env.KEEP_E2E !== "1") dir.remove();
    else console.error(`kept ${dir.path}`);
  });

  it(`down for ${BEHIND} blocks: catches up by block sync from split peers, then rejoins`, async () => {
    net = await SplitProcs.prepare(dir.path, N);
    await Promise.all(Array.from({ length: N }, (_, i) => net.launch("execution", i)));
    await Promise.all(Array.from({ length: N }, (_, i) => net.launch("consensus", i)));
    // transfers to execution nodes 0–2 (never the late one), ~50 tx/s at most: 8 processes share 2 cores
    const load = net.startLoad({ nodes: LATE, senders: SENDERS, pauseMs: 20 });
    await waitFor("the first blocks", async () => (await net.headNumber(LATE)) >= 5, 60_000);
    await net.stop(SplitProcs.consensusKey(LATE), "SIGTERM");
    await net.stop(LATE, "SIGTERM");
    await net.launch("execution", LATE);
    const downAt = await net.headNumber(LATE);
    // the other three go on without its consensus process (f = 1 of 4)
    await waitFor(
      `${BEHIND} blocks without validator ${LATE}`,
      async () => (await net.headNumber(0)) >= downAt + BEHIND,
      240_000,
    );
    const behindBy = (await net.headNumber(0)) - downAt;
    const t0 = Date.now();
    const reader = summaryReader();
    await net.launch("consensus", LATE, (l) => reader.line(l));
    await waitFor(
      "the late validator to reach the head",
      async () => (await net.headNumber(LATE)) >= (await net.headNumber(0)) - 2,
      180_000,
    );
    const catchUpMs = Date.now() - t0;
    const caughtUpAt = await net.headNumber(LATE);
    debug(`caught up from ${downAt} to ${caughtUpAt} in ${catchUpMs} ms`);
    // it rejoins: its driver builds the blocks of the commits after the catch-up
    await waitFor(
      "a few blocks after the catch-up",
      async () => (await net.headNumber(LATE)) >= caughtUpAt + 5,
      60_000,
    );
    await load.stop();

    // the same chain as pair 0's, block by block
    const head = await net.expectSameChain(0, LATE);

    await net.stop(SplitProcs.consensusKey(LATE), "SIGTERM");
    const s = reader.summary;
    debug(JSON.stringify(s));
    expect(s.sync).toBeDefined();
    expect(s.driver).toBeDefined();
    const missed = caughtUpAt - downAt;
    // execution caught up by block sync: the blocks imported, the driver skipping their commits
    const synced = s.sync!.sync;
    expect(synced.blocksImported).toBeGreaterThanOrEqual(Math.floor(missed * 0.9));
    expect(s.driver!.syncedCommits).toBeGreaterThanOrEqual(Math.floor(missed * 0.9));
    expect([synced.invalidBlocks, synced.invalidHeaders, synced.invalidBodies]).toEqual([0, 0, 0]);
    // then the driver took over and built blocks itself
    expect(s.driver!.handovers).toBe(1);
    expect(s.driver!.blocks).toBeGreaterThanOrEqual(1);
    console.log(
      `split validator far behind: down at block ${downAt}, restarted ${behindBy} blocks behind; caught up to ${caughtUpAt} in ${(catchUpMs / 1000).toFixed(1)} s (${((missed * 1000) / catchUpMs).toFixed(0)} blocks/s); ${synced.blocksImported} blocks by block sync from split peers, ${s.driver!.syncedCommits} commits skipped by the driver, then ${s.driver!.blocks} blocks built by it; head ${head}`,
    );
  }, 540_000);
});
