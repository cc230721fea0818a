/**
 * The real cluster: four `fastevm node --validator` processes laid out as `fastevm devnet` does (real
 * libp2p on random loopback ports, real LMDB, each with its execution node in-process). Signed transfers
 * from the devnet's funded accounts go to the validators' eth_sendRawTransaction; blocks are produced and all
 * four reach the same head hash. One validator is SIGKILLed: the other three keep producing blocks.
 * Restarted on its datadir, it catches up to the same head. Every block's commit stamp is above its
 * parent's (no commit index executed twice) and every transaction is in exactly one block.
 * DEVNET_TEST=0 skips it; DEBUG_DEVNET_TEST=1 prints progress, DEBUG_E2E=1 the validators' stderr.
 */
import { afterAll, describe, expect, it } from "vitest";
import { decodeCommitStamp } from "../../node/core/chain/commitStamp.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { type BlockJson, DevnetProcs, devnetTransfer } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const dir = tempDir("fastevm-devnet-");
let net: DevnetProcs;
const nonces = new Map<number, bigint>();
const submitted = new Set<string>();

const debug = (...a: unknown[]) => {
  if (process.env.DEBUG_DEVNET_TEST === "1") console.error(...a);
};

const block = (i: number, tag: string) => net.block(i, tag);

/** A signed 1-wei transfer from dev account `from` with its next nonce, posted to validator `to`. */
async function submit(from: number, to: number): Promise<void> {
  const nonce = nonces.get(from) ?? 0n;
  nonces.set(from, nonce + 1n);
  const raw = devnetTransfer(from, nonce);
  const res = await net.sendRaw(to, raw);
  expect(res.error).toBeUndefined();
  submitted.add(bytesToHex(raw));
}

/** Heads of the given validators once they all agree and hold `minTxs` transactions in total, or throws. */
async function converge(which: readonly number[], minTxs: number, ms: number): Promise<BlockJson> {
  const end = Date.now() + ms;
  let last = "";
  while (Date.now() < end) {
    try {
      const heads = await Promise.all(which.map((i) => block(i, "latest")));
      last = heads.map((h) => `#${Number(h.number)} ${h.hash.slice(0, 10)}`).join(", ");
      debug("heads", last);
      if (heads.every((h) => h.hash === heads[0]!.hash) && (await txCount(which[0]!)) >= minTxs)
        return heads[0]!;
    } catch (e) {
      debug("poll failed", (e as Error).message);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`validators ${which.join(",")} did not converge with ${minTxs} txs: ${last}`);
}

/** Total transactions in validator i's chain, checking commit stamps strictly increase block to block. */
async function txCount(i: number): Promise<number> {
  const head = Number((await block(i, "latest")).number);
  let txs = 0;
  let lastStamp = 0;
  for (let n = 1; n <= head; n++) {
    const b = await block(i, `0x${n.toString(16)}`);
    const stamp = decodeCommitStamp(hexToBytes(b.extraData));
    if (stamp === undefined || stamp.index <= lastStamp)
      throw new Error(`block ${n} of validator ${i}: stamp ${stamp?.index} after ${lastStamp}`);
    lastStamp = stamp.index;
    txs += b.transactions.length;
  }
  return txs;
}

describe.skipIf(process.env.DEVNET_TEST === "0")("devnet: 4 validator processes with execution", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    dir.remove();
  });

  it("produce identical blocks, survive a SIGKILL of one, and the restarted one catches up", async () => {
    net = await DevnetProcs.prepare(dir.path, N);
    await Promise.all([0, 1, 2, 3].map((i) => net.launch(i)));

    // 1. transactions to every validator: blocks appear and all four agree
    for (let k = 0; k < 8; k++) await submit(k % 4, k % N);
    const first = await converge([0, 1, 2, 3], 8, 30_000);
    expect(Number(first.number)).toBeGreaterThan(0);

    // 2. SIGKILL validator 3: the other three keep producing blocks
    await net.stop(3, "SIGKILL");
    for (let k = 0; k < 6; k++) await submit(k % 3, k % 3);
    const second = await converge([0, 1, 2], 14, 25_000);
    expect(Number(second.number)).toBeGreaterThan(Number(first.number));

    // 3. restart it: it replays from its store and catches up to the same head, then follows new blocks
    await net.launch(3);
    await submit(0, 0);
    const third = await converge([0, 1, 2, 3], 15, 30_000);
    expect(Number(third.number)).toBeGreaterThan(Number(second.number));

    // every submitted transaction is in exactly one block of the common chain
    const included: string[] = [];
    for (let n = 1; n <= Number(third.number); n++)
      included.push(...(await block(0, `0x${n.toString(16)}`)).transactions);
    expect(new Set(included).size).toBe(included.length);
    expect(included.length).toBe(submitted.size);

    // clean shutdown: each reports its last executed commit, at or beyond the head's stamp
    for (const i of net.children.keys()) {
      await net.stop(i);
      const s = net.summaries.get(i);
      expect(s, `validator ${i} summary`).toBeDefined();
      expect(s!.headHash).toBe(third.hash);
      expect(s!.lastExecutedCommit).toBeGreaterThanOrEqual(
        decodeCommitStamp(hexToBytes(third.extraData))!.index,
      );
    }
  });
});
