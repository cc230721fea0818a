/**
 * ethereum/tests BasicTests that concern headers, genesis and tries:
 * - genesishashestest: mainnet's genesis block RLP decodes strictly, hashes to the known genesis hash and
 *   carries the known state root (recomputing that root needs mainnet's 8,893-account alloc, not in the fixture);
 * - blockgenesistest: pre-Frontier (PoC) genesis blocks with 13-field headers, which our Frontier+ header codec
 *   must reject with a typed `BLOCK_DECODE`;
 * - hexencodetest: the trie's hex-prefix (compact) path encoding;
 * - keyaddrtest: address derivation from a private key (used for the devnet's dev accounts).
 * The other files belong to other layers (difficulty: PoW, not in a Cancun node; crypto: devp2p ECIES;
 * txtest: pre-EIP-155 transaction signing, covered by TransactionTests).
 */
import { describe, expect, it } from "vitest";
import { decodeBlock, encodeBlock } from "../../node/core/block/block.ts";
import { headerHash } from "../../node/core/block/header.ts";
import { addressOfKey } from "../../node/core/chain/devnet.ts";
import { ErrorCode, isFastEvmError } from "../../node/core/errors.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToUnprefixedHex, looseHexToBytes } from "../../node/core/hex.ts";
import { hexPrefixEncode } from "../../node/core/trie/hexPrefix.ts";
import { fixturePath, listJsonFiles, readJson } from "../utils/fixtures.ts";

const USED = ["genesishashestest.json", "blockgenesistest.json", "hexencodetest.json", "keyaddrtest.json"];
const NOT_APPLICABLE: Record<string, string> = {
  "crypto.json": "devp2p ECIES/AES vectors: no devp2p in this node (libp2p noise instead)",
  "difficulty.json": "PoW difficulty: a Cancun chain has difficulty 0",
  "difficultyCustomHomestead.json": "PoW difficulty",
  "difficultyCustomMainNetwork.json": "PoW difficulty",
  "difficultyMainNetwork.json": "PoW difficulty",
  "difficultyRopsten.json": "PoW difficulty",
  "txtest.json": "legacy transaction signing: node/core/tx, covered by TransactionTests",
};

const dir = fixturePath("BasicTests");

describe("BasicTests", () => {
  it("knows every file (used or skipped with a reason)", () => {
    for (const f of listJsonFiles(dir)) {
      const name = f.slice(dir.length + 1);
      expect(USED.includes(name) || name in NOT_APPLICABLE, `unknown BasicTests file ${name}`).toBe(true);
    }
  });

  it("genesishashestest: mainnet genesis RLP, hash and state root", () => {
    const t = readJson<{ genesis_rlp_hex: string; genesis_state_root: string; genesis_hash: string }>(
      `${dir}/genesishashestest.json`,
    );
    const block = decodeBlock(looseHexToBytes(t.genesis_rlp_hex));
    expect(bytesToUnprefixedHex(headerHash(block.header))).toBe(t.genesis_hash);
    expect(bytesToUnprefixedHex(block.header.stateRoot)).toBe(t.genesis_state_root);
    expect(bytesToUnprefixedHex(encodeBlock(block))).toBe(t.genesis_rlp_hex);
    expect(block.header.baseFeePerGas).toBeUndefined();
  });

  it("blockgenesistest: PoC-era 13-field headers are rejected with a typed error", () => {
    const cases = readJson<{ result: string }[]>(`${dir}/blockgenesistest.json`);
    let n = 0;
    for (const c of cases) {
      try {
        decodeBlock(looseHexToBytes(c.result));
        expect.fail("decoded a PoC header");
      } catch (e) {
        expect(isFastEvmError(e, ErrorCode.BLOCK_DECODE), String(e)).toBe(true);
        expect((e as Error).message).toContain("13 fields");
      }
      n++;
    }
    expect(n).toBe(3);
  });

  it("hexencodetest: hex-prefix encoding", () => {
    const cases = Object.entries(
      readJson<Record<string, { seq: number[]; term: boolean; out: string }>>(`${dir}/hexencodetest.json`),
    );
    for (const [name, c] of cases) {
      expect(bytesToUnprefixedHex(hexPrefixEncode(c.seq, 0, c.seq.length, c.term)), name).toBe(c.out);
    }
    expect(cases.length).toBe(12);
  });

  it("keyaddrtest: key = keccak256(seed), address of key", () => {
    const cases = readJson<{ seed: string; key: string; addr: string }[]>(`${dir}/keyaddrtest.json`);
    for (const c of cases) {
      const key = keccak256(new TextEncoder().encode(c.seed));
      expect(bytesToUnprefixedHex(key)).toBe(c.key);
      expect(bytesToUnprefixedHex(addressOfKey(key))).toBe(c.addr);
    }
    expect(cases.length).toBe(2);
  });
});
