/**
 * `fastevm consensus`: runs one Mysticeti validator (consensus only) over libp2p with its LMDB consensus
 * store, printing each commit. The Engine API driver (`--execution-url`, `--jwt-secret`) plugs in here
 * once the execution node serves the Engine API; until then commits are only printed.
 */
import "../../network/polyfills.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { subDagTransactions } from "../../consensus/commit.ts";
import { committeeFromJson } from "../../consensus/committee.ts";
import { ConsensusNode } from "../../consensus/consensusNode.ts";
import { ed25519FromKeyFile } from "../../consensus/keys.ts";
import { LmdbConsensusStore } from "../../consensus/lmdbStore.ts";
import { BlockSigner } from "../../consensus/signer.ts";
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { createHost, type Host } from "../../network/host.ts";
import { openStorage } from "../../storage/storage.ts";
import type { CliCommand } from "../command.ts";
import { KEY_FILES } from "./keys.ts";

const USAGE =
  "usage: fastevm consensus --committee FILE --keys DIR --datadir DIR [--listen MULTIADDR] [--duration SECONDS] [--quiet]";

function usage(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

export const consensusCommand: CliCommand = {
  name: "consensus",
  summary: "run a Mysticeti consensus validator over libp2p (LMDB consensus store), printing commits",
  usage: USAGE,
  async run(argv) {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          committee: { type: "string" },
          keys: { type: "string" },
          datadir: { type: "string" },
          listen: { type: "string" },
          duration: { type: "string" },
          quiet: { type: "boolean" },
          "execution-url": { type: "string" },
          "jwt-secret": { type: "string" },
        },
      }).values;
    } catch (e) {
      throw usage((e as Error).message);
    }
    const { committee: committeeFile, keys, datadir } = values;
    if (typeof committeeFile !== "string" || typeof keys !== "string" || typeof datadir !== "string") {
      throw usage("--committee, --keys and --datadir are required");
    }
    if (values["execution-url"] !== undefined || values["jwt-secret"] !== undefined) {
      throw usage("the Engine API driver is not wired yet: run without --execution-url / --jwt-secret");
    }
    const committee = committeeFromJson(readJson(committeeFile));
    const protocol = ed25519FromKeyFile(readJson(join(keys, KEY_FILES.protocol)));
    const network = ed25519FromKeyFile(readJson(join(keys, KEY_FILES.network)));
    const authority = committee.authorities.findIndex((a) => equalBytes(a.protocolKey, protocol.publicKey));
    if (authority < 0) throw usage(`the protocol key in ${keys} is not in the committee`);
    const listen =
      typeof values.listen === "string" ? values.listen : committee.authority(authority).addresses[0];
    const storage = openStorage(datadir);
    const host = (await createHost({
      networkKey: network.secretKey,
      listen: [listen ?? "/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 8 << 20,
    })) as Host;
    let last = 0;
    const node = new ConsensusNode({
      committee,
      authority,
      signer: new BlockSigner(protocol),
      store: new LmdbConsensusStore(storage),
      host,
      amnesiaGuard: true,
      onCommit: (s) => {
        last = s.commit.index;
        if (values.quiet === true) return;
        const txs = subDagTransactions(s).length;
        console.log(
          `commit ${s.commit.index} leader ${s.leader.round}/${s.leader.author} blocks ${s.blocks.length} txs ${txs} ${bytesToHex(s.commitRef.digest).slice(0, 18)}`,
        );
      },
    });
    console.log(
      `validator ${authority} (${committee.authority(authority).name}) peer ${host.peerId.toString()}`,
    );
    for (const a of host.getMultiaddrs()) console.log(`listening ${a.toString()}`);
    await node.connect();
    await node.start();
    let stop: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      stop = () => resolve();
    });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const seconds = typeof values.duration === "string" ? Number(values.duration) : undefined;
    const timer = seconds === undefined ? undefined : setTimeout(stop, seconds * 1000);
    await promise;
    if (timer !== undefined) clearTimeout(timer);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await node.stop();
    await host.stop();
    await storage.close();
    console.log(`last commit index ${Math.max(last, node.core.lastCommitIndex)}`);
    return node.fatal === undefined ? 0 : 1;
  },
};
