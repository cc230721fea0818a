/**
 * The `eth_` methods the Engine API port serves beside `engine_` (common.md): those that read the chain
 * store at the forkchoice head (eth_getLogs in ethLogs.ts). eth_call and eth_sendRawTransaction need the
 * public RPC / txpool issues and answer "method not found" until then.
 */
import type { BlockHeader } from "../../core/block/header.ts";
import { headerHash } from "../../core/block/header.ts";
import { keccak256 } from "../../core/hash.ts";
import { bigintToQuantity, bytesToHex, hexToBytes, quantityToBigint } from "../../core/hex.ts";
import { META_KEYS } from "../../storage/tables.ts";
import type { RpcHandler } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import { getLogs } from "./ethLogs.ts";
import { data32, param, parseField } from "./validate.ts";

function headerJson(h: BlockHeader, txs: readonly Uint8Array[]): Record<string, unknown> {
  return {
    hash: bytesToHex(headerHash(h)),
    parentHash: bytesToHex(h.parentHash),
    sha3Uncles: bytesToHex(h.ommersHash),
    miner: bytesToHex(h.coinbase),
    stateRoot: bytesToHex(h.stateRoot),
    transactionsRoot: bytesToHex(h.transactionsRoot),
    receiptsRoot: bytesToHex(h.receiptsRoot),
    logsBloom: bytesToHex(h.logsBloom),
    difficulty: bigintToQuantity(h.difficulty),
    number: bigintToQuantity(h.number),
    gasLimit: bigintToQuantity(h.gasLimit),
    gasUsed: bigintToQuantity(h.gasUsed),
    timestamp: bigintToQuantity(h.timestamp),
    extraData: bytesToHex(h.extraData),
    mixHash: bytesToHex(h.mixHash),
    nonce: bytesToHex(h.nonce),
    ...(h.baseFeePerGas === undefined ? {} : { baseFeePerGas: bigintToQuantity(h.baseFeePerGas) }),
    ...(h.withdrawalsRoot === undefined ? {} : { withdrawalsRoot: bytesToHex(h.withdrawalsRoot) }),
    ...(h.blobGasUsed === undefined ? {} : { blobGasUsed: bigintToQuantity(h.blobGasUsed) }),
    ...(h.excessBlobGas === undefined ? {} : { excessBlobGas: bigintToQuantity(h.excessBlobGas) }),
    ...(h.parentBeaconBlockRoot === undefined
      ? {}
      : { parentBeaconBlockRoot: bytesToHex(h.parentBeaconBlockRoot) }),
    uncles: [],
    transactions: txs.map((t) => bytesToHex(keccak256(t))),
  };
}

function blockJson(engine: EngineState, hash: Uint8Array | undefined): unknown {
  if (hash === undefined) return null;
  const b = engine.chain.store.block(hash);
  return b === undefined ? null : headerJson(b.header, b.transactions);
}

function blockNumberParam(engine: EngineState, tag: unknown): bigint {
  const store = engine.chain.store;
  const head = store.head().header.number;
  if (tag === "safe" || tag === "finalized") {
    // The blocks the last forkchoiceUpdated named (genesis until one did).
    const hash = store.meta(tag === "safe" ? META_KEYS.safeHash : META_KEYS.finalizedHash);
    return (hash === undefined ? undefined : store.header(hash)?.number) ?? 0n;
  }
  if (tag === "latest" || tag === "pending" || tag === undefined) return head;
  if (tag === "earliest") return 0n;
  return parseField("block", RpcCode.INVALID_PARAMS, () => quantityToBigint(tag as string, 64));
}

export function ethMethods(engine: EngineState): [string, RpcHandler][] {
  const store = engine.chain.store;
  return [
    ["eth_chainId", () => bigintToQuantity(engine.chain.config.chainId)],
    ["eth_blockNumber", () => bigintToQuantity(store.head().header.number)],
    ["eth_syncing", () => false],
    ["eth_getLogs", (p) => getLogs(store, p)],
    ["eth_getBlockByHash", (p) => blockJson(engine, data32(param(p, 0, "blockHash"), "blockHash"))],
    [
      "eth_getBlockByNumber",
      (p) => blockJson(engine, store.canonicalHash(blockNumberParam(engine, param(p, 0, "block")))),
    ],
    [
      "eth_getCode",
      (p) => {
        const address = parseField("address", RpcCode.INVALID_PARAMS, () =>
          hexToBytes(param(p, 0, "address") as string, 20),
        );
        const n = blockNumberParam(engine, p[1]);
        if (n !== store.head().header.number)
          throw new RpcError(RpcCode.SERVER_ERROR, "only the head state is served");
        const account = store.account(address);
        if (account === undefined) return "0x";
        return bytesToHex(store.code(account.codeHash) ?? new Uint8Array(0));
      },
    ],
  ];
}
