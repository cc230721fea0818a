/** The recover and execute pools a `Chain` runs on, as one object the chain commands share. */
import type { ChainWorkers } from "../chain/chain.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { ExecutePool } from "../pool/executePool.ts";
import { RecoverPool } from "../pool/recoverPool.ts";
import { defaultPoolThreads } from "../pool/workerPool.ts";

export interface ChainPools extends ChainWorkers {
  close(): Promise<void>;
}

/**
 * The pools' sizes: recovery takes every core but the main thread's (defaultPoolThreads: 1 on this 2-core
 * machine, 15 on 16 cores; a block's recovery splits into RECOVER_CHUNK tasks, so more threads shorten it),
 * execution one thread (one block at a time, under the chain's state lock).
 */
export function startChainPools(
  opts: { recoverThreads?: number; executeThreads?: number; metrics?: PoolMetrics } = {},
): ChainPools {
  const metrics = opts.metrics === undefined ? {} : { metrics: opts.metrics };
  const recover = new RecoverPool({ threads: opts.recoverThreads ?? defaultPoolThreads(), ...metrics });
  const execute = new ExecutePool({ threads: opts.executeThreads ?? 1, ...metrics });
  return {
    recover: (txs, chainId) => (txs.length === 0 ? Promise.resolve([]) : recover.recover(txs, chainId)),
    execute: (task) => execute.execute(task),
    async close() {
      await Promise.all([recover.close(), execute.close()]);
    },
  };
}
