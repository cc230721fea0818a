/**
 * The in-WASM block loop (`wasmTxLoop`, one module call per block) against the one-call-per-transaction
 * loop with the TypeScript state transition (`perTxLoop`), on seeded random blocks (test/utils/randomBlocks.ts:
 * transfers, token calls, creations, reverts, out-of-gas, refunds, blob gas, EIP-161/7610 deletions, invalid
 * transactions in the middle of a block, empty blocks), in build mode (invalid ones skipped) and verify mode
 * (the first one rejects the block). Both must give the same
 * receipts, gas, blob gas, logs bloom, receipts root, skipped list or error, and post-state root, block
 * after block.
 */
import { describe, expect, it } from "vitest";
import { mergeBlooms } from "../../../../node/core/block/bloom.ts";
import { type Receipt, receiptsRoot } from "../../../../node/core/block/receipt.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import type { ExecuteTask } from "../../../../node/core/wire/execute.ts";
import type { MemoryState } from "../../../../node/evm/memoryState.ts";
import { sharedEvm } from "../../../../wasm/bindings/evmModule.ts";
import {
  blockEnv,
  perTxLoop,
  type TxLoop,
  type TxLoopResult,
  wasmTxLoop,
} from "../../../../workers/execute/executeBlock.ts";
import { generator, preState, randomBlockTxs, task } from "../../../utils/randomBlocks.ts";

type Outcome =
  | { ok: true; r: TxLoopResult; root: string }
  | { ok: false; code: string; message: string; meta: unknown };

function run(loop: TxLoop, t: ExecuteTask, state: MemoryState): Outcome {
  try {
    const r = loop(t, blockEnv(t), sharedEvm(), state);
    return { ok: true, r, root: bytesToHex(state.stateRoot()) };
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
    return { ok: false, code: e.code, message: e.message, meta: e.meta };
  }
}

const receiptView = (rs: readonly Receipt[]) =>
  rs.map((x) => ({
    status: x.status,
    gas: x.cumulativeGasUsed,
    logs: x.logs.map((l) => [bytesToHex(l.address), l.topics.map(bytesToHex), bytesToHex(l.data)]),
  }));

function expectSame(a: Outcome, b: Outcome, ctx: string): void {
  expect(a.ok, `${ctx}: outcome ${JSON.stringify(a.ok ? "ok" : a.message)}`).toBe(b.ok);
  if (!a.ok || !b.ok) {
    if (!a.ok && !b.ok)
      expect({ code: a.code, message: a.message, meta: a.meta }, ctx).toEqual({
        code: b.code,
        message: b.message,
        meta: b.meta,
      });
    return;
  }
  expect(receiptView(a.r.receipts), `${ctx}: receipts`).toEqual(receiptView(b.r.receipts));
  expect(a.r.gasUsed, `${ctx}: gas`).toBe(b.r.gasUsed);
  expect(a.r.blobGasUsed, `${ctx}: blob gas`).toBe(b.r.blobGasUsed);
  expect(a.r.skipped, `${ctx}: skipped`).toEqual(b.r.skipped);
  expect(a.r.executedRaw.map(bytesToHex), `${ctx}: executed`).toEqual(b.r.executedRaw.map(bytesToHex));
  const bloom = (r: TxLoopResult) => bytesToHex(mergeBlooms(r.receipts.map((x) => x.logsBloom)));
  expect(bloom(a.r), `${ctx}: bloom`).toBe(bloom(b.r));
  expect(bytesToHex(receiptsRoot(a.r.receipts)), `${ctx}: receipts root`).toBe(
    bytesToHex(receiptsRoot(b.r.receipts)),
  );
  expect(a.root, `${ctx}: state root`).toBe(b.root);
}

/** Runs `blocks` random blocks on both loops from the same pre-state; returns what the run covered. */
function differential(seed: number, blocks: number, mode: "verify" | "build") {
  const g = generator(seed);
  let ours = preState();
  let oracle = preState();
  const seen = { txs: 0, skipped: 0, rejected: 0, reverted: 0, logs: 0, empty: 0 };
  for (let n = 1; n <= blocks; n++) {
    const invalidShare = mode === "verify" && g.r() < 0.5 ? 0 : 0.15;
    const before = { ours: ours.clone(), oracle: oracle.clone(), nonces: new Map(g.nonces), token: g.token };
    const txs = randomBlockTxs(g, invalidShare);
    const size = txs.length;
    const t = task(BigInt(n), txs, mode);
    const a = run(wasmTxLoop, t, ours);
    const b = run(perTxLoop, t, oracle);
    expectSame(a, b, `seed ${seed} block ${n} (${mode}, ${size} txs)`);
    if (size === 0) seen.empty++;
    if (!a.ok) {
      seen.rejected++;
      // a rejected block's state is dropped (the oracle applied the transactions before the invalid one)
      ours = before.ours;
      oracle = before.oracle;
      g.nonces = before.nonces;
      g.token = before.token;
      continue;
    }
    seen.txs += a.r.receipts.length;
    seen.skipped += a.r.skipped.length;
    seen.reverted += a.r.receipts.filter((x) => x.status === 0).length;
    seen.logs += a.r.receipts.reduce((k, x) => k + x.logs.length, 0);
  }
  return seen;
}

describe("the in-WASM block loop against the one-call-per-transaction loop", () => {
  it("build mode: the same receipts, skips and state roots over 40 random blocks, for 3 seeds", () => {
    for (const seed of [1, 2, 3]) {
      const seen = differential(seed, 40, "build");
      // the run covered what it claims
      expect(seen.txs).toBeGreaterThan(300);
      expect(seen.skipped).toBeGreaterThan(20);
      expect(seen.reverted).toBeGreaterThan(20);
      expect(seen.logs).toBeGreaterThan(20);
      expect(seen.empty).toBeGreaterThan(0);
    }
  });

  it("verify mode: the same rejections (code, message, index) and the same state after good blocks", () => {
    for (const seed of [4, 5]) {
      const seen = differential(seed, 40, "verify");
      expect(seen.rejected).toBeGreaterThan(3);
      expect(seen.txs).toBeGreaterThan(100);
    }
  });
});
