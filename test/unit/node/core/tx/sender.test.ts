import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createTxFromRLP } from "@ethereumjs/tx";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { privateKeyToAddress, SECP256K1_N, writeWord } from "../../../../../node/core/crypto/secp256k1.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { decodeTransaction } from "../../../../../node/core/tx/decode.ts";
import { encodeTransaction } from "../../../../../node/core/tx/encode.ts";
import { signingHash, transactionHash } from "../../../../../node/core/tx/hash.ts";
import { recoverSender } from "../../../../../node/core/tx/sender.ts";
import { signTransaction, type UnsignedTransaction } from "../../../../../node/core/tx/sign.ts";
import { recoveryId, type Transaction } from "../../../../../node/core/tx/types.ts";
import { validateTransaction } from "../../../../../node/core/tx/validate.ts";
import { accessListTx, feeMarketTx, legacyTx } from "./arbitraries.ts";

const KEY = hexToBytes(`0x${"46".repeat(32)}`);
const SENDER = privateKeyToAddress(KEY);
const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
const to = new Uint8Array(20).fill(0x35);

/** The random transaction's fields, unsigned, on mainnet (the peer checks the chain id against its Common). */
function unsignedOf(tx: Transaction): UnsignedTransaction {
  const { r: _r, s: _s, ...rest } = tx as Transaction & { v?: bigint; yParity?: number };
  delete rest.v;
  delete rest.yParity;
  // Keep fees small so gasLimit * fee stays in range: the peer runs static checks while decoding.
  const fees = { gasPrice: 7n, maxPriorityFeePerGas: 1n, maxFeePerGas: 9n };
  const chainId = tx.type === 0 && tx.chainId === null ? null : 1n;
  return { ...rest, ...pickFees(tx, fees), chainId, gasLimit: 10_000_000n } as UnsignedTransaction;
}

function pickFees(
  tx: Transaction,
  fees: { gasPrice: bigint; maxPriorityFeePerGas: bigint; maxFeePerGas: bigint },
) {
  return tx.type === 0 || tx.type === 1
    ? { gasPrice: fees.gasPrice }
    : { maxPriorityFeePerGas: fees.maxPriorityFeePerGas, maxFeePerGas: fees.maxFeePerGas };
}

