/** `fastevm node --validator` argument rules: --validator and --consensus-dir only together (usage errors). */
import { describe, expect, it } from "vitest";
import { nodeCommand } from "../../../../../node/cli/commands/node.ts";

describe("fastevm node --validator", () => {
  it("needs --consensus-dir, and --consensus-dir needs --validator", async () => {
    await expect(nodeCommand.run(["--datadir", "/nonexistent", "--validator"])).rejects.toMatchObject({
      code: "CLI_USAGE",
    });
    await expect(
      nodeCommand.run(["--datadir", "/nonexistent", "--consensus-dir", "/nonexistent"]),
    ).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(
      nodeCommand.run(["--datadir", "/nonexistent", "--validator", "--consensus-dir"]),
    ).rejects.toMatchObject({ code: "CLI_USAGE" });
  });
});
