/**
 * viem as a real client against a real devnet: one `fastevm node --validator` process laid out as
 * `fastevm devnet` does (one validator is enough: every call here goes to one node, and a one-member
 * committee commits on its own), found through its devnet.json as tools find it, over HTTP and WebSocket.
 * Chain id, balances and nonces; a transfer signed with a dev key and its receipt; a contract compiled by
 * solc from the source below, deployed, called, its gas estimated; reverted calls whose reasons viem
 * decodes (Error(string) and a custom error); events read by getLogs, by a filter (eth_newFilter /
 * eth_getFilterChanges) and by a WebSocket subscription (watchContractEvent), blocks by watchBlocks over
 * newHeads; txpool_status while transactions are pending (one below the base fee, one behind a nonce gap).
 * Every wait polls with a deadline. DEVNET_TEST=0 skips it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  type Abi,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  parseEther,
  type Transport,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetLayout } from "../../node/cli/devnetSetup.ts";
import { DEVNET_GENESIS_PATH } from "../../node/core/chain/devnet.ts";
import { DevnetProcs } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Counter {
  uint256 public count;
  event Incremented(address indexed by, uint256 amount, uint256 count);
  error TooMuch(uint256 amount, uint256 limit);
  function increment(uint256 amount) external {
    require(amount > 0, "amount is zero");
    if (amount > 100) revert TooMuch(amount, 100);
    count += amount;
    emit Incremented(msg.sender, amount, count);
  }
}`;

function compile(): { abi: Abi; bytecode: Hex; runtime: Hex } {
  const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "Counter.sol": { content: SOURCE } },
        settings: {
          evmVersion: "cancun",
          outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
        },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<
      string,
      Record<
        string,
        { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
      >
    >;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["Counter.sol"]!.Counter!;
  return {
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}`,
    runtime: `0x${c.evm.deployedBytecode.object}`,
  };
}

/** Resolves with `probe()`'s first non-undefined value, polling until `ms` have passed (then throws). */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A decoded log's arguments (the ABI is solc's output, so its types are not known statically). */
const argsOf = (l: unknown): unknown => (l as { args?: unknown }).args;

const RECIPIENT = "0x1111111111111111111111111111111111111111";
const dir = tempDir("fastevm-viem-");
let net: DevnetProcs;
let layout: DevnetLayout;
let chain: Chain;
let rpc: PublicClient<Transport, Chain>;
let ws: PublicClient<Transport, Chain>;
const wallet = (i: number) =>
  createWalletClient({
    chain,
    account: privateKeyToAccount(layout.accounts[i]!.privateKey as Hex),
    transport: http(layout.nodes[0]!.rpc),
    pollingInterval: 100,
  });
/** A method outside viem's typed schema (txpool_*). */
const raw = <T>(method: string, params: unknown[] = []) =>
  (rpc.request as (a: { method: string; params: unknown[] }) => Promise<T>)({ method, params });
const receipt = (hash: Hex) => rpc.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 20_000 });

