/**
 * Every metric of the node, in one typed object (lodestar's `metrics/metrics/lodestar.ts` pattern): the CLI
 * makes one prom-client `Registry` per process, calls `createMetrics(registry)` once, and hands each
 * component its group (`metrics.chain`, `metrics.pools`, …) as an optional constructor option; no component
 * creates a metric or touches prom-client's global registry. Names are `fastevm_<group>_…`, time is in
 * seconds (`_seconds`), sizes in bytes (`_bytes`), counters end in `_total`. Gauges that mirror a
 * component's state are read at scrape time: the component registers a reader with `addCollect`.
 *
 * Queues and pools follow lodestar's item-queue metrics: length, job time, wait time, dropped, workers busy.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";

/** A gauge whose value is read from component state at scrape time (several readers may register). */
export interface CollectedGauge<L extends string = never> {
  readonly gauge: Gauge<L>;
  /** `fn` runs at every scrape and sets the gauge (it must be cheap and must not throw) */
  addCollect(fn: (g: Gauge<L>) => void): void;
}

/** Stage and latency buckets (s): 0.5 ms .. 30 s. */
const TIME_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Commit latency buckets (s): a Mysticeti commit takes a few hundred ms on loopback. */
const COMMIT_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

export type PoolMetrics = ReturnType<typeof poolMetrics>;
export type EngineMetrics = ReturnType<typeof engineMetrics>;
export type ChainMetrics = ReturnType<typeof chainMetrics>;
export type TxPoolMetrics = ReturnType<typeof txpoolMetrics>;
export type ConsensusMetrics = ReturnType<typeof consensusMetrics>;
export type P2pMetrics = ReturnType<typeof p2pMetrics>;
export type RpcMetrics = ReturnType<typeof rpcMetrics>;
export type SyncMetrics = ReturnType<typeof syncMetrics>;

export interface Metrics {
  readonly registry: Registry;
  readonly pools: PoolMetrics;
  readonly engine: EngineMetrics;
  readonly chain: ChainMetrics;
  readonly txpool: TxPoolMetrics;
  readonly consensus: ConsensusMetrics;
  readonly p2p: P2pMetrics;
  readonly rpc: RpcMetrics;
  readonly sync: SyncMetrics;
}

class Factory {
  constructor(readonly registry: Registry) {}

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }

  collected<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): CollectedGauge<L> {
    const fns: ((g: Gauge<L>) => void)[] = [];
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        for (const fn of fns) fn(gauge);
      },
    });
    return { gauge, addCollect: (fn) => void fns.push(fn) };
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = TIME_BUCKETS,
  ): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }
}

function poolMetrics(f: Factory) {
  return {
    queueLength: f.collected("fastevm_pool_queue_length", "tasks waiting for a worker", ["pool"]),
    workersBusy: f.collected("fastevm_pool_workers_busy", "workers running a task", ["pool"]),
    threads: f.collected("fastevm_pool_threads", "worker threads of the pool", ["pool"]),
    tasks: f.counter("fastevm_pool_tasks_total", "tasks finished, by outcome (ok, error)", [
      "pool",
      "outcome",
    ]),
    dropped: f.counter("fastevm_pool_dropped_total", "tasks refused because the queue was full (POOL_FULL)", [
      "pool",
    ]),
    taskTime: f.histogram("fastevm_pool_task_seconds", "round trip of a task: submitted to result", ["pool"]),
    jobTime: f.histogram("fastevm_pool_job_time_seconds", "time a worker spent on a task", ["pool"]),
    latencyToWorker: f.histogram(
      "fastevm_pool_latency_to_worker_seconds",
      "submitted to started on a worker (queue wait plus message passing)",
      ["pool"],
    ),
    latencyFromWorker: f.histogram(
      "fastevm_pool_latency_from_worker_seconds",
      "finished on the worker to result on the main thread",
      ["pool"],
    ),
  };
}

function engineMetrics(f: Factory) {
  return {
    requestTime: f.histogram("fastevm_engine_request_seconds", "Engine API call duration", ["method"]),
    requests: f.counter(
      "fastevm_engine_requests_total",
      "Engine API calls by method and result status (VALID, INVALID, SYNCING, ACCEPTED, INVALID_BLOCK_HASH; ok or error)",
      ["method", "status"],
    ),
  };
}

