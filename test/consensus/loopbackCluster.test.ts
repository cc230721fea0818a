/**
 * Four validators on 127.0.0.1 with real libp2p (TCP + noise + yamux), real Cores and LMDB consensus
 * stores: they commit the same sequence; when one stops, the other three keep committing; restarted from
 * its store, it catches up and continues the same commit sequence with no index repeated.
 */
import "../../node/network/polyfills.ts";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConsensusNode } from "../../node/consensus/consensusNode.ts";
import { peerIdFromEd25519 } from "../../node/consensus/keys.ts";
import { LmdbConsensusStore } from "../../node/consensus/lmdbStore.ts";
import { blake2b256 } from "../../node/consensus/mysticeti/block.ts";
import { type Authority, Committee } from "../../node/consensus/mysticeti/committee.ts";
import { ed25519FromSeed } from "../../node/consensus/signer.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { createHost, type Host } from "../../node/network/host.ts";
import { openStorage, type Storage } from "../../node/storage/storage.ts";
import { tempDir } from "../utils/tempDatadir.ts";
import { testCommittee } from "./utils/testCommittee.ts";

const N = 4;
const nodes: ConsensusNode[] = [];
const hosts: Host[] = [];
const storages: Storage[] = [];
const dir = tempDir("fastevm-loopback-");

/** Polls `cond` every 50 ms for at most `ms` (generous: the machine may be loaded); returns its value. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

function assertPrefixes(commits: string[][]): void {
  const longest = commits.reduce((a, b) => (b.length > a.length ? b : a));
  for (let i = 0; i < commits.length; i++)
    expect(commits[i], `node ${i}`).toEqual(longest.slice(0, commits[i]!.length));
}

describe("4 validators over libp2p loopback with LMDB stores", () => {
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    for (const h of hosts) await Promise.resolve(h.stop()).catch(() => {});
    for (const s of storages) await s.close().catch(() => {});
    dir.remove();
  });

  it("commit the same sequence; three keep committing without the fourth, which catches up after a restart", async () => {
    const t = testCommittee(N);
    const seeds = Array.from({ length: N }, (_, i) =>
      blake2b256(new TextEncoder().encode(`loopback-net-${i}`)),
    );
    const newHost = async (i: number) =>
      (await createHost({
        networkKey: seeds[i]!,
        listen: ["/ip4/127.0.0.1/tcp/0"],
        maxGossipBytes: 1 << 22,
      })) as Host;
    for (let i = 0; i < N; i++) hosts.push(await newHost(i));
    const authorities: Authority[] = t.committee.authorities.map((a, i) => ({
      ...a,
      peerId: peerIdFromEd25519(ed25519FromSeed(seeds[i]!).publicKey),
      addresses: [hosts[i]!.getMultiaddrs()[0]!.toString()],
    }));
    const committee = new Committee(0, authorities, Date.now());
    const commits: string[][] = Array.from({ length: N }, () => []);
    const makeNode = (i: number, host: Host, lastExecutedCommit?: number) => {
      const storage = openStorage(join(dir.path, `v${i}`), { noSync: true });
      storages[i] = storage;
      let k = 0;
      return new ConsensusNode({
        committee,
        authority: i,
        signer: t.signers[i]!,
        store: new LmdbConsensusStore(storage),
        host,
        core: { minRoundDelayMs: 50, leaderTimeoutMs: 250 },
        amnesiaGuard: true,
        ...(lastExecutedCommit === undefined ? {} : { lastExecutedCommit }),
        transactions: { select: () => [new Uint8Array([i, k++ & 255, 1, 2, 3])] },
        onCommit: (s) => {
          const expected = commits[i]!.length + 1;
          if (s.commit.index !== expected)
            throw new Error(`node ${i}: commit ${s.commit.index}, expected ${expected}`);
          commits[i]!.push(`${s.commit.index}:${bytesToHex(s.commitRef.digest)}`);
        },
      });
    };
    for (let i = 0; i < N; i++) nodes.push(makeNode(i, hosts[i]!));
    for (const n of nodes) await n.connect();
    for (const n of nodes) await n.start();
    expect(await until(() => commits.every((c) => c.length > 5), 20_000)).toBe(true);
    assertPrefixes(commits);

    // stop validator 3: the other three still form a quorum (3 of 4) and keep committing
    await nodes[3]!.stop();
    await hosts[3]!.stop();
    await storages[3]!.close();
    const before = commits[0]!.length;
    const stoppedAt = commits[3]!.length;
    expect(await until(() => commits[0]!.length > before + 5, 20_000)).toBe(true);
    assertPrefixes(commits);

    // restart validator 3 from its LMDB store with a fresh host (same network key); its "execution" lost
    // the last two commits, which are re-sent from the store before anything new
    commits[3]!.splice(-2);
    hosts[3] = await newHost(3);
    nodes[3] = makeNode(3, hosts[3], commits[3]!.length);
    expect(nodes[3].core.lastCommitIndex).toBe(stoppedAt);
    await nodes[3].connect();
    await nodes[3].start();
    const caughtUp = () => commits[3]!.length > stoppedAt + 5 && commits[0]!.length - commits[3]!.length < 5;
    expect(await until(caughtUp, 20_000)).toBe(true);
    assertPrefixes(commits);

    // amnesia: validator 2 loses its datadir; restarted empty, it re-learns its last block from peers
    // before proposing, so it never signs a second block for a round it already used
    await nodes[2]!.stop();
    await hosts[2]!.stop();
    await storages[2]!.close();
    rmSync(join(dir.path, "v2"), { recursive: true, force: true });
    commits[2] = [];
    hosts[2] = await newHost(2);
    nodes[2] = makeNode(2, hosts[2]);
    await nodes[2].connect();
    await nodes[2].start();
    // it recommits from index 1 (its execution state went with the datadir) and proposes again
    const proposedBefore = nodes[0]!.core.dag.lastBlockOf(2).round;
    const back = () => commits[2]!.length > 5 && nodes[0]!.core.dag.lastBlockOf(2).round > proposedBefore + 3;
    expect(await until(back, 20_000)).toBe(true);
    assertPrefixes(commits);
    const slots = new Map<number, string>();
    for (const i of [0, 1, 3]) {
      for (const b of new LmdbConsensusStore(storages[i]!).scanBlocks(1)) {
        if (b.author !== 2) continue;
        expect(slots.get(b.round) ?? b.key, `round ${b.round}`).toBe(b.key);
        slots.set(b.round, b.key);
      }
    }
    for (const n of nodes) expect([n.fatal, n.errors]).toEqual([undefined, 0]);
  });
});
