/** Genesis: header fields by fork (geth's rules), and the single-transaction write into a datadir. */
import { readFileSync } from "node:fs";
import { createBlock } from "@ethereumjs/block";
import { createCommonFromGethGenesis, parseGethGenesisState } from "@ethereumjs/common";
import { genesisMPTStateRoot } from "@ethereumjs/mpt";
import { describe, expect, it } from "vitest";
import { decodeBlock, decodeBody, encodeBlock } from "../../../../node/core/block/block.ts";
import { decodeHeader, EMPTY_OMMERS_HASH, headerHash } from "../../../../node/core/block/header.ts";
import { bigintToFixedBytes } from "../../../../node/core/bytes.ts";
import { DEVNET_GENESIS_PATH } from "../../../../node/core/chain/devnet.ts";
import { parseGenesis, parseGenesisText } from "../../../../node/core/chain/genesisJson.ts";
import {
  GENESIS_DIFFICULTY,
  GENESIS_GAS_LIMIT,
  INITIAL_BASE_FEE,
} from "../../../../node/core/chain/params.ts";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../../../node/core/trie/trieRoot.ts";
import { decodeAccount } from "../../../../node/state/account.ts";
import { buildGenesis, writeGenesis } from "../../../../node/state/genesis.ts";
import { StateTrie } from "../../../../node/state/stateTrie.ts";
import { readBytes } from "../../../../node/storage/storage.ts";
import { META_KEYS } from "../../../../node/storage/tables.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import { tempStorage } from "../../../utils/tempDatadir.ts";

const ALL_FORKS = {
  chainId: 7,
  homesteadBlock: 0,
  byzantiumBlock: 0,
  londonBlock: 0,
  terminalTotalDifficulty: 0,
  shanghaiTime: 0,
  cancunTime: 100,
};

