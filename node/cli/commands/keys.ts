/**
 * `fastevm keys --out DIR`: generates a validator's keys. Secret files are created with mode 0600 and never
 * overwritten; `validator.json` holds the public half that `fastevm committee` assembles.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateValidatorKeys, secretKeyFile, validatorPublicFile } from "../../consensus/keys.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { type CliCommand, type CommandSpec, defineCommand } from "../command.ts";

const SPEC: CommandSpec = {
  name: "keys",
  summary: "generate a validator's protocol (Ed25519), network (libp2p) and fee-recipient (secp256k1) keys",
  description:
    "Secret files are written with mode 0600 and never overwritten; validator.json is the public half.",
  options: [
    { name: "out", value: "DIR", required: true, help: "directory for the key files (created 0700)" },
  ],
  example: "keys --out .keys/validator-0",
};

export const KEY_FILES = {
  protocol: "protocol.key",
  network: "network.key",
  feeRecipient: "fee-recipient.key",
  public: "validator.json",
} as const;

export const keysCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const out = args.get("out")!;
  mkdirSync(out, { recursive: true, mode: 0o700 });
  for (const f of Object.values(KEY_FILES)) {
    if (existsSync(join(out, f))) {
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `${join(out, f)} exists; refusing to overwrite keys`,
      );
    }
  }
  const keys = generateValidatorKeys();
  const secret = (name: string, body: unknown) =>
    writeFileSync(join(out, name), `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  secret(KEY_FILES.protocol, secretKeyFile("ed25519", keys.protocol.secretKey));
  secret(KEY_FILES.network, secretKeyFile("ed25519", keys.network.secretKey));
  secret(KEY_FILES.feeRecipient, secretKeyFile("secp256k1", keys.feeRecipientKey));
  const pub = validatorPublicFile(keys);
  writeFileSync(join(out, KEY_FILES.public), `${JSON.stringify(pub, null, 2)}\n`, {
    mode: 0o644,
    flag: "wx",
  });
  console.log(`protocol key:  ${pub.protocolKey}`);
  console.log(`peer id:       ${pub.peerId}`);
  console.log(`fee recipient: ${pub.feeRecipient}`);
  return 0;
});
