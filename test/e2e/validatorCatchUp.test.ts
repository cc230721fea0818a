/**
 * A validator far behind catches up and rejoins (issue 14, "A validator far behind"), with real processes: a
 * 4-validator devnet under transfer load (to validators 0–2); validator 3 stops (SIGTERM) early and stays
 * down while the other three make VALIDATOR_CATCHUP_BEHIND (300) more blocks. Restarted on its datadir, it
 * - catches up on execution by block sync: its summary counts at least 90 % of the missed blocks imported
 *   by the sync manager (each re-executed, its state root checked, its commit stamp checked against
 *   certified commits) and as many commits skipped by its engine driver for it (`syncedCommits`), with no
 *   block refused;
 * - catches up on consensus by commit sync, and then the driver takes over (one hand-over) and builds
 *   blocks itself;
 * - rejoins: its proposals are committed again, seen as new blocks whose coinbase is its fee recipient
 *   (the commit leader's, `config.fastevm.feeRecipient: leader`);
 * - and holds the same chain as validator 0, block by block.
 * Reliability matrix (../shared/design/reference/reliability.md) row 29, "crash f of 3f+1": the three keep
 * going, the fourth comes back. DEVNET_TEST=0 skips it; DEBUG_DEVNET_TEST=1 prints progress, DEBUG_E2E=1
 * stderr.
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMITTEE_FILE, readCommitteeFile } from "../../node/cli/validator.ts";
import { DevnetProcs, waitFor } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const LATE = 3;
const SENDERS = 6;
const BEHIND = Number(process.env.VALIDATOR_CATCHUP_BEHIND ?? 300);
const dir = tempDir("fastevm-catchup-");
let net: DevnetProcs;

const debug = (...a: unknown[]) => {
  if (process.env.DEBUG_DEVNET_TEST === "1") console.error(...a);
};

interface Summary {
  headNumber: number;
  driver: { blocks: number; syncedCommits: number; handovers: number; replaysSkipped: number };
  sync?: { blocksImported: number; invalidBlocks: number; invalidHeaders: number; invalidBodies: number };
  commits?: Record<string, number>;
}

describe.skipIf(process.env.DEVNET_TEST === "0")("a validator far behind", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    if (process.env.KEEP_E2E !== "1") dir.remove();
    else console.error(`kept ${dir.path}`);
  });

  it(`down for ${BEHIND} blocks: catches up by block sync and commit sync, then rejoins`, async () => {
    net = await DevnetProcs.prepare(dir.path, N);
    await Promise.all(Array.from({ length: N }, (_, i) => net.launch(i)));
    // transfers to validators 0–2 (never the late one), ~100 tx/s at most: a bounded load on 2 cores
    const load = net.startLoad({ nodes: LATE, senders: SENDERS, pauseMs: 10 });
    await waitFor("the first blocks", async () => (await net.headNumber(LATE)) >= 5, 60_000);
    await net.stop(LATE, "SIGTERM");
    const stoppedAt = net.summaries.get(LATE) as unknown as Summary;
    const downAt = stoppedAt.headNumber;
    // the other three go on without it (f = 1 of 4)
    await waitFor(
      `${BEHIND} blocks without validator ${LATE}`,
      async () => (await net.headNumber(0)) >= downAt + BEHIND,
      240_000,
    );
    const behindBy = (await net.headNumber(0)) - downAt;
    const t0 = Date.now();
    // its log records after the restart, kept for a look with KEEP_E2E=1
    const log = createWriteStream(join(dir.path, "late-validator.log"));
    await net.launch(LATE, [], undefined, (l) => log.write(`${l}\n`));
    // it resumes from its persisted head (block sync may have moved it on by the time it is asked)
    const restartedAt = await net.headNumber(LATE);
    expect(restartedAt).toBeGreaterThanOrEqual(downAt);
    await waitFor(
      "the late validator to reach the head",
      async () => (await net.headNumber(LATE)) >= (await net.headNumber(0)) - 2,
      120_000,
    );
    const catchUpMs = Date.now() - t0;
    const caughtUpAt = await net.headNumber(LATE);
    debug(`caught up from ${downAt} to ${caughtUpAt} in ${catchUpMs} ms`);

    // it rejoins: a block led by its own proposal (its fee recipient is the coinbase) after the catch-up
    const committee = readCommitteeFile(join(net.layout.root, COMMITTEE_FILE));
    const own = committee.authority(LATE).feeRecipient.toLowerCase();
    let ledAt: number | undefined;
    let scanned = caughtUpAt;
    await waitFor(
      "a block led by the late validator",
      async () => {
        const head = await net.headNumber(LATE);
        for (; scanned <= head && ledAt === undefined; scanned++)
          if ((await net.block(LATE, scanned)).miner.toLowerCase() === own) ledAt = scanned;
        return ledAt !== undefined;
      },
      60_000,
    );
    const rejoinMs = Date.now() - t0;
    await load.stop();

    // the same chain as validator 0, block by block
    const head = await net.expectSameChain(0, LATE);

    await net.stop(LATE, "SIGTERM");
    const s = net.summaries.get(LATE) as unknown as Summary;
    debug(JSON.stringify(s));
    expect(s.sync).toBeDefined();
    const missed = caughtUpAt - downAt;
    // execution caught up by block sync: the blocks imported, the driver skipping their commits
    expect(s.sync!.blocksImported).toBeGreaterThanOrEqual(Math.floor(missed * 0.9));
    expect(s.driver.syncedCommits).toBeGreaterThanOrEqual(Math.floor(missed * 0.9));
    expect([s.sync!.invalidBlocks, s.sync!.invalidHeaders, s.sync!.invalidBodies]).toEqual([0, 0, 0]);
    // then the driver took over and built blocks itself (at least the one its own proposal led)
    expect(s.driver.handovers).toBe(1);
    expect(s.driver.blocks).toBeGreaterThanOrEqual(1);
    console.log(
      `validator far behind: down at block ${downAt}, restarted ${behindBy} blocks behind; caught up to ${caughtUpAt} in ${(catchUpMs / 1000).toFixed(1)} s (${((missed * 1000) / catchUpMs).toFixed(0)} blocks/s); ${s.sync!.blocksImported} blocks by block sync, ${s.driver.syncedCommits} commits skipped by the driver for them, then ${s.driver.blocks} blocks built by it; its own proposal led block ${ledAt} ${(rejoinMs / 1000).toFixed(1)} s after the restart; head ${head}`,
    );
  }, 480_000);
});
