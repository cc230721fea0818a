/**
 * The benchmark suites `pnpm bench` runs, in order. Add one line per suite. Each suite's module is imported
 * only when it runs, so `pnpm bench --help` and a bad suite name answer at once.
 */

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}

export const SUITES: readonly BenchSuite[] = [
  {
    name: "rlp",
    description: "RLP encode/decode throughput",
    run: async () => (await import("./core/rlp.bench.ts")).benchRlp(),
  },
  {
    name: "tx",
    description: "transaction decode and sender recovery",
    run: async () => (await import("./core/tx.bench.ts")).benchTx(),
  },
  {
    name: "trie",
    description: "trie roots, state trie over LMDB, keccak-256",
    run: async () => (await import("./core/trie.bench.ts")).benchTrie(),
  },
  {
    name: "evm",
    description: "Solidity contracts: WASM EVM vs native build vs @ethereumjs/evm",
    run: async () => void (await (await import("./evm/evmBench.ts")).runEvmBench()),
  },
  {
    name: "consensus",
    description:
      "Mysticeti over libp2p loopback: 4 validators, 512-byte txs, tx/s and commit latency p50/p99",
    run: async () => (await import("./consensus/consensus.bench.ts")).benchConsensus(),
  },
  {
    name: "chain",
    description: "block import: ETH and token transfers, ours vs @ethereumjs/vm",
    run: async () => (await import("./chain/importBench.ts")).runChainBench(),
  },
  {
    name: "sync",
    description:
      "full-node catch-up over libp2p loopback vs the import loop of fastevm import: blocks/s, Mgas/s",
    run: async () => (await import("./sync/catchUpBench.ts")).runSyncBench(),
  },
  {
    name: "engine",
    description:
      "Engine API round trips (newPayloadV3 empty / 1,000 transfers, forkchoiceUpdatedV3): uWS vs node:http",
    run: async () => (await import("./rpc/engineBench.ts")).runEngineBench(),
  },
  {
    name: "rpcstate",
    description:
      "eth_getBalance and eth_call of an ERC-20 balanceOf through the JSON-RPC dispatcher, head vs an old block: req/s, p50/p99",
    run: async () => (await import("./rpc/stateBench.ts")).runStateRpcBench(),
  },
  {
    name: "rpc",
    description:
      "public JSON-RPC over keep-alive HTTP (eth_blockNumber, eth_getLogs over 1,000 blocks): uWS vs node:http",
    run: async () => (await import("./rpc/publicBench.ts")).runPublicRpcBench(),
  },
  {
    name: "rpcload",
    description:
      "public JSON-RPC server under 16 concurrent keep-alive clients (eth_getBalance, eth_call balanceOf): req/s, p50/p99, uWS vs node:http",
    run: async () => (await import("./rpc/loadBench.ts")).runRpcLoadBench(),
  },
  {
    name: "txpool",
    description:
      "transaction pool at 10,000 pending from 1,000 senders: admission tx/s (pool-side; with decode + recovery) and ms per DAG-block selection",
    run: async () => (await import("./txpool/txpool.bench.ts")).benchTxPool(),
  },
];
