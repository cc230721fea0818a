/** `fastevm keys` and `fastevm committee`: key files with mode 0600, public file, committee assembly. */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { committeeCommand } from "../../../../../node/cli/commands/committee.ts";
import { KEY_FILES, keysCommand } from "../../../../../node/cli/commands/keys.ts";
import {
  ed25519FromKeyFile,
  parseSecretKeyFile,
  peerIdFromEd25519,
} from "../../../../../node/consensus/keys.ts";
import { committeeFromJson } from "../../../../../node/consensus/mysticeti/committee.ts";
import { BlockSigner, Ed25519Verifier } from "../../../../../node/consensus/signer.ts";
import { privateKeyToAddress } from "../../../../../node/core/crypto/secp256k1.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";

const dirs: string[] = [];
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "fastevm-keys-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Record<string, string>;

describe("fastevm keys / committee", () => {
  it("writes secret key files with mode 0600 and a consistent public file", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const dir = join(scratch(), "v0");
    expect(await keysCommand.run(["--out", dir])).toBe(0);
    for (const f of [KEY_FILES.protocol, KEY_FILES.network, KEY_FILES.feeRecipient]) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    }
    const pub = readJson(join(dir, KEY_FILES.public));
    const protocol = ed25519FromKeyFile(readJson(join(dir, KEY_FILES.protocol)));
    expect(bytesToHex(protocol.publicKey)).toBe(pub.protocolKey);
    const network = ed25519FromKeyFile(readJson(join(dir, KEY_FILES.network)));
    expect(pub.peerId).toBe(peerIdFromEd25519(network.publicKey));
    expect(pub.peerId!.startsWith("12D3KooW")).toBe(true);
    const fee = parseSecretKeyFile(readJson(join(dir, KEY_FILES.feeRecipient)), "secp256k1");
    expect(bytesToHex(privateKeyToAddress(fee))).toBe(pub.feeRecipient);
    // the protocol key signs blocks the committee's key verifies
    const block = new BlockSigner(protocol).sign({
      epoch: 0,
      round: 1,
      author: 0,
      timestampMs: 1,
      ancestors: [],
      transactions: [],
      commitVotes: [],
    });
    expect(new Ed25519Verifier([protocol.publicKey]).verify(block)).toBe(true);
    // never overwrites
    await expect(keysCommand.run(["--out", dir])).rejects.toThrow(/refusing to overwrite/);
    await expect(keysCommand.run([])).rejects.toThrow(/usage/);
  });

  it("assembles a committee file from key directories with stakes and addresses", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const root = scratch();
    for (const v of ["a", "b", "c", "d"]) await keysCommand.run(["--out", join(root, v)]);
    const out = join(root, "committee.json");
    const code = await committeeCommand.run([
      "--out",
      out,
      "--epoch-start-ms",
      "1000",
      `${join(root, "a")}:2:/ip4/127.0.0.1/tcp/9000`,
      join(root, "b"),
      `${join(root, "c", KEY_FILES.public)}:1`,
      `${join(root, "d")}:3:/ip4/127.0.0.1/tcp/9003,/ip4/10.0.0.1/tcp/9003`,
    ]);
    expect(code).toBe(0);
    const c = committeeFromJson(JSON.parse(readFileSync(out, "utf8")));
    expect(c.authorities.map((a) => a.stake)).toEqual([2, 1, 1, 3]);
    expect(c.authorities.map((a) => a.name)).toEqual(["a", "b", "c", "d"]);
    expect(c.authorities[3]!.addresses).toEqual(["/ip4/127.0.0.1/tcp/9003", "/ip4/10.0.0.1/tcp/9003"]);
    expect(bytesToHex(c.authorities[1]!.protocolKey)).toBe(
      readJson(join(root, "b", KEY_FILES.public)).protocolKey,
    );
    expect(c.epochStartMs).toBe(1000);
    await expect(committeeCommand.run(["--out", out, `${join(root, "a")}:0`])).rejects.toThrow(/stake/);
    await expect(committeeCommand.run(["--out", out, join(root, "nope")])).rejects.toThrow(/not found/);
  });
});
