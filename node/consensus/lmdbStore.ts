/**
 * The ConsensusStore over the node's LMDB environment (tables `consensus_blocks`, `consensus_commits`).
 * Block keys are round (4) ‖ author (4) ‖ digest (32), big-endian, so recovery scans a round range in
 * order; commit keys are the 8-byte big-endian index. A batch is one LMDB transaction, and `write`
 * resolves once it is committed, which is what Core's "persist before broadcast" needs.
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { hexToBytes } from "../core/hex.ts";
import type { AuthorityIndex, Round } from "../core/wire/consensus.ts";
import { type Storage, u64Key } from "../storage/index.ts";
import { decodeBlock, VerifiedBlock } from "./mysticeti/block.ts";
import { commitDigest, decodeCommit, encodeCommit } from "./mysticeti/commit.ts";
import type { ConsensusStore, StoreBatch, StoredCommit } from "./mysticeti/store.ts";

function blockKey(round: Round, author: AuthorityIndex, digest: Uint8Array): Uint8Array {
  const k = new Uint8Array(40);
  const v = new DataView(k.buffer);
  v.setUint32(0, round);
  v.setUint32(4, author);
  k.set(digest, 8);
  return k;
}

/** Copies an lmdb-js value (a Node Buffer that may be reused) into a plain Uint8Array. */
function copy(v: Uint8Array): Uint8Array {
  return new Uint8Array(v);
}

export class LmdbConsensusStore implements ConsensusStore {
  private readonly lastByAuthor = new Map<AuthorityIndex, VerifiedBlock>();

  constructor(private readonly storage: Storage) {}

  private get blocks() {
    return this.storage.tables.consensusBlocks;
  }
  private get commits() {
    return this.storage.tables.consensusCommits;
  }

  async write(batch: StoreBatch): Promise<void> {
    if (batch.blocks.length === 0 && batch.commits.length === 0) return;
    try {
      await this.storage.env.transaction(() => {
        for (const b of batch.blocks) this.blocks.put(blockKey(b.round, b.author, b.digest), b.serialized);
        for (const c of batch.commits) this.commits.put(u64Key(c.commit.index), encodeCommit(c.commit));
      });
    } catch (e) {
      throw new FastEvmError(
        ErrorCode.CONSENSUS_STORE,
        `consensus store write failed: ${(e as Error).message}`,
      );
    }
    for (const b of batch.blocks) {
      const last = this.lastByAuthor.get(b.author);
      if (last !== undefined && b.round > last.round) this.lastByAuthor.set(b.author, b);
    }
  }

  private load(bytes: Uint8Array): VerifiedBlock {
    const b = copy(bytes);
    return new VerifiedBlock(decodeBlock(b), b);
  }

  scanBlocks(fromRound: Round): VerifiedBlock[] {
    const out: VerifiedBlock[] = [];
    for (const { value } of this.blocks.getRange({
      start: blockKey(Math.max(0, fromRound), 0, new Uint8Array(32)),
    })) {
      out.push(this.load(value));
    }
    return out;
  }

  lastBlockOf(author: AuthorityIndex): VerifiedBlock | undefined {
    const cached = this.lastByAuthor.get(author);
    if (cached !== undefined) return cached;
    // newest round first; only recovery and the amnesia guard ask, so a scan is acceptable
    for (const { key, value } of this.blocks.getRange({ reverse: true })) {
      const k = key as Uint8Array;
      if (new DataView(k.buffer, k.byteOffset, 8).getUint32(4) !== author) continue;
      const b = this.load(value);
      this.lastByAuthor.set(author, b);
      return b;
    }
    return undefined;
  }

  readBlock(key: string): VerifiedBlock | undefined {
    const [round, author, digest] = key.split("/");
    if (round === undefined || author === undefined || digest === undefined) return undefined;
    const v = this.blocks.get(blockKey(Number(round), Number(author), hexToBytes(`0x${digest}`, 32)));
    return v === undefined ? undefined : this.load(v);
  }

  lastCommit(): StoredCommit | undefined {
    for (const { value } of this.commits.getRange({ reverse: true, limit: 1 })) {
      const commit = decodeCommit(copy(value));
      return { commit, digest: commitDigest(commit) };
    }
    return undefined;
  }

  readCommits(from: number, to: number): StoredCommit[] {
    const out: StoredCommit[] = [];
    if (to < from) return out;
    for (const { value } of this.commits.getRange({
      start: u64Key(Math.max(1, from)),
      end: u64Key(to + 1),
    })) {
      const commit = decodeCommit(copy(value));
      out.push({ commit, digest: commitDigest(commit) });
    }
    return out;
  }
}
