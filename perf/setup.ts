/**
 * Before the clock starts: the sender accounts (deterministic keys, so a rerun on the same chain reuses
 * them), their funding from the dev accounts (or --key), the ERC-20 for the erc20 scenario, and the fees.
 */
import { privateKeyToAddress } from "../node/core/crypto/secp256k1.ts";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";
import { keccak256 } from "../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../node/core/hex.ts";
import { encodeTransaction } from "../node/core/tx/encode.ts";
import { signTransaction, type UnsignedTransaction } from "../node/core/tx/sign.ts";
import type { RpcClient } from "./rpc.ts";
import { airdropCalldata, TOKEN_BYTECODE } from "./token/token.ts";

export const GWEI = 1_000_000_000n;
const ETHER = 10n ** 18n;
/** a sender is topped up to FUND when below MIN_BALANCE */
const FUND = 100n * ETHER;
const MIN_BALANCE = 10n * ETHER;
/** holders credited per airdrop call (~25k gas each: well under the block gas limit) */
const AIRDROP_CHUNK = 250;

export interface Sender {
  readonly index: number;
  readonly key: Uint8Array;
  readonly address: Uint8Array;
  readonly addressHex: string;
}

export function makeSenders(n: number): Sender[] {
  return Array.from({ length: n }, (_, index) => {
    const key = keccak256(new TextEncoder().encode(`fastevm perf sender ${index}`));
    const address = privateKeyToAddress(key);
    return { index, key, address, addressHex: bytesToHex(address) };
  });
}

/** Fee caps of step `step`: 20 % more per step, so a leftover of an earlier step is replaced, not refused. */
export function stepFees(
  baseFee: bigint,
  step: number,
): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  const bump = (v: bigint) => (v * BigInt(10 + 2 * step)) / 10n;
  const floor = baseFee * 4n > 100n * GWEI ? baseFee * 4n : 100n * GWEI;
  return { maxFeePerGas: bump(floor), maxPriorityFeePerGas: bump(GWEI) };
}

export async function baseFee(rpc: RpcClient): Promise<bigint> {
  const b = await rpc.call<{ baseFeePerGas?: string }>("eth_getBlockByNumber", ["latest", false]);
  return BigInt(b.baseFeePerGas ?? "0x0");
}

