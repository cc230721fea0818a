/**
 * eth_getBalance / getCode / getStorageAt / getTransactionCount / getProof over a real dev chain: the head
 * from the flat state, older blocks from the state trie at their root (execute pool), the txpool seam for
 * "pending", parameter errors, and EIP-1186 proofs whose nodes hash-chain to the block's state root.
 */
import { verifyMerkleProof } from "@ethereumjs/mpt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_TOKEN_CODE } from "../../../../../node/chain/devToken.ts";
import { bigintToFixedBytes, equalBytes } from "../../../../../node/core/bytes.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import { encodeAccount } from "../../../../../node/state/account.ts";
import { ADDRESSES, devTx, TOKEN } from "../../../../utils/devChain.ts";
import { openStateRpc, type StateRpc } from "../../../../utils/stateRpc.ts";

const X = hexToBytes(`0x${"be".repeat(20)}`);
const XH = bytesToHex(X);
const A0 = bytesToHex(ADDRESSES[0]!);
const slotOf = (a: Uint8Array): string => bytesToHex(bigintToFixedBytes(BigInt(bytesToHex(a)), 32));

let rpc: StateRpc;
const rootOf = (n: bigint): Uint8Array => {
  const s = rpc.dev.chain.store;
  return s.header(s.canonicalHash(n)!)!.stateRoot;
};

beforeAll(async () => {
  rpc = await openStateRpc();
  await rpc.mine([devTx(0, 0n, X, 1000n)]);
  await rpc.mine([devTx(0, 1n, X, 2000n), devTx(1, 0n, X, 5n, true)]);
}, 60_000);

afterAll(async () => {
  await rpc?.close();
});

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The first node hashes to `root`; every further node is referenced by its hash from the one before. */
function expectHashChain(proof: string[], root: Uint8Array): void {
  const nodes = proof.map((p) => hexToBytes(p));
  expect(nodes.length).toBeGreaterThan(0);
  expect(bytesToHex(keccak256(nodes[0]!))).toBe(bytesToHex(root));
  for (let i = 1; i < nodes.length; i++) expect(contains(nodes[i - 1]!, keccak256(nodes[i]!))).toBe(true);
}

describe("state reads", () => {
  it("serves old blocks from the trie and the head from the flat state", async () => {
    expect(await rpc.ok("eth_getBalance", [XH, "0x0"])).toBe("0x0");
    expect(await rpc.ok("eth_getBalance", [XH, "0x1"])).toBe("0x3e8");
    expect(await rpc.ok("eth_getBalance", [XH, "latest"])).toBe("0xbb8");
    expect(await rpc.ok("eth_getBalance", [XH])).toBe("0xbb8");
    const h1 = bytesToHex(rpc.dev.chain.store.canonicalHash(1n)!);
    expect(await rpc.ok("eth_getBalance", [XH, { blockHash: h1 }])).toBe("0x3e8");
    expect(await rpc.ok("eth_getTransactionCount", [A0, "0x1"])).toBe("0x1");
    expect(await rpc.ok("eth_getTransactionCount", [A0, "latest"])).toBe("0x2");
    const word = (v: bigint) => bytesToHex(bigintToFixedBytes(v, 32));
    expect(await rpc.ok("eth_getStorageAt", [bytesToHex(TOKEN), slotOf(X), "0x1"])).toBe(word(0n));
    expect(await rpc.ok("eth_getStorageAt", [bytesToHex(TOKEN), slotOf(X), "latest"])).toBe(word(5n));
    expect(await rpc.ok("eth_getCode", [bytesToHex(TOKEN), "earliest"])).toBe(bytesToHex(DEV_TOKEN_CODE));
    expect(await rpc.ok("eth_getCode", [bytesToHex(TOKEN), "latest"])).toBe(bytesToHex(DEV_TOKEN_CODE));
    expect(await rpc.ok("eth_getCode", [XH, "0x1"])).toBe("0x");
  });

  it("accepts geth's short storage keys", async () => {
    const short = `0x${bytesToHex(X).slice(2).replace(/^0+/, "")}`;
    const full = await rpc.ok("eth_getStorageAt", [bytesToHex(TOKEN), slotOf(X), "latest"]);
    expect(await rpc.ok("eth_getStorageAt", [bytesToHex(TOKEN), short, "latest"])).toBe(full);
  });

  it("answers an unknown block with -32000 and bad parameters with -32602 naming the field", async () => {
    expect((await rpc.call("eth_getBalance", [XH, "0x99"])).error?.code).toBe(-32000);
    const bad = await rpc.call("eth_getBalance", ["0x1234", "latest"]);
    expect(bad.error?.code).toBe(-32602);
    expect(bad.error?.message).toContain("address");
    const slot = await rpc.call("eth_getStorageAt", [XH, `0x${"11".repeat(33)}`, "latest"]);
    expect(slot.error?.code).toBe(-32602);
    expect(slot.error?.message).toContain("slot");
    expect((await rpc.call("eth_getProof", [XH, "0x00", "latest"])).error?.code).toBe(-32602);
    expect((await rpc.call("eth_getBalance", [])).error?.code).toBe(-32602);
  });

  it("counts the txpool for 'pending' through the pendingNonce seam", async () => {
    const withPool = rpc.withContext({
      pendingNonce: (a) => (equalBytes(a, ADDRESSES[0]!) ? 7n : undefined),
    });
    expect(await withPool.ok("eth_getTransactionCount", [A0, "pending"])).toBe("0x7");
    expect(await withPool.ok("eth_getTransactionCount", [A0, "latest"])).toBe("0x2");
    expect(await withPool.ok("eth_getTransactionCount", [XH, "pending"])).toBe("0x0");
  });
});

