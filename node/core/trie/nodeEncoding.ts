/**
 * The RLP encodings of Merkle-Patricia trie nodes, each written in one allocation: a leaf [path, value], an
 * extension [path, child], a branch [16 children, value], and a child's reference inside its parent (its
 * own encoding when shorter than 32 bytes, else its hash as a 32-byte string). Both tries use them: the
 * bottom-up root builder (`trieRoot.ts`) and the updatable trie's nodes (`node.ts`).
 */
import { keccak256 } from "../hash.ts";
import { rlpListWithPayload, rlpStringSize, writeRlpString } from "../rlp.ts";

/** The empty string: an absent child or branch value. */
export const EMPTY_ITEM: Uint8Array = Uint8Array.of(0x80);

/** A branch without a value holds the empty string (EMPTY_ITEM once written). */
const NO_VALUE = new Uint8Array(0);

/** A child referenced by its hash: the hash as an RLP string (0xa0 then the 32 bytes). */
export function hashRef(hash: Uint8Array): Uint8Array {
  const ref = new Uint8Array(33);
  ref[0] = 0x80 + 32;
  ref.set(hash, 1);
  return ref;
}

/** How a node encoded as `encoded` is referenced from its parent. */
export function childRef(encoded: Uint8Array): Uint8Array {
  return encoded.length < 32 ? encoded : hashRef(keccak256(encoded));
}

/** A leaf: its hex-prefixed path and its value, both strings. */
export function encodeLeaf(path: Uint8Array, value: Uint8Array): Uint8Array {
  const { out, pos } = rlpListWithPayload(rlpStringSize(path) + rlpStringSize(value));
  writeRlpString(out, writeRlpString(out, pos, path), value);
  return out;
}

/** An extension: its hex-prefixed path (a string) and its child's reference (an encoded item). */
export function encodeExtension(path: Uint8Array, ref: Uint8Array): Uint8Array {
  const { out, pos } = rlpListWithPayload(rlpStringSize(path) + ref.length);
  out.set(ref, writeRlpString(out, pos, path));
  return out;
}

/** A branch: its 16 children's references (encoded items) and its value (a string; null: none). */
export function encodeBranch(refs: readonly Uint8Array[], value: Uint8Array | null): Uint8Array {
  const v = value ?? NO_VALUE;
  let payload = rlpStringSize(v);
  for (const r of refs) payload += r.length;
  const built = rlpListWithPayload(payload);
  const out = built.out;
  let pos = built.pos;
  for (const r of refs) {
    out.set(r, pos);
    pos += r.length;
  }
  writeRlpString(out, pos, v);
  return out;
}
