import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeRawTransaction, txCommand } from "../../../../../node/cli/commands/tx.ts";
import { addressOfKey, DEVNET_CHAIN_ID, devAccountKey } from "../../../../../node/core/chain/devnet.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { encodeTransaction, signTransaction } from "../../../../../node/core/tx/index.ts";
import { REPO_ROOT } from "../../../../utils/fixtures.ts";

/** A transfer signed by dev account 3 for the devnet chain. */
const DEVNET_TX = bytesToHex(
  encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: DEVNET_CHAIN_ID,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n ** 10n,
        gasLimit: 21000n,
        to: new Uint8Array(20).fill(0x42),
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
      },
      devAccountKey(3),
    ),
  ),
);
const DEV3 = bytesToHex(addressOfKey(devAccountKey(3)));

/** The signed example of EIP-155 (chain 1), whose sender is well known. */
const EIP155_EXAMPLE =
  "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

describe("fastevm tx", () => {
  it("reports hash, sender and intrinsic gas of a valid transaction", () => {
    const r = describeRawTransaction(hexToBytes(EIP155_EXAMPLE), 1n);
    expect(r.ok).toBe(true);
    expect(r.sender).toBe("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
    expect(r.hash).toBe("0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788");
    expect(r.intrinsicGas).toBe(21000);
    expect((r.tx as { nonce: string }).nonce).toBe("9");
  });

  it("reports the error code of a rejected transaction, with its fields when it decoded", () => {
    const wrongChain = describeRawTransaction(hexToBytes(EIP155_EXAMPLE), 5n);
    expect(wrongChain.ok).toBe(false);
    expect(wrongChain.error?.code).toBe("TX_CHAIN_ID");
    expect(wrongChain.tx).toBeDefined();
    const garbage = describeRawTransaction(Uint8Array.of(0x04, 0xc0), 1n);
    expect(garbage.error?.code).toBe("TX_UNSUPPORTED_TYPE");
    expect(garbage.tx).toBeUndefined();
  });

  it("rejects bad usage with CLI_USAGE", async () => {
    await expect(txCommand.run([])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(txCommand.run(["--chain-id", "x", "0x00"])).rejects.toMatchObject({ code: "CLI_USAGE" });
  });

  it("checks a devnet transaction against its own chain id when --chain-id is left out", () => {
    const r = describeRawTransaction(hexToBytes(DEVNET_TX));
    expect(r.ok).toBe(true);
    expect(r.chainId).toBe(DEVNET_CHAIN_ID.toString());
    expect(r.sender).toBe(DEV3);
  });

  it("shows the sender and names both chain ids on a mismatch (real process)", () => {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "bin/fastevm.js"), "tx", "--chain-id", "1", DEVNET_TX],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      sender: string;
      chainId: string;
      error: { code: string; message: string };
    };
    expect(report.sender).toBe(DEV3);
    expect(report.chainId).toBe("1");
    expect(report.error.code).toBe("TX_CHAIN_ID");
    expect(report.error.message).toBe(
      `the transaction is signed for chain id ${DEVNET_CHAIN_ID}, not --chain-id 1`,
    );
  });
});
