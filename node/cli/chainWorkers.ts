/** The recover and execute pools a `Chain` runs on, as one object the chain commands share. */
import type { ChainWorkers } from "../chain/chain.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { ExecutePool } from "../pool/executePool.ts";
import { RecoverPool } from "../pool/recoverPool.ts";

export interface ChainPools extends ChainWorkers {
  close(): Promise<void>;
}

export function startChainPools(
  opts: { recoverThreads?: number; executeThreads?: number; metrics?: PoolMetrics } = {},
): ChainPools {
  const metrics = opts.metrics === undefined ? {} : { metrics: opts.metrics };
  const recover = new RecoverPool({ threads: opts.recoverThreads ?? 1, ...metrics });
  const execute = new ExecutePool({ threads: opts.executeThreads ?? 1, ...metrics });
  return {
    recover: (txs, chainId) => (txs.length === 0 ? Promise.resolve([]) : recover.recover(txs, chainId)),
    execute: (task) => execute.execute(task),
    async close() {
      await Promise.all([recover.close(), execute.close()]);
    },
  };
}
