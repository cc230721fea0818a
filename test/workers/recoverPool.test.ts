/**
 * The recover pool end to end on real worker threads: signed transactions of every type come back decoded,
 * with the right hash and sender, in input order; bad ones get their own typed rejection.
 */

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { afterAll, describe, expect, it } from "vitest";
import { keccak256 } from "../../node/core/hash.ts";
import {
  encodeTransaction,
  signTransaction,
  transactionHash,
  type UnsignedTransaction,
} from "../../node/core/tx/index.ts";
import { RecoverPool } from "../../node/pool/recoverPool.ts";

const key = new Uint8Array(32).fill(7);
const address = keccak256(secp256k1.getPublicKey(key, false).subarray(1)).subarray(12);

function unsigned(i: number): UnsignedTransaction {
  const to = new Uint8Array(20).fill(i & 0xff);
  switch (i % 3) {
    case 0:
      return {
        type: 0,
        nonce: BigInt(i),
        gasPrice: 10n,
        gasLimit: 21000n,
        to,
        value: 1n,
        data: new Uint8Array(),
        chainId: 1n,
      };
    case 1:
      return {
        type: 1,
        chainId: 1n,
        nonce: BigInt(i),
        gasPrice: 10n,
        gasLimit: 30000n,
        to,
        value: 0n,
        data: new Uint8Array([1]),
        accessList: [],
      };
    default:
      return {
        type: 2,
        chainId: 1n,
        nonce: BigInt(i),
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n,
        gasLimit: 21000n,
        to,
        value: 5n,
        data: new Uint8Array(),
        accessList: [],
      };
  }
}

const pool = new RecoverPool({ threads: 2 });
afterAll(() => pool.close());

describe("RecoverPool", () => {
  it("recovers a multi-chunk batch in order, rejecting bad items individually", async () => {
    const signed = Array.from({ length: 300 }, (_, i) => signTransaction(unsigned(i), key));
    const raws = signed.map(encodeTransaction);
    raws[5] = new Uint8Array([0x02, 0xc0]); // malformed typed transaction
    raws[250] = encodeTransaction(
      signTransaction({ ...unsigned(2), chainId: 5n } as UnsignedTransaction, key),
    );
    const items = await pool.recover(raws, 1n);
    expect(items).toHaveLength(300);
    items.forEach((item, i) => {
      if (i === 5) {
        expect(item.ok).toBe(false);
        if (!item.ok) expect(item.error.code).toMatch(/^(TX|RLP)_/);
      } else if (i === 250) {
        expect(item.ok).toBe(false);
        if (!item.ok) expect(item.error.code).toBe("TX_CHAIN_ID");
      } else {
        expect(item.ok).toBe(true);
        if (item.ok) {
          expect(item.sender).toEqual(address);
          expect(item.hash).toEqual(transactionHash(signed[i]!));
          expect(item.tx.nonce).toBe(BigInt(i));
          expect(item.intrinsicGas).toBe(i % 3 === 1 ? 21016 : 21000);
        }
      }
    });
  });
});
