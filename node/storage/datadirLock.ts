/**
 * One process per datadir (ARCHITECTURE §6). LMDB itself allows several processes on one environment, so two
 * nodes on the same datadir would both write; a `LOCK` file holding the owner's pid refuses the second one.
 * A lock left by a process that no longer exists (crash, kill -9) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

export const LOCK_FILE = "LOCK";

export interface DatadirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the datadir's lock (creating the directory if needed) or throws `DATADIR_IN_USE`. */
export function lockDatadir(datadir: string): DatadirLock {
  try {
    // 0700 (reliability row 41): the datadir holds the JWT secret and the chain; only its owner reads it
    mkdirSync(datadir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new FastEvmError(ErrorCode.STORAGE, `cannot create datadir ${datadir}: ${(e as Error).message}`, {
      datadir,
    });
  }
  const lockPath = join(datadir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new FastEvmError(ErrorCode.STORAGE, `cannot create ${lockPath}: ${(e as Error).message}`);
      }
      const owner = readOwner(lockPath);
      if (owner !== undefined && isAlive(owner)) {
        throw new FastEvmError(
          ErrorCode.DATADIR_IN_USE,
          `datadir ${datadir} is in use by process ${owner}${owner === process.pid ? " (this process)" : ""}; stop it first (lock file ${lockPath})`,
          { pid: owner, datadir },
        );
      }
      // Stale (owner gone) or half-written lock: remove and retry.
      rmSync(lockPath, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return {
      path: lockPath,
      release() {
        if (released) return;
        released = true;
        if (readOwner(lockPath) === process.pid) rmSync(lockPath, { force: true });
      },
    };
  }
  throw new FastEvmError(
    ErrorCode.DATADIR_IN_USE,
    `could not take the lock of datadir ${datadir} (${lockPath})`,
    { datadir },
  );
}