function chainMetrics(f: Factory) {
  return {
    blocksImported: f.counter("fastevm_chain_blocks_imported_total", "blocks executed and stored"),
    gasImported: f.counter("fastevm_chain_gas_imported_total", "gas used by the imported blocks"),
    txsImported: f.counter(
      "fastevm_chain_transactions_imported_total",
      "transactions of the imported blocks",
    ),
    invalidBlocks: f.counter("fastevm_chain_invalid_blocks_total", "blocks refused by a validation rule"),
    headNumber: f.gauge("fastevm_chain_head_number", "number of the canonical head block"),
    unpersistedWrites: f.gauge(
      "fastevm_chain_unpersisted_writes",
      "blocks and head moves accepted in memory and queued for the background LMDB writer",
    ),
    reorgs: f.counter("fastevm_chain_reorgs_total", "head moves that left blocks of the canonical chain"),
    reorgedBlocks: f.counter("fastevm_chain_reorged_blocks_total", "blocks that left the canonical chain"),
    importTime: f.histogram("fastevm_chain_import_seconds", "whole block import: recover to persisted"),
    blockExecutions: f.counter(
      "fastevm_chain_block_executions_total",
      "blocks run in the execute pool: verify (import of a block not executed here before), build (the block builder: payload builder, Chain.buildBlock)",
      ["mode"],
    ),
    senderLookups: f.counter(
      "fastevm_chain_sender_lookups_total",
      "transactions of imported blocks sent to the recover seam (the sender cache in front of the recover pool answers those the txpool recovered)",
    ),
    executedBlockHits: f.counter(
      "fastevm_chain_executed_block_hits_total",
      "imports that committed a result already executed here (a locally built block): no recovery, no execution",
    ),
    stageTime: f.histogram(
      "fastevm_chain_stage_seconds",
      "block import stages: recover (recover pool), execute (execute pool round trip), evm and state_root (inside it, on the worker), persist (one LMDB transaction: an import's, or a background write of a block or head move)",
      ["stage"],
    ),
  };
}

function txpoolMetrics(f: Factory) {
  return {
    pending: f.collected("fastevm_txpool_pending", "executable transactions in the pool"),
    queued: f.collected("fastevm_txpool_queued", "gapped (not yet executable) transactions in the pool"),
    admissionQueue: f.collected(
      "fastevm_txpool_admission_queue_length",
      "submitted transactions waiting for their admission batch",
    ),
    added: f.counter("fastevm_txpool_added_total", "transactions admitted, by origin (local, remote)", [
      "origin",
    ]),
    refused: f.counter("fastevm_txpool_refused_total", "transactions refused at admission, by reason", [
      "reason",
    ]),
    evicted: f.counter("fastevm_txpool_evicted_total", "transactions evicted for better-paying ones"),
    dropped: f.counter("fastevm_txpool_dropped_total", "transactions removed by a rule, by reason", [
      "reason",
    ]),
    replaced: f.counter("fastevm_txpool_replaced_total", "transactions replaced (same sender and nonce)"),
    included: f.counter("fastevm_txpool_included_total", "transactions that left the pool in a block"),
    reinjected: f.counter("fastevm_txpool_reinjected_total", "transactions re-admitted from reorged blocks"),
  };
}

function consensusMetrics(f: Factory) {
  return {
    round: f.collected("fastevm_consensus_round", "threshold-clock round"),
    lastProposedRound: f.collected("fastevm_consensus_last_proposed_round", "round of the own latest block"),
    commitIndex: f.collected("fastevm_consensus_commit_index", "index of the latest commit"),
    quorumCommitIndex: f.collected(
      "fastevm_consensus_quorum_commit_index",
      "highest commit index validators of quorum stake voted for",
    ),
    suspendedBlocks: f.collected(
      "fastevm_consensus_suspended_blocks",
      "blocks waiting for missing ancestors",
    ),
    queueLength: f.gauge("fastevm_consensus_queue_length", "core steps waiting on the consensus queue"),
    commitLatency: f.histogram(
      "fastevm_consensus_commit_latency_seconds",
      "leader block timestamp to commit handed to execution",
      [],
      COMMIT_BUCKETS,
    ),
    commits: f.counter("fastevm_consensus_commits_total", "commits handed to execution"),
    leaderTimeouts: f.counter(
      "fastevm_consensus_leader_timeouts_total",
      "proposals made after the leader timeout, without the previous round's leader",
    ),
    blocksProposed: f.counter("fastevm_consensus_blocks_proposed_total", "own blocks proposed"),
    blocksReceived: f.counter(
      "fastevm_consensus_blocks_received_total",
      "peer blocks received (stream, gossip)",
    ),
    blocksRejected: f.counter(
      "fastevm_consensus_blocks_rejected_total",
      "received blocks that failed verification",
    ),
    blocksFetched: f.counter("fastevm_consensus_blocks_fetched_total", "blocks received in fetch responses"),
    fetches: f.counter("fastevm_consensus_fetches_total", "fetch requests for missing blocks, by outcome", [
      "outcome",
    ]),
    equivocations: f.counter(
      "fastevm_consensus_equivocations_total",
      "second blocks seen for an (author, round) slot",
    ),
    commitSyncs: f.counter("fastevm_consensus_commit_syncs_total", "certified commit ranges applied"),
    errors: f.counter("fastevm_consensus_errors_total", "core steps that failed"),
    stepsDropped: f.counter(
      "fastevm_consensus_steps_dropped_total",
      "peer blocks and commit ranges refused because the consensus queue was full, by step",
      ["step"],
    ),
  };
}

