/**
 * The typed ExecutionEngine two ways, on two identical dev chains with real pools: direct calls in process
 * (InProcessEngine) and the HTTP Engine API with JWT (HttpExecutionEngine over a real RPC server). The same
 * sequence of calls — a build with a skipped transaction, its payload, newPayload, the head update — gives
 * the same values, statuses and engine counters; each failure (-38003, -38001, -32602, an INVALID payload,
 * SYNCING) is the same error with the same JSON-RPC code, message and cause; the in-process payload is
 * recognised by identity at newPayload (no second check), and a changed copy is checked and refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import type {
  ExecutionEngine,
  ExecutionPayloadValue,
  PayloadAttributes,
} from "../../../../../node/core/wire/engine.ts";
import { EngineHttpClient, HttpExecutionEngine } from "../../../../../node/rpc/engine/client.ts";
import { type RpcServer, startRpcServer } from "../../../../../node/rpc/server/server.ts";
import { ADDRESSES, devTx } from "../../../../utils/devChain.ts";
import { closePayloadPool, type EngineHarness, openEngine } from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
const secret = new Uint8Array(32).fill(0x24);
let local: EngineHarness;
let remote: EngineHarness;
let server: RpcServer;
let engines: { name: string; e: ExecutionEngine; h: EngineHarness }[];

beforeAll(async () => {
  [local, remote] = await Promise.all([openEngine(pools), openEngine(pools)]);
  server = await startRpcServer({
    host: "127.0.0.1",
    port: 0,
    jwtSecret: secret,
    dispatcher: remote.dispatcher,
    bodyLimit: 8 * 1024 * 1024,
    log: () => {},
  });
  const http = new HttpExecutionEngine(new EngineHttpClient(`http://127.0.0.1:${server.port}`, secret));
  engines = [
    { name: "in process", e: local.typed, h: local },
    { name: "http", e: http, h: remote },
  ];
});
afterAll(async () => {
  await server.close();
  await local.close();
  await remote.close();
  await pools.close();
  await closePayloadPool();
});

const ZERO = new Uint8Array(32);
const state = (h: Uint8Array) => ({ head: h, safe: ZERO, finalized: ZERO });
function attrs(timestamp: bigint, extra: Partial<PayloadAttributes> = {}): PayloadAttributes {
  return {
    version: 3,
    timestamp,
    prevRandao: new Uint8Array(32).fill(3),
    suggestedFeeRecipient: new Uint8Array(20).fill(0x11),
    withdrawals: [],
    parentBeaconBlockRoot: ZERO,
    transactions: [
      devTx(0, 0n, ADDRESSES[1]!, 7n),
      devTx(1, 4n, ADDRESSES[2]!, 1n),
      devTx(2, 0n, ADDRESSES[3]!, 2n),
    ],
    noTxPool: true,
    ...extra,
  };
}

/** Runs `call` on both engines: both results, or both errors as {rpcCode, cause, message}. */
async function both<T>(call: (e: ExecutionEngine) => Promise<T>): Promise<[unknown, unknown]> {
  const outcome = (p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (e: { meta?: { rpcCode?: unknown; cause?: unknown }; message?: string }) => ({
        error: { rpcCode: e.meta?.rpcCode, cause: e.meta?.cause, message: e.message },
      }),
    );
  const [a, b] = await Promise.all(engines.map(({ e }) => outcome(call(e))));
  return [a, b];
}