describe.skipIf(process.env.DEVNET_TEST === "0")("viem against a running devnet", () => {
  const { abi, bytecode, runtime } = compile();
  let counter: Hex;

  beforeAll(async () => {
    net = await DevnetProcs.prepare(dir.path, 1);
    await net.launch(0);
    // what a tool does: read the endpoints and keys from devnet.json
    layout = JSON.parse(readFileSync(join(dir.path, "devnet.json"), "utf8")) as DevnetLayout;
    expect(layout.nodes[0]!.rpc).toBe(net.rpcUrl(0));
    chain = defineChain({
      id: layout.chainId,
      name: "FastEVM devnet",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [layout.nodes[0]!.rpc], webSocket: [layout.nodes[0]!.ws] } },
    });
    rpc = createPublicClient({ chain, transport: http(layout.nodes[0]!.rpc), pollingInterval: 100 });
    ws = createPublicClient({
      chain,
      transport: webSocket(layout.nodes[0]!.ws, { reconnect: false }),
      pollingInterval: 100,
    });
  }, 60_000);

  afterAll(async () => {
    if (ws !== undefined) (await ws.transport.getRpcClient()).close();
    await net?.stopAll();
    dir.remove();
  });

  it("chain id, balances and nonces, over HTTP and WebSocket", async () => {
    expect(await rpc.getChainId()).toBe(20256);
    expect(await ws.getChainId()).toBe(20256);
    const alloc = (
      JSON.parse(readFileSync(DEVNET_GENESIS_PATH, "utf8")) as { alloc: Record<string, { balance: string }> }
    ).alloc;
    for (const a of layout.accounts) {
      const genesis = BigInt(alloc[a.address.toLowerCase()]!.balance);
      expect(genesis).toBeGreaterThan(0n);
      expect(await rpc.getBalance({ address: a.address as Hex })).toBe(genesis);
      expect(await ws.getBalance({ address: a.address as Hex })).toBe(genesis);
      expect(await rpc.getTransactionCount({ address: a.address as Hex })).toBe(0);
      expect(await rpc.getTransactionCount({ address: a.address as Hex, blockTag: "pending" })).toBe(0);
    }
    expect(await rpc.getBalance({ address: RECIPIENT })).toBe(0n);
  });

  it("a transfer signed with a dev key, and its receipt", async () => {
    const w = wallet(0);
    const from = w.account.address;
    const before = await rpc.getBalance({ address: from });
    const value = parseEther("1.5");
    const hash = await w.sendTransaction({ to: RECIPIENT, value });
    const r = await receipt(hash);
    expect(r).toMatchObject({ status: "success", transactionHash: hash, gasUsed: 21_000n, type: "eip1559" });
    expect(r.from).toBe(from.toLowerCase());
    expect(r.to).toBe(RECIPIENT);
    expect(r.contractAddress).toBeNull();
    expect(r.blockNumber).toBeGreaterThan(0n);
    const tx = await rpc.getTransaction({ hash });
    expect(tx).toMatchObject({ from: from.toLowerCase(), to: RECIPIENT, value, nonce: 0, chainId: 20256 });
    expect(tx.blockHash).toBe(r.blockHash);
    expect(await rpc.getBalance({ address: RECIPIENT })).toBe(value);
    expect(await rpc.getBalance({ address: from })).toBe(before - value - r.gasUsed * r.effectiveGasPrice);
    expect(await rpc.getTransactionCount({ address: from })).toBe(1);
    const block = await rpc.getBlock({ blockNumber: r.blockNumber });
    expect(block.transactions).toContain(hash);
    expect(r.effectiveGasPrice).toBeGreaterThanOrEqual(block.baseFeePerGas!);
  });

  it("deploys a contract compiled by solc, calls it and estimates its gas", async () => {
    const w = wallet(1);
    const r = await receipt(await w.deployContract({ abi, bytecode }));
    expect(r.status).toBe("success");
    expect(r.contractAddress).not.toBeNull();
    counter = r.contractAddress!;
    expect(await rpc.getCode({ address: counter })).toBe(runtime);
    expect(await rpc.readContract({ address: counter, abi, functionName: "count" })).toBe(0n);

    const gas = await rpc.estimateContractGas({
      address: counter,
      abi,
      functionName: "increment",
      args: [5n],
      account: w.account,
    });
    expect(gas).toBeGreaterThan(21_000n);
    const r2 = await receipt(
      await w.writeContract({ address: counter, abi, functionName: "increment", args: [5n], gas }),
    );
    expect(r2.status).toBe("success");
    expect(r2.gasUsed).toBeLessThanOrEqual(gas);
    expect(await rpc.readContract({ address: counter, abi, functionName: "count" })).toBe(5n);
    expect(await ws.readContract({ address: counter, abi, functionName: "count" })).toBe(5n);
  });

  it("a reverted call: viem decodes the revert reason and the custom error", async () => {
    const account = wallet(1).account;
    const reverted = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(BaseError);
      const rev = (e as BaseError).walk((x) => x instanceof ContractFunctionRevertedError);
      expect(rev, String(e)).toBeInstanceOf(ContractFunctionRevertedError);
      return rev as ContractFunctionRevertedError;
    };
    const call = { address: counter, abi, functionName: "increment", account } as const;
    for (const client of [rpc, ws]) {
      expect((await reverted(client.simulateContract({ ...call, args: [0n] }))).reason).toBe(
        "amount is zero",
      );
      const custom = await reverted(client.simulateContract({ ...call, args: [101n] }));
      expect(custom.data).toMatchObject({ errorName: "TooMuch", args: [101n, 100n] });
    }
    expect((await reverted(rpc.estimateContractGas({ ...call, args: [0n] }))).reason).toBe("amount is zero");
  });

  it("events by getLogs, by a filter and by a WebSocket subscription; blocks by watchBlocks (newHeads)", async () => {
    const w = wallet(1);
    const filter = await rpc.createContractEventFilter({ address: counter, abi, eventName: "Incremented" });
    const pushed: { transactionHash: Hex; logIndex: number; args: unknown }[] = [];
    const heads: { number: bigint; hash: Hex }[] = [];
    const errors: Error[] = [];
    const unwatchLogs = ws.watchContractEvent({
      address: counter,
      abi,
      eventName: "Incremented",
      onLogs: (logs) => {
        for (const l of logs)
          pushed.push({ transactionHash: l.transactionHash!, logIndex: l.logIndex!, args: argsOf(l) });
      },
      onError: (e) => errors.push(e),
    });
    const unwatchBlocks = ws.watchBlocks({
      onBlock: (b) => heads.push({ number: b.number!, hash: b.hash! }),
      onError: (e) => errors.push(e),
    });
    const changes: { transactionHash: Hex; logIndex: number; args: unknown }[] = [];
    const mined: Hex[] = [];
    try {
      // the subscriptions are made asynchronously: send increments until one is pushed (normally the first)
      await until(
        "a pushed log and head for one of our transactions",
        async () => {
          const r = await receipt(
            await w.writeContract({ address: counter, abi, functionName: "increment", args: [7n] }),
          );
          expect(r.status).toBe("success");
          mined.push(r.transactionHash);
          const got = await until(
            "the pushes for this transaction",
            () =>
              pushed.some((p) => p.transactionHash === r.transactionHash) &&
              heads.some((h) => h.hash === r.blockHash)
                ? true
                : undefined,
            3_000,
          ).catch(() => undefined);
          return got;
        },
        30_000,
      );
      expect(errors).toEqual([]);
      // the filter holds every increment since it was made, each exactly once across polls
      await until("the filter's changes", async () => {
        for (const l of (await rpc.getFilterChanges({ filter })) as {
          transactionHash: Hex;
          logIndex: number;
          args: unknown;
        }[])
          changes.push({ transactionHash: l.transactionHash, logIndex: l.logIndex, args: l.args });
        return changes.length >= mined.length ? true : undefined;
      });
    } finally {
      unwatchLogs();
      unwatchBlocks();
    }
    const logs = await rpc.getContractEvents({
      address: counter,
      abi,
      eventName: "Incremented",
      fromBlock: 0n,
    });
    const all = logs.map((l) => ({ transactionHash: l.transactionHash, logIndex: l.logIndex, args: l.args }));
    expect(all).toHaveLength(1 + mined.length);
    let sum = 0n;
    all.forEach((l, i) => {
      sum += i === 0 ? 5n : 7n;
      expect(l.args).toEqual({ by: w.account.address, amount: i === 0 ? 5n : 7n, count: sum });
    });
    expect(all.slice(1).map((l) => l.transactionHash)).toEqual(mined);
    expect(changes).toEqual(all.slice(1));
    expect(await rpc.getLogs({ address: counter, fromBlock: 0n })).toHaveLength(all.length);
    // what the WebSocket pushed is what getLogs reads (the subscription may have missed the first sends)
    expect(pushed.length).toBeGreaterThan(0);
    for (const p of pushed) expect(all).toContainEqual(p);
    // each head pushed is the block of that number
    for (const h of heads) expect((await rpc.getBlock({ blockNumber: h.number })).hash).toBe(h.hash);
    expect(await rpc.uninstallFilter({ filter })).toBe(true);
  });

  it("txpool_status while transactions are pending, then empty once they are mined", async () => {
    const stuck = wallet(5);
    const gapped = wallet(6);
    const base = (await rpc.getBlock()).baseFeePerGas!;
    expect(base).toBeGreaterThan(1n);
    // pending but not minable: its fee cap (1 wei) is below the base fee
    const low = await stuck.sendTransaction({
      to: RECIPIENT,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    });
    // queued: nonce 1 while the account's next nonce is 0
    const later = await gapped.sendTransaction({ to: RECIPIENT, value: 2n, nonce: 1 });
    expect(await raw("txpool_status")).toEqual({ pending: "0x1", queued: "0x1" });
    expect((await rpc.getTransaction({ hash: low })).blockNumber).toBeNull();
    expect(await rpc.getTransactionCount({ address: stuck.account.address, blockTag: "pending" })).toBe(1);
    expect(await rpc.getTransactionCount({ address: stuck.account.address })).toBe(0);

    // a replacement with a real fee and the missing nonce: all three are mined, the pool empties
    const replaced = await stuck.sendTransaction({ to: RECIPIENT, value: 1n, nonce: 0 });
    const first = await gapped.sendTransaction({ to: RECIPIENT, value: 2n, nonce: 0 });
    for (const h of [replaced, first, later]) expect((await receipt(h)).status).toBe("success");
    await until("an empty pool", async () => {
      const s = await raw<{ pending: string; queued: string }>("txpool_status");
      return s.pending === "0x0" && s.queued === "0x0" ? s : undefined;
    });
    await expect(rpc.getTransaction({ hash: low })).rejects.toThrow(/could not be found/);
    expect(await rpc.getTransactionCount({ address: gapped.account.address })).toBe(2);
  });
});
