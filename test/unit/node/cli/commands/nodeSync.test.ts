/** `fastevm node --sync` argument rules (usage errors, before anything opens the datadir). */
import { describe, expect, it } from "vitest";
import { nodeCommand, parseNodeArgs } from "../../../../../node/cli/commands/node.ts";

const usage = { code: "CLI_USAGE" };

describe("fastevm node --sync", () => {
  it("parses the bootnodes list and the listen address", () => {
    const a = parseNodeArgs([
      "--datadir",
      "/d",
      "--sync",
      "--bootnodes",
      "/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2",
      "--p2p.listen",
      "/ip4/127.0.0.1/tcp/3",
    ]);
    expect(a.bootnodes).toEqual(["/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"]);
    expect(a.p2pListen).toBe("/ip4/127.0.0.1/tcp/3");
    expect(a.consensusDir).toBeUndefined();
  });

  it("needs --bootnodes, excludes --validator, and --bootnodes / --p2p.listen need a role", async () => {
    const d = ["--datadir", "/nonexistent"];
    await expect(nodeCommand.run([...d, "--sync"])).rejects.toMatchObject(usage);
    await expect(
      nodeCommand.run([
        ...d,
        "--sync",
        "--bootnodes",
        "/ip4/1.2.3.4/tcp/1",
        "--validator",
        "--consensus-dir",
        "/x",
      ]),
    ).rejects.toMatchObject(usage);
    await expect(nodeCommand.run([...d, "--bootnodes", "/ip4/1.2.3.4/tcp/1"])).rejects.toMatchObject(usage);
    await expect(nodeCommand.run([...d, "--p2p.listen", "/ip4/127.0.0.1/tcp/0"])).rejects.toMatchObject(
      usage,
    );
  });
});
