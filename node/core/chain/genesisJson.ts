/**
 * geth-format genesis.json: parsing and full validation into typed values, before anything is written.
 * Every problem is a `GENESIS_INVALID` (or `CHAIN_CONFIG_INVALID`) error naming the offending field.
 * Integers may be JSON numbers, decimal strings or 0x hex (as geth accepts); alloc addresses may omit `0x`.
 */
import { bigintToFixedBytes, padLeft } from "../bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { bytesToHex, looseHexToBytes, parseLooseBigint } from "../hex.ts";
import { type ChainConfig, parseChainConfig } from "./chainConfig.ts";

export interface GenesisAccount {
  readonly balance: bigint;
  readonly nonce: bigint;
  readonly code: Uint8Array;
  /** 32-byte slot key (hex, lower case, 0x) → value; zero values are dropped */
  readonly storage: ReadonlyMap<string, bigint>;
}

/** Accounts by 20-byte address (hex, lower case, 0x). */
export type GenesisAlloc = ReadonlyMap<string, GenesisAccount>;

export interface Genesis {
  readonly config: ChainConfig;
  /** 8 bytes (geth's uint64 `nonce`, big-endian) */
  readonly nonce: Uint8Array;
  readonly timestamp: bigint;
  readonly extraData: Uint8Array;
  /** undefined: geth's default applies */
  readonly gasLimit?: bigint;
  readonly difficulty?: bigint;
  readonly mixHash: Uint8Array;
  readonly coinbase: Uint8Array;
  readonly number: bigint;
  readonly gasUsed: bigint;
  readonly parentHash: Uint8Array;
  readonly baseFeePerGas?: bigint;
  readonly excessBlobGas?: bigint;
  readonly blobGasUsed?: bigint;
  readonly alloc: GenesisAlloc;
}

const MAX_U64 = (1n << 64n) - 1n;
const MAX_U256 = (1n << 256n) - 1n;

function genesisError(message: string, cause?: unknown): FastEvmError {
  return new FastEvmError(ErrorCode.GENESIS_INVALID, `invalid genesis: ${message}`, undefined, { cause });
}

