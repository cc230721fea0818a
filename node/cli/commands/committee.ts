/**
 * `fastevm committee --out FILE ENTRY…`: assembles a committee file from validators' public key files.
 * ENTRY is `PATH[:STAKE[:MULTIADDR[,MULTIADDR…]]]`, where PATH is a `validator.json` or the directory
 * `fastevm keys` wrote; stake defaults to 1. Authorities keep the order given (it is their index).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { ValidatorPublicFile } from "../../consensus/keys.ts";
import { committeeFromJson, committeeToJson } from "../../consensus/mysticeti/committee.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { CliCommand } from "../command.ts";
import { KEY_FILES } from "./keys.ts";

const USAGE =
  "usage: fastevm committee --out FILE [--epoch N] [--epoch-start-ms MS] PATH[:STAKE[:MULTIADDR[,…]]]…";

function usage(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);
}

function parseEntry(entry: string, i: number) {
  const [path = "", stakeText, addrs] = entry.split(":", 3);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, KEY_FILES.public) : path;
  if (!existsSync(file)) throw usage(`validator file ${file} not found`);
  const pub = JSON.parse(readFileSync(file, "utf8")) as Partial<ValidatorPublicFile>;
  const stake = stakeText === undefined || stakeText === "" ? 1 : Number(stakeText);
  if (!Number.isSafeInteger(stake) || stake <= 0) throw usage(`entry ${i}: stake must be a positive integer`);
  const dir = file === path ? dirname(file) : path;
  return {
    name: basename(dir) || `validator-${i}`,
    stake,
    protocolKey: pub.protocolKey,
    peerId: pub.peerId ?? "",
    addresses: addrs === undefined || addrs === "" ? [] : addrs.split(","),
    feeRecipient: pub.feeRecipient,
  };
}

export const committeeCommand: CliCommand = {
  name: "committee",
  summary: "assemble a committee file from validators' public key files, stakes and addresses",
  usage: USAGE,
  async run(argv) {
    let parsed: ReturnType<typeof parse>;
    const parse = () =>
      parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: { out: { type: "string" }, epoch: { type: "string" }, "epoch-start-ms": { type: "string" } },
      });
    try {
      parsed = parse();
    } catch (e) {
      throw usage((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.out === undefined) throw usage("--out is required");
    if (positionals.length === 0) throw usage("at least one validator is required");
    const committee = committeeFromJson({
      epoch: Number(values.epoch ?? 0),
      epochStartMs: Number(values["epoch-start-ms"] ?? Date.now()),
      authorities: positionals.map(parseEntry),
    });
    writeFileSync(values.out, `${JSON.stringify(committeeToJson(committee), null, 2)}\n`);
    console.log(
      `committee: ${committee.size} authorities, total stake ${committee.totalStake}, quorum ${committee.quorumThreshold}`,
    );
    return 0;
  },
};