/** Polls receipts until every hash has one (or the timeout passes: an error naming how many are missing). */
export async function waitReceipts(
  rpc: RpcClient,
  hashes: readonly string[],
  timeoutMs: number,
  what: string,
): Promise<{ status: string; contractAddress?: string | null }[]> {
  const deadline = Date.now() + timeoutMs;
  const got = new Map<string, { status: string; contractAddress?: string | null }>();
  while (got.size < hashes.length) {
    if (Date.now() > deadline)
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${what}: ${hashes.length - got.size} of ${hashes.length} transactions not included after ${timeoutMs / 1000} s`,
      );
    const todo = hashes.filter((h) => !got.has(h));
    const rs = await Promise.all(
      todo.slice(0, 200).map((h) => rpc.call<{ status: string } | null>("eth_getTransactionReceipt", [h])),
    );
    rs.forEach((r, i) => {
      if (r !== null) got.set(todo[i]!, r);
    });
    if (got.size < hashes.length) await new Promise((r) => setTimeout(r, 250));
  }
  return hashes.map((h) => got.get(h)!);
}

/** Sends `txs` of one account in nonce order (each after the previous one's reply); returns their hashes. */
async function sendInOrder(
  rpc: RpcClient,
  key: Uint8Array,
  txs: readonly UnsignedTransaction[],
): Promise<string[]> {
  const hashes: string[] = [];
  for (const t of txs) {
    const raw = encodeTransaction(signTransaction(t, key));
    hashes.push(await rpc.call<string>("eth_sendRawTransaction", [bytesToHex(raw)]));
  }
  return hashes;
}

async function balances(rpc: RpcClient, addresses: readonly string[]): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < addresses.length; i += 100)
    out.push(
      ...(await Promise.all(
        addresses
          .slice(i, i + 100)
          .map(async (a) => BigInt(await rpc.call<string>("eth_getBalance", [a, "latest"]))),
      )),
    );
  return out;
}

export const nonceOf = async (rpc: RpcClient, address: string): Promise<number> =>
  Number(await rpc.call<string>("eth_getTransactionCount", [address, "pending"]));

/** Tops every sender below MIN_BALANCE up to FUND (less when the funders hold less), funders in parallel. */
export async function fundSenders(
  rpc: RpcClient,
  chainId: bigint,
  funderKeys: readonly Uint8Array[],
  senders: readonly Sender[],
): Promise<number> {
  const have = await balances(
    rpc,
    senders.map((s) => s.addressHex),
  );
  const needy = senders.filter((_, i) => have[i]! < MIN_BALANCE);
  if (needy.length === 0) return 0;
  const funders = funderKeys.map((key) => ({ key, hex: bytesToHex(privateKeyToAddress(key)) }));
  const funderBalances = await balances(
    rpc,
    funders.map((f) => f.hex),
  );
  const fees = stepFees(await baseFee(rpc), 0);
  const perFunder = Math.ceil(needy.length / funders.length);
  const hashes = await Promise.all(
    funders.map(async (f, j) => {
      const mine = needy.filter((_, i) => i % funders.length === j);
      if (mine.length === 0) return [];
      const spare = funderBalances[j]! / BigInt(perFunder + 1);
      const amount = spare < FUND ? spare : FUND;
      if (amount < MIN_BALANCE / 10n)
        throw new FastEvmError(
          ErrorCode.INVALID_ARGUMENT,
          `funder ${f.hex} holds too little to fund ${mine.length} senders`,
        );
      const nonce = await nonceOf(rpc, f.hex);
      return sendInOrder(
        rpc,
        f.key,
        mine.map((s, k) => ({
          type: 2,
          chainId,
          nonce: BigInt(nonce + k),
          ...fees,
          gasLimit: 21_000n,
          to: s.address,
          value: amount,
          data: new Uint8Array(0),
          accessList: [],
        })),
      );
    }),
  );
  await waitReceipts(rpc, hashes.flat(), 120_000, "funding the senders");
  return needy.length;
}

/** Deploys PerfToken from `key` and credits every sender; returns the token address. */
export async function deployToken(
  rpc: RpcClient,
  chainId: bigint,
  key: Uint8Array,
  senders: readonly Sender[],
): Promise<Uint8Array> {
  const from = bytesToHex(privateKeyToAddress(key));
  const fees = stepFees(await baseFee(rpc), 0);
  const nonce = await nonceOf(rpc, from);
  const base = { type: 2 as const, chainId, ...fees, value: 0n, accessList: [] };
  const [deploy] = await sendInOrder(rpc, key, [
    { ...base, nonce: BigInt(nonce), gasLimit: 1_500_000n, to: null, data: hexToBytes(TOKEN_BYTECODE) },
  ]);
  const [receipt] = await waitReceipts(rpc, [deploy!], 60_000, "deploying the token");
  if (receipt!.status !== "0x1" || typeof receipt!.contractAddress !== "string")
    throw new FastEvmError(
      ErrorCode.INVALID_ARGUMENT,
      `token deployment ${deploy} failed (status ${receipt!.status})`,
    );
  const token = hexToBytes(receipt!.contractAddress);
  const calls: UnsignedTransaction[] = [];
  for (let i = 0; i < senders.length; i += AIRDROP_CHUNK) {
    const chunk = senders.slice(i, i + AIRDROP_CHUNK).map((s) => s.address);
    calls.push({
      ...base,
      nonce: BigInt(nonce + 1 + calls.length),
      gasLimit: BigInt(60_000 + 30_000 * chunk.length),
      to: token,
      data: airdropCalldata(chunk, 10n ** 24n),
    });
  }
  const drops = await sendInOrder(rpc, key, calls);
  const rs = await waitReceipts(rpc, drops, 60_000, "crediting the token to the senders");
  if (rs.some((r) => r.status !== "0x1"))
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "a token airdrop call failed");
  return token;
}
