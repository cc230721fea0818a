/**
 * One execute task end to end, on whatever thread calls it: open (and cache) the datadir read-only, build the
 * parent state (flat tables + overlay), execute, update the trie, check the state root. Rejections come back
 * as data (`ok: false` with the error), never as a thrown worker error.
 */
import { performance } from "node:perf_hooks";
import { equalBytes } from "../../node/core/bytes.ts";
import { ErrorCode, FastEvmError, isValidationError } from "../../node/core/errors.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import type { ExecuteResult, ExecuteTask } from "../../node/core/wire/execute.ts";
import { u64Key } from "../../node/storage/keys.ts";
import { openStorage, readBytes, type Storage } from "../../node/storage/storage.ts";
import { sharedEvm } from "../../wasm/bindings/evmModule.ts";
import { BlockState, ParentState } from "./blockState.ts";
import { executeBlock } from "./executeBlock.ts";
import { dropWarmTries, updateStateTrie } from "./updateTrie.ts";

let cached: Storage | undefined;

/** The worker's read-only view of `datadir` (one at a time; re-opened when a task names another). */
export function storageFor(datadir: string): Storage {
  if (cached?.datadir !== datadir) {
    void cached?.close();
    dropWarmTries(); // what the worker keeps between blocks belongs to one datadir's chain
    cached = openStorage(datadir, { readOnly: true, lock: false });
  }
  // see commits made by the writer since this thread's last read
  cached.env.resetReadTxn();
  return cached;
}

const ZERO_HASH = new Uint8Array(32);

/**
 * Fault injection for the crash test (test/e2e/crashSafety.test.ts): FASTEVM_KILL_IN_STATE_ROOT=N makes
 * this worker SIGKILL its whole process when block N's state root is half computed, as an OOM kill or a
 * power cut would land. Unset in every other run.
 */
const KILL_IN_STATE_ROOT = (() => {
  const v = process.env.FASTEVM_KILL_IN_STATE_ROOT;
  return v === undefined || !/^\d+$/.test(v) ? undefined : BigInt(v);
})();
const killNow = (): void => {
  process.kill(process.pid, "SIGKILL");
};

export async function runExecuteTask(task: ExecuteTask): Promise<ExecuteResult> {
  try {
    const storage = storageFor(task.datadir);
    const t = storage.tables;
    const number = task.header.number;
    const side = new Map(task.ancestorHashes.map(([n, h]) => [n, h]));
    const hashOf = (n: bigint): Uint8Array => {
      if (n >= number || n + 256n < number) return ZERO_HASH;
      return side.get(n) ?? readBytes(t.canonical, u64Key(n)) ?? ZERO_HASH;
    };
    const state = new BlockState(new ParentState(t, task.overlay), hashOf);
    const t0 = performance.now();
    const out = executeBlock(task, sharedEvm(), state);
    const t1 = performance.now();
    const trie = updateStateTrie(
      t.trieNodes,
      task.parentStateRoot,
      out.writes,
      task.overlay.trieNodes,
      number === KILL_IN_STATE_ROOT ? killNow : undefined,
    );
    const t2 = performance.now();
    if (task.mode === "verify" && !equalBytes(trie.stateRoot, task.header.stateRoot)) {
      throw new FastEvmError(
        ErrorCode.BLOCK_STATE_ROOT,
        `invalid block: state root ${bytesToHex(trie.stateRoot)} != header ${bytesToHex(task.header.stateRoot)}`,
      );
    }
    return {
      ok: true,
      skipped: out.skipped,
      receipts: out.receipts,
      gasUsed: out.gasUsed,
      blobGasUsed: out.blobGasUsed,
      logsBloom: out.logsBloom,
      receiptsRoot: out.receiptsRoot,
      receiptsRlp: out.receiptsRlp,
      transactionsRoot: out.transactionsRoot,
      withdrawalsRoot: out.withdrawalsRoot,
      stateRoot: trie.stateRoot,
      writes: trie.writes,
      trieNodes: trie.nodes,
      execMs: t1 - t0,
      trieMs: t2 - t1,
    };
  } catch (e) {
    if (isValidationError(e)) return { ok: false, error: e.toObject() };
    throw e;
  }
}

/** Closes the cached environment (tests that run tasks in-thread). */
export async function closeExecuteStorage(): Promise<void> {
  const s = cached;
  cached = undefined;
  await s?.close();
}
