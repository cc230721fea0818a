/**
 * `fastevm devnet` end to end with one validator process: first start lays out keys, committee and a datadir
 * from the devnet genesis, prints the validator's JSON-RPC, Engine API and libp2p endpoints and the dev
 * accounts with their keys, writes devnet.json, runs for --duration and prints its head and
 * last commit index; a second start reuses the layout. A layout of an older version (no public ports) is
 * upgraded, a broken one or one in use is refused. Public ports start at the base, skipping taken ones.
 * Usage errors come back as CLI_USAGE.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { devnetCommand } from "../../../../node/cli/commands/devnet.ts";
import {
  choosePublicPorts,
  type DevnetLayout,
  freePort,
  prepareDevnet,
} from "../../../../node/cli/devnetSetup.ts";
import { addressOfKey, devAccountKey } from "../../../../node/core/chain/devnet.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { lockDatadir } from "../../../../node/storage/datadirLock.ts";
import { REPO_ROOT } from "../../../utils/fixtures.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const dir = tempDir("fastevm-devnet-cmd-");
afterAll(() => dir.remove());
const GENESIS = "0x7ab606cb590438e7b0874fa8ffcd80474c9313847611ff6bb327e3128b8134b0";

async function runDevnet(args: string[]): Promise<string> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    expect(await devnetCommand.run(args)).toBe(0);
    return log.mock.calls.map((c) => String(c[0])).join("\n");
  } finally {
    log.mockRestore();
  }
}

describe("fastevm devnet", () => {
  it("runs a one-validator network for --duration, then reports its head and last commit", async () => {
    const datadir = join(dir.path, "net");
    const args = ["--validators", "1", "--datadir", datadir, "--http.port", "0", "--duration", "3"];
    const out = await runDevnet(args);
    const ep =
      /validator-0 {2}rpc (http:\/\/127\.0\.0\.1:\d+) {2}ws (ws:\/\/127\.0\.0\.1:\d+) {2}engine (http:\/\/127\.0\.0\.1:\d+) {2}p2p (\/ip4\/127\.0\.0\.1\/tcp\/\d+)\/p2p\/12D3Koo\S+/.exec(
        out,
      );
    expect(ep, out).not.toBeNull();
    const json = JSON.parse(readFileSync(join(datadir, "devnet.json"), "utf8")) as DevnetLayout;
    expect(json.chainId).toBe(20256);
    expect(json.root).toBe(datadir);
    expect(json.nodes).toEqual([
      {
        name: "validator-0",
        role: "validator",
        rpc: ep![1],
        ws: ep![2],
        engine: ep![3],
        p2p: ep![4],
        metrics: `http://127.0.0.1:${json.validators[0]!.metricsPort}/metrics`,
      },
    ]);
    expect(out).toContain(`metrics ${json.nodes[0]!.metrics}`);
    expect(json.validators[0]).toMatchObject({ name: "validator-0", datadir: join(datadir, "validator-0") });
    // the dev accounts, printed as anvil does and listed in devnet.json
    expect(json.accounts).toHaveLength(10);
    json.accounts.forEach((a, i) => {
      expect(a.privateKey).toBe(bytesToHex(devAccountKey(i)));
      expect(a.address.toLowerCase()).toBe(bytesToHex(addressOfKey(devAccountKey(i))));
      expect(out).toContain(`(${i}) ${a.address} (1000000 ETH)`);
      expect(out).toContain(`(${i}) ${a.privateKey}`);
    });
    expect(out).toContain("eth_sendRawTransaction");
    expect(out).not.toContain("/tx");
    // no transactions were sent: the chain stays at genesis while consensus commits
    const m = /validator-0 {2}head #0 (0x[0-9a-f]{64}) {2}last commit (\d+) \(executed (\d+)\)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(GENESIS);
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(m![3]).toBe(m![2]);
    const layout = readFileSync(join(datadir, "devnet.json"), "utf8");

    // a restart reuses keys, ports and stores: commits continue past the first run's
    const again = await runDevnet(args);
    expect(readFileSync(join(datadir, "devnet.json"), "utf8")).toBe(layout);
    const m2 = /last commit (\d+)/.exec(again.split("running for")[1] ?? "");
    expect(Number(m2![1])).toBeGreaterThan(Number(m![2]));
  });

  it("upgrades a layout of an older version, refuses a broken one or one in use", async () => {
    const datadir = join(dir.path, "net");
    const file = join(datadir, "devnet.json");
    const current = JSON.parse(readFileSync(file, "utf8")) as DevnetLayout;
    // the layout as the version before the public JSON-RPC wrote it
    const old = {
      root: current.root,
      validators: current.validators.map(({ httpPort: _h, wsPort: _w, ...v }) => v),
    };
    writeFileSync(file, JSON.stringify(old));
    const upgraded = await prepareDevnet(datadir, 1);
    expect(upgraded.nodes[0]!.rpc).toBe(`http://127.0.0.1:${upgraded.validators[0]!.httpPort}`);
    expect(upgraded.validators[0]!.wsPort).not.toBe(upgraded.validators[0]!.httpPort);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(upgraded);

    const lock = lockDatadir(upgraded.validators[0]!.datadir);
    try {
      await expect(prepareDevnet(datadir, 1)).rejects.toMatchObject({ code: "DATADIR_IN_USE" });
    } finally {
      lock.release();
    }
    const good = readFileSync(file, "utf8");
    try {
      writeFileSync(file, JSON.stringify({ root: datadir, validators: [{ name: "validator-0" }] }));
      await expect(prepareDevnet(datadir, 1)).rejects.toMatchObject({
        code: "CLI_USAGE",
        message: expect.stringMatching(/not a devnet layout this version can run \(validators\[0\]\.datadir/),
      });
      writeFileSync(file, "{");
      await expect(prepareDevnet(datadir, 1)).rejects.toMatchObject({ code: "CLI_USAGE" });
    } finally {
      writeFileSync(file, good);
    }
  });

  it("public ports: from the base upward, two per validator, skipping taken ones", async () => {
    const taken = await freePort();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(taken, "127.0.0.1", r));
    try {
      const ports = await choosePublicPorts(2, taken, new Set([taken + 1]));
      const flat = ports.flat();
      expect(flat).toHaveLength(4);
      expect(flat[0]).toBeGreaterThan(taken + 1);
      for (let i = 1; i < 4; i++) expect(flat[i]).toBeGreaterThan(flat[i - 1]!);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it("--fullnodes: a full node beside the validator, role fullnode in devnet.json, synced head on exit", async () => {
    const datadir = join(dir.path, "with-fullnode");
    const out = await runDevnet([
      "--validators",
      "1",
      "--fullnodes",
      "1",
      "--datadir",
      datadir,
      "--http.port",
      "0",
      "--duration",
      "3",
    ]);
    const json = JSON.parse(readFileSync(join(datadir, "devnet.json"), "utf8")) as DevnetLayout;
    const f = json.fullnodes![0]!;
    expect(f).toMatchObject({ name: "fullnode-0", datadir: join(datadir, "fullnode-0") });
    expect(json.nodes.map((n) => [n.name, n.role])).toEqual([
      ["validator-0", "validator"],
      ["fullnode-0", "fullnode"],
    ]);
    expect(json.nodes[1]).toMatchObject({
      rpc: `http://127.0.0.1:${f.httpPort}`,
      p2p: `/ip4/127.0.0.1/tcp/${f.p2pPort}`,
    });
    expect(out).toMatch(/fullnode-0 {2}rpc http:\/\/127\.0\.0\.1:\d+ .* p2p \/ip4\/127\.0\.0\.1\/tcp\/\d+/);
    expect(out).toContain(`fullnode-0  head #0 ${GENESIS}  (full node)`);
  });

  it("rejects bad arguments and a layout of another size as usage errors", async () => {
    await expect(devnetCommand.run(["--bogus"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--validators", "0"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--duration", "-1"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--http.port", "x"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--fullnodes", "-1"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--fullnodes", "1", "--split"])).rejects.toMatchObject({
      code: "CLI_USAGE",
    });
    await expect(
      devnetCommand.run(["--validators", "2", "--datadir", join(dir.path, "net"), "--duration", "1"]),
    ).rejects.toMatchObject({ code: "CLI_USAGE" });
  });

  it("stops cleanly on Ctrl-C under `pnpm devnet`: exit 0, no ELIFECYCLE, every validator's summary", async () => {
    // Ctrl-C in a terminal signals the whole foreground process group: pnpm, the devnet and (unless they
    // have their own group) the validators. The child gets its own group so the test signals only it.
    const child = spawn("pnpm", ["devnet", "--validators", "1", "--datadir", join(dir.path, "ctrl-c")], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let interrupted = false;
    const guard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 100_000);
    const collect = (b: Buffer) => {
      out += b.toString();
      if (!interrupted && out.includes("running; Ctrl-C to stop")) {
        interrupted = true;
        setTimeout(() => process.kill(-child.pid!, "SIGINT"), 1000);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const [code, signal] = await new Promise<[number | null, string | null]>((done) =>
      child.once("close", (c, s) => done([c, s])),
    );
    clearTimeout(guard);
    expect(out).toContain("running; Ctrl-C to stop");
    expect(out).not.toMatch(/ELIFECYCLE|Command failed/);
    expect(out).toMatch(/validator-0 {2}head #0 0x[0-9a-f]{64} {2}last commit \d+/);
    expect([code, signal]).toEqual([0, null]);
  });
});
