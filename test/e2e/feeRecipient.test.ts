/**
 * A fixed fee recipient end to end: four `fastevm node --validator` processes on the devnet genesis with
 * `config.fastevm.feeRecipient` set to a burn address. Transfers (21,000 gas at a 1 gwei tip) go to
 * different validators; all four reach the same head, every block's coinbase (`miner`) is the burn address,
 * and its balance, read from each validator's public JSON-RPC, grew by exactly the priority fees.
 * FEE_RECIPIENT_TEST=0 skips it; DEBUG_E2E=1 prints the validators' stderr.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEVNET_GENESIS_PATH } from "../../node/core/chain/devnet.ts";
import { type BlockJson, DevnetProcs, devnetTransfer } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const TXS = 6;
const BURN = `0x${"00".repeat(18)}dead`;
const dir = tempDir("fastevm-fee-recipient-");
let net: DevnetProcs | undefined;

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const j = (await res.json()) as { result?: T; error?: unknown };
  if (j.error !== undefined) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result as T;
}

describe.skipIf(process.env.FEE_RECIPIENT_TEST === "0")(
  "config.fastevm.feeRecipient: a fixed address on a 4-validator devnet",
  () => {
    afterAll(async () => {
      await net?.stopAll("SIGKILL");
      dir.remove();
    });

    it("every validator builds the same blocks with the burn address as coinbase, which earns the tips", async () => {
      const genesis = JSON.parse(readFileSync(DEVNET_GENESIS_PATH, "utf8")) as {
        config: { fastevm?: Record<string, unknown> };
        alloc: Record<string, unknown>;
      };
      genesis.config.fastevm = { ...genesis.config.fastevm, feeRecipient: BURN };
      expect(Object.keys(genesis.alloc).map((a) => a.toLowerCase())).not.toContain(BURN.slice(2));
      const file = join(dir.path, "genesis.json");
      writeFileSync(file, JSON.stringify(genesis));
      const d = await DevnetProcs.prepare(join(dir.path, "net"), N, { genesis: file });
      net = d;
      await Promise.all(Array.from({ length: N }, (_, i) => d.launch(i)));
      for (let k = 0; k < TXS; k++) {
        const res = await d.sendRaw(k % N, devnetTransfer(k % 3, BigInt(Math.floor(k / 3))));
        expect(res.error).toBeUndefined();
      }

      // all four agree on a head that holds every transfer
      const end = Date.now() + 40_000;
      let head: BlockJson | undefined;
      let last = "";
      while (head === undefined) {
        if (Date.now() > end) throw new Error(`validators did not converge: ${last}`);
        await new Promise((r) => setTimeout(r, 300));
        const heads = await Promise.all(Array.from({ length: N }, (_, i) => d.block(i, "latest")));
        last = heads.map((h) => `#${Number(h.number)} ${h.hash.slice(0, 10)}`).join(", ");
        if (!heads.every((h) => h.hash === heads[0]!.hash)) continue;
        let txs = 0;
        for (let n = 1; n <= Number(heads[0]!.number); n++) txs += (await d.block(0, n)).transactions.length;
        if (txs === TXS) head = heads[0];
      }

      const top = Number(head.number);
      expect(top).toBeGreaterThan(0);
      for (let n = 1; n <= top; n++) {
        const blocks = await Promise.all(Array.from({ length: N }, (_, i) => d.block(i, n)));
        for (const b of blocks) {
          expect(b.hash).toBe(blocks[0]!.hash);
          expect(b.miner.toLowerCase()).toBe(BURN);
        }
      }
      // every transfer paid 21,000 gas × 1 gwei of priority fee to the burn address, on every validator
      const tips = BigInt(TXS) * 21_000n * 1_000_000_000n;
      for (let i = 0; i < N; i++)
        expect(BigInt(await rpc<string>(d.rpcUrl(i), "eth_getBalance", [BURN, head.hash]))).toBe(tips);
    });
  },
);
