/**
 * `fastevm committee --out FILE ENTRY…`: assembles a committee file from validators' public key files.
 * ENTRY is `PATH[:STAKE[:MULTIADDR[,MULTIADDR…]]]`, where PATH is a `validator.json` or the directory
 * `fastevm keys` wrote; stake defaults to 1. Authorities keep the order given (it is their index).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ValidatorPublicFile } from "../../consensus/keys.ts";
import { committeeFromJson, committeeToJson } from "../../consensus/mysticeti/committee.ts";
import type { FastEvmError } from "../../core/errors.ts";
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";
import { KEY_FILES } from "./keys.ts";

const SPEC: CommandSpec = {
  name: "committee",
  summary: "assemble a committee file from validators' public key files, stakes and addresses",
  args: "PATH[:STAKE[:MULTIADDR[,…]]]…",
  description:
    "PATH is a validator.json or the directory `fastevm keys` wrote; STAKE defaults to 1. Authorities keep " +
    "the order given (it is their index).",
  options: [
    { name: "out", value: "FILE", required: true, help: "committee file to write" },
    { name: "epoch", value: "N", default: "0", help: "epoch number" },
    { name: "epoch-start-ms", value: "MS", help: "epoch start, Unix ms (default: now)" },
  ],
  example:
    "committee --out committee.json .keys/v0:1:/ip4/127.0.0.1/tcp/9000 .keys/v1:1:/ip4/127.0.0.1/tcp/9001",
};

const usage = (msg: string): FastEvmError => usageError(SPEC, msg);

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

export const committeeCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const { positionals } = args;
  const out = args.get("out")!;
  if (positionals.length === 0) throw usage("at least one validator is required");
  const committee = committeeFromJson({
    epoch: Number(args.get("epoch")),
    epochStartMs: Number(args.get("epoch-start-ms") ?? Date.now()),
    authorities: positionals.map(parseEntry),
  });
  writeFileSync(out, `${JSON.stringify(committeeToJson(committee), null, 2)}\n`);
  console.log(
    `committee: ${committee.size} authorities, total stake ${committee.totalStake}, quorum ${committee.quorumThreshold}`,
  );
  return 0;
});
