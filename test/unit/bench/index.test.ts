/** `pnpm bench --help` lists the suites; an unknown suite name is an error (exit 1), nothing runs. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectSuites } from "../../../bench/index.ts";
import { SUITES } from "../../../bench/suites.ts";
import { REPO_ROOT } from "../../utils/fixtures.ts";

const bench = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench/index.ts"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });

describe("pnpm bench", () => {
  it("lists every suite on --help and exits 0 (real process)", () => {
    const r = bench("--help");
    expect(r.status).toBe(0);
    for (const s of SUITES)
      expect(r.stdout).toMatch(new RegExp(`^  ${s.name}\\s+${s.description.slice(0, 20)}`, "m"));
  });

  it("refuses an unknown suite with exit 1 and the list, running nothing (real process)", () => {
    const r = bench("rlp", "nosuchsuite");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown suite "nosuchsuite"/);
    expect(r.stderr).toMatch(/^ {2}rlp\s/m);
    expect(r.stdout).not.toMatch(/## rlp/);
  });

  it("selects the named suites in their declared order, all when none are named", () => {
    const names = (args: string[]) => {
      const p = selectSuites(args);
      return "suites" in p ? p.suites.map((s) => s.name) : p.exit;
    };
    expect(names([])).toEqual(SUITES.map((s) => s.name));
    expect(names(["tx", "rlp"])).toEqual(["rlp", "tx"]);
    expect(names(["-h"])).toBe(0);
    expect(names(["bogus"])).toBe(1);
  });
});
