/**
 * ConsensusNode's bounded step queue and its failure reporting, on four validators over real libp2p
 * loopback with LMDB stores: validator 3 runs with `maxQueuedSteps: 0`, so every peer block it receives is
 * refused (counted in stats and fastevm_consensus_steps_dropped_total, logged once a second) while the other
 * three, a quorum, keep committing; then validator 0's execution rejects a commit with
 * CONSENSUS_ENGINE_REJECTED, which is logged as a failed step and stops that node (`fatal`, `onFatal`).
 */
import "../../node/network/polyfills.ts";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { CONSENSUS_NODE_DEFAULTS, ConsensusNode } from "../../node/consensus/consensusNode.ts";
import { peerIdFromEd25519 } from "../../node/consensus/keys.ts";
import { LmdbConsensusStore } from "../../node/consensus/lmdbStore.ts";
import { blake2b256 } from "../../node/consensus/mysticeti/block.ts";
import { type Authority, Committee } from "../../node/consensus/mysticeti/committee.ts";
import { ed25519FromSeed } from "../../node/consensus/signer.ts";
import { ErrorCode, FastEvmError } from "../../node/core/errors.ts";
import { createMetrics } from "../../node/metrics/metrics.ts";
import { createHost, type Host } from "../../node/network/host.ts";
import { openStorage, type Storage } from "../../node/storage/storage.ts";
import { tempDir } from "../utils/tempDatadir.ts";
import { testCommittee } from "./utils/testCommittee.ts";

const N = 4;
const nodes: ConsensusNode[] = [];
const hosts: Host[] = [];
const storages: Storage[] = [];
const dir = tempDir("fastevm-queue-");

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

/** A logger that keeps what it is given (the pino calls ConsensusNode makes: warn and debug). */
function captureLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, logger: { warn: at("warn"), debug: at("debug") } as never };
}

describe("ConsensusNode queue bound and failure reporting", () => {
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    for (const h of hosts) await Promise.resolve(h.stop()).catch(() => {});
    for (const s of storages) await s.close().catch(() => {});
    dir.remove();
  });

  it("has one defaults object", () => {
    expect(CONSENSUS_NODE_DEFAULTS).toMatchObject({
      maxQueuedSteps: 1024,
      syncIntervalMs: 500,
      commitSyncLag: 20,
    });
  });

  it("a full queue refuses peer input with a count, a metric and a log; a rejected commit stops the node loudly", async () => {
    const t = testCommittee(N);
    const seeds = Array.from({ length: N }, (_, i) => blake2b256(new TextEncoder().encode(`queue-net-${i}`)));
    for (let i = 0; i < N; i++)
      hosts.push(
        (await createHost({
          networkKey: seeds[i]!,
          listen: ["/ip4/127.0.0.1/tcp/0"],
          maxGossipBytes: 1 << 22,
        })) as Host,
      );
    const authorities: Authority[] = t.committee.authorities.map((a, i) => ({
      ...a,
      peerId: peerIdFromEd25519(ed25519FromSeed(seeds[i]!).publicKey),
      addresses: [hosts[i]!.getMultiaddrs()[0]!.toString()],
    }));
    const committee = new Committee(0, authorities, Date.now());
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const logs = Array.from({ length: N }, () => captureLogger());
    const commits = Array.from({ length: N }, () => 0);
    let rejectFrom = Number.POSITIVE_INFINITY;
    const fatals: FastEvmError[] = [];
    for (let i = 0; i < N; i++) {
      const storage = openStorage(join(dir.path, `v${i}`), { noSync: true });
      storages[i] = storage;
      let k = 0;
      nodes.push(
        new ConsensusNode({
          committee,
          authority: i,
          signer: t.signers[i]!,
          store: new LmdbConsensusStore(storage),
          host: hosts[i]!,
          core: { minRoundDelayMs: 50, leaderTimeoutMs: 250 },
          transactions: { select: () => [new Uint8Array([i, k++ & 255, 1, 2, 3])] },
          logger: logs[i]!.logger,
          ...(i === 3 ? { maxQueuedSteps: 0, metrics: metrics.consensus } : {}),
          ...(i === 0 ? { onFatal: (e: FastEvmError) => fatals.push(e) } : {}),
          onCommit: (s) => {
            if (i === 0 && s.commit.index >= rejectFrom)
              throw new FastEvmError(
                ErrorCode.CONSENSUS_ENGINE_REJECTED,
                `commit ${s.commit.index} rejected`,
                {
                  commitIndex: s.commit.index,
                  reason: "payload status INVALID",
                },
              );
            commits[i]!++;
          },
        }),
      );
    }
    for (const n of nodes) await n.connect();
    for (const n of nodes) await n.start();

    // validators 0-2 commit; validator 3 refuses every peer block (its queue holds nothing)
    expect(await until(() => commits[0]! > 5 && nodes[3]!.stats().stepsDropped > 5, 20_000)).toBe(true);
    expect(nodes[3]!.stats().stepsDropped).toBeGreaterThan(5);
    expect(await registry.getSingleMetricAsString("fastevm_consensus_steps_dropped_total")).toMatch(
      /fastevm_consensus_steps_dropped_total\{step="blocks"\} [1-9]/,
    );
    const refused = logs[3]!.lines.filter((l) => l.level === "warn" && /queue full/.test(l.msg));
    expect(refused.length).toBeGreaterThan(0);
    // at most one such line a second
    expect(refused.length).toBeLessThan(nodes[3]!.stats().stepsDropped);

    // validator 0's execution rejects the next commit: a logged failure, then the node stops for good
    rejectFrom = nodes[0]!.core.lastCommitIndex + 1;
    expect(await until(() => fatals.length > 0, 20_000)).toBe(true);
    expect(fatals).toHaveLength(1);
    expect(nodes[0]!.fatal?.code).toBe("CONSENSUS_ENGINE_REJECTED");
    expect(nodes[0]!.running).toBe(false);
    const failed = logs[0]!.lines.find((l) => l.level === "warn" && l.msg === "consensus step failed");
    expect(failed?.obj).toMatchObject({ code: "CONSENSUS_ENGINE_REJECTED" });
  }, 60_000);
});