describe("genesis block", () => {
  it("applies geth defaults before London (gas limit, PoW difficulty, no fork fields)", () => {
    const { block } = buildGenesis(parseGenesis({ config: { chainId: 7 }, alloc: {} }));
    expect(block.header.gasLimit).toBe(GENESIS_GAS_LIMIT);
    expect(block.header.difficulty).toBe(GENESIS_DIFFICULTY);
    expect(block.header.baseFeePerGas).toBeUndefined();
    expect(block.header.stateRoot).toEqual(EMPTY_TRIE_ROOT);
    expect(block.header.ommersHash).toEqual(EMPTY_OMMERS_HASH);
    expect(block.withdrawals).toBeUndefined();
  });

  it("adds the London base fee, Shanghai withdrawals root and Cancun fields by fork", () => {
    const shanghai = buildGenesis(
      parseGenesis({ config: ALL_FORKS, alloc: {}, difficulty: "0x0", timestamp: 99 }),
    ).block;
    expect(shanghai.header.baseFeePerGas).toBe(INITIAL_BASE_FEE);
    expect(shanghai.header.difficulty).toBe(0n);
    expect(shanghai.header.withdrawalsRoot).toEqual(EMPTY_TRIE_ROOT);
    expect(shanghai.header.blobGasUsed).toBeUndefined();
    expect(shanghai.withdrawals).toEqual([]);
    const cancun = buildGenesis(
      parseGenesis({
        config: ALL_FORKS,
        alloc: {},
        timestamp: 100,
        baseFeePerGas: "0x7",
        excessBlobGas: "0x20000",
      }),
    ).block;
    expect(cancun.header.baseFeePerGas).toBe(7n);
    expect(cancun.header.excessBlobGas).toBe(0x20000n);
    expect(cancun.header.blobGasUsed).toBe(0n);
    expect(cancun.header.parentBeaconBlockRoot).toEqual(new Uint8Array(32));
    expect(decodeBlock(encodeBlock(cancun))).toEqual(cancun);
  });

  it("writes state, block, indexes and meta in one go, and refuses a second genesis", async () => {
    const genesis = parseGenesisText(readFileSync(DEVNET_GENESIS_PATH, "utf8"));
    const storage = tempStorage();
    try {
      const built = await writeGenesis(storage, genesis);
      const t = storage.tables;
      expect(decodeHeader(readBytes(t.headers, built.hash)!)).toEqual(built.block.header);
      expect(headerHash(decodeHeader(readBytes(t.headers, built.hash)!))).toEqual(built.hash);
      expect(decodeBody(readBytes(t.bodies, built.hash)!)).toEqual({
        transactions: [],
        ommers: [],
        withdrawals: [],
      });
      expect(new Uint8Array(readBytes(t.canonical, new Uint8Array(8))!)).toEqual(built.hash);
      const meta = (k: string) => readBytes(t.meta, new TextEncoder().encode(k));
      expect(new Uint8Array(meta(META_KEYS.headHash)!)).toEqual(built.hash);
      expect(JSON.parse(new TextDecoder().decode(meta(META_KEYS.chainConfig)!)).chainId).toBe("20256");
      // Flat state and trie agree; the code is stored by hash.
      const trie = await StateTrie.open(TrieNodeStore.forStorage(storage), built.stateRoot);
      for (const [address, acc] of genesis.alloc) {
        const flat = decodeAccount(readBytes(t.accounts, hexToBytes(address))!);
        expect(await trie.getAccount(hexToBytes(address))).toEqual(flat);
        expect(flat.balance).toBe(acc.balance);
        if (acc.code.length > 0) expect(new Uint8Array(readBytes(t.code, flat.codeHash)!)).toEqual(acc.code);
      }
      let thrown: unknown;
      try {
        await writeGenesis(storage, genesis);
      } catch (e) {
        thrown = e;
      }
      expect(isFastEvmError(thrown, ErrorCode.DATADIR_EXISTS)).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it("stores genesis storage slots flat and in the storage trie", async () => {
    const addr = `0x${"ab".repeat(20)}`;
    const genesis = parseGenesis({
      config: ALL_FORKS,
      alloc: { [addr]: { balance: "1", storage: { "0x01": "0x2a" } } },
    });
    const storage = tempStorage();
    try {
      const built = await writeGenesis(storage, genesis);
      const key = new Uint8Array(52);
      key.set(hexToBytes(addr));
      key.set(bigintToFixedBytes(1n, 32), 20);
      expect(new Uint8Array(readBytes(storage.tables.storage, key)!)).toEqual(bigintToFixedBytes(42n, 32));
      const trie = await StateTrie.open(TrieNodeStore.forStorage(storage), built.stateRoot);
      const acc = await trie.getAccount(hexToBytes(addr));
      expect(await (await trie.storageTrie(acc!.storageRoot)).getSlot(bigintToFixedBytes(1n, 32))).toBe(42n);
    } finally {
      await storage.close();
    }
  });

  // Independent oracle: @ethereumjs/common reads the same genesis.json, @ethereumjs/mpt computes the state
  // root and @ethereumjs/block the header hash. Storage keys are given in full: ethereumjs does not left-pad
  // short keys as geth (and we) do.
  it("agrees with @ethereumjs on the devnet genesis and a London-only variant with storage", async () => {
    const devnet = JSON.parse(readFileSync(DEVNET_GENESIS_PATH, "utf8")) as Record<string, unknown>;
    const londonOnly = {
      ...devnet,
      config: {
        chainId: 99,
        homesteadBlock: 0,
        byzantiumBlock: 0,
        istanbulBlock: 0,
        berlinBlock: 0,
        londonBlock: 0,
      },
      baseFeePerGas: null,
      difficulty: "0x20000",
      alloc: {
        ...(devnet.alloc as object),
        [`0x${"cd".repeat(20)}`]: {
          balance: "0x1",
          code: "0x6001",
          storage: { [`0x${"00".repeat(31)}07`]: "0x05" },
        },
      },
    };
    for (const json of [devnet, londonOnly]) {
      const ours = buildGenesis(parseGenesis(json));
      const common = createCommonFromGethGenesis(json as never, { chain: "oracle" });
      const root = await genesisMPTStateRoot(parseGethGenesisState(json as never));
      const cancun = common.hardfork() === "cancun";
      const header = {
        ...common.genesis(),
        stateRoot: root,
        number: 0n,
        ...(cancun ? { parentBeaconBlockRoot: new Uint8Array(32) } : {}),
      };
      const block = createBlock({ header: header as never }, { common, setHardfork: true });
      expect(bytesToHex(ours.stateRoot)).toBe(bytesToHex(root));
      expect(bytesToHex(ours.hash)).toBe(bytesToHex(block.hash()));
    }
  });
});
