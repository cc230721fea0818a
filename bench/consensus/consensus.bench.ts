/**
 * Consensus-only throughput and latency: 4 validators in one process on 127.0.0.1 with real libp2p
 * (TCP + noise + yamux), real Cores and in-memory stores; every validator proposes blocks full of
 * 512-byte transactions (each carrying its creation time). Reports transactions ordered per second (unique
 * transactions in validator 0's commits) and commit latency (creation → commit at validator 0) p50/p99.
 * CONSENSUS_BENCH_SECONDS (default 10) and CONSENSUS_BENCH_TX_PER_BLOCK (default 200) tune the run.
 */
import "../../node/network/polyfills.ts";
import { ConsensusNode } from "../../node/consensus/consensusNode.ts";
import { peerIdFromEd25519 } from "../../node/consensus/keys.ts";
import { blake2b256 } from "../../node/consensus/mysticeti/block.ts";
import { type Authority, Committee } from "../../node/consensus/mysticeti/committee.ts";
import { MemoryConsensusStore } from "../../node/consensus/mysticeti/store.ts";
import { BlockSigner, type Ed25519KeyPair, ed25519FromSeed } from "../../node/consensus/signer.ts";
import { createHost, type Host } from "../../node/network/host.ts";

const TX_BYTES = 512;

function seed(label: string): Uint8Array {
  return blake2b256(new TextEncoder().encode(label));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function benchConsensus(): Promise<void> {
  const n = 4;
  const seconds = Number(process.env.CONSENSUS_BENCH_SECONDS ?? 10);
  const txPerBlock = Number(process.env.CONSENSUS_BENCH_TX_PER_BLOCK ?? 200);
  const protocol: Ed25519KeyPair[] = Array.from({ length: n }, (_, i) =>
    ed25519FromSeed(seed(`bench-protocol-${i}`)),
  );
  const network = Array.from({ length: n }, (_, i) => seed(`bench-network-${i}`));
  const hosts: Host[] = [];
  for (const k of network) {
    hosts.push(
      (await createHost({
        networkKey: k,
        listen: ["/ip4/127.0.0.1/tcp/0"],
        maxGossipBytes: 8 << 20,
      })) as Host,
    );
  }
  const authorities: Authority[] = protocol.map((k, i) => ({
    name: `v${i}`,
    stake: 1,
    protocolKey: k.publicKey,
    peerId: peerIdFromEd25519(ed25519FromSeed(network[i]!).publicKey),
    addresses: [hosts[i]!.getMultiaddrs()[0]!.toString()],
    feeRecipient: `0x${"00".repeat(20)}`,
  }));
  const committee = new Committee(0, authorities, Date.now());
  const latencies: number[] = [];
  const seen = new Set<string>();
  let ordered = 0;
  let commits = 0;
  let measuring = false;
  const nodes = protocol.map((k, i) => {
    let counter = 0;
    return new ConsensusNode({
      committee,
      authority: i,
      signer: new BlockSigner(k),
      store: new MemoryConsensusStore(),
      host: hosts[i]!,
      core: { minRoundDelayMs: 50, leaderTimeoutMs: 250, maxTransactionsPerBlock: txPerBlock },
      transactions: {
        select: ({ maxCount }) =>
          Array.from({ length: Math.min(maxCount, txPerBlock) }, () => {
            const tx = new Uint8Array(TX_BYTES);
            const v = new DataView(tx.buffer);
            v.setFloat64(0, performance.now());
            v.setUint32(8, i);
            v.setUint32(12, counter++);
            return tx;
          }),
      },
      onCommit: (s) => {
        if (i !== 0) return;
        {
          if (!measuring) return;
          commits++;
          const now = performance.now();
          for (const b of s.blocks) {
            for (const tx of b.block.transactions) {
              const v = new DataView(tx.buffer, tx.byteOffset, tx.byteLength);
              const id = `${v.getUint32(8)}/${v.getUint32(12)}`;
              if (seen.has(id)) continue;
              seen.add(id);
              ordered++;
              latencies.push(now - v.getFloat64(0));
            }
          }
        }
      },
    });
  });
  for (const node of nodes) await node.connect();
  for (const node of nodes) await node.start();
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  for (const node of nodes) await node.stop();
  for (const h of hosts) await h.stop();
  latencies.sort((a, b) => a - b);
  console.log(
    `consensus: 4 validators, libp2p loopback, ${TX_BYTES}-byte txs, ${txPerBlock} tx/block, ${elapsed.toFixed(1)} s`,
  );
  console.log(`  ordered ${ordered} txs in ${commits} commits: ${(ordered / elapsed).toFixed(0)} tx/s`);
  console.log(
    `  commit latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConsensus();
