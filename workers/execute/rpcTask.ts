/**
 * One RPC task of the execute pool end to end (node/core/wire/rpcExec.ts): historical reads and proofs walk
 * the state trie here, calls run the WASM EVM here, so the main thread never does. Refusals (a transaction
 * check, a revert during estimation, a missing trie node) come back as `ok: false` data.
 */
import { equalBytes } from "../../node/core/bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../../node/core/errors.ts";
import type {
  AccountFields,
  CallTask,
  RpcExecResult,
  RpcExecTask,
  StateRef,
} from "../../node/core/wire/rpcExec.ts";
import type { Account } from "../../node/state/account.ts";
import { u64Key } from "../../node/storage/keys.ts";
import { readBytes, type Storage } from "../../node/storage/storage.ts";
import { sharedEvm } from "../../wasm/bindings/evmModule.ts";
import { type EvmResult, EvmStatus } from "../../wasm/bindings/evmTypes.ts";
import { callGas, createAccessList, EstimateFailure, estimateGas, runOnce, vmError } from "./callExec.ts";
import { CallHost, stateReader, TrieStateReader } from "./callState.ts";
import { storageFor } from "./runTask.ts";

const ZERO_HASH = new Uint8Array(32);

function fields(a: Account | undefined): AccountFields | null {
  return a === undefined
    ? null
    : { nonce: a.nonce, balance: a.balance, storageRoot: a.storageRoot, codeHash: a.codeHash };
}

/** BLOCKHASH inside a call at `number`: the canonical hashes of the 256 blocks before it. */
function hashOf(storage: Storage, number: bigint): (n: bigint) => Uint8Array {
  return (n) => {
    if (n >= number || n + 256n < number) return ZERO_HASH;
    return readBytes(storage.tables.canonical, u64Key(n)) ?? ZERO_HASH;
  };
}

function runCall(storage: Storage, task: CallTask): RpcExecResult {
  const base = stateReader(storage, task.at);
  const blockHash = hashOf(storage, task.block.number);
  const newHost = (): CallHost => new CallHost(base, task.overrides, blockHash);
  const evm = sharedEvm();
  if (task.rpc === "estimate") return { ok: true, rpc: "estimate", gas: estimateGas(evm, task, newHost()) };
  if (task.rpc === "accessList") {
    const out = createAccessList(evm, task, newHost);
    return {
      ok: true,
      rpc: "accessList",
      accessList: out.accessList,
      gasUsed: out.gasUsed,
      vmError: vmError(out.result),
    };
  }
  const r = runOnce(evm, task, newHost(), callGas(task));
  const err = vmError(r);
  return {
    ok: true,
    rpc: "call",
    output: callOutput(r),
    gasUsed: r.gasUsed,
    reverted: r.status === EvmStatus.REVERT,
    vmError: err,
  };
}

/** What a call returns: the return data, or for a successful creation the deployed code (as geth). */
function callOutput(r: EvmResult): Uint8Array {
  const created = r.createdAddress;
  if (created === null || r.status !== EvmStatus.SUCCESS) return r.output;
  return r.changes.find((c) => equalBytes(c.address, created))?.code ?? r.output;
}

function trieAt(storage: Storage, at: StateRef): TrieStateReader {
  return new TrieStateReader(storage.tables, at.stateRoot);
}

export function runRpcTask(task: RpcExecTask): RpcExecResult {
  try {
    const storage = storageFor(task.at.datadir);
    switch (task.rpc) {
      case "read": {
        const r = stateReader(storage, task.at);
        const a = r.account(task.address);
        return {
          ok: true,
          rpc: "read",
          account: fields(a),
          slots: task.slots.map((s) => r.storage(task.address, s)),
          code: task.code && a !== undefined ? r.code(a.codeHash) : null,
        };
      }
      case "proof": {
        const r = trieAt(storage, task.at);
        return {
          ok: true,
          rpc: "proof",
          account: fields(r.account(task.address)),
          accountProof: r.accountProof(task.address),
          storage: task.slots.map((s) => ({
            value: r.storage(task.address, s),
            proof: r.storageProof(task.address, s),
          })),
        };
      }
      default:
        return runCall(storage, task);
    }
  } catch (e) {
    if (e instanceof EstimateFailure)
      return { ok: false, error: e.toObject(), ...(e.revert === undefined ? {} : { revert: e.revert }) };
    if (isFastEvmError(e)) return { ok: false, error: e.toObject() };
    throw new FastEvmError(ErrorCode.INTERNAL, `rpc task failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
