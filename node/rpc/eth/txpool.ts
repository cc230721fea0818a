/**
 * The txpool's public methods, with geth's shapes: `eth_sendRawTransaction` (admitted as a local
 * transaction; a refusal answers -32000 with the pool's message, geth's text), `txpool_status`,
 * `txpool_content`, `txpool_contentFrom` and `txpool_inspect` (accounts as EIP-55 addresses, nonces as
 * decimal strings, transactions as pending `RPCTransaction`s).
 */
import { keccak256 } from "../../core/hash.ts";
import { bigintToQuantity, bytesToUnprefixedHex, hexToBytes } from "../../core/hex.ts";
import type { AccountContent, PoolTx } from "../../txpool/types.ts";
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { poolTxJson } from "./format.ts";

/** What these methods need of the pool service. */
export interface TxPoolRpc {
  submit(
    raws: readonly Uint8Array[],
  ): Promise<
    readonly (
      | { readonly ok: true; readonly hash: string }
      | { readonly ok: false; readonly error: { readonly message: string } }
    )[]
  >;
  readonly pool: {
    status(): { pending: number; queued: number };
    content(): Map<string, AccountContent>;
    contentFrom(address: Uint8Array): AccountContent;
  };
}

/** EIP-55 mixed-case checksum of a 20-byte address. */
export function checksumAddress(address: Uint8Array): string {
  const lower = bytesToUnprefixedHex(address);
  const h = keccak256(new TextEncoder().encode(lower));
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    const nibble = (h[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

function addressParam(v: unknown, index: number): Uint8Array {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v))
    throw RpcError.exact(
      RpcCode.INVALID_PARAMS,
      `invalid argument ${index}: hex string has length ${typeof v === "string" ? v.length - 2 : 0}, want 40 for common.Address`,
    );
  return hexToBytes(v.toLowerCase());
}

/** geth's txpool_inspect line: `to: value wei + gas gas × price wei`. */
function inspectLine(t: PoolTx): string {
  const tx = t.tx;
  const price = tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas;
  const to = tx.to === null ? "contract creation" : checksumAddress(tx.to);
  return `${to}: ${tx.value} wei + ${tx.gasLimit} gas × ${price} wei`;
}

function byNonce(m: Map<bigint, PoolTx>, f: (t: PoolTx) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [n, t] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out[n.toString()] = f(t);
  return out;
}

function contentOf(pool: TxPoolRpc["pool"], f: (t: PoolTx) => unknown) {
  const pending: Record<string, unknown> = {};
  const queued: Record<string, unknown> = {};
  for (const [, acct] of pool.content()) {
    const any = acct.pending.values().next().value ?? acct.queued.values().next().value;
    if (any === undefined) continue;
    const key = checksumAddress(any.sender);
    if (acct.pending.size > 0) pending[key] = byNonce(acct.pending, f);
    if (acct.queued.size > 0) queued[key] = byNonce(acct.queued, f);
  }
  return { pending, queued };
}

export function txpoolMethods(s: TxPoolRpc): RpcMethods {
  const sendRaw: RpcHandler = async (params) => {
    const v = params[0];
    if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v))
      throw RpcError.exact(
        RpcCode.INVALID_PARAMS,
        "invalid argument 0: json: cannot unmarshal hex string into Go value of type hexutil.Bytes",
      );
    const raw = hexToBytes(v.toLowerCase());
    if (raw.length === 0)
      throw RpcError.exact(RpcCode.INVALID_PARAMS, "invalid argument 0: empty hex string");
    const [r] = await s.submit([raw]);
    if (r === undefined || !r.ok)
      throw RpcError.exact(RpcCode.SERVER_ERROR, r === undefined ? "transaction refused" : r.error.message);
    return r.hash;
  };
  return new Map<string, RpcHandler>([
    ["eth_sendRawTransaction", sendRaw],
    [
      "txpool_status",
      () => {
        const st = s.pool.status();
        return { pending: bigintToQuantity(BigInt(st.pending)), queued: bigintToQuantity(BigInt(st.queued)) };
      },
    ],
    ["txpool_content", () => contentOf(s.pool, poolTxJson)],
    ["txpool_inspect", () => contentOf(s.pool, inspectLine)],
    [
      "txpool_contentFrom",
      (params) => {
        const acct = s.pool.contentFrom(addressParam(params[0], 0));
        return { pending: byNonce(acct.pending, poolTxJson), queued: byNonce(acct.queued, poolTxJson) };
      },
    ],
  ]);
}
