/** The benchmark suites `pnpm bench` runs, in order. Add one line per suite. */

import { runChainBench } from "./chain/importBench.ts";
import { benchConsensus } from "./consensus/consensus.bench.ts";
import { benchRlp } from "./core/rlp.bench.ts";
import { benchTrie } from "./core/trie.bench.ts";
import { benchTx } from "./core/tx.bench.ts";
import { runEvmBench } from "./evm/evmBench.ts";
import { runEngineBench } from "./rpc/engineBench.ts";
import { benchTxPool } from "./txpool/txpool.bench.ts";

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}

export const SUITES: readonly BenchSuite[] = [
  { name: "rlp", description: "RLP encode/decode throughput", run: benchRlp },
  { name: "tx", description: "transaction decode and sender recovery", run: benchTx },
  { name: "trie", description: "trie roots, state trie over LMDB, keccak-256", run: benchTrie },
  {
    name: "evm",
    description: "Solidity contracts: WASM EVM vs native build vs @ethereumjs/evm",
    run: async () => void (await runEvmBench()),
  },
  {
    name: "consensus",
    description:
      "Mysticeti over libp2p loopback: 4 validators, 512-byte txs, tx/s and commit latency p50/p99",
    run: benchConsensus,
  },
  {
    name: "chain",
    description: "block import: ETH and token transfers, ours vs @ethereumjs/vm",
    run: runChainBench,
  },
  {
    name: "engine",
    description:
      "Engine API round trips (newPayloadV3 empty / 1,000 transfers, forkchoiceUpdatedV3): uWS vs node:http",
    run: runEngineBench,
  },
  {
    name: "txpool",
    description:
      "transaction pool at 10,000 pending from 1,000 senders: admission tx/s (pool-side; with decode + recovery) and ms per DAG-block selection",
    run: benchTxPool,
  },
];
