/**
 * The execute pool end to end on a real worker thread, over a dev-genesis datadir: a build-mode task leaves
 * out each transaction the block rejects (with its index and TX_* code) and executes the rest, nothing of a
 * skipped transaction is written and its blob gas is not counted; the block it describes passes a
 * verify-mode task with the same state root, and verify mode still rejects a block holding an invalid one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainWorkers } from "../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../node/chain/chainGenerator.ts";
import { headerTemplate } from "../../node/chain/headerTemplate.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { transactionsRoot } from "../../node/core/block/block.ts";
import type { BlockHeader } from "../../node/core/block/header.ts";
import { GAS_PER_BLOB, MAX_BLOB_GAS_PER_BLOCK } from "../../node/core/chain/params.ts";
import { privateKeyToAddress } from "../../node/core/crypto/secp256k1.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import type { ExecTx, ExecutedBlock, ExecuteTask } from "../../node/core/wire/execute.ts";
import { ADDRESSES, type DevChain, devTx, KEYS, openDevChain } from "../utils/devChain.ts";

const pools = startChainPools();
let dev: DevChain;
beforeAll(async () => {
  dev = await openDevChain(pools);
});
afterAll(async () => {
  await dev.close();
  await pools.close();
});

const to = new Uint8Array(20).fill(0x42);
const unfundedKey = new Uint8Array(32).fill(9);

/** A 21000-gas EIP-1559 transfer from `key`, or an EIP-4844 one with `blob`. */
function signed(key: Uint8Array, blob?: { blobs: number; maxFeePerBlobGas: bigint }): Uint8Array {
  const base = {
    chainId: DEV_CHAIN_ID,
    nonce: 0n,
    maxPriorityFeePerGas: 1n,
    maxFeePerGas: 10n ** 11n,
    gasLimit: 21_000n,
    to,
    value: 1n,
    data: new Uint8Array(0),
    accessList: [],
  };
  const hashes = (n: number) =>
    Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i + 2).fill(1, 0, 1)); // version 0x01
  return encodeTransaction(
    signTransaction(
      blob === undefined
        ? { type: 2, ...base }
        : {
            type: 3,
            ...base,
            maxFeePerBlobGas: blob.maxFeePerBlobGas,
            blobVersionedHashes: hashes(blob.blobs),
          },
      key,
    ),
  );
}

async function recovered(workers: ChainWorkers, raws: readonly Uint8Array[]): Promise<ExecTx[]> {
  const items = await workers.recover(raws, DEV_CHAIN_ID);
  return items.map((r) => {
    if (!r.ok) throw new Error(`not recoverable: ${r.error.message}`);
    return { tx: r.tx, sender: r.sender, intrinsicGas: r.intrinsicGas };
  });
}

function task(
  header: BlockHeader,
  txs: ExecTx[],
  rawTxs: Uint8Array[],
  mode: "build" | "verify",
): ExecuteTask {
  const parent = dev.chain.head().header;
  return {
    datadir: dev.storage.datadir,
    chainId: DEV_CHAIN_ID,
    header,
    parentStateRoot: parent.stateRoot,
    txs,
    rawTxs,
    ommerCount: 0,
    withdrawals: [],
    overlay: { accounts: [], storage: [] },
    ancestorHashes: [],
    mode,
  };
}

describe("execute pool: build mode skips invalid transactions itself", () => {
  const raws = [
    devTx(0, 0n, to, 1n), // 0: ok
    devTx(1, 5n, to, 1n), // 1: nonce gap
    signed(KEYS[4]!, { blobs: 1, maxFeePerBlobGas: 0n }), // 2: blob fee cap below the blob base fee (its blob gas must not count)
    signed(KEYS[2]!, { blobs: 6, maxFeePerBlobGas: 1n }), // 3: ok, fills the block's blob gas
    signed(KEYS[3]!, { blobs: 1, maxFeePerBlobGas: 1n }), // 4: no blob gas left
    devTx(5, 0n, to, 1n), // 5: ok
    signed(unfundedKey), // 6: unfunded
    devTx(5, 1n, to, 1n), // 7: ok
  ];
  let template: BlockHeader;
  let txs: ExecTx[];
  let built: ExecutedBlock;

  it("executes the valid ones and reports each skip with its index and code", async () => {
    const head = dev.chain.head();
    template = headerTemplate(head.header, head.hash, {
      coinbase: new Uint8Array(20).fill(0x11),
      timestamp: head.header.timestamp + 12n,
      mixHash: new Uint8Array(32),
      withdrawals: true,
      parentBeaconBlockRoot: new Uint8Array(32),
    });
    txs = await recovered(pools, raws);
    const r = await pools.execute(task(template, txs, raws, "build"));
    if (!r.ok) throw new Error(r.error.message);
    built = r;
    expect(r.skipped.map((s) => [s.index, s.code])).toEqual([
      [1, "TX_NONCE_TOO_HIGH"],
      [2, "TX_BLOB_FEE_CAP_TOO_LOW"],
      [4, "TX_BLOB_GAS_EXCEEDS_BLOCK"],
      [6, "TX_INSUFFICIENT_FUNDS"],
    ]);
    const kept = [raws[0]!, raws[3]!, raws[5]!, raws[7]!];
    expect(r.receipts).toHaveLength(kept.length);
    expect(bytesToHex(r.transactionsRoot)).toBe(bytesToHex(transactionsRoot(kept)));
    expect(r.gasUsed).toBe(4n * 21_000n);
    expect(r.receipts.at(-1)!.cumulativeGasUsed).toBe(4n * 21_000n);
    expect(r.blobGasUsed).toBe(6n * GAS_PER_BLOB);
    expect(r.blobGasUsed).toBe(MAX_BLOB_GAS_PER_BLOCK);
    // nothing of a skipped transaction was written: its sender's account is untouched
    const written = new Set(r.writes.map((w) => bytesToHex(w.address)));
    for (const a of [ADDRESSES[1]!, ADDRESSES[4]!, ADDRESSES[3]!, privateKeyToAddress(unfundedKey)])
      expect(written.has(bytesToHex(a))).toBe(false);
    for (const a of [ADDRESSES[0]!, ADDRESSES[2]!, ADDRESSES[5]!])
      expect(written.has(bytesToHex(a))).toBe(true);
  });

  it("the built block verifies with the same state root; verify mode rejects a block with an invalid tx", async () => {
    const kept = [0, 3, 5, 7];
    const header: BlockHeader = {
      ...template,
      stateRoot: built.stateRoot,
      transactionsRoot: built.transactionsRoot,
      receiptsRoot: built.receiptsRoot,
      logsBloom: built.logsBloom,
      gasUsed: built.gasUsed,
      withdrawalsRoot: built.withdrawalsRoot!,
      blobGasUsed: built.blobGasUsed,
    };
    const ok = await pools.execute(
      task(
        header,
        kept.map((i) => txs[i]!),
        kept.map((i) => raws[i]!),
        "verify",
      ),
    );
    if (!ok.ok) throw new Error(ok.error.message);
    expect(ok.skipped).toEqual([]);
    expect(bytesToHex(ok.stateRoot)).toBe(bytesToHex(built.stateRoot));

    const all = await pools.execute(
      task({ ...header, transactionsRoot: transactionsRoot(raws) }, txs, raws, "verify"),
    );
    expect(all.ok).toBe(false);
    if (all.ok) return;
    expect(all.error.code).toBe("BLOCK_INVALID_TX");
    expect(all.error.meta).toMatchObject({ index: 1, cause: "TX_NONCE_TOO_HIGH" });
  });
});