function p2pMetrics(f: Factory) {
  const messages = f.counter("fastevm_p2p_messages_total", "messages by protocol or topic and direction", [
    "topic",
    "direction",
  ]);
  const bytes = f.counter("fastevm_p2p_bytes_total", "message bytes by protocol or topic and direction", [
    "topic",
    "direction",
  ]);
  return {
    peers: f.collected("fastevm_p2p_peers", "connected libp2p peers"),
    messages,
    bytes,
    /** one message of `size` bytes on `topic` (a protocol id or gossip topic), in or out */
    count(topic: string, direction: "in" | "out", size: number): void {
      messages.inc({ topic, direction });
      bytes.inc({ topic, direction }, size);
    },
    verdicts: f.counter(
      "fastevm_p2p_gossip_verdicts_total",
      "gossip validation results (accept, ignore, reject)",
      ["topic", "verdict"],
    ),
    peerScore: f.collected(
      "fastevm_p2p_peer_score",
      "score of each connected peer (below -100: disconnected)",
      ["peer"],
    ),
    penalties: f.counter("fastevm_p2p_penalties_total", "score penalties for invalid messages"),
  };
}

/** Block sync of a full node (node/sync/syncManager.ts). */
function syncMetrics(f: Factory) {
  return {
    events: f.counter(
      "fastevm_sync_events_total",
      "block sync events: header_batch, body, block_imported, invalid_headers, invalid_body, invalid_block, timeout, wrong_chain, retry",
      ["kind"],
    ),
    peers: f.collected("fastevm_sync_peers", "peers the sync manager tracks (status exchanged, same chain)"),
    targetHead: f.collected("fastevm_sync_target_head", "the highest head number a sync peer told of"),
  };
}

function rpcMetrics(f: Factory) {
  return {
    requests: f.counter(
      "fastevm_rpc_requests_total",
      "JSON-RPC calls by server (engine, http, ws), method and outcome (ok, error, internal_error, not_found)",
      ["server", "method", "outcome"],
    ),
    requestTime: f.histogram("fastevm_rpc_request_seconds", "JSON-RPC call duration", ["server", "method"]),
  };
}

/** Builds every group on `registry`, plus prom-client's default process metrics (`fastevm_process_*`, …). */
export function createMetrics(registry: Registry, opts: { readonly version?: string } = {}): Metrics {
  const f = new Factory(registry);
  // CPU, RSS, heap, handles, GC and event-loop lag (fastevm_nodejs_eventloop_lag_*), prefixed
  collectDefaultMetrics({ register: registry, prefix: "fastevm_" });
  f.gauge("fastevm_info", "constant 1, labelled with the version", ["version"])
    .labels({ version: opts.version ?? "unknown" })
    .set(1);
  return {
    registry,
    pools: poolMetrics(f),
    engine: engineMetrics(f),
    chain: chainMetrics(f),
    txpool: txpoolMetrics(f),
    consensus: consensusMetrics(f),
    p2p: p2pMetrics(f),
    rpc: rpcMetrics(f),
    sync: syncMetrics(f),
  };
}

/** Seconds between two `performance.now()` / epoch-ms readings (never negative: clocks of two threads). */
export function seconds(fromMs: number, toMs: number): number {
  return Math.max(0, toMs - fromMs) / 1000;
}
