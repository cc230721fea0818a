/**
 * Deterministic committees for tests: key seeds derive from the authority index, so digests (and thus
 * every tie-break by digest) are the same on every run and a failing seed reproduces exactly.
 */
import { blake2b256 } from "../../../node/consensus/mysticeti/block.ts";
import { type Authority, Committee } from "../../../node/consensus/mysticeti/committee.ts";
import { BlockSigner, Ed25519Verifier, ed25519FromSeed } from "../../../node/consensus/signer.ts";

export interface TestCommittee {
  readonly committee: Committee;
  readonly signers: readonly BlockSigner[];
  readonly verifier: Ed25519Verifier;
}

/** Authority names used by the DAG language: A, B, C, … */
export function authorityName(i: number): string {
  return String.fromCharCode(65 + i);
}

export function testCommittee(stakes: readonly number[] | number, epochStartMs = 0): TestCommittee {
  const list = typeof stakes === "number" ? new Array<number>(stakes).fill(1) : stakes;
  const keys = list.map((_, i) =>
    ed25519FromSeed(blake2b256(new TextEncoder().encode(`fastevm-test-key-${i}`))),
  );
  const authorities: Authority[] = list.map((stake, i) => ({
    name: authorityName(i),
    stake,
    protocolKey: keys[i]!.publicKey,
    peerId: "",
    addresses: [],
    feeRecipient: `0x${(i + 1).toString(16).padStart(40, "0")}`,
  }));
  const committee = new Committee(0, authorities, epochStartMs);
  return {
    committee,
    signers: keys.map((k) => new BlockSigner(k)),
    verifier: new Ed25519Verifier(keys.map((k) => k.publicKey)),
  };
}
