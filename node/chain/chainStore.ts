/**
 * Reads of the chain store: headers, bodies, receipts and state diffs by hash, the canonical index, the tx
 * index and the head; accounts, storage and code at the head come from the flat tables (no trie reads), so
 * RPC reads stay cheap.
 */
import { type Block, type BlockBody, decodeBody } from "../core/block/block.ts";
import { type BlockHeader, decodeHeader } from "../core/block/header.ts";
import { decodeBlockReceipts, type Receipt } from "../core/block/receipt.ts";
import { bytesToBigint } from "../core/bytes.ts";
import { type ChainConfig, parseChainConfig } from "../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { type Account, decodeAccount } from "../state/account.ts";
import { decodeTxLocation, metaKey, storageKey, type TxLocation, u64Key } from "../storage/keys.ts";
import { readBytes, type Storage } from "../storage/storage.ts";
import { META_KEYS } from "../storage/tables.ts";
import { decodeStateDiff, type StateDiff } from "./stateDiff.ts";

export interface HeadInfo {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

export class ChainStore {
  constructor(readonly storage: Storage) {}

  meta(name: string): Uint8Array | undefined {
    return readBytes(this.storage.tables.meta, metaKey(name));
  }

  /** The chain config `fastevm init` stored (or the blocktest runner). */
  chainConfig(): ChainConfig {
    const raw = this.meta(META_KEYS.chainConfig);
    if (raw === undefined)
      throw new FastEvmError(
        ErrorCode.NOT_FOUND,
        `datadir ${this.storage.datadir} has no chain config: run fastevm init`,
      );
    return parseChainConfig(JSON.parse(new TextDecoder().decode(raw)));
  }

  head(): HeadInfo {
    const hash = this.meta(META_KEYS.headHash);
    const header = hash === undefined ? undefined : this.header(hash);
    if (hash === undefined || header === undefined)
      throw new FastEvmError(
        ErrorCode.NOT_FOUND,
        `datadir ${this.storage.datadir} has no head block: run fastevm init`,
      );
    return { hash, header };
  }

  header(hash: Uint8Array): BlockHeader | undefined {
    const raw = readBytes(this.storage.tables.headers, hash);
    return raw === undefined ? undefined : decodeHeader(raw);
  }

  hasBlock(hash: Uint8Array): boolean {
    return this.storage.tables.headers.doesExist(hash);
  }

  body(hash: Uint8Array): BlockBody | undefined {
    const raw = readBytes(this.storage.tables.bodies, hash);
    return raw === undefined ? undefined : decodeBody(raw);
  }

  /** The body's stored RLP as is (block sync serves it without decoding). */
  rawBody(hash: Uint8Array): Uint8Array | undefined {
    return readBytes(this.storage.tables.bodies, hash);
  }

  block(hash: Uint8Array): Block | undefined {
    const header = this.header(hash);
    const body = this.body(hash);
    return header === undefined || body === undefined ? undefined : { header, ...body };
  }

  canonicalHash(number: bigint): Uint8Array | undefined {
    return readBytes(this.storage.tables.canonical, u64Key(number));
  }

  blockByNumber(number: bigint): Block | undefined {
    const hash = this.canonicalHash(number);
    return hash === undefined ? undefined : this.block(hash);
  }

  receipts(hash: Uint8Array): Receipt[] | undefined {
    const raw = readBytes(this.storage.tables.receipts, hash);
    return raw === undefined ? undefined : decodeBlockReceipts(raw);
  }

  stateDiff(hash: Uint8Array): StateDiff | undefined {
    const raw = readBytes(this.storage.tables.stateDiffs, hash);
    return raw === undefined ? undefined : decodeStateDiff(raw);
  }

  /**
   * The block's transaction hashes as its import stored them; undefined for a block without them (stored by
   * an older version, or a datadir opened read-only before the table existed): hash the body then.
   */
  txHashes(hash: Uint8Array): Uint8Array[] | undefined {
    const table = this.storage.tables.txHashes as typeof this.storage.tables.txHashes | undefined;
    const raw = table === undefined ? undefined : readBytes(table, hash);
    if (raw === undefined) return undefined;
    const out: Uint8Array[] = [];
    for (let i = 0; i + 32 <= raw.length; i += 32) out.push(raw.subarray(i, i + 32));
    return out;
  }

  txLocation(txHash: Uint8Array): TxLocation | undefined {
    const raw = readBytes(this.storage.tables.txIndex, txHash);
    return raw === undefined ? undefined : decodeTxLocation(raw);
  }

  /** Account at the head, from the flat table. */
  account(address: Uint8Array): Account | undefined {
    const raw = readBytes(this.storage.tables.accounts, address);
    return raw === undefined ? undefined : decodeAccount(raw);
  }

  storageAt(address: Uint8Array, slot: Uint8Array): bigint {
    const raw = readBytes(this.storage.tables.storage, storageKey(address, slot));
    return raw === undefined ? 0n : bytesToBigint(raw);
  }

  code(codeHash: Uint8Array): Uint8Array | undefined {
    return readBytes(this.storage.tables.code, codeHash);
  }
}
