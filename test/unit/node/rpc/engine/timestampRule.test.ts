/**
 * The chain config's timestamp rule through the Engine API: a strict chain refuses attributes with the head's
 * timestamp (-38003); a `non-decreasing` chain (FastEVM, several commits per second) builds, imports and
 * moves the head to a block with the same timestamp as its parent, and still refuses an earlier one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { devGenesisJson } from "../../../../../node/chain/chainGenerator.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { parseChainConfig } from "../../../../../node/core/chain/chainConfig.ts";
import { KEYS } from "../../../../utils/devChain.ts";
import {
  attrsV3,
  closePayloadPool,
  type EngineHarness,
  extend,
  fcState,
  openEngine,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
const baseConfig = parseChainConfig((JSON.parse(devGenesisJson(KEYS)) as { config: unknown }).config);
const harnesses: EngineHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
  await pools.close();
  await closePayloadPool();
});

async function open(rule: "strict" | "non-decreasing" | undefined): Promise<EngineHarness> {
  const config = rule === undefined ? baseConfig : { ...baseConfig, timestampRule: rule };
  const h = await openEngine(pools, 64, { config });
  harnesses.push(h);
  return h;
}

describe("timestamp rule from the chain config", () => {
  it("strict (the default): attributes with the head's timestamp are refused", async () => {
    for (const rule of [undefined, "strict"] as const) {
      const h = await open(rule);
      const a1 = await extend(h, h.headHash(), 10);
      const r = await h.call("engine_forkchoiceUpdatedV3", [fcState(a1), attrsV3(10)]);
      expect(r.error?.code).toBe(-38003);
      expect(h.headHash()).toBe(a1);
    }
  });

  it("non-decreasing: equal timestamps build, import and become the head; earlier ones are refused", async () => {
    const h = await open("non-decreasing");
    const a1 = await extend(h, h.headHash(), 10);
    const a2 = await extend(h, a1, 10);
    const a3 = await extend(h, a2, 10);
    expect(h.headHash()).toBe(a3);
    expect(h.dev.chain.head().header.timestamp).toBe(10n);
    expect(h.dev.chain.head().header.number).toBe(3n);
    const r = await h.call("engine_forkchoiceUpdatedV3", [fcState(a3), attrsV3(9)]);
    expect(r.error?.code).toBe(-38003);
  });
});
