/**
 * The devnet's on-disk layout, created on first start and reused after: per validator a datadir initialized
 * from the devnet genesis (`validator-i/`), its consensus keys and a copy of the committee
 * (`validator-i/consensus/`), and loopback ports for the Engine API, libp2p, the transaction endpoint and
 * the metrics server, all recorded in `devnet.json`. The cluster test and `fastevm devnet` both start validators from it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEVNET_GENESIS_PATH } from "../core/chain/devnet.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { committeeCommand } from "./commands/committee.ts";
import { initCommand } from "./commands/init.ts";
import { keysCommand } from "./commands/keys.ts";
import { COMMITTEE_FILE } from "./validator.ts";

/** The `fastevm` entry point child processes run. */
export const FASTEVM_BIN: string = fileURLToPath(new URL("../../bin/fastevm.js", import.meta.url));

export interface DevnetValidator {
  readonly name: string;
  readonly datadir: string;
  readonly consensusDir: string;
  readonly enginePort: number;
  readonly p2pPort: number;
  readonly txPort: number;
  /** `--metrics.port` (absent in a devnet made before metrics: that one runs without) */
  readonly metricsPort?: number;
}

export interface DevnetLayout {
  readonly root: string;
  readonly validators: readonly DevnetValidator[];
}

const LAYOUT_FILE = "devnet.json";

/** A port the OS reports free on 127.0.0.1 right now (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = a !== null && typeof a === "object" ? a.port : 0;
      s.close(() => done(port));
    });
  });
}

/** Runs a CLI command in-process with its stdout silenced (setup chatter); its errors still throw. */
async function quietly(run: () => Promise<number>): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    const rc = await run();
    if (rc !== 0) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `devnet setup step exited ${rc}`);
  } finally {
    console.log = log;
  }
}

/** The layout in `root`, created for `n` validators when absent; an existing one must have `n` validators. */
export async function prepareDevnet(root: string, n: number): Promise<DevnetLayout> {
  const dir = resolve(root);
  const file = join(dir, LAYOUT_FILE);
  if (existsSync(file)) {
    const layout = JSON.parse(readFileSync(file, "utf8")) as DevnetLayout;
    if (layout.validators.length !== n)
      throw new FastEvmError(
        ErrorCode.CLI_USAGE,
        `${dir} holds a devnet of ${layout.validators.length} validators, not ${n}: use another --datadir`,
      );
    return layout;
  }
  mkdirSync(dir, { recursive: true });
  const validators: DevnetValidator[] = [];
  for (let i = 0; i < n; i++) {
    const datadir = join(dir, `validator-${i}`);
    const consensusDir = join(datadir, "consensus");
    await quietly(() => initCommand.run(["--datadir", datadir, DEVNET_GENESIS_PATH]));
    await quietly(() => keysCommand.run(["--out", consensusDir]));
    validators.push({
      name: `validator-${i}`,
      datadir,
      consensusDir,
      enginePort: await freePort(),
      p2pPort: await freePort(),
      txPort: await freePort(),
      metricsPort: await freePort(),
    });
  }
  const committeeFile = join(dir, COMMITTEE_FILE);
  const entries = validators.map((v) => `${v.consensusDir}:1:/ip4/127.0.0.1/tcp/${v.p2pPort}`);
  await quietly(() => committeeCommand.run(["--out", committeeFile, ...entries]));
  const committee = JSON.parse(readFileSync(committeeFile, "utf8")) as { authorities: { name: string }[] };
  committee.authorities.forEach((a, i) => {
    a.name = `validator-${i}`;
  });
  writeFileSync(committeeFile, `${JSON.stringify(committee, null, 2)}\n`);
  for (const v of validators) copyFileSync(committeeFile, join(v.consensusDir, COMMITTEE_FILE));
  const layout: DevnetLayout = { root: dir, validators };
  // written last: a half-made devnet (interrupted setup) is not mistaken for a complete one
  writeFileSync(file, `${JSON.stringify(layout, null, 2)}\n`);
  return layout;
}

/** The `fastevm node` arguments that run validator `v` of the devnet. */
export function validatorArgs(v: DevnetValidator): string[] {
  return [
    "node",
    "--datadir",
    v.datadir,
    "--authrpc.port",
    String(v.enginePort),
    "--validator",
    "--consensus-dir",
    v.consensusDir,
    "--tx-listen",
    `127.0.0.1:${v.txPort}`,
    ...(v.metricsPort === undefined ? [] : ["--metrics", "--metrics.port", String(v.metricsPort)]),
  ];
}

/** The validator's Prometheus endpoint (devnet.json `nodes[].metrics`), if it runs with metrics. */
export function metricsUrl(v: DevnetValidator): string | undefined {
  return v.metricsPort === undefined ? undefined : `http://127.0.0.1:${v.metricsPort}/metrics`;
}
