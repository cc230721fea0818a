/**
 * Readers for ethereum/tests BlockchainTests: the fixture header JSON (geth's field names: `uncleHash`,
 * `transactionsTrie`, `receiptTrie`, `bloom`) as a `BlockHeader`, and a one-pass load of every test entry.
 */
import type { BlockHeader } from "../../node/core/block/header.ts";
import { hexToBytes, parseLooseBigint } from "../../node/core/hex.ts";
import { fixturePath, listJsonFiles, readJson } from "./fixtures.ts";

export type HeaderJson = Record<string, string>;

export interface BlockJson {
  rlp: string;
  blockHeader?: HeaderJson;
  expectException?: string;
  [k: string]: unknown;
}

export interface BlockchainTestJson {
  network: string;
  genesisBlockHeader: HeaderJson;
  genesisRLP?: string;
  pre: Record<string, unknown>;
  blocks: BlockJson[];
}

function need(h: HeaderJson, k: string): string {
  const v = h[k];
  if (v === undefined) throw new Error(`fixture header lacks ${k}`);
  return v;
}

const bytes = (h: HeaderJson, k: string): Uint8Array => hexToBytes(need(h, k));
const int = (h: HeaderJson, k: string): bigint => parseLooseBigint(need(h, k));

export function headerFromFixture(h: HeaderJson): BlockHeader {
  let header: BlockHeader = {
    parentHash: bytes(h, "parentHash"),
    ommersHash: bytes(h, "uncleHash"),
    coinbase: bytes(h, "coinbase"),
    stateRoot: bytes(h, "stateRoot"),
    transactionsRoot: bytes(h, "transactionsTrie"),
    receiptsRoot: bytes(h, "receiptTrie"),
    logsBloom: bytes(h, "bloom"),
    difficulty: int(h, "difficulty"),
    number: int(h, "number"),
    gasLimit: int(h, "gasLimit"),
    gasUsed: int(h, "gasUsed"),
    timestamp: int(h, "timestamp"),
    extraData: bytes(h, "extraData"),
    mixHash: bytes(h, "mixHash"),
    nonce: bytes(h, "nonce"),
  };
  if (h.baseFeePerGas !== undefined) header = { ...header, baseFeePerGas: int(h, "baseFeePerGas") };
  if (h.withdrawalsRoot !== undefined) header = { ...header, withdrawalsRoot: bytes(h, "withdrawalsRoot") };
  if (h.blobGasUsed !== undefined) {
    header = {
      ...header,
      blobGasUsed: int(h, "blobGasUsed"),
      excessBlobGas: int(h, "excessBlobGas"),
      parentBeaconBlockRoot: bytes(h, "parentBeaconBlockRoot"),
    };
  }
  return header;
}

let cache: { name: string; test: BlockchainTestJson }[] | undefined;

/** Every BlockchainTests entry (file:name), parsed once per test process. */
export function loadBlockchainTests(): { name: string; test: BlockchainTestJson }[] {
  if (cache !== undefined) return cache;
  const dir = fixturePath("BlockchainTests");
  cache = listJsonFiles(dir).flatMap((f) =>
    Object.entries(readJson<Record<string, BlockchainTestJson>>(f)).map(([name, test]) => ({
      name: `${f.slice(dir.length + 1)}:${name}`,
      test,
    })),
  );
  return cache;
}