describe("eth_getProof", () => {
  for (const [tag, n] of [
    ["latest", 2n],
    ["0x1", 1n],
  ] as const) {
    it(`proves an account and its storage against the state root (${tag})`, async () => {
      const root = rootOf(n);
      const p = await rpc.ok("eth_getProof", [bytesToHex(TOKEN), [slotOf(X), slotOf(ADDRESSES[1]!)], tag]);
      expectHashChain(p.accountProof, root);
      const leaf = await verifyMerkleProof(
        TOKEN,
        p.accountProof.map((x: string) => hexToBytes(x)),
        {
          root,
          useKeyHashing: true,
        },
      );
      const account = {
        nonce: BigInt(p.nonce),
        balance: BigInt(p.balance),
        storageRoot: hexToBytes(p.storageHash),
        codeHash: hexToBytes(p.codeHash),
      };
      expect(bytesToHex(leaf!)).toBe(bytesToHex(encodeAccount(account)));
      expect(p.codeHash).toBe(bytesToHex(keccak256(DEV_TOKEN_CODE)));
      const xBalance = n === 2n ? 5n : 0n;
      expect(p.storageProof[0].value).toBe(`0x${xBalance.toString(16)}`);
      for (const sp of p.storageProof) {
        expectHashChain(sp.proof, account.storageRoot);
        const v = await verifyMerkleProof(
          hexToBytes(sp.key),
          sp.proof.map((x: string) => hexToBytes(x)),
          {
            root: account.storageRoot,
            useKeyHashing: true,
          },
        );
        if (BigInt(sp.value) === 0n) expect(v).toBeNull();
        else expect(bytesToHex(v!)).toBe(bytesToHex(encodeRlp(BigInt(sp.value))));
      }
    });
  }

  it("proves absence: zero fields, and a proof that ends without the account", async () => {
    const absent = bytesToHex(keccak256(Uint8Array.of(1)).subarray(0, 20));
    const p = await rpc.ok("eth_getProof", [absent, ["0x0"], "latest"]);
    expect(p).toMatchObject({ balance: "0x0", nonce: "0x0", codeHash: bytesToHex(new Uint8Array(32)) });
    expect(p.storageProof).toEqual([{ key: "0x0", value: "0x0", proof: [] }]);
    expectHashChain(p.accountProof, rootOf(2n));
    const leaf = await verifyMerkleProof(
      hexToBytes(absent),
      p.accountProof.map((x: string) => hexToBytes(x)),
      {
        root: rootOf(2n),
        useKeyHashing: true,
      },
    );
    expect(leaf).toBeNull();
  });
});
