/** The datadir lock: a second opener (this process or another) is refused; a dead owner's lock is taken over. */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import { LOCK_FILE, lockDatadir } from "../../../../node/storage/datadirLock.ts";
import { openStorage } from "../../../../node/storage/storage.ts";
import { REPO_ROOT } from "../../../utils/fixtures.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const dirs: { remove(): void }[] = [];
function freshDir(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d.path, "datadir");
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe("datadir lock", () => {
  it("refuses a second lock in the same process, and allows it after release", () => {
    const dir = freshDir();
    const lock = lockDatadir(dir);
    let thrown: unknown;
    try {
      lockDatadir(dir);
    } catch (e) {
      thrown = e;
    }
    expect(isFastEvmError(thrown, ErrorCode.DATADIR_IN_USE)).toBe(true);
    expect((thrown as Error).message).toContain(`process ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDatadir(dir).release();
  });

  it("refuses another process opening the same datadir with a clear message", async () => {
    const dir = freshDir();
    const storage = openStorage(dir, { noSync: true });
    try {
      const script = `import { openStorage } from "./node/storage/storage.ts";
        try { openStorage(${JSON.stringify(dir)}); console.log("opened"); }
        catch (e) { console.log(e.code + ": " + e.message); }`;
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      expect(r.stdout).toContain("DATADIR_IN_USE: datadir");
      expect(r.stdout).toContain(`in use by process ${process.pid}`);
    } finally {
      await storage.close();
    }
  });

  it("reports a datadir path that cannot be a directory as STORAGE", () => {
    const file = join(freshDir(), "..", "plain-file");
    writeFileSync(file, "x");
    let thrown: unknown;
    try {
      lockDatadir(join(file, "sub"));
    } catch (e) {
      thrown = e;
    }
    expect(isFastEvmError(thrown, ErrorCode.STORAGE), String(thrown)).toBe(true);
  });

  it("takes over a lock whose owner no longer exists", () => {
    const dir = freshDir();
    lockDatadir(dir).release();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    writeFileSync(join(dir, LOCK_FILE), `${dead.stdout}\n`);
    const lock = lockDatadir(dir);
    lock.release();
  });
});