describe("sender recovery", () => {
  it("EIP-155 example transaction: signing hash, signature and sender", () => {
    // The worked example of EIP-155 (nonce 9, 20 gwei, 21000 gas, 1 ether to 0x3535…35, chain 1).
    const tx = signTransaction(
      {
        type: 0,
        chainId: 1n,
        nonce: 9n,
        gasPrice: 20_000_000_000n,
        gasLimit: 21000n,
        to,
        value: 10n ** 18n,
        data: new Uint8Array(),
      },
      KEY,
    );
    expect(bytesToHex(signingHash(tx))).toBe(
      "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53",
    );
    expect(tx.type === 0 && tx.v).toBe(37n);
    expect(tx.r).toBe(18515461264373351373200002665853028612451056578545711640558177340181847433846n);
    expect(tx.s).toBe(46948507304638947509940763649030358759909902576025900602547168820602576006531n);
    expect(bytesToHex(encodeTransaction(tx))).toBe(
      "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
    );
    expect(recoverSender(decodeTransaction(encodeTransaction(tx)))).toEqual(SENDER);
  });

  it("signs and recovers every type with both backends, agreeing with @ethereumjs/tx", () => {
    const arb = fc.oneof(legacyTx, accessListTx, feeMarketTx);
    fc.assert(
      fc.property(arb, (random) => {
        const tx = signTransaction(unsignedOf(random), KEY);
        expect(validateTransaction(tx, { chainId: 1n })).toBeGreaterThanOrEqual(21000);
        const decoded = decodeTransaction(encodeTransaction(tx));
        expect(recoverSender(decoded, { backend: "native" })).toEqual(SENDER);
        expect(recoverSender(decoded, { backend: "noble" })).toEqual(SENDER);
        expect(recoverSender({ ...decoded })).toEqual(SENDER);
        const peer = createTxFromRLP(encodeTransaction(tx), { common });
        expect(bytesToHex(peer.hash())).toBe(bytesToHex(transactionHash(decoded)));
        expect(peer.getSenderAddress().toString()).toBe(bytesToHex(SENDER));
      }),
      { seed: 99, numRuns: 60 },
    );
  });

  it("signs a blob transaction and recovers its sender", () => {
    const tx = signTransaction(
      {
        type: 3,
        chainId: 1n,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 2n,
        gasLimit: 21000n,
        to,
        value: 0n,
        data: new Uint8Array(),
        accessList: [],
        maxFeePerBlobGas: 1n,
        blobVersionedHashes: [new Uint8Array(32).fill(1)],
      },
      KEY,
    );
    expect(recoverSender(decodeTransaction(encodeTransaction(tx)), { backend: "noble" })).toEqual(SENDER);
  });

  it("pre-EIP-155 signatures use v = 27/28 and carry no chain id", () => {
    const tx = signTransaction(
      {
        type: 0,
        chainId: null,
        nonce: 0n,
        gasPrice: 1n,
        gasLimit: 21000n,
        to,
        value: 0n,
        data: new Uint8Array(),
      },
      KEY,
    );
    expect(tx.type === 0 && (tx.v === 27n || tx.v === 28n)).toBe(true);
    expect(recoveryId(tx)).toBe(tx.type === 0 ? Number(tx.v - 27n) : -1);
    const decoded = decodeTransaction(encodeTransaction(tx));
    expect(decoded.chainId).toBeNull();
    expect(recoverSender(decoded, { chainId: 5n })).toEqual(SENDER);
  });

  it("rejects r or s out of range, high s, and a foreign chain id", () => {
    const base = signTransaction(
      {
        type: 2,
        chainId: 1n,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 2n,
        gasLimit: 21000n,
        to,
        value: 0n,
        data: new Uint8Array(),
        accessList: [],
      },
      KEY,
    );
    const code = (tx: Transaction, chainId?: bigint) => {
      try {
        recoverSender(tx, chainId === undefined ? {} : { chainId });
        return "ok";
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(base)).toBe("ok");
    expect(code({ ...base, r: 0n })).toBe("TX_INVALID_SIGNATURE");
    expect(code({ ...base, r: SECP256K1_N })).toBe("TX_INVALID_SIGNATURE");
    expect(code({ ...base, s: 0n })).toBe("TX_INVALID_SIGNATURE");
    expect(code({ ...base, s: SECP256K1_N - base.s })).toBe("TX_SIGNATURE_HIGH_S");
    expect(code(base, 5n)).toBe("TX_CHAIN_ID");
    const legacy = signTransaction(
      {
        type: 0,
        chainId: 1n,
        nonce: 0n,
        gasPrice: 1n,
        gasLimit: 21000n,
        to,
        value: 0n,
        data: new Uint8Array(),
      },
      KEY,
    );
    expect(code({ ...legacy, chainId: 2n } as Transaction)).toBe("TX_INVALID_V");
  });

  it("a tampered field recovers a different sender (the signature binds the payload)", () => {
    const tx = signTransaction(
      {
        type: 1,
        chainId: 1n,
        nonce: 3n,
        gasPrice: 7n,
        gasLimit: 30000n,
        to,
        value: 1n,
        data: new Uint8Array([1]),
        accessList: [],
      },
      KEY,
    );
    const raw = encodeTransaction(tx).slice();
    const valueAt = raw.indexOf(0x01, 30); // the value byte follows `to`
    raw[valueAt] = 0x02;
    let other: Uint8Array | string;
    try {
      other = recoverSender(decodeTransaction(raw));
    } catch (e) {
      other = (e as { code: string }).code;
    }
    expect(other).not.toEqual(SENDER);
  });

  it("memoizes the sender per transaction object", () => {
    const key2 = new Uint8Array(32);
    writeWord(key2, 0, 12345n);
    const tx = decodeTransaction(
      encodeTransaction(
        signTransaction(
          {
            type: 0,
            chainId: 1n,
            nonce: 0n,
            gasPrice: 1n,
            gasLimit: 21000n,
            to,
            value: 0n,
            data: new Uint8Array(),
          },
          key2,
        ),
      ),
    );
    const a = recoverSender(tx);
    expect(recoverSender(tx)).toBe(a);
    expect(a).toEqual(privateKeyToAddress(key2));
  });
});
