/**
 * The LMDB environment of a datadir and its tables. One environment per datadir, opened by one process
 * (guarded by the datadir lock); worker threads of the same process open it again read-only without the lock.
 * Layout: `<datadir>/LOCK`, `<datadir>/chaindata/` (the LMDB environment).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Database, open, type RootDatabase } from "lmdb";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { type DatadirLock, lockDatadir } from "./datadirLock.ts";
import { TABLES, type TableId } from "./tables.ts";

export const CHAINDATA_DIR = "chaindata";

export type Table = Database<Uint8Array, Uint8Array>;

export interface Storage {
  readonly datadir: string;
  readonly env: RootDatabase<Uint8Array, Uint8Array>;
  readonly tables: Readonly<Record<TableId, Table>>;
  /** closes the environment and releases the datadir lock */
  close(): Promise<void>;
}

export interface StorageOptions {
  /** open without write access (worker threads) */
  readonly readOnly?: boolean;
  /** take the datadir lock (default: true unless readOnly) */
  readonly lock?: boolean;
  /** LMDB map size in bytes; lmdb-js grows it automatically when omitted */
  readonly mapSize?: number;
  /** skip fsync on commit: for tests and throwaway datadirs only */
  readonly noSync?: boolean;
  /**
   * open only a datadir that already holds a database (`fastevm init` ran): otherwise NOT_FOUND, and nothing
   * (not the datadir, its lock or chaindata/) is created
   */
  readonly mustExist?: boolean;
}

/** Opens (creating if needed, unless read-only) the datadir's environment and every table of `TABLES`. */
export function openStorage(datadir: string, opts: StorageOptions = {}): Storage {
  const readOnly = opts.readOnly ?? false;
  if (opts.mustExist === true && !existsSync(join(datadir, CHAINDATA_DIR)))
    throw new FastEvmError(
      ErrorCode.NOT_FOUND,
      `datadir ${datadir} is not initialized (no ${CHAINDATA_DIR}/): run fastevm init`,
      { datadir },
    );
  const lock: DatadirLock | undefined = (opts.lock ?? !readOnly) ? lockDatadir(datadir) : undefined;
  try {
    const path = join(datadir, CHAINDATA_DIR);
    if (!readOnly) mkdirSync(path, { recursive: true, mode: 0o700 });
    const env = open<Uint8Array, Uint8Array>({
      path,
      maxDbs: 32,
      readOnly,
      noSync: opts.noSync ?? false,
      encoding: "binary",
      keyEncoding: "binary",
      ...(opts.mapSize === undefined ? {} : { mapSize: opts.mapSize }),
    });
    const tables = {} as Record<TableId, Table>;
    for (const [id, spec] of Object.entries(TABLES) as [TableId, { name: string }][]) {
      tables[id] = env.openDB<Uint8Array, Uint8Array>({
        name: spec.name,
        encoding: "binary",
        keyEncoding: "binary",
      });
    }
    return {
      datadir,
      env,
      tables,
      async close() {
        try {
          await env.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (e) {
    lock?.release();
    if (e instanceof FastEvmError) throw e;
    throw new FastEvmError(
      ErrorCode.STORAGE,
      `cannot open the database in ${datadir}: ${(e as Error).message}`,
      { datadir },
      { cause: e },
    );
  }
}

/**
 * `table.get` as a plain `Uint8Array` view (lmdb-js returns a Node `Buffer`, which compares unequal to
 * `Uint8Array` in deep-equality checks and leaks Buffer methods into codecs).
 */
export function readBytes(table: Table, key: Uint8Array): Uint8Array | undefined {
  const v = table.get(key);
  return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
