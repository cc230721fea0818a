/** The operations flags (`--metrics*`, `--log.*`) and the execution node's readiness rule. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_METRICS_PORT,
  executionReadiness,
  parseOpsArgs,
  READY_ENGINE_SILENCE_MS,
} from "../../../../node/cli/ops.ts";
import type { EngineState } from "../../../../node/rpc/engine/engineState.ts";

describe("parseOpsArgs", () => {
  it("defaults: no metrics server, info, json", () => {
    expect(parseOpsArgs({})).toEqual({ logLevel: "info", logFormat: "json" });
    expect(parseOpsArgs({ metrics: true })).toMatchObject({
      metrics: { addr: "127.0.0.1", port: DEFAULT_METRICS_PORT },
    });
    expect(
      parseOpsArgs({
        metrics: true,
        "metrics.addr": "0.0.0.0",
        "metrics.port": "0",
        "log.level": "debug",
        "log.format": "text",
      }),
    ).toEqual({ metrics: { addr: "0.0.0.0", port: 0 }, logLevel: "debug", logFormat: "text" });
  });

  it("refuses metrics flags without --metrics, bad ports and bad levels", () => {
    for (const bad of [
      { "metrics.port": "9001" },
      { metrics: true, "metrics.port": "70000" },
      { metrics: true, "metrics.port": "x" },
      { "log.level": "chatty" },
      { "log.format": "yaml" },
      { "log.level": "" },
    ])
      expect(() => parseOpsArgs(bad)).toThrow(expect.objectContaining({ code: "CLI_USAGE" }));
  });
});

describe("executionReadiness", () => {
  const engine = (status?: string) =>
    ({ lastForkchoice: status === undefined ? undefined : { atMs: 0, status } }) as unknown as EngineState;

  it("needs a recent Engine API call and a VALID last forkchoiceUpdated", () => {
    expect(executionReadiness(engine(), undefined, 1000).ok).toBe(false);
    expect(executionReadiness(engine(), 1000, 1000 + READY_ENGINE_SILENCE_MS + 1).ok).toBe(false);
    expect(executionReadiness(engine(), 1000, 2000).ok).toBe(true);
    expect(executionReadiness(engine("VALID"), 1000, 2000).ok).toBe(true);
    expect(executionReadiness(engine("SYNCING"), 1000, 2000)).toEqual({
      ok: false,
      reason: "last forkchoiceUpdated answered SYNCING",
    });
  });
});
