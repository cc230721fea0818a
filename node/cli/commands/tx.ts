/**
 * `fastevm tx HEX`: decodes a raw EIP-2718 transaction (as sent to eth_sendRawTransaction or found in a
 * payload), runs the static checks for `--chain-id` (default: the transaction's own) and recovers the
 * sender, then prints the fields, hash, sender and intrinsic gas as JSON. A rejected transaction prints its
 * error code (a chain id mismatch names both ids, and the sender is still shown); exit 1.
 */
import { ErrorCode, isFastEvmError } from "../../core/errors.ts";
import { bytesToHex, looseHexToBytes } from "../../core/hex.ts";
import {
  decodePooledTransaction,
  recoverSender,
  type Transaction,
  transactionHash,
  validateTransaction,
} from "../../core/tx/index.ts";
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";

const SPEC: CommandSpec = {
  name: "tx",
  summary: "decode a raw transaction, check it statically and recover its sender",
  args: "HEX",
  description:
    "Prints the fields, hash, sender and intrinsic gas as JSON. Without --chain-id the transaction's own chain " +
    "id is used; with it, a transaction signed for another chain is rejected (TX_CHAIN_ID) and the sender it " +
    "would have is still shown. A rejected transaction exits 1.",
  options: [
    { name: "chain-id", value: "N", help: "the chain the transaction must be valid on (default: its own)" },
  ],
  example: "tx --chain-id 20256 0x02f8…",
};

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
  /** the chain id the transaction was checked against */
  readonly chainId?: string;
  readonly tx?: unknown;
  readonly hash?: string;
  /** recovered with the transaction's own chain id, so it is shown even when the chain id check fails */
  readonly sender?: string;
  readonly intrinsicGas?: number;
  readonly blobs?: number;
  readonly error?: { code: string; message: string };
}

/**
 * Decodes, checks and recovers one raw transaction; never throws for an invalid transaction. `chainId`
 * absent = the transaction's own (1 for an unprotected legacy transaction). The sender is recovered from the
 * signature alone, so a chain id mismatch still shows who signed it, and the error names both chain ids.
 */
export function describeRawTransaction(raw: Uint8Array, chainId?: bigint): TxReport {
  let tx: Transaction | undefined;
  let sender: string | undefined;
  let checked: bigint | undefined;
  try {
    const pooled = decodePooledTransaction(raw);
    tx = pooled.tx;
    try {
      sender = bytesToHex(recoverSender(tx));
    } catch (e) {
      if (!isFastEvmError(e)) throw e; // a bad signature is reported by the checks below
    }
    checked = chainId ?? tx.chainId ?? 1n;
    const intrinsicGas = validateTransaction(tx, { chainId: checked });
    const blobs = pooled.sidecar?.blobs.length;
    return {
      ok: true,
      chainId: checked.toString(),
      tx: toJson(tx),
      hash: bytesToHex(transactionHash(tx)),
      sender: sender ?? bytesToHex(recoverSender(tx, { chainId: checked })),
      intrinsicGas,
      ...(blobs === undefined ? {} : { blobs }),
    };
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
    const mismatch = e.code === ErrorCode.TX_CHAIN_ID && tx?.chainId != null && tx.chainId !== checked;
    const message = mismatch
      ? `the transaction is signed for chain id ${tx?.chainId}, not --chain-id ${checked}`
      : e.message;
    const error = { code: e.code, message };
    if (tx === undefined) return { ok: false, error };
    return {
      ok: false,
      ...(checked === undefined ? {} : { chainId: checked.toString() }),
      tx: toJson(tx),
      hash: bytesToHex(transactionHash(tx)),
      ...(sender === undefined ? {} : { sender }),
      error,
    };
  }
}

export const txCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const chainIdText = args.get("chain-id");
  if (chainIdText !== undefined && !/^[0-9]+$/.test(chainIdText))
    throw usageError(SPEC, "--chain-id needs a number");
  if (args.positionals.length !== 1) throw usageError(SPEC, "expected one HEX transaction");
  const report = describeRawTransaction(
    looseHexToBytes(args.positionals[0]!),
    chainIdText === undefined ? undefined : BigInt(chainIdText),
  );
  console.log(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
});
