/**
 * The `extraData` payload-attribute extension (FastEVM consensus stamps the commit index in it): the built
 * header carries it, it is part of the payloadId, and more than 32 bytes is refused with -38003.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import {
  attrsV3,
  buildOn,
  closePayloadPool,
  type EngineHarness,
  fcState,
  openEngine,
  ZERO32,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
beforeAll(async () => {
  h = await openEngine(pools);
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("payload attributes: extraData", () => {
  it("is copied into the built header, which then imports", async () => {
    const extra = `0x${"ab".repeat(32)}`;
    const p = await buildOn(h, h.headHash(), 5, { extraData: extra });
    expect(p.extraData).toBe(extra);
    const st = await h.ok("engine_newPayloadV3", [p, [], ZERO32]);
    expect(st.status).toBe("VALID");
    const plain = await buildOn(h, h.headHash(), 5);
    expect(plain.extraData).toBe("0x");
  });

  it("shapes the payloadId", async () => {
    const id = async (extra?: string) =>
      (
        await h.ok("engine_forkchoiceUpdatedV3", [
          fcState(h.headHash()),
          attrsV3(7, extra === undefined ? {} : { extraData: extra }),
        ])
      ).payloadId as string;
    const ids = new Set([await id(), await id("0x"), await id("0x01"), await id("0x0100")]);
    expect(ids.size).toBe(4);
    expect(await id("0x01")).toBe(await id("0x01"));
  });

  it("refuses more than 32 bytes or bad hex with -38003", async () => {
    for (const extraData of [`0x${"00".repeat(33)}`, "0xzz", 7]) {
      const r = await h.call("engine_forkchoiceUpdatedV3", [
        fcState(h.headHash()),
        attrsV3(8, { extraData }),
      ]);
      expect(r.error?.code).toBe(-38003);
    }
  });
});
