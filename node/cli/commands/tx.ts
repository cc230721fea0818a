/**
 * `fastevm tx HEX`: decodes a raw EIP-2718 transaction (as sent to eth_sendRawTransaction or found in a
 * payload), runs the static checks for `--chain-id` (default 1) and recovers the sender, then prints the
 * fields, hash, sender and intrinsic gas as JSON. A rejected transaction prints its error code; exit 1.
 */
import { ErrorCode, FastEvmError, isFastEvmError } from "../../core/errors.ts";
import { bytesToHex, looseHexToBytes } from "../../core/hex.ts";
import {
  decodePooledTransaction,
  recoverSender,
  type Transaction,
  transactionHash,
  validateTransaction,
} from "../../core/tx/index.ts";
import type { CliCommand } from "../command.ts";

const USAGE = "usage: fastevm tx [--chain-id N] HEX";

/** JSON form: bigints as decimal strings, bytes as 0x hex, nested lists kept. */
function toJson(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  }
  return v;
}

export interface TxReport {
  readonly ok: boolean;
  readonly tx?: unknown;
  readonly hash?: string;
  readonly sender?: string;
  readonly intrinsicGas?: number;
  readonly blobs?: number;
  readonly error?: { code: string; message: string };
}

/** Decodes, checks and recovers one raw transaction; never throws for an invalid transaction. */
export function describeRawTransaction(raw: Uint8Array, chainId: bigint): TxReport {
  let tx: Transaction | undefined;
  try {
    const pooled = decodePooledTransaction(raw);
    tx = pooled.tx;
    const intrinsicGas = validateTransaction(tx, { chainId });
    const sender = bytesToHex(recoverSender(tx, { chainId }));
    const blobs = pooled.sidecar?.blobs.length;
    return {
      ok: true,
      tx: toJson(tx),
      hash: bytesToHex(transactionHash(tx)),
      sender,
      intrinsicGas,
      ...(blobs === undefined ? {} : { blobs }),
    };
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
    const error = { code: e.code, message: e.message };
    return tx === undefined ? { ok: false, error } : { ok: false, tx: toJson(tx), error };
  }
}

export const txCommand: CliCommand = {
  name: "tx",
  summary: "decode a raw transaction, check it statically and recover its sender",
  usage: USAGE,
  async run(argv) {
    let chainId = 1n;
    let hex: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] ?? "";
      if (a === "--chain-id") {
        const v = argv[++i] ?? "";
        if (!/^[0-9]+$/.test(v))
          throw new FastEvmError(ErrorCode.CLI_USAGE, `--chain-id needs a number\n${USAGE}`);
        chainId = BigInt(v);
      } else if (a.startsWith("--"))
        throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown flag ${a}\n${USAGE}`);
      else if (hex === undefined) hex = a;
      else throw new FastEvmError(ErrorCode.CLI_USAGE, USAGE);
    }
    if (hex === undefined) throw new FastEvmError(ErrorCode.CLI_USAGE, USAGE);
    const report = describeRawTransaction(looseHexToBytes(hex), chainId);
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  },
};
