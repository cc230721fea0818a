/**
 * Separate-process mode: `fastevm consensus --execution-url … --jwt-secret …` driving a `fastevm node` in
 * another process over HTTP + JWT. Transactions go to the execution node's pool (`eth_sendRawTransaction`) and the
 * consensus process takes its proposals from that pool (`fastevm_txpoolSelectV1`); they become blocks. The
 * execution node is SIGKILLed while consensus keeps committing, and once it is restarted the driver's
 * retries go through: every transaction lands in exactly one block and no commit index is executed twice
 * (stamps strictly increase).
 * E2E_CONSENSUS_EXECUTION=0 skips it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NODE_READY_LINE } from "../../node/cli/commands/node.ts";
import { type DevnetValidator, FASTEVM_BIN, prepareDevnet } from "../../node/cli/devnetSetup.ts";
import { COMMITTEE_FILE } from "../../node/cli/validator.ts";
import { decodeCommitStamp } from "../../node/core/chain/commitStamp.ts";
import { hexToBytes } from "../../node/core/hex.ts";
import { EngineHttpClient } from "../../node/rpc/engine/client.ts";
import { devnetTransfer, sendRawTransaction } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-consensus-exec-");
const children: ChildProcess[] = [];
let v: DevnetValidator;
let nonce = 0n;
/** "block #n hash commit k txs t" lines of the consensus process */
const blocks: { number: number; commit: number; txs: number }[] = [];

function start(args: string[], readyPrefix: string, onLine?: (l: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FASTEVM_BIN, ...args], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(child);
  child.stdout!.setEncoding("utf8");
  return new Promise((ready, fail) => {
    let buf = "";
    child.stdout!.on("data", (chunk: string) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) {
        onLine?.(l);
        if (l.startsWith(readyPrefix)) ready(child);
      }
    });
    child.once("exit", (code) => fail(new Error(`${args[0]} exited ${code} before it was ready`)));
  });
}

const startExecution = () =>
  start(
    [
      "node",
      "--datadir",
      v.datadir,
      "--authrpc.port",
      String(v.enginePort),
      "--http",
      "--http.port",
      String(v.httpPort),
    ],
    NODE_READY_LINE,
  );

async function submit(count: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    const raw = devnetTransfer(1, nonce++);
    const res = await sendRawTransaction(`http://127.0.0.1:${v.httpPort}`, raw);
    expect(res.error).toBeUndefined();
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const txsInBlocks = () => blocks.reduce((s, b) => s + b.txs, 0);

describe.skipIf(process.env.E2E_CONSENSUS_EXECUTION === "0")(
  "consensus driving a separate execution node",
  () => {
    afterAll(() => {
      for (const c of children) c.kill("SIGKILL");
      dir.remove();
    });

    it("produces blocks, rides out a SIGKILL of the execution node, never skips or repeats a commit", async () => {
      [v] = (await prepareDevnet(dir.path, 1)).validators as [DevnetValidator];
      let execution = await startExecution();
      const jwt = join(v.datadir, "jwt.hex");
      await start(
        [
          "consensus",
          "--committee",
          join(v.consensusDir, COMMITTEE_FILE),
          "--keys",
          v.consensusDir,
          "--datadir",
          join(dir.path, "consensus"),
          "--execution-url",
          `http://127.0.0.1:${v.enginePort}`,
          "--jwt-secret",
          jwt,
        ],
        "listening",
        (l) => {
          const m = /^block #(\d+) \S+ commit (\d+) txs (\d+)$/.exec(l);
          if (m !== null) blocks.push({ number: Number(m[1]), commit: Number(m[2]), txs: Number(m[3]) });
        },
      );
      await submit(3);
      await until(() => txsInBlocks() === 3, 20_000, "the first 3 transactions");

      execution.kill("SIGKILL");
      await new Promise((r) => execution.once("exit", r));
      // consensus goes on committing (empty commits) while the execution node is down
      await new Promise((r) => setTimeout(r, 1500));
      expect(txsInBlocks()).toBe(3);
      execution = await startExecution();
      await submit(3);
      await until(() => txsInBlocks() === 6, 30_000, "the 3 transactions sent after the restart");

      // the execution node's chain: one block per reported block, stamps strictly increasing
      const client = new EngineHttpClient(
        `http://127.0.0.1:${v.enginePort}`,
        hexToBytes(readFileSync(jwt, "utf8").trim()),
      );
      let last = 0;
      let txs = 0;
      const head = Number(
        (await client.call<{ number: string }>("eth_getBlockByNumber", ["latest", false])).number,
      );
      expect(head).toBe(blocks.length);
      for (let n = 1; n <= head; n++) {
        const b = await client.call<{ extraData: string; transactions: string[] }>("eth_getBlockByNumber", [
          `0x${n.toString(16)}`,
          false,
        ]);
        const stamp = decodeCommitStamp(hexToBytes(b.extraData))!;
        expect(stamp.index).toBeGreaterThan(last);
        expect(stamp.index).toBe(blocks[n - 1]!.commit);
        last = stamp.index;
        txs += b.transactions.length;
      }
      expect(txs).toBe(6);
    });
  },
);
