/** `pnpm perf` options: parsing and checks (a bad value is a CLI_USAGE error naming the option). */
import { parseArgs } from "node:util";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";

export const USAGE = `usage: pnpm perf [--rpc URL[,URL…] [--ws URL] | --devnet DATADIR | --validators 4 | --vs-anvil]
  [--rate N | --rates 250,500,1000,2000] [--duration 20] [--senders N] [--inflight 4] [--batch 32]
  [--scenario transfer|erc20|mixed] [--drain 30] [--out perf-results/<timestamp>] [--json] [--key HEX]

  --rpc URL,…     JSON-RPC (HTTP) of the nodes to load; each sender has a home node among them
  --ws URL        a node's WebSocket for the newHeads subscription (with --rpc; default: poll eth_blockNumber)
  --devnet DIR    a running devnet: the nodes and dev accounts of DIR/devnet.json
  --validators N  without --rpc/--devnet: the size of the local devnet started for the run (default 4;
                  1 with --vs-anvil)
  --vs-anvil      the same steps against a local devnet, then against anvil (1 s blocks, gas limit not
                  binding), one after the other; prints both tables and the TPS ratio at each rate
  --rate N        one rate step (tx/s); --rates a list of steps, run in order (default 500)
  --duration S    seconds of load per step (default 20)
  --senders N     sending accounts (default: max(10, highest rate / 5)); funded from the dev keys or --key
  --inflight N    requests in flight per sender (default 4)
  --batch N       sends gathered into JSON-RPC batches of at most N per node, flushed every 2 ms
                  (default 32; 1 sends each alone)
  --scenario      transfer (1 wei), erc20 (token transfer), mixed (alternating); default transfer
  --drain S       after each step, wait up to S seconds for accepted transactions to be included (default 30)
  --out DIR       CSVs, chart.svg and report.html (default perf-results/<timestamp>/)
  --json          print the summary as JSON on stdout (progress and tables go to stderr)
  --key HEX       fund the senders from this private key instead of the dev accounts`;

export type Scenario = "transfer" | "erc20" | "mixed";

export interface PerfArgs {
  readonly rpc?: readonly string[];
  readonly ws?: string;
  readonly devnet?: string;
  readonly validators: number;
  readonly rates: readonly number[];
  readonly duration: number;
  readonly senders: number;
  readonly inflight: number;
  readonly batch: number;
  readonly scenario: Scenario;
  readonly drain: number;
  readonly out?: string;
  readonly json: boolean;
  readonly key?: string;
  readonly vsAnvil: boolean;
  readonly help: boolean;
}

const usage = (msg: string) => new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);

function positive(name: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw usage(`--${name} must be a positive ${integer ? "integer" : "number"}, not "${v}"`);
  return n;
}

export function parsePerfArgs(argv: readonly string[]): PerfArgs {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        rpc: { type: "string" },
        ws: { type: "string" },
        devnet: { type: "string" },
        validators: { type: "string" },
        rate: { type: "string" },
        rates: { type: "string" },
        duration: { type: "string" },
        senders: { type: "string" },
        inflight: { type: "string" },
        batch: { type: "string" },
        scenario: { type: "string" },
        drain: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        key: { type: "string" },
        "vs-anvil": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw usage((e as Error).message);
  }
  const str = (k: string): string | undefined => v[k] as string | undefined;
  if (str("rpc") !== undefined && str("devnet") !== undefined)
    throw usage("give --rpc or --devnet, not both");
  if (str("rate") !== undefined && str("rates") !== undefined)
    throw usage("give --rate or --rates, not both");
  if (str("ws") !== undefined && str("rpc") === undefined) throw usage("--ws goes with --rpc");
  const rates = (str("rates") ?? str("rate") ?? "500")
    .split(",")
    .map((r) => positive("rate", r.trim(), true));
  const rpc = str("rpc")
    ?.split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  for (const u of rpc ?? []) if (!/^https?:\/\//.test(u)) throw usage(`--rpc takes http(s) URLs, not "${u}"`);
  if (rpc !== undefined && rpc.length === 0) throw usage("--rpc needs at least one URL");
  const ws = str("ws");
  if (ws !== undefined && !/^wss?:\/\//.test(ws)) throw usage(`--ws takes a ws(s) URL, not "${ws}"`);
  const scenario = str("scenario") ?? "transfer";
  if (scenario !== "transfer" && scenario !== "erc20" && scenario !== "mixed")
    throw usage(`--scenario must be transfer, erc20 or mixed, not "${scenario}"`);
  const key = str("key");
  if (key !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw usage("--key must be 32 bytes of hex");
  const vsAnvil = v["vs-anvil"] === true;
  if (vsAnvil && (str("rpc") !== undefined || str("devnet") !== undefined))
    throw usage("--vs-anvil starts its own devnet and anvil: not with --rpc or --devnet");
  if (vsAnvil && key !== undefined)
    throw usage("--vs-anvil funds the senders from the dev accounts: not with --key");
  const validators = positive("validators", str("validators") ?? (vsAnvil ? "1" : "4"), true);
  if (validators > 32) throw usage("--validators must be 1..32");
  const maxRate = Math.max(...rates);
  return {
    ...(rpc === undefined ? {} : { rpc }),
    ...(ws === undefined ? {} : { ws }),
    ...(str("devnet") === undefined ? {} : { devnet: str("devnet")! }),
    validators,
    rates,
    duration: positive("duration", str("duration") ?? "20", false),
    senders: positive("senders", str("senders") ?? String(Math.max(10, Math.ceil(maxRate / 5))), true),
    inflight: positive("inflight", str("inflight") ?? "4", true),
    batch: positive("batch", str("batch") ?? "32", true),
    scenario,
    drain: positive("drain", str("drain") ?? "30", false),
    ...(str("out") === undefined ? {} : { out: str("out")! }),
    json: v.json === true,
    ...(key === undefined ? {} : { key: key.startsWith("0x") ? key : `0x${key}` }),
    vsAnvil,
    help: v.help === true,
  };
}
