/**
 * A minimal hand-written token contract for generated chains (crash tests, import benchmarks): calldata is
 * `to (32) ‖ amount (32)`; it moves `amount` from the caller's balance (slot = caller address) to `to`'s,
 * reverting when short, and emits an ERC-20 `Transfer(from, to, amount)` log — the storage and log work of
 * an ERC-20 `transfer` without the ABI dispatch.
 */
import { bigintToFixedBytes, concatBytes } from "../core/bytes.ts";
import { keccak256 } from "../core/hash.ts";
import { hexToBytes } from "../core/hex.ts";

/** keccak256("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = keccak256(new TextEncoder().encode("Transfer(address,address,uint256)"));

/** Layout in the comments; the revert target is offset 0x43. */
export const DEV_TOKEN_CODE: Uint8Array = concatBytes(
  // amount = calldata[32]; balFrom = sload(caller); if balFrom < amount: goto 0x43
  hexToBytes("0x60203533548181106043578190"),
  // sstore(caller, balFrom - amount); to = calldata[0]; sstore(to, sload(to) + amount)
  hexToBytes("0x0333555f358054820190555f52"),
  // mstore(0, amount) above; log3(0, 32, Transfer, caller, to); stop; 0x43: revert(0, 0)
  hexToBytes("0x5f35337f"),
  TRANSFER_TOPIC,
  hexToBytes("0x60205fa3005b5f80fd"),
);

/** Calldata of a token transfer. */
export function tokenTransferData(to: Uint8Array, amount: bigint): Uint8Array {
  return concatBytes(new Uint8Array(12), to, bigintToFixedBytes(amount, 32));
}
