/**
 * Reliability row 42 against a real `fastevm node --http` process: an unprotected (pre-EIP-155, v = 27/28)
 * legacy transaction sent over eth_sendRawTransaction is refused with geth's error (-32000, "only
 * replay-protected (EIP-155) transactions allowed over RPC") while the same sender's EIP-155 legacy
 * transaction is admitted; restarted with `--rpc.allow-unprotected-txs`, the node admits it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_CHAIN_ID, devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import { type NodeProcess, rpcPost, startNodeProcess } from "../utils/nodeProcess.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-unprotected-");
const datadir = join(dir.path, "node");
const keys = devKeys(2);
let node: NodeProcess | undefined;

beforeAll(async () => {
  const genesis = join(dir.path, "genesis.json");
  writeFileSync(genesis, devGenesisJson(keys));
  const log = console.log;
  console.log = () => {};
  try {
    await initCommand.run(["--datadir", datadir, genesis]);
  } finally {
    console.log = log;
  }
}, 60_000);
afterAll(async () => {
  await node?.stop();
  dir.remove();
});

/** A signed legacy transfer from dev key `from`: EIP-155 with the chain id, or unprotected with `null`. */
const legacy = (from: number, nonce: bigint, chainId: bigint | null) =>
  bytesToHex(
    encodeTransaction(
      signTransaction(
        {
          type: 0,
          chainId,
          nonce,
          gasPrice: 10_000_000_000n,
          gasLimit: 21_000n,
          to: new Uint8Array(20).fill(0x42),
          value: 1n,
          data: new Uint8Array(0),
        },
        keys[from]!,
      ),
    ),
  );

const send = (port: number, raw: string) =>
  rpcPost(port, { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] }) as Promise<{
    result?: string;
    error?: { code: number; message: string };
  }>;
const status = async (port: number) =>
  (
    (await rpcPost(port, { jsonrpc: "2.0", id: 1, method: "txpool_status", params: [] })) as {
      result: unknown;
    }
  ).result;

describe("unprotected transactions over eth_sendRawTransaction (row 42)", () => {
  it("refused by default, admitted with --rpc.allow-unprotected-txs", async () => {
    const unprotected = legacy(0, 0n, null);
    const args = ["--http", "--http.port", "0", "--txpool.nojournal"];
    node = await startNodeProcess(datadir, args);
    const refused = await send(node.http!, unprotected);
    expect(refused.result).toBeUndefined();
    expect(refused.error).toMatchObject({
      code: -32000,
      message: "only replay-protected (EIP-155) transactions allowed over RPC",
    });
    // a replay-protected legacy transaction of another sender is admitted: the refusal is about v alone
    const protectedTx = await send(node.http!, legacy(1, 0n, DEV_CHAIN_ID));
    expect(protectedTx.result).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await status(node.http!)).toEqual({ pending: "0x1", queued: "0x0" });
    // the node keeps serving after the refusal
    expect(await send(node.http!, unprotected)).toMatchObject({ error: { code: -32000 } });
    await node.stop();

    node = await startNodeProcess(datadir, [...args, "--rpc.allow-unprotected-txs"]);
    const admitted = await send(node.http!, unprotected);
    expect(admitted.result).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await status(node.http!)).toEqual({ pending: "0x1", queued: "0x0" });
    const tx = (await rpcPost(node.http!, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getTransactionByHash",
      params: [admitted.result],
    })) as { result: { v: string; chainId?: string; blockHash: null } };
    expect(["0x1b", "0x1c"]).toContain(tx.result.v);
    expect(tx.result.chainId).toBeUndefined();
    expect(tx.result.blockHash).toBeNull();
    await node.stop();
    node = undefined;
  }, 120_000);
});
