/**
 * eth_call / eth_estimateGas / eth_createAccessList over a real dev chain and execute pool: geth's state and
 * block overrides, calls at an old block, revert errors (code 3 with data), the gas cap, the EVM timeout of
 * an endless loop (with the main thread answering meanwhile), geth's gas estimator and access lists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenTransferData } from "../../../../../node/chain/devToken.ts";
import { bigintToFixedBytes, concatBytes } from "../../../../../node/core/bytes.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import { ADDRESSES, devTx, TOKEN } from "../../../../utils/devChain.ts";
import { openStateRpc, type StateRpc } from "../../../../utils/stateRpc.ts";

const X = hexToBytes(`0x${"be".repeat(20)}`);
const XH = bytesToHex(X);
const C = `0x${"c0".repeat(20)}`;
const A0 = bytesToHex(ADDRESSES[0]!);
const TK = bytesToHex(TOKEN);
const word = (v: bigint): string => bytesToHex(bigintToFixedBytes(v, 32));
const slotOf = (a: Uint8Array): string => word(BigInt(bytesToHex(a)));
/** returns the 32-byte word an opcode pushes: <op> PUSH0 MSTORE PUSH1 32 PUSH0 RETURN */
const returns = (op: string): string => `0x${op}5f5260205ff3`;
/** returns sload(calldata[0..32]) */
const SLOT_READER = "0x5f35545f5260205ff3";
/** reverts with its calldata */
const REVERT_CALLDATA = "0x365f5f37365ffd";
/** JUMPDEST PUSH0 JUMP: forever */
const LOOP = "0x5b5f56";

function errorString(reason: string): string {
  const r = new TextEncoder().encode(reason);
  const padded = new Uint8Array(Math.ceil(r.length / 32) * 32);
  padded.set(r);
  return bytesToHex(
    concatBytes(
      hexToBytes("0x08c379a0"),
      bigintToFixedBytes(32n, 32),
      bigintToFixedBytes(BigInt(r.length), 32),
      padded,
    ),
  );
}

let rpc: StateRpc;

beforeAll(async () => {
  rpc = await openStateRpc();
  await rpc.mine([devTx(0, 0n, X, 1000n)]);
  await rpc.mine([devTx(0, 1n, X, 2000n), devTx(1, 0n, X, 5n, true)]);
}, 60_000);

afterAll(async () => {
  await rpc?.close();
});

