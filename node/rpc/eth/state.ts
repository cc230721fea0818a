/**
 * The public state methods — eth_getBalance, eth_getCode, eth_getStorageAt, eth_getTransactionCount,
 * eth_getProof — and `stateMethods`, the factory of every state and execution method (execution in call.ts).
 * The head is read from the flat tables on the main thread (one account or slot); any other stored block is
 * read from the state trie at its root by the execute pool, and so is every proof.
 */
import { bigintToFixedBytes } from "../../core/bytes.ts";
import { bigintToQuantity, bytesToHex } from "../../core/hex.ts";
import type { AccountFields } from "../../core/wire/rpcExec.ts";
import { expectParams, param } from "../engine/validate.ts";
import type { RpcHandler } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { callMethods } from "./call.ts";
import { addressParam, storageKeyParam } from "./callArgs.ts";
import { blockAt, execTask, isHead, okResult, type StateRpcContext, stateRef } from "./stateContext.ts";

/** eth_getProof: at most this many storage keys per request */
export const MAX_PROOF_KEYS = 1024;

const ZERO32 = new Uint8Array(32);

interface Read {
  readonly account: AccountFields | null;
  readonly slots: readonly bigint[];
  readonly code: Uint8Array | null;
}

/** One account (and slots, code) at a block: flat at the head, else a trie walk in the execute pool. */
async function readAt(
  ctx: StateRpcContext,
  address: Uint8Array,
  block: unknown,
  slots: readonly Uint8Array[],
  code: boolean,
): Promise<Read> {
  const ref = blockAt(ctx, block);
  if (isHead(ctx, ref)) {
    const store = ctx.chain.store;
    const account = store.account(address) ?? null;
    return {
      account,
      slots: slots.map((s) => store.storageAt(address, s)),
      code: code && account !== null ? (store.code(account.codeHash) ?? new Uint8Array(0)) : null,
    };
  }
  const r = await execTask(ctx, { rpc: "read", at: stateRef(ctx, ref), address, slots, code }, false);
  return okResult(r, "read");
}

function getBalance(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    expectParams(p, 2);
    const address = addressParam(param(p, 0, "address"), "address");
    const r = await readAt(ctx, address, p[1], [], false);
    return bigintToQuantity(r.account?.balance ?? 0n);
  };
}

function getCode(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    expectParams(p, 2);
    const address = addressParam(param(p, 0, "address"), "address");
    const r = await readAt(ctx, address, p[1], [], true);
    return bytesToHex(r.code ?? new Uint8Array(0));
  };
}

function getStorageAt(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    expectParams(p, 3);
    const address = addressParam(param(p, 0, "address"), "address");
    const { slot } = storageKeyParam(param(p, 1, "slot"), "slot");
    const r = await readAt(ctx, address, p[2], [slot], false);
    return bytesToHex(bigintToFixedBytes(r.slots[0] ?? 0n, 32));
  };
}

function getTransactionCount(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    expectParams(p, 2);
    const address = addressParam(param(p, 0, "address"), "address");
    if (p[1] === "pending" && ctx.pendingNonce !== undefined) {
      const n = ctx.pendingNonce(address);
      if (n !== undefined) return bigintToQuantity(n);
    }
    const r = await readAt(ctx, address, p[1], [], false);
    return bigintToQuantity(r.account?.nonce ?? 0n);
  };
}

function getProof(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    expectParams(p, 3);
    const address = addressParam(param(p, 0, "address"), "address");
    const rawKeys = param(p, 1, "storageKeys");
    if (!Array.isArray(rawKeys)) throw new RpcError(RpcCode.INVALID_PARAMS, "storageKeys must be an array");
    if (rawKeys.length > MAX_PROOF_KEYS)
      throw new RpcError(RpcCode.INVALID_PARAMS, `too many keys (max ${MAX_PROOF_KEYS})`);
    const keys = rawKeys.map((k, i) => storageKeyParam(k, `storageKeys[${i}]`));
    const ref = blockAt(ctx, p[2]);
    const task = { rpc: "proof", at: stateRef(ctx, ref), address, slots: keys.map((k) => k.slot) } as const;
    const r = okResult(await execTask(ctx, task, false), "proof");
    const a = r.account;
    return {
      address: bytesToHex(address),
      accountProof: r.accountProof.map(bytesToHex),
      balance: bigintToQuantity(a?.balance ?? 0n),
      // geth reports a missing account with zero hashes
      codeHash: bytesToHex(a?.codeHash ?? ZERO32),
      nonce: bigintToQuantity(a?.nonce ?? 0n),
      storageHash: bytesToHex(a?.storageRoot ?? ZERO32),
      storageProof: keys.map((k, i) => ({
        // geth: a full 32-byte key is echoed as a hash, a shorter one as a quantity
        key: k.length === 32 ? bytesToHex(k.slot) : bigintToQuantity(BigInt(bytesToHex(k.slot))),
        value: bigintToQuantity(r.storage[i]?.value ?? 0n),
        proof: (r.storage[i]?.proof ?? []).map(bytesToHex),
      })),
    };
  };
}

/**
 * Every state and execution method of the public API: eth_getBalance, eth_getCode, eth_getStorageAt,
 * eth_getTransactionCount, eth_getProof, eth_call, eth_estimateGas, eth_createAccessList.
 */
export function stateMethods(ctx: StateRpcContext): Map<string, RpcHandler> {
  return new Map<string, RpcHandler>([
    ["eth_getBalance", getBalance(ctx)],
    ["eth_getCode", getCode(ctx)],
    ["eth_getStorageAt", getStorageAt(ctx)],
    ["eth_getTransactionCount", getTransactionCount(ctx)],
    ["eth_getProof", getProof(ctx)],
    ...callMethods(ctx),
  ]);
}