function int(name: string, v: unknown, max = MAX_U256): bigint {
  if (typeof v !== "string" && typeof v !== "number")
    throw genesisError(`${name} must be an integer, got ${JSON.stringify(v)}`);
  let n: bigint;
  try {
    n = parseLooseBigint(v);
  } catch (e) {
    throw genesisError(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`, e);
  }
  if (n > max) throw genesisError(`${name} ${n} is out of range (max ${max})`);
  return n;
}

function optInt(name: string, v: unknown, max = MAX_U256): bigint | undefined {
  return v === undefined || v === null ? undefined : int(name, v, max);
}

function bytes(name: string, v: unknown, length?: number): Uint8Array {
  if (typeof v !== "string") throw genesisError(`${name} must be a hex string, got ${JSON.stringify(v)}`);
  let b: Uint8Array;
  try {
    b = looseHexToBytes(v);
  } catch (e) {
    throw genesisError(`${name} is not valid hex: ${JSON.stringify(v).slice(0, 80)}`, e);
  }
  if (length !== undefined && b.length !== length)
    throw genesisError(`${name} must be ${length} bytes, got ${b.length}`);
  return b;
}

function optBytes(name: string, v: unknown, length: number): Uint8Array {
  return v === undefined || v === null ? new Uint8Array(length) : bytes(name, v, length);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses an alloc / fixture `pre` object: `{ address: { balance, nonce?, code?, storage? } }`. */
export function parseGenesisAlloc(json: unknown, what = "alloc"): GenesisAlloc {
  if (!isObject(json)) throw genesisError(`${what} must be an object`);
  const out = new Map<string, GenesisAccount>();
  for (const [addr, acc] of Object.entries(json)) {
    const key = bytesToHex(bytes(`${what} address ${JSON.stringify(addr)}`, addr, 20));
    const at = `${what}[${key}]`;
    if (out.has(key)) throw genesisError(`${at} appears twice`);
    if (!isObject(acc)) throw genesisError(`${at} must be an object`);
    const storage = new Map<string, bigint>();
    if (acc.storage !== undefined && acc.storage !== null) {
      if (!isObject(acc.storage)) throw genesisError(`${at}.storage must be an object`);
      for (const [slot, value] of Object.entries(acc.storage)) {
        const slotBytes = bytes(`${at}.storage key ${JSON.stringify(slot)}`, slot);
        if (slotBytes.length > 32) throw genesisError(`${at}.storage key ${slot} is longer than 32 bytes`);
        const v =
          typeof value === "string" && value.startsWith("0x")
            ? bytesToBigint32(`${at}.storage[${slot}]`, value)
            : int(`${at}.storage[${slot}]`, value);
        const k = bytesToHex(padLeft(slotBytes, 32));
        if (storage.has(k)) throw genesisError(`${at}.storage key ${k} appears twice`);
        if (v !== 0n) storage.set(k, v);
      }
    }
    out.set(key, {
      balance: acc.balance === undefined ? 0n : int(`${at}.balance`, acc.balance),
      nonce: acc.nonce === undefined ? 0n : int(`${at}.nonce`, acc.nonce, MAX_U64),
      code: acc.code === undefined || acc.code === null ? new Uint8Array(0) : bytes(`${at}.code`, acc.code),
      storage,
    });
  }
  return out;
}

/** A hex word of up to 32 bytes (leading zeros allowed) as an integer. */
function bytesToBigint32(name: string, v: string): bigint {
  const b = bytes(name, v);
  if (b.length > 32) throw genesisError(`${name} is longer than 32 bytes`);
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** Parses the text of a genesis.json (JSON syntax errors included) into a validated `Genesis`. */
export function parseGenesisText(text: string): Genesis {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw genesisError(`not valid JSON (${(e as Error).message})`, e);
  }
  return parseGenesis(json);
}

export function parseGenesis(json: unknown): Genesis {
  if (!isObject(json)) throw genesisError("top level must be an object");
  if (json.config === undefined) throw genesisError("config is missing");
  if (json.alloc === undefined) throw genesisError("alloc is missing");
  let config: ChainConfig;
  try {
    config = parseChainConfig(json.config);
  } catch (e) {
    if (isFastEvmError(e))
      throw new FastEvmError(
        ErrorCode.GENESIS_INVALID,
        `invalid genesis: ${e.message}`,
        { cause: e.code },
        { cause: e },
      );
    throw e;
  }
  const extraData =
    json.extraData === undefined || json.extraData === null
      ? new Uint8Array(0)
      : bytes("extraData", json.extraData);
  const g: Genesis = {
    config,
    nonce: bigintToFixedBytes(optInt("nonce", json.nonce, MAX_U64) ?? 0n, 8),
    timestamp: optInt("timestamp", json.timestamp, MAX_U64) ?? 0n,
    extraData,
    mixHash: optBytes("mixHash", json.mixHash, 32),
    coinbase: optBytes("coinbase", json.coinbase, 20),
    number: optInt("number", json.number, MAX_U64) ?? 0n,
    gasUsed: optInt("gasUsed", json.gasUsed, MAX_U64) ?? 0n,
    parentHash: optBytes("parentHash", json.parentHash, 32),
    alloc: parseGenesisAlloc(json.alloc),
  };
  const opt = {
    gasLimit: optInt("gasLimit", json.gasLimit, MAX_U64),
    difficulty: optInt("difficulty", json.difficulty),
    baseFeePerGas: optInt("baseFeePerGas", json.baseFeePerGas),
    excessBlobGas: optInt("excessBlobGas", json.excessBlobGas, MAX_U64),
    blobGasUsed: optInt("blobGasUsed", json.blobGasUsed, MAX_U64),
  };
  // exactOptionalPropertyTypes: only copy the fields that are present.
  const out: Record<string, unknown> = { ...g };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
  return out as unknown as Genesis;
}
