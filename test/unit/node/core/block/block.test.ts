/** Block and body codec: raw EIP-2718 transactions in both item forms, withdrawals, strict decoding. */
import { describe, expect, it } from "vitest";
import {
  type Block,
  decodeBlock,
  decodeBody,
  encodeBlock,
  encodeBody,
  ommersHash,
  transactionsRoot,
} from "../../../../../node/core/block/block.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH } from "../../../../../node/core/block/header.ts";
import { withdrawalsRoot } from "../../../../../node/core/block/withdrawal.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { decodeRlp, encodeRlp, type RlpItem } from "../../../../../node/core/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../../../../../node/core/trie/trieRoot.ts";

const header: BlockHeader = {
  parentHash: new Uint8Array(32).fill(1),
  ommersHash: EMPTY_OMMERS_HASH,
  coinbase: new Uint8Array(20).fill(2),
  stateRoot: new Uint8Array(32).fill(3),
  transactionsRoot: EMPTY_TRIE_ROOT,
  receiptsRoot: EMPTY_TRIE_ROOT,
  logsBloom: new Uint8Array(256),
  difficulty: 0n,
  number: 7n,
  gasLimit: 30_000_000n,
  gasUsed: 0n,
  timestamp: 1_700_000_000n,
  extraData: Uint8Array.of(1, 2, 3),
  mixHash: new Uint8Array(32).fill(4),
  nonce: new Uint8Array(8),
  baseFeePerGas: 7n,
  withdrawalsRoot: EMPTY_TRIE_ROOT,
};

/** A legacy transaction is an RLP list; a typed one is type byte ‖ RLP payload (contents irrelevant here). */
const legacyTx = encodeRlp([1n, 2n, 21000n, new Uint8Array(20), 5n, new Uint8Array(0), 27n, 1n, 2n]);
const typedTx = Uint8Array.of(
  2,
  ...encodeRlp([1n, 0n, 1n, 2n, 21000n, new Uint8Array(20), 0n, new Uint8Array(0), []]),
);

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isFastEvmError(thrown, code), String(thrown)).toBe(true);
}

describe("block codec", () => {
  const block: Block = {
    header,
    transactions: [legacyTx, typedTx],
    ommers: [],
    withdrawals: [
      { index: 1n, validatorIndex: 2n, address: new Uint8Array(20).fill(9), amount: 32_000_000_000n },
    ],
  };

  it("round-trips a block with legacy and typed transactions and withdrawals", () => {
    const enc = encodeBlock(block);
    expect(decodeBlock(enc)).toEqual(block);
    // In the block's RLP the legacy transaction is a list item and the typed one a byte string.
    const txs = (decodeRlp(enc) as RlpItem[])[1] as RlpItem[];
    expect(Array.isArray(txs[0])).toBe(true);
    expect(txs[1]).toEqual(typedTx);
  });

  it("round-trips bodies", () => {
    expect(decodeBody(encodeBody(block))).toEqual({
      transactions: block.transactions,
      ommers: [],
      withdrawals: block.withdrawals,
    });
    expect(decodeBody(encodeBody({ transactions: [], ommers: [header] }))).toEqual({
      transactions: [],
      ommers: [header],
    });
  });

  it("requires withdrawals exactly when the header has withdrawalsRoot", () => {
    const { withdrawals: _w, ...noWithdrawals } = block;
    expectCode(() => decodeBlock(encodeBlock(noWithdrawals)), ErrorCode.BLOCK_DECODE);
    const { withdrawalsRoot: _r, ...londonHeader } = header;
    expectCode(() => decodeBlock(encodeBlock({ ...block, header: londonHeader })), ErrorCode.BLOCK_DECODE);
  });

  it("rejects transaction items that are not EIP-2718 envelopes", () => {
    const f = decodeRlp(encodeBlock(block)) as RlpItem[];
    const bad = (tx: Uint8Array) => encodeRlp([f[0]!, [tx], f[2]!, f[3]!] as never);
    expectCode(() => decodeBlock(bad(Uint8Array.of(0x80, 1))), ErrorCode.BLOCK_DECODE);
    expectCode(() => decodeBlock(bad(new Uint8Array(0))), ErrorCode.BLOCK_DECODE);
    expectCode(() => decodeBlock(encodeRlp([f[0]!, f[1]!] as never)), ErrorCode.BLOCK_DECODE);
    expectCode(() => decodeBlock(Uint8Array.of(0xc0)), ErrorCode.BLOCK_DECODE);
  });

  it("computes the empty roots", () => {
    expect(transactionsRoot([])).toEqual(EMPTY_TRIE_ROOT);
    expect(withdrawalsRoot([])).toEqual(EMPTY_TRIE_ROOT);
    expect(ommersHash([])).toEqual(EMPTY_OMMERS_HASH);
  });
});
