/** Signing of transaction models, for tests, tools and the devnet faucet (never on the validation path). */
import { signHash } from "../crypto/secp256k1.ts";
import { keccak256 } from "../hash.ts";
import { encodeSigningPayload } from "./encode.ts";
import type { AccessListTx, BlobTx, FeeMarketTx, LegacyTx, Transaction } from "./types.ts";

type Unsigned<T> = Omit<T, "r" | "s" | "v" | "yParity">;
export type UnsignedTransaction =
  | Unsigned<LegacyTx>
  | Unsigned<AccessListTx>
  | Unsigned<FeeMarketTx>
  | Unsigned<BlobTx>;

/**
 * Signs a transaction with a 32-byte private key (deterministic RFC 6979, low-s). A legacy transaction
 * with `chainId: null` gets an unprotected (27/28) signature, otherwise an EIP-155 one.
 */
export function signTransaction(unsigned: UnsignedTransaction, privateKey: Uint8Array): Transaction {
  // Sign over a placeholder signature: the signing payload never reads r, s, v or yParity.
  const draft = { ...unsigned, r: 0n, s: 0n, v: 0n, yParity: 0 } as unknown as Transaction;
  const sig = signHash(keccak256(encodeSigningPayload(draft)), privateKey);
  if (unsigned.type === 0) {
    const v =
      unsigned.chainId === null
        ? 27n + BigInt(sig.recovery)
        : unsigned.chainId * 2n + 35n + BigInt(sig.recovery);
    return { ...unsigned, v, r: sig.r, s: sig.s };
  }
  return { ...unsigned, yParity: sig.recovery, r: sig.r, s: sig.s } as Transaction;
}
