import { describe, expect, it } from "vitest";
import { describeRawTransaction, txCommand } from "../../../../../node/cli/commands/tx.ts";
import { hexToBytes } from "../../../../../node/core/hex.ts";

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
});
