/**
 * The validator committee of one epoch: authorities with stake, Ed25519 protocol keys and network identity.
 * Every threshold in Mysticeti is measured in stake: quorum = 2f+1 and validity = f+1 where the total
 * stake is 3f+1 (rounded the same way as Sui: quorum = floor(2T/3)+1, validity = ceil(T/3)).
 */
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import type { AuthorityIndex } from "../../core/wire/consensus.ts";

export interface Authority {
  /** human-readable name (logs, devnet output) */
  readonly name: string;
  readonly stake: number;
  /** raw 32-byte Ed25519 public key that signs this authority's blocks */
  readonly protocolKey: Uint8Array;
  /** libp2p peer id (base58), empty when unknown */
  readonly peerId: string;
  /** libp2p multiaddrs to dial */
  readonly addresses: readonly string[];
  /** 20-byte fee recipient (0x…) credited when this authority leads a commit */
  readonly feeRecipient: string;
}

export class Committee {
  readonly epoch: number;
  readonly authorities: readonly Authority[];
  readonly totalStake: number;
  readonly quorumThreshold: number;
  readonly validityThreshold: number;
  /** the epoch start, stamped on the genesis blocks */
  readonly epochStartMs: number;

  constructor(epoch: number, authorities: readonly Authority[], epochStartMs = 0) {
    if (authorities.length === 0) {
      throw new FastEvmError(ErrorCode.CONSENSUS_COMMITTEE_INVALID, "committee has no authorities");
    }
    let total = 0;
    for (const a of authorities) {
      if (!Number.isSafeInteger(a.stake) || a.stake <= 0) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_COMMITTEE_INVALID,
          `authority ${a.name} has invalid stake`,
        );
      }
      if (a.protocolKey.length !== 32) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_COMMITTEE_INVALID,
          `authority ${a.name} key is not 32 bytes`,
        );
      }
      total += a.stake;
    }
    if (!Number.isSafeInteger(total)) {
      throw new FastEvmError(ErrorCode.CONSENSUS_COMMITTEE_INVALID, "total stake overflows");
    }
    this.epoch = epoch;
    this.authorities = authorities;
    this.totalStake = total;
    this.quorumThreshold = Math.floor((2 * total) / 3) + 1;
    this.validityThreshold = Math.floor((total + 2) / 3);
    this.epochStartMs = epochStartMs;
  }

  get size(): number {
    return this.authorities.length;
  }

  isValidIndex(i: number): i is AuthorityIndex {
    return Number.isInteger(i) && i >= 0 && i < this.authorities.length;
  }

  stake(i: AuthorityIndex): number {
    return this.authorities[i]?.stake ?? 0;
  }

  authority(i: AuthorityIndex): Authority {
    const a = this.authorities[i];
    if (a === undefined) {
      throw new FastEvmError(ErrorCode.CONSENSUS_COMMITTEE_INVALID, `no authority with index ${i}`);
    }
    return a;
  }
}

/**
 * Sums stake per distinct authority: equivocating blocks of one author count once, which is what every
 * quorum rule of the protocol needs.
 */
export class StakeAggregator {
  private readonly seen = new Set<AuthorityIndex>();
  private total = 0;

  constructor(private readonly committee: Committee) {}

  /** Adds `author` once; returns whether the quorum threshold is now reached. */
  add(author: AuthorityIndex): boolean {
    if (!this.seen.has(author)) {
      this.seen.add(author);
      this.total += this.committee.stake(author);
    }
    return this.reachedQuorum();
  }

  reachedQuorum(): boolean {
    return this.total >= this.committee.quorumThreshold;
  }

  get stake(): number {
    return this.total;
  }

  clear(): void {
    this.seen.clear();
    this.total = 0;
  }
}

/** The committee file as JSON (`fastevm committee` writes it, every validator reads it). */
export interface CommitteeFile {
  readonly epoch: number;
  readonly epochStartMs: number;
  readonly authorities: readonly {
    readonly name: string;
    readonly stake: number;
    readonly protocolKey: string;
    readonly peerId: string;
    readonly addresses: readonly string[];
    readonly feeRecipient: string;
  }[];
}

export function committeeToJson(c: Committee): CommitteeFile {
  return {
    epoch: c.epoch,
    epochStartMs: c.epochStartMs,
    authorities: c.authorities.map((a) => ({
      name: a.name,
      stake: a.stake,
      protocolKey: bytesToHex(a.protocolKey),
      peerId: a.peerId,
      addresses: [...a.addresses],
      feeRecipient: a.feeRecipient,
    })),
  };
}

function invalid(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CONSENSUS_COMMITTEE_INVALID, `committee file: ${msg}`);
}

/** Parses and validates a committee file (untrusted JSON). */
export function committeeFromJson(json: unknown): Committee {
  if (typeof json !== "object" || json === null) throw invalid("not an object");
  const o = json as Record<string, unknown>;
  const epoch = o.epoch ?? 0;
  const start = o.epochStartMs ?? 0;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) throw invalid("bad epoch");
  if (!Number.isSafeInteger(start) || (start as number) < 0) throw invalid("bad epochStartMs");
  if (!Array.isArray(o.authorities)) throw invalid("authorities must be an array");
  const authorities = o.authorities.map((raw: unknown, i: number): Authority => {
    if (typeof raw !== "object" || raw === null) throw invalid(`authority ${i} is not an object`);
    const a = raw as Record<string, unknown>;
    if (typeof a.protocolKey !== "string") throw invalid(`authority ${i} lacks protocolKey`);
    const addresses = a.addresses ?? [];
    if (!Array.isArray(addresses) || addresses.some((x) => typeof x !== "string")) {
      throw invalid(`authority ${i} addresses must be strings`);
    }
    const fee = a.feeRecipient ?? `0x${"00".repeat(20)}`;
    if (typeof fee !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(fee))
      throw invalid(`authority ${i} feeRecipient`);
    return {
      name: typeof a.name === "string" ? a.name : `validator-${i}`,
      stake: typeof a.stake === "number" ? a.stake : Number.NaN,
      protocolKey: hexToBytes(a.protocolKey, 32),
      peerId: typeof a.peerId === "string" ? a.peerId : "",
      addresses: addresses as string[],
      feeRecipient: fee.toLowerCase(),
    };
  });
  return new Committee(epoch as number, authorities, start as number);
}
