/**
 * In-memory Merkle-Patricia trie root from a complete set of key/value pairs, built bottom-up in one pass over
 * the sorted keys (no node objects, no database). It is the fast path for transactions/receipts/withdrawals
 * roots and for whole-state roots (genesis, state tests); `@ethereumjs/mpt` is the oracle it is tested against.
 */
import { keccak256 } from "../hash.ts";
import { encodeRlp } from "../rlp.ts";
import { bytesToNibbles, hexPrefixEncode } from "./hexPrefix.ts";
import { childRef, EMPTY_ITEM, encodeBranch, encodeExtension, encodeLeaf } from "./nodeEncoding.ts";

/** keccak256(rlp("")): the root of a trie with no entries. */
export const EMPTY_TRIE_ROOT: Uint8Array = keccak256(encodeRlp(new Uint8Array(0)));

interface Entry {
  readonly path: Uint8Array;
  readonly value: Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** RLP encoding of the node holding `entries[lo, hi)`, all of which agree on their first `depth` nibbles. */
function buildNode(entries: readonly Entry[], lo: number, hi: number, depth: number): Uint8Array {
  const first = entries[lo]!;
  if (hi - lo === 1) {
    return encodeLeaf(hexPrefixEncode(first.path, depth, first.path.length, true), first.value);
  }
  // Sorted input: the common prefix of the whole range is the common prefix of its first and last entries.
  const last = entries[hi - 1]!;
  let cp = depth;
  const max = Math.min(first.path.length, last.path.length);
  while (cp < max && first.path[cp] === last.path[cp]) cp++;
  if (cp > depth) {
    const child = buildNode(entries, lo, hi, cp);
    return encodeExtension(hexPrefixEncode(first.path, depth, cp, false), childRef(child));
  }
  const parts: Uint8Array[] = [];
  let i = lo;
  let value: Uint8Array | null = null;
  // A key ending exactly here sorts first and becomes the branch's value.
  if (first.path.length === depth) {
    value = first.value;
    i++;
  }
  for (let nibble = 0; nibble < 16; nibble++) {
    let j = i;
    while (j < hi && entries[j]!.path[depth] === nibble) j++;
    parts.push(j > i ? childRef(buildNode(entries, i, j, depth + 1)) : EMPTY_ITEM);
    i = j;
  }
  return encodeBranch(parts, value);
}

/**
 * Root of the trie holding `pairs` (keys used as-is; hash them first for a secure trie). Empty values mean
 * "absent", as in Ethereum tries. A later duplicate key overrides an earlier one.
 */
export function trieRoot(pairs: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const byKey = new Map<string, readonly [Uint8Array, Uint8Array]>();
  for (const p of pairs)
    byKey.set(Buffer.from(p[0].buffer, p[0].byteOffset, p[0].byteLength).toString("latin1"), p);
  const sorted = [...byKey.values()].filter((p) => p[1].length > 0).sort((a, b) => compareBytes(a[0], b[0]));
  if (sorted.length === 0) return EMPTY_TRIE_ROOT;
  const entries = sorted.map(([k, v]) => ({ path: bytesToNibbles(k), value: v }));
  return keccak256(buildNode(entries, 0, entries.length, 0));
}

/** Root of a secure trie: every key is replaced by its keccak256 (state and storage tries). */
export function secureTrieRoot(pairs: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const hashed: [Uint8Array, Uint8Array][] = [];
  for (const [k, v] of pairs) hashed.push([keccak256(k), v]);
  return trieRoot(hashed);
}

/**
 * Root of an index-keyed list (transactions, receipts, withdrawals): key i is rlp(i). The keys' byte order is
 * known without sorting: rlp(1..127) are the bytes 0x01..0x7f, rlp(0) is 0x80, and from 128 on rlp(i) is a
 * length byte 0x81, 0x82, … then i big-endian, so numeric order within each length and shorter lengths first.
 */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  const entries: Entry[] = [];
  const add = (i: number): void => {
    const value = values[i]!;
    if (value.length > 0) entries.push({ path: bytesToNibbles(encodeRlp(i)), value });
  };
  for (let i = 1; i < Math.min(values.length, 128); i++) add(i);
  if (values.length > 0) add(0);
  for (let i = 128; i < values.length; i++) add(i);
  if (entries.length === 0) return EMPTY_TRIE_ROOT;
  return keccak256(buildNode(entries, 0, entries.length, 0));
}