describe("eth_call", () => {
  it("applies geth's state overrides: code, state, stateDiff, balance, nonce", async () => {
    const read = (slot: string, override: object) =>
      rpc.ok("eth_call", [{ to: TK, input: slot }, "latest", { [TK]: { code: SLOT_READER, ...override } }]);
    expect(await read(slotOf(X), {})).toBe(word(5n));
    expect(await read(slotOf(X), { stateDiff: { [slotOf(X)]: word(9n) } })).toBe(word(9n));
    expect(await read(slotOf(ADDRESSES[0]!), { stateDiff: { [slotOf(X)]: word(9n) } })).toBe(
      word(10n ** 30n),
    );
    expect(await read(slotOf(ADDRESSES[0]!), { state: { [slotOf(X)]: word(9n) } })).toBe(word(0n));
    expect(await read(slotOf(X), { state: { [slotOf(X)]: word(9n) } })).toBe(word(9n));
    expect(
      await rpc.ok("eth_call", [{ to: C }, "latest", { [C]: { code: returns("47"), balance: "0x1234" } }]),
    ).toBe(word(0x1234n));
    // a creation from X with its nonce overridden to 5 deploys at keccak(rlp([X, 5]))[12:]; the initcode
    // returns ADDRESS, which eth_call answers as the creation's output
    const created = await rpc.ok("eth_call", [
      { from: XH, input: returns("30") },
      "latest",
      { [XH]: { nonce: "0x5" } },
    ]);
    expect(created).toBe(word(BigInt(bytesToHex(keccak256(encodeRlp([X, 5n])).subarray(12)))));
  });

  it("refuses conflicting or malformed overrides", async () => {
    const both = await rpc.call("eth_call", [{ to: C }, "latest", { [C]: { state: {}, stateDiff: {} } }]);
    expect(both.error?.code).toBe(-32000);
    const unknown = await rpc.call("eth_call", [{ to: C }, "latest", { [C]: { storage: {} } }]);
    expect(unknown.error?.code).toBe(-32602);
    const badGas = await rpc.call("eth_call", [{ to: C, gas: "0x01" }]);
    expect(badGas.error?.code).toBe(-32602);
    expect(badGas.error?.message).toContain("gas");
  });

  it("applies block overrides", async () => {
    const at = (op: string, blockOverride: object) =>
      rpc.ok("eth_call", [{ to: C }, "latest", { [C]: { code: returns(op) } }, blockOverride]);
    expect(await at("43", {})).toBe(word(2n));
    expect(await at("43", { number: "0x99" })).toBe(word(0x99n));
    expect(await at("42", { time: "0x1234" })).toBe(word(0x1234n));
    expect(await at("41", { feeRecipient: XH })).toBe(word(BigInt(XH)));
  });

  it("runs at an old block on that block's state", async () => {
    const read = (block: string) =>
      rpc.ok("eth_call", [{ to: TK, input: slotOf(X) }, block, { [TK]: { code: SLOT_READER } }]);
    expect(await read("0x1")).toBe(word(0n));
    expect(await read("latest")).toBe(word(5n));
    const number = await rpc.ok("eth_call", [{ to: C }, "0x1", { [C]: { code: returns("43") } }]);
    expect(number).toBe(word(1n));
  });

  it("answers a revert with code 3, the decoded reason and the revert data", async () => {
    const data = errorString("nope");
    const r = await rpc.call("eth_call", [
      { to: C, input: data },
      "latest",
      { [C]: { code: REVERT_CALLDATA } },
    ]);
    expect(r.error).toEqual({ code: 3, message: "execution reverted: nope", data });
    const empty = await rpc.call("eth_call", [
      { from: XH, to: TK, input: bytesToHex(tokenTransferData(ADDRESSES[0]!, 6n)) },
    ]);
    expect(empty.error).toEqual({ code: 3, message: "execution reverted", data: "0x" });
  });
});

describe("limits", () => {
  it("caps the gas at --rpc.gascap", async () => {
    const capped = rpc.withContext({ gasCap: 1_000_000n });
    const gas = await capped.ok("eth_call", [
      { to: C, gas: "0x5f5e100" },
      "latest",
      { [C]: { code: returns("5a") } },
    ]);
    // GAS pushes what is left after the intrinsic 21000 and its own 2
    expect(gas).toBe(word(1_000_000n - 21_000n - 2n));
    const loop = await rpc.call("eth_call", [{ to: C }, "latest", { [C]: { code: LOOP } }]);
    expect(loop.error).toMatchObject({ code: -32000, message: "out of gas" });
    const est = await rpc.call("eth_estimateGas", [
      { to: C, gas: "0x5f5e100" },
      "latest",
      { [C]: { code: LOOP } },
    ]);
    expect(est.error).toMatchObject({ code: -32000, message: "gas required exceeds allowance (50000000)" });
    // without `gas` the search starts at the block's gas limit, as geth's
    const byBlock = await rpc.call("eth_estimateGas", [{ to: C }, "latest", { [C]: { code: LOOP } }]);
    const limit = rpc.dev.chain.store.head().header.gasLimit;
    expect(byBlock.error?.message).toBe(`gas required exceeds allowance (${limit})`);
  });

  it("aborts an endless loop at --rpc.evmtimeout while the main thread keeps answering", async () => {
    const slow = rpc.withContext({ gasCap: 0n, evmTimeoutMs: 300 });
    const looping = slow.call("eth_call", [{ to: C }, "latest", { [C]: { code: LOOP } }]);
    const order: string[] = [];
    const balance = slow.ok("eth_getBalance", [XH, "latest"]).then((b) => {
      order.push("balance");
      return b;
    });
    const answer = await looping;
    order.push("call");
    expect(await balance).toBe("0xbb8");
    expect(order).toEqual(["balance", "call"]);
    expect(answer.error).toMatchObject({ code: -32000, message: "execution aborted (timeout = 300ms)" });
    // the pool replaced the terminated worker
    expect(await rpc.ok("eth_call", [{ to: C }, "latest", { [C]: { code: returns("43") } }])).toBe(word(2n));
    expect(await rpc.ok("eth_getBalance", [XH, "0x1"])).toBe("0x3e8");
  });
});

