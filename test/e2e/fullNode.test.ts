/**
 * A full node with real processes: four `fastevm node --validator` processes under transfer load until the
 * chain has 300 blocks (FULLNODE_E2E_BLOCKS), then a `fastevm node --sync` started (bootnodes: the
 * validators), SIGKILLed 5 times during catch-up at seeded moments (after a seeded 5–40 blocks synced since
 * each restart; FULLNODE_E2E_SEED, FULLNODE_E2E_KILLS) and restarted on its datadir each time: each restart resumes from its
 * persisted head (at least the head its RPC showed before the kill) and the last one finishes. It catches
 * up by block sync — every block re-executed, its state root checked, its commit stamp checked against
 * certified commits — and then follows the head while the load goes on: for 12 s the time each new block
 * reaches the full node after a validator is measured, and its p99 must be within 2 s. Then its public
 * JSON-RPC returns the same block hashes, receipts and balances as a validator's, and a transaction sent
 * to the full node's eth_sendRawTransaction is gossiped to the validators, included, and its receipt is
 * readable from the full node. Reliability matrix (../shared/design/reference/reliability.md): kill -9
 * during catch-up and resume from the persisted head. DEVNET_TEST=0 skips it; DEBUG_DEVNET_TEST=1 prints
 * progress, DEBUG_E2E=1 stderr.
 */
import { afterAll, describe, expect, it } from "vitest";
import { bytesToHex } from "../../node/core/hex.ts";
import { Rng } from "../consensus/utils/random.ts";
import {
  DevnetProcs,
  devnetTransfer,
  sendRawTransaction,
  waitFor as waitEvery,
} from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const SENDERS = 6;
const BLOCKS_BEFORE = Number(process.env.FULLNODE_E2E_BLOCKS ?? 300);
/**
 * Each kill costs a restart under the devnet's load (about 12 s on 2 cores, while the validators move ~120
 * blocks ahead): 5 keep the test near two minutes, FULLNODE_E2E_KILLS=10 or more for a longer soak.
 */
const KILLS = Number(process.env.FULLNODE_E2E_KILLS ?? 5);
const SEED = Number(process.env.FULLNODE_E2E_SEED ?? 14);
const dir = tempDir("fastevm-fullnode-");
let net: DevnetProcs;
const hashes: string[] = [];

const debug = (...a: unknown[]) => {
  if (process.env.DEBUG_DEVNET_TEST === "1") console.error(...a);
};

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const json = (await res.json()) as { result?: T; error?: { message: string } };
  if (json.error !== undefined) throw new Error(`${method}: ${json.error.message}`);
  return json.result as T;
}

/** waits polling every 250 ms */
const waitFor = (what: string, cond: () => Promise<boolean>, ms: number) => waitEvery(what, cond, ms, 250);

const headOf = async (url: string) => Number(await rpc<string>(url, "eth_blockNumber", []));