describe("ExecutionEngine: in process and over HTTP", () => {
  let payloads: ExecutionPayloadValue[];

  it("the same build, payload, import and head move give the same values", async () => {
    const [headA, headB] = await both((e) => e.headBlock());
    expect(headA).toEqual(headB);
    const genesis = local.dev.chain.head().hash;

    const [fa, fb] = await both((e) => e.forkchoiceUpdated(state(genesis), attrs(12n)));
    expect(fa).toEqual(fb);
    const id = (fa as { value: { payloadId: string } }).value.payloadId;
    expect(id).toMatch(/^0x03[0-9a-f]{14}$/);

    const built = await Promise.all(engines.map(({ e }) => e.getPayload(id)));
    expect(built[0]).toEqual(built[1]);
    payloads = built.map((b) => b.payload);
    // the nonce-gapped transaction was left out, the other two included
    expect(payloads[0]!.transactions).toHaveLength(2);
    expect(built[0]!.blockValue).toBeGreaterThan(0n);

    const checks = engines.map(({ h }) => h.engine.counters.payloadChecks);
    const statuses = await Promise.all(engines.map(({ e }, i) => e.newPayload(payloads[i]!, [], ZERO)));
    expect(statuses[0]).toEqual(statuses[1]);
    expect(statuses[0]).toEqual({
      status: "VALID",
      latestValidHash: payloads[0]!.blockHash,
      validationError: null,
    });
    // served payloads: recognised by identity in process, by equal JSON over HTTP; neither checked again
    expect(engines.map(({ h }) => h.engine.counters.payloadChecks)).toEqual(checks);

    const [ma, mb] = await both((e) => e.forkchoiceUpdated(state(payloads[0]!.blockHash)));
    expect(ma).toEqual(mb);
    const [ha, hb] = await both((e) => e.headBlock());
    expect(ha).toEqual(hb);
    expect(bytesToHex((ha as { value: { hash: Uint8Array } }).value.hash)).toBe(
      bytesToHex(payloads[0]!.blockHash),
    );
    // the built block's import executed nothing on either side
    for (const { h } of engines)
      expect(h.dev.chain.work).toMatchObject({ buildExecutions: 1, verifyExecutions: 0 });
  });

  it("each failure is the same error: code, message and cause", async () => {
    const head = local.dev.chain.head();
    const gasLimit = head.header.gasLimit * 2n;
    const [a1, b1] = await both((e) => e.forkchoiceUpdated(state(head.hash), attrs(24n, { gasLimit })));
    expect(a1).toEqual(b1);
    expect(a1).toMatchObject({ error: { rpcCode: -38003 } });

    const extraData = new Uint8Array(33);
    const [a6, b6] = await both((e) => e.forkchoiceUpdated(state(head.hash), attrs(24n, { extraData })));
    expect(a6).toEqual(b6);
    expect(a6).toMatchObject({
      error: { rpcCode: -38003, message: expect.stringMatching(/extraData exceeds 32 bytes/) },
    });

    const [a2, b2] = await both((e) => e.getPayload("0x0300000000000000"));
    expect(a2).toEqual(b2);
    expect(a2).toMatchObject({ error: { rpcCode: -38001 } });

    const [a3, b3] = await both((e) => e.getPayload("0x01"));
    expect(a3).toEqual(b3);
    expect(a3).toMatchObject({ error: { rpcCode: -32602 } });

    // a V2-shaped payload for newPayloadV3
    const { blobGasUsed: _b, excessBlobGas: _x, ...v2 } = payloads[0]!;
    const [a4, b4] = await both((e) => e.newPayload(v2, [], ZERO));
    expect(a4).toEqual(b4);
    expect(a4).toMatchObject({ error: { rpcCode: -32602 } });

    const [a5, b5] = await both((e) => e.forkchoiceUpdated(state(new Uint8Array(32).fill(0xee))));
    expect(a5).toEqual(b5);
    expect(a5).toMatchObject({ value: { payloadStatus: { status: "SYNCING" }, payloadId: null } });
  });

  it("a changed copy of a served payload is checked and refused the same way", async () => {
    const [fa] = await both((e) =>
      e.forkchoiceUpdated(state(local.dev.chain.head().hash), attrs(30n, { transactions: [] })),
    );
    const id = (fa as { value: { payloadId: string } }).value.payloadId;
    const built = await Promise.all(engines.map(({ e }) => e.getPayload(id)));
    const checks = engines.map(({ h }) => h.engine.counters.payloadChecks);
    const statuses = await Promise.all(
      engines.map(({ e }, i) =>
        e.newPayload({ ...built[i]!.payload, extraData: Uint8Array.of(1) }, [], ZERO),
      ),
    );
    expect(statuses[0]).toEqual(statuses[1]);
    expect(statuses[0]).toMatchObject({ status: "INVALID", latestValidHash: null });
    expect(engines.map(({ h }) => h.engine.counters.payloadChecks)).toEqual(checks.map((c) => c + 1));
    expect(local.engine.counters).toEqual(remote.engine.counters);
  });
});
