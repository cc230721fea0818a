/** Small signed sample transactions of each type for unit tests (deterministic key). */
import { hexToBytes } from "../../../../../node/core/hex.ts";
import { signTransaction } from "../../../../../node/core/tx/sign.ts";
import type { Transaction } from "../../../../../node/core/tx/types.ts";

export const SAMPLE_KEY = hexToBytes(`0x${"4c".repeat(32)}`);
export const SAMPLE_TO = new Uint8Array(20).fill(0xaa);
const EMPTY = new Uint8Array(0);

/** A valid mainnet transaction of `type`, with fields replaced by `over`, signed after the replacement. */
export function sampleTx(type: 0 | 1 | 2 | 3, over: Record<string, unknown> = {}): Transaction {
  const common = { nonce: 1n, gasLimit: 100_000n, to: SAMPLE_TO, value: 5n, data: EMPTY };
  const fee1559 = { maxPriorityFeePerGas: 2n, maxFeePerGas: 10n, accessList: [] };
  const fields =
    type === 0
      ? { type, chainId: 1n, gasPrice: 10n, ...common }
      : type === 1
        ? { type, chainId: 1n, gasPrice: 10n, accessList: [], ...common }
        : type === 2
          ? { type, chainId: 1n, ...fee1559, ...common }
          : {
              type,
              chainId: 1n,
              ...fee1559,
              ...common,
              maxFeePerBlobGas: 3n,
              blobVersionedHashes: [Uint8Array.of(1, ...new Uint8Array(31).fill(7))],
            };
  return signTransaction({ ...fields, ...over } as never, SAMPLE_KEY);
}