describe.skipIf(process.env.DEVNET_TEST === "0")("full node: block sync from a 4-validator devnet", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    // KEEP_E2E=1 keeps the datadirs and logs (validator-i/, fullnode-0/) for a look after a failure
    if (process.env.KEEP_E2E !== "1") dir.remove();
    else console.error(`kept ${dir.path}`);
  });

  it("catches up late, follows the head, and answers as a validator does", async () => {
    net = await DevnetProcs.prepare(dir.path, N, { fullnodes: 1 });
    await Promise.all(Array.from({ length: N }, (_, i) => net.launch(i)));
    const validator = net.rpcUrl(0);
    // transfers round-robin to the validators, ~100 tx/s at most: a bounded load on 2 cores
    const load = net.startLoad({
      nodes: N,
      senders: SENDERS,
      pauseMs: 10,
      onAccepted: (h) => hashes.push(h),
    });
    // a chain to catch up on before the full node exists
    await waitFor(`${BLOCKS_BEFORE} blocks`, async () => (await headOf(validator)) >= BLOCKS_BEFORE, 240_000);
    const behind = await headOf(validator);
    const t0 = Date.now();
    await net.launchFullNode(0);
    const full = net.fullNodeRpcUrl(0);
    // SIGKILL during catch-up at seeded moments: each restart resumes from its persisted head
    const rng = new Rng(SEED);
    const kills: { at: number; validatorHead: number; resumed: number }[] = [];
    let start = await headOf(full);
    for (let k = 0; k < KILLS; k++) {
      const after = rng.int(5, 40);
      await waitFor(
        `${after} blocks synced after restart ${k}`,
        async () => (await headOf(full)) >= start + after,
        60_000,
      );
      const seen = await headOf(full);
      const validatorHead = await headOf(validator);
      await net.stop(DevnetProcs.fullNodeKey(0), "SIGKILL");
      await net.launchFullNode(0);
      const resumed = await headOf(full);
      kills.push({ at: seen, validatorHead, resumed });
      debug(`kill ${k + 1}: at ${seen} (validators at ${validatorHead}), resumed at ${resumed}`);
      // nothing it had shown was lost, and the kill was during catch-up
      expect(resumed).toBeGreaterThanOrEqual(seen);
      expect(validatorHead).toBeGreaterThan(seen + 2);
      start = resumed;
    }
    await waitFor(
      "the full node to catch up",
      async () => (await headOf(full)) >= (await headOf(validator)) - 2,
      120_000,
    );
    const catchUpMs = Date.now() - t0;
    const caughtUpAt = await headOf(full);
    debug(`caught up to ${caughtUpAt} in ${catchUpMs} ms after ${KILLS} kills`);

    // it follows the head while the load goes on: when each new block reaches it, after a validator
    const seenAt = { validator: new Map<number, number>(), full: new Map<number, number>() };
    const followEnd = Date.now() + 12_000;
    while (Date.now() < followEnd) {
      const [v, f] = await Promise.all([headOf(validator), headOf(full)]);
      const now = Date.now();
      for (const [m, head] of [
        [seenAt.validator, v],
        [seenAt.full, f],
      ] as const)
        for (let n = head; n > caughtUpAt && !m.has(n); n--) m.set(n, now);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(
      "the full node to reach the sampled head",
      async () => (await headOf(full)) >= Math.max(...seenAt.validator.keys()),
      10_000,
    );
    const fullHead = await headOf(full);
    const lags = [...seenAt.validator]
      .filter(([n]) => n <= fullHead)
      .map(([n, t]) => (seenAt.full.get(n) ?? Date.now()) - t)
      .sort((a, b) => a - b);
    const pct = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
    expect(lags.length).toBeGreaterThan(10);
    expect(pct(0.99)).toBeLessThanOrEqual(2000);
    await load.stop();

    // a transaction through the full node: gossiped to the validators, included, receipt on the full node
    const from = SENDERS; // an account the load does not use
    const raw = devnetTransfer(from, 0n);
    const sent = await sendRawTransaction(full, raw);
    expect(sent.error).toBeUndefined();
    await waitFor(
      "the full node's transaction in a block",
      async () => (await rpc<unknown>(full, "eth_getTransactionReceipt", [sent.hash])) !== null,
      30_000,
    );
    hashes.push(sent.hash!);

    // net_peerCount counts libp2p peers: the full node sees the validators, a validator its committee
    expect(Number(await rpc<string>(full, "net_peerCount", []))).toBeGreaterThanOrEqual(1);
    expect(Number(await rpc<string>(validator, "net_peerCount", []))).toBeGreaterThanOrEqual(N - 1);
    const syncing = await rpc<false | { currentBlock: string; highestBlock: string }>(
      full,
      "eth_syncing",
      [],
    );
    if (syncing !== false) expect(BigInt(syncing.highestBlock)).toBeGreaterThan(BigInt(syncing.currentBlock));

    // same head, same chain, same receipts and balances
    await waitFor("the same head", async () => (await headOf(full)) === (await headOf(validator)), 20_000);
    const head = await headOf(validator);
    for (let n = 0; n <= head; n++) {
      const tag = `0x${n.toString(16)}`;
      const [a, b] = await Promise.all([
        rpc<{ hash: string }>(validator, "eth_getBlockByNumber", [tag, false]),
        rpc<{ hash: string }>(full, "eth_getBlockByNumber", [tag, false]),
      ]);
      expect([n, b.hash]).toEqual([n, a.hash]);
    }
    for (const h of hashes.filter((_, i) => i % 25 === 0 || i === hashes.length - 1)) {
      const [a, b] = await Promise.all([
        rpc<unknown>(validator, "eth_getTransactionReceipt", [h]),
        rpc<unknown>(full, "eth_getTransactionReceipt", [h]),
      ]);
      expect(a).not.toBeNull();
      expect(b).toEqual(a);
    }
    for (const addr of [
      ...net.layout.accounts.slice(0, SENDERS + 1).map((a) => a.address),
      bytesToHex(new Uint8Array(20).fill(0x42)),
    ]) {
      const [a, b] = await Promise.all([
        rpc<string>(validator, "eth_getBalance", [addr, "latest"]),
        rpc<string>(full, "eth_getBalance", [addr, "latest"]),
      ]);
      expect([addr, b]).toEqual([addr, a]);
    }
    console.log(
      `full node: started ${behind} blocks behind, caught up to ${caughtUpAt} in ${(catchUpMs / 1000).toFixed(1)} s (${((caughtUpAt * 1000) / catchUpMs).toFixed(0)} blocks/s, ${KILLS} SIGKILLs and restarts included: ${kills.map((k) => `${k.at}→${k.resumed}`).join(" ")}); following: ${lags.length} blocks, lag behind a validator p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${lags[lags.length - 1]} ms (100 ms polling); ${hashes.length} transactions, head ${head}`,
    );
  }, 480_000);
});