describe("eth_estimateGas", () => {
  const transfer = { from: A0, to: TK, input: bytesToHex(tokenTransferData(X, 1n)) };

  it("finds a gas limit within geth's 1.5 % at which the call succeeds", async () => {
    expect(await rpc.ok("eth_estimateGas", [{ from: A0, to: XH, value: "0x1" }])).toBe("0x5208");
    const gas = BigInt(await rpc.ok("eth_estimateGas", [transfer]));
    expect(await rpc.ok("eth_call", [{ ...transfer, gas: `0x${gas.toString(16)}` }])).toBe("0x");
    const tight = (gas * 100n) / 110n;
    expect((await rpc.call("eth_call", [{ ...transfer, gas: `0x${tight.toString(16)}` }])).error?.code).toBe(
      -32000,
    );
  });

  it("answers a call that always reverts with code 3 and its data", async () => {
    const data = errorString("never");
    const r = await rpc.call("eth_estimateGas", [
      { to: C, input: data },
      "latest",
      { [C]: { code: REVERT_CALLDATA } },
    ]);
    expect(r.error).toEqual({ code: 3, message: "execution reverted: never", data });
  });

  it("caps the search by what the sender can pay", async () => {
    // X holds 3000 wei: at 1 wei per gas it can fund 3000 gas, below a transfer's 21000
    const r = await rpc.call("eth_estimateGas", [{ from: XH, to: A0, gasPrice: "0x1" }]);
    expect(r.error).toMatchObject({ code: -32000, message: "gas required exceeds allowance (3000)" });
  });
});

describe("eth_createAccessList", () => {
  it("lists the slots a token transfer touches (sender and recipient excluded unless they hold slots)", async () => {
    const r = await rpc.ok("eth_createAccessList", [
      { from: A0, to: TK, input: bytesToHex(tokenTransferData(X, 1n)) },
      "latest",
    ]);
    const keys = [slotOf(ADDRESSES[0]!), slotOf(X)].sort();
    expect(r.accessList).toEqual([{ address: TK, storageKeys: keys }]);
    expect(r.error).toBeUndefined();
    const withList = await rpc.ok("eth_estimateGas", [
      { from: A0, to: TK, input: bytesToHex(tokenTransferData(X, 1n)), accessList: r.accessList },
    ]);
    expect(BigInt(withList)).toBeGreaterThanOrEqual(BigInt(r.gasUsed));
    const plain = await rpc.ok("eth_createAccessList", [{ from: A0, to: XH, value: "0xa" }, "latest"]);
    expect(plain).toEqual({ accessList: [], gasUsed: "0x5208" });
  });

  it("reports a reverting run in `error`", async () => {
    const tooMuch = bytesToHex(tokenTransferData(X, 10n ** 31n));
    const r = await rpc.ok("eth_createAccessList", [{ from: A0, to: TK, input: tooMuch }]);
    expect(r.error).toBe("execution reverted");
    expect(r.accessList).toEqual([{ address: TK, storageKeys: [slotOf(ADDRESSES[0]!)] }]);
  });
});
