/**
 * Answers fetch requests: the requested blocks plus their ancestors that the requester lacks (above its
 * highest accepted round per authority), lowest rounds first, at most `maxBlocks`. Genesis is never sent.
 * Pure over a lookup, so the node (DAG + store) and the simulator share it.
 */
import type { BlockRef, Round } from "../../core/wire/consensus.ts";
import { refKey, type VerifiedBlock } from "./block.ts";

export function collectFetchResponse(
  refs: readonly BlockRef[],
  highestAccepted: readonly Round[],
  lookup: (key: string) => VerifiedBlock | undefined,
  maxBlocks: number,
): VerifiedBlock[] {
  const out = new Map<string, VerifiedBlock>();
  const stack: VerifiedBlock[] = [];
  for (const r of refs) {
    if (out.size >= maxBlocks) break;
    const key = refKey(r);
    const b = lookup(key);
    if (b !== undefined && !out.has(key)) {
      out.set(key, b);
      stack.push(b);
    }
  }
  while (stack.length > 0 && out.size < maxBlocks) {
    const b = stack.pop()!;
    for (let i = 0; i < b.ancestors.length && out.size < maxBlocks; i++) {
      const a = b.ancestors[i]!;
      if (a.round === 0 || a.round <= (highestAccepted[a.author] ?? -1)) continue;
      const key = b.ancestorKeys[i]!;
      if (out.has(key)) continue;
      const ab = lookup(key);
      if (ab === undefined) continue;
      out.set(key, ab);
      stack.push(ab);
    }
  }
  return [...out.values()].sort((x, y) => x.round - y.round);
}
