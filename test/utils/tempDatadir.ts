/** Throwaway datadirs for tests: real LMDB in a fresh temp directory, removed afterwards. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage, type Storage } from "../../node/storage/storage.ts";

export function tempDir(prefix = "fastevm-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real storage in a temp datadir (no fsync); `close()` also deletes the directory. */
export function tempStorage(): Storage {
  const dir = tempDir();
  const storage = openStorage(join(dir.path, "datadir"), { noSync: true });
  return {
    ...storage,
    async close() {
      await storage.close();
      dir.remove();
    },
  };
}
