/** The outcome of deciding one leader slot. */
import type { AuthorityIndex, Round } from "../../../core/wire/consensus.ts";
import type { VerifiedBlock } from "../block.ts";

export interface Slot {
  readonly round: Round;
  readonly author: AuthorityIndex;
  /** leader offset within the round (0 with one leader per round) */
  readonly offset: number;
}

export type LeaderStatus =
  | { readonly kind: "commit"; readonly slot: Slot; readonly block: VerifiedBlock; readonly direct: boolean }
  | { readonly kind: "skip"; readonly slot: Slot; readonly direct: boolean }
  | { readonly kind: "undecided"; readonly slot: Slot };

export function isDecided(s: LeaderStatus): boolean {
  return s.kind !== "undecided";
}

export function formatStatus(s: LeaderStatus): string {
  const slot = `L${s.slot.round}(${s.slot.author})`;
  if (s.kind === "undecided") return `undecided ${slot}`;
  return `${s.direct ? "direct" : "indirect"} ${s.kind} ${slot}`;
}
