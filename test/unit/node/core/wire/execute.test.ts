/**
 * The execute task's wire form (node/core/wire/execute.ts): raw transactions with packed senders and
 * intrinsic gas, decoded again in the worker, give back the task the chain built, field for field.
 */
import { deserialize, serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { decodeTransaction } from "../../../../../node/core/tx/decode.ts";
import {
  type ExecTx,
  type ExecuteTask,
  fromWireTask,
  toWireTask,
} from "../../../../../node/core/wire/execute.ts";
import { ADDRESSES, devTx } from "../../../../utils/devChain.ts";

function task(rawTxs: Uint8Array[]): ExecuteTask {
  const txs: ExecTx[] = rawTxs.map((raw, i) => ({
    tx: decodeTransaction(raw),
    sender: ADDRESSES[i % ADDRESSES.length]!,
    intrinsicGas: 21_000 + i * 16,
  }));
  return {
    datadir: "/nowhere",
    chainId: 20256n,
    header: {} as ExecuteTask["header"],
    parentStateRoot: new Uint8Array(32).fill(7),
    txs,
    rawTxs,
    ommerCount: 0,
    overlay: { accounts: [], storage: [] },
    ancestorHashes: [],
    mode: "verify",
  };
}

describe("the execute task's wire form", () => {
  it("round-trips through a structured clone: same transactions, senders and intrinsic gas", () => {
    const raws = Array.from({ length: 40 }, (_, i) =>
      devTx(i % 5, BigInt(i), ADDRESSES[(i + 1) % ADDRESSES.length]!, BigInt(i + 1), i % 3 === 0),
    );
    const t = task(raws);
    const wire = toWireTask(t);
    expect("txs" in wire).toBe(false);
    expect(wire.senders.length).toBe(20 * raws.length);
    const back = fromWireTask(deserialize(serialize(wire)));
    expect(back.txs.length).toBe(t.txs.length);
    back.txs.forEach((x, i) => {
      expect(x.tx).toEqual(t.txs[i]!.tx);
      expect(x.sender).toEqual(t.txs[i]!.sender);
      expect(x.intrinsicGas).toBe(t.txs[i]!.intrinsicGas);
    });
    const { txs: _a, ...restIn } = t;
    const { txs: _b, ...restOut } = back;
    expect(restOut).toEqual(restIn);
  });

  it("an empty block crosses too", () => {
    expect(fromWireTask(toWireTask(task([]))).txs).toEqual([]);
  });

  it("refuses a task whose transactions and encodings differ in number (INTERNAL)", () => {
    const t = task([devTx(0, 0n, ADDRESSES[1]!, 1n)]);
    expect(() => toWireTask({ ...t, rawTxs: [] })).toThrow(expect.objectContaining({ code: "INTERNAL" }));
  });
});
