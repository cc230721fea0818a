/**
 * The local-transaction journal survives a SIGKILL (txpool issue; reliability matrix rows 8 and 20). On a
 * 4-validator devnet, transactions are sent to validator 0 behind a nonce gap, so they wait in its pool as
 * queued (never proposed, so no other node holds them in a block); validator 0 is SIGKILLed and restarted;
 * the gap-filling transaction then goes to validator 1, and the journaled transactions come back from 0's
 * journal, are proposed, and are included.
 * TXPOOL_CRASH_TEST=0 skips it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { DevnetProcs, devnetTransfer } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-txpool-crash-");
let net: DevnetProcs;

const transfer = (nonce: bigint): Uint8Array => devnetTransfer(5, nonce);

/** eth_sendRawTransaction to validator i: the pool's refusal message, or "accepted". */
async function send(i: number, raw: Uint8Array): Promise<string> {
  const r = await net.sendRaw(i, raw);
  return r.error?.message ?? "accepted";
}

describe.skipIf(process.env.TXPOOL_CRASH_TEST === "0")("txpool journal across a SIGKILL", () => {
  afterAll(async () => {
    await net?.stopAll("SIGKILL");
    dir.remove();
  });

  it("journaled local transactions come back after SIGKILL and are included", async () => {
    net = await DevnetProcs.prepare(dir.path, 4);
    await Promise.all([0, 1, 2, 3].map((i) => net.launch(i)));
    // nonces 1..5 wait behind the gap at nonce 0: queued, never proposed, only in validator 0's pool
    // (and journal)
    const waiting = [1n, 2n, 3n, 4n, 5n].map(transfer);
    for (const raw of waiting) expect(await send(0, raw)).toBe("accepted");
    await net.stop(0, "SIGKILL");
    await net.launch(0);
    // the gap-filling transaction goes to another validator: the rest can only come from 0's journal
    expect(await send(1, transfer(0n))).toBe("accepted");
    const want = new Set([transfer(0n), ...waiting].map((r) => bytesToHex(keccak256(r))));
    const deadline = Date.now() + 60_000;
    const seen = new Set<string>();
    let scanned = 1;
    while (seen.size < want.size && Date.now() < deadline) {
      try {
        const head = await net.headNumber(1);
        for (; scanned <= head; scanned++)
          for (const h of (await net.block(1, scanned)).transactions) if (want.has(h)) seen.add(h);
      } catch {
        // a restarted peer's socket: ask again
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(seen.size).toBe(want.size);
  }, 180_000);
});
