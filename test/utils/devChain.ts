/** A dev-genesis chain in a throwaway datadir (real LMDB, no fsync) plus signed-transaction helpers. */
import { join } from "node:path";
import { Chain, type ChainOptions, type ChainWorkers } from "../../node/chain/chain.ts";
import { DEV_CHAIN_ID, DEV_TOKEN_ADDRESS, devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { tokenTransferData } from "../../node/chain/devToken.ts";
import { type GenesisAccount, parseGenesisText } from "../../node/core/chain/genesisJson.ts";
import { privateKeyToAddress } from "../../node/core/crypto/secp256k1.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import { writeGenesis } from "../../node/state/genesis.ts";
import { openStorage, type Storage } from "../../node/storage/storage.ts";
import { tempDir } from "./tempDatadir.ts";

export const KEYS = devKeys(8);
export const ADDRESSES = KEYS.map((k) => privateKeyToAddress(k));
export const TOKEN = hexToBytes(DEV_TOKEN_ADDRESS, 20);

export interface DevChain {
  readonly chain: Chain;
  readonly storage: Storage;
  close(): Promise<void>;
}

export async function openDevChain(
  workers: ChainWorkers,
  opts: ChainOptions = {},
  extraAlloc: ReadonlyMap<string, GenesisAccount> = new Map(),
): Promise<DevChain> {
  const dir = tempDir();
  const storage = openStorage(join(dir.path, "datadir"), { noSync: true });
  const genesis = parseGenesisText(devGenesisJson(KEYS));
  await writeGenesis(storage, { ...genesis, alloc: new Map([...genesis.alloc, ...extraAlloc]) });
  return {
    chain: new Chain(storage, workers, opts),
    storage,
    async close() {
      await storage.close();
      dir.remove();
    },
  };
}

/** A signed EIP-1559 transaction from dev key `from`: an ETH transfer, or a token transfer when `token`. */
export function devTx(
  from: number,
  nonce: bigint,
  to: Uint8Array,
  amount: bigint,
  token = false,
): Uint8Array {
  return encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: DEV_CHAIN_ID,
        nonce,
        maxPriorityFeePerGas: 1_000_000_000n,
        maxFeePerGas: 100_000_000_000n,
        gasLimit: token ? 100_000n : 21_000n,
        to: token ? TOKEN : to,
        value: token ? 0n : amount,
        data: token ? tokenTransferData(to, amount) : new Uint8Array(0),
        accessList: [],
      },
      KEYS[from]!,
    ),
  );
}

/** Every flat account and storage entry as hex pairs (to compare two datadirs' head states). */
export function dumpFlatState(storage: Storage): string[] {
  const out: string[] = [];
  for (const { key, value } of storage.tables.accounts.getRange())
    out.push(`a ${bytesToHex(new Uint8Array(key))} ${bytesToHex(new Uint8Array(value))}`);
  for (const { key, value } of storage.tables.storage.getRange())
    out.push(`s ${bytesToHex(new Uint8Array(key))} ${bytesToHex(new Uint8Array(value))}`);
  return out;
}

/** Entry counts of every table (an invalid block must leave all of them as they were). */
export function tableCounts(storage: Storage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(storage.tables)) out[name] = t.getKeysCount();
  return out;
}
