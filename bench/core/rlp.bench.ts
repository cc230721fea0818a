/** RLP encode and decode of a block-sized structure: ours vs @ethereumjs/rlp. */
import { RLP } from "@ethereumjs/rlp";
import { equalBytes } from "../../node/core/bytes.ts";
import { decodeRlp, encodeRlp, type RlpInput } from "../../node/core/rlp.ts";
import { runComparison } from "../compare.ts";

/** A list shaped like a block body: 200 transaction-like lists of mixed-size fields. */
function sample(): RlpInput {
  const txs: RlpInput[] = [];
  for (let i = 0; i < 200; i++) {
    txs.push([
      BigInt(i),
      1_000_000_000n + BigInt(i),
      21_000n,
      new Uint8Array(20).fill(i & 0xff),
      10n ** 18n,
      new Uint8Array(68).fill(7),
      27n,
      new Uint8Array(32).fill(1),
      new Uint8Array(32).fill(2),
    ]);
  }
  return [txs, [], []];
}

export async function benchRlp(): Promise<void> {
  const input = sample();
  const encoded = encodeRlp(input);
  const peerEncoded = RLP.encode(input as Parameters<typeof RLP.encode>[0]);
  if (!equalBytes(encoded, peerEncoded)) throw new Error("bench: RLP encodings differ from @ethereumjs/rlp");
  await runComparison({
    title: `RLP encode (${encoded.length} bytes)`,
    unit: "MB/s",
    unitsPerOp: encoded.length / 1e6,
    variants: [
      { name: "fastevm", fn: () => encodeRlp(input) },
      { name: "@ethereumjs/rlp", fn: () => RLP.encode(input as Parameters<typeof RLP.encode>[0]) },
    ],
  });
  await runComparison({
    title: `RLP decode (${encoded.length} bytes)`,
    unit: "MB/s",
    unitsPerOp: encoded.length / 1e6,
    variants: [
      { name: "fastevm", fn: () => decodeRlp(encoded) },
      { name: "@ethereumjs/rlp", fn: () => RLP.decode(encoded) },
    ],
  });
}
