/**
 * Four validators on 127.0.0.1 with real libp2p (TCP + noise + yamux), real Cores and in-memory stores:
 * they propose, commit the same sequence, and keep committing when one of them stops.
 */
import "../../node/network/polyfills.ts";
import { afterAll, describe, expect, it } from "vitest";
import { blake2b256 } from "../../node/consensus/block.ts";
import { type Authority, Committee } from "../../node/consensus/committee.ts";
import { ConsensusNode } from "../../node/consensus/consensusNode.ts";
import { peerIdFromEd25519 } from "../../node/consensus/keys.ts";
import { ed25519FromSeed } from "../../node/consensus/signer.ts";
import { MemoryConsensusStore } from "../../node/consensus/store.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { createHost, type Host } from "../../node/network/host.ts";
import { testCommittee } from "./utils/testCommittee.ts";

const N = 4;
const nodes: ConsensusNode[] = [];
const hosts: Host[] = [];

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe("4 validators over libp2p loopback", () => {
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    for (const h of hosts) await Promise.resolve(h.stop()).catch(() => {});
  });

  it("commit the same sequence, and three keep committing when one stops", async () => {
    const t = testCommittee(N);
    const seeds = Array.from({ length: N }, (_, i) =>
      blake2b256(new TextEncoder().encode(`loopback-net-${i}`)),
    );
    for (const seed of seeds) {
      hosts.push(
        (await createHost({
          networkKey: seed,
          listen: ["/ip4/127.0.0.1/tcp/0"],
          maxGossipBytes: 1 << 22,
        })) as Host,
      );
    }
    const authorities: Authority[] = t.committee.authorities.map((a, i) => ({
      ...a,
      peerId: peerIdFromEd25519(ed25519FromSeed(seeds[i]!).publicKey),
      addresses: [hosts[i]!.getMultiaddrs()[0]!.toString()],
    }));
    const committee = new Committee(0, authorities, Date.now());
    const commits: string[][] = Array.from({ length: N }, () => []);
    for (let i = 0; i < N; i++) {
      let k = 0;
      nodes.push(
        new ConsensusNode({
          committee,
          authority: i,
          signer: t.signers[i]!,
          store: new MemoryConsensusStore(),
          host: hosts[i]!,
          core: { minRoundDelayMs: 50, leaderTimeoutMs: 250 },
          transactions: { pull: () => [new Uint8Array([i, k++ & 255, 1, 2, 3])] },
          onCommit: (s) => void commits[i]!.push(`${s.commit.index}:${bytesToHex(s.commitRef.digest)}`),
        }),
      );
    }
    for (const n of nodes) await n.connect();
    for (const n of nodes) await n.start();
    await sleep(2500);
    for (let i = 0; i < N; i++) expect(commits[i]!.length, `node ${i}`).toBeGreaterThan(5);
    const longest = commits.reduce((a, b) => (b.length > a.length ? b : a));
    for (let i = 0; i < N; i++) expect(commits[i]).toEqual(longest.slice(0, commits[i]!.length));
    // stop validator 3: the other three still form a quorum (3 of 4) and keep committing
    await nodes[3]!.stop();
    await hosts[3]!.stop();
    const before = commits[0]!.length;
    await sleep(2000);
    expect(commits[0]!.length).toBeGreaterThan(before + 2);
    const longest2 = commits.reduce((a, b) => (b.length > a.length ? b : a));
    for (let i = 0; i < N; i++) expect(commits[i]).toEqual(longest2.slice(0, commits[i]!.length));
    for (const n of nodes) expect(n.fatal).toBeUndefined();
  });
});
