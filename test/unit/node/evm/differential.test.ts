/**
 * Differential tests: seeded random programs run on the WASM EVM and on @ethereumjs/vm must agree on
 * success, gas used, output, logs and the post-state root (which covers every state change).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { MemoryState } from "../../../../node/evm/memoryState.ts";
import { prepareTransaction } from "../../../../node/evm/transition.ts";
import { sharedEvm } from "../../../../wasm/bindings/evmModule.ts";
import { type BlockEnv, EvmStatus } from "../../../../wasm/bindings/evmTypes.ts";
import { ORACLE_SENDER, runOracle } from "./ethereumjsOracle.ts";
import { ADDR_A, ADDR_B, type Program, programArb } from "./programs.ts";

const ENV: BlockEnv = {
  coinbase: hexToBytes("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"),
  number: 1n,
  timestamp: 1000n,
  gasLimit: 30_000_000n,
  prevRandao: new Uint8Array(32),
  baseFee: 7n,
  blobBaseFee: 1n,
  chainId: 1n,
};

function preState(p: Program): MemoryState {
  const st = new MemoryState();
  // slot 1 of A starts non-zero so SSTORE refunds and clears are exercised
  const storage = new Map([[`0x${"00".repeat(31)}01`, 5n]]);
  st.set(ORACLE_SENDER, { nonce: 0n, balance: 10n ** 20n, code: new Uint8Array(0), storage: new Map() });
  st.set(hexToBytes(`0x${ADDR_A}`), {
    nonce: 1n,
    balance: 10n ** 6n,
    code: hexToBytes(`0x${p.main}`),
    storage,
  });
  st.set(hexToBytes(`0x${ADDR_B}`), {
    nonce: 1n,
    balance: 0n,
    code: hexToBytes(`0x${p.callee}`),
    storage: new Map(),
  });
  return st;
}

/** Runs `p` on both engines and asserts they agree; returns our status. */
async function compare(p: Program): Promise<number> {
  const pre = preState(p);
  const ours = pre.clone();
  const tx = {
    to: hexToBytes(`0x${ADDR_A}`),
    data: new Uint8Array(0),
    value: p.value,
    gasLimit: p.gasLimit,
    gasPrice: 10n,
    nonce: 0n,
  };
  const prepared = prepareTransaction(
    { ...tx, sender: ORACLE_SENDER, accessList: [] },
    { env: ENV, gasAvailable: ENV.gasLimit },
    ours,
  );
  const r = sharedEvm().execute(ENV, prepared, ours);
  ours.apply(r.changes);
  const o = await runOracle(pre, ENV, tx);
  const ctx = `main=${p.main} callee=${p.callee} gas=${p.gasLimit} value=${p.value}`;
  expect(r.status === EvmStatus.SUCCESS, `success ${ctx} (ejs error ${o.error}, ours ${r.status})`).toBe(
    o.error === undefined,
  );
  expect(r.gasUsed, `gas ${ctx}`).toBe(o.gasUsed);
  if (o.error === undefined || r.status === EvmStatus.REVERT)
    expect(bytesToHex(r.output), `output ${ctx}`).toBe(bytesToHex(o.output));
  expect(
    r.logs.map((l) => [bytesToHex(l.address), l.topics.map(bytesToHex), bytesToHex(l.data)]),
    `logs ${ctx}`,
  ).toEqual(o.logs.map((l) => [bytesToHex(l.address), l.topics.map(bytesToHex), bytesToHex(l.data)]));
  expect(bytesToHex(ours.stateRoot()), `state root ${ctx}`).toBe(bytesToHex(o.stateRoot));
  return r.status;
}

describe("WASM EVM vs @ethereumjs/vm", () => {
  it("agrees on seeded random programs", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(programArb, async (p) => {
        const st = await compare(p);
        statuses.set(st, (statuses.get(st) ?? 0) + 1);
      }),
      { seed: 20261122, numRuns: 300, endOnFailure: true },
    );
    // the generator must keep producing every kind of outcome, or the comparison proves little
    expect(statuses.get(EvmStatus.SUCCESS) ?? 0).toBeGreaterThan(30);
    expect(statuses.get(EvmStatus.REVERT) ?? 0).toBeGreaterThan(10);
    expect(statuses.get(EvmStatus.OUT_OF_GAS) ?? 0).toBeGreaterThan(30);
  });

  it("agrees when gas runs out at every point of a program", async () => {
    // stores, a call that writes and logs, a create, memory growth, then returns
    const callee = "60015f55600760085fa160205ff3";
    const main = `60055f55600161010052${"5f5f5f5f5f73"}${ADDR_B}6175305af1${"665f5f5360015ff35f52600760195ff0"}60805260406000f3`;
    let full = 0n;
    for (let gas = 21_000n; gas <= 200_000n; gas += 997n) {
      const status = await compare({ main, callee, gasLimit: gas, value: 0n });
      if (status === EvmStatus.SUCCESS && full === 0n) full = gas;
    }
    expect(full).toBeGreaterThan(40_000n); // the sweep crossed the point where the program completes
  });

  it("agrees on fixed edge programs", async () => {
    const fixed: Program[] = [
      { main: "5f5f5f5f5f305af1" + "00", callee: "00", gasLimit: 1_000_000n, value: 0n }, // recursion to depth limit
      { main: "6001600055" + "60016000fd", callee: "00", gasLimit: 100_000n, value: 0n }, // revert undoes storage
      { main: "60ff60005260206000f3", callee: "00", gasLimit: 21_010n, value: 0n }, // out of gas right away
      {
        main: `600060005560006001555f5f5f5f5f73${ADDR_B}5af100`,
        callee: "33ff",
        gasLimit: 200_000n,
        value: 5n,
      },
    ];
    for (const p of fixed) await compare(p);
  });
});
