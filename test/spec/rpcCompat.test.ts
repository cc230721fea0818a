/**
 * hive's rpc-compat against a real `fastevm node`: the execution-apis test chain
 * (`../shared/fixtures/rpc-compat/genesis.json` + `chain.rlp`, Cancun from genesis) goes through
 * `fastevm init` and `fastevm import` into a fresh datadir; one forkchoiceUpdated on the Engine API marks
 * the head safe and finalized (as hive's headfcu step does; on a FastEVM chain every executed commit is
 * final); then every recorded `.io` case is replayed over the public HTTP port. Results must be equal
 * exactly; for errors, the presence of an error and its code must match. The case count is asserted.
 *
 * A case where FastEVM deviates on purpose is in DEVIATIONS with its reason and the error code it answers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../node/cli/commands/import.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { EngineHttpClient } from "../../node/rpc/engine/client.ts";
import { readJwtSecret } from "../../node/rpc/jwt.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { type NodeProcess, rpcPost, startNodeProcess } from "../utils/nodeProcess.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/rpc-compat");
const TOTAL_CASES = 57;

/**
 * Where FastEVM answers differently from geth on purpose, with the reason; each still must answer an error
 * with this code (the list can only shrink, and every entry must name an existing case).
 */
const DEVIATIONS: ReadonlyMap<string, { code: number; reason: string }> = new Map([
  [
    "eth_sendRawTransaction/send-blob-tx.io",
    {
      code: -32000,
      reason: "the txpool refuses blob transactions: FastEVM has no blob data availability (ARCHITECTURE §3)",
    },
  ],
]);

interface Case {
  readonly name: string;
  readonly pairs: { request: string; response: string }[];
}

function loadCases(): Case[] {
  const out: Case[] = [];
  for (const dir of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(FIXTURES, dir.name))
      .filter((x) => x.endsWith(".io"))
      .sort()) {
      const pairs: { request: string; response: string }[] = [];
      let pending: string | null = null;
      for (const line of readFileSync(join(FIXTURES, dir.name, f), "utf8").split("\n")) {
        if (line.startsWith(">> ")) pending = line.slice(3);
        else if (line.startsWith("<< ") && pending !== null) {
          pairs.push({ request: pending, response: line.slice(3) });
          pending = null;
        }
      }
      out.push({ name: `${dir.name}/${f}`, pairs });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const cases = loadCases();
const dir = tempDir("fastevm-rpc-compat-");
const datadir = join(dir.path, "datadir");
let node: NodeProcess;

beforeAll(async () => {
  const log = console.log;
  console.log = () => {};
  try {
    expect(await initCommand.run(["--datadir", datadir, join(FIXTURES, "genesis.json")])).toBe(0);
    expect(await importCommand.run(["--datadir", datadir, join(FIXTURES, "chain.rlp")])).toBe(0);
  } finally {
    console.log = log;
  }
  node = await startNodeProcess(datadir, [
    "--http",
    "--http.port",
    "0",
    "--http.api",
    "eth,net,web3,txpool,debug",
  ]);
  const engine = new EngineHttpClient(
    `http://127.0.0.1:${node.engine}`,
    readJwtSecret(join(datadir, "jwt.hex")),
  );
  const head = (await engine.call<{ hash: string }>("eth_getBlockByNumber", ["latest", false])).hash;
  const fcu = await engine.forkchoiceUpdatedV3({
    headBlockHash: head,
    safeBlockHash: head,
    finalizedBlockHash: head,
  });
  expect(fcu.payloadStatus.status).toBe("VALID");
}, 180_000);

afterAll(async () => {
  await node?.stop();
  dir.remove();
});

describe("rpc-compat (execution-apis recordings)", () => {
  it(`holds ${TOTAL_CASES} cases, and the deviations name only existing ones`, () => {
    expect(cases.length).toBe(TOTAL_CASES);
    const names = new Set(cases.map((c) => c.name));
    for (const p of DEVIATIONS.keys()) expect(names.has(p), p).toBe(true);
  });

  for (const c of cases) {
    const deviation = DEVIATIONS.get(c.name);
    it(`${c.name}${deviation === undefined ? "" : ` (deviates: ${deviation.reason})`}`, async () => {
      for (const { request, response } of c.pairs) {
        const got = (await rpcPost(node.http!, request)) as { result?: unknown; error?: { code: number } };
        const want = JSON.parse(response) as { result?: unknown; error?: { code: number } };
        if (deviation !== undefined) {
          expect(got.error?.code, JSON.stringify(got)).toBe(deviation.code);
          continue;
        }
        if (want.error !== undefined) {
          expect(got.error, JSON.stringify(got)).toBeDefined();
          expect(got.error!.code).toBe(want.error.code);
        } else {
          expect(got.error, JSON.stringify(got.error)).toBeUndefined();
          expect(got.result).toEqual(want.result);
        }
      }
    });
  }
});
