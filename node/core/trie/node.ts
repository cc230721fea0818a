/**
 * In-memory Merkle-Patricia trie nodes and their RLP codec. A child is either a resolved node or a `hash`
 * placeholder for a node still in the database; resolved nodes remember the hash they were stored under until
 * modified, so committing re-hashes only the paths that changed.
 */
import { ErrorCode, FastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";
import { decodeRlp, type RlpItem } from "../rlp.ts";
import { hexPrefixEncode } from "./hexPrefix.ts";
import { EMPTY_ITEM, encodeBranch, encodeExtension, encodeLeaf, hashRef } from "./nodeEncoding.ts";

export interface LeafNode {
  readonly t: "leaf";
  /** remaining key nibbles */
  path: Uint8Array;
  value: Uint8Array;
  /** hash this node is stored under; undefined when modified since, or inline (encoding < 32 bytes) */
  hash?: Uint8Array | undefined;
}

export interface ExtensionNode {
  readonly t: "ext";
  path: Uint8Array;
  child: TrieNode;
  hash?: Uint8Array | undefined;
}

export interface BranchNode {
  readonly t: "branch";
  readonly children: (TrieNode | null)[];
  value: Uint8Array | null;
  hash?: Uint8Array | undefined;
}

/** A node known only by its hash, loaded on first access. */
export interface HashNode {
  readonly t: "hash";
  readonly hash: Uint8Array;
}

export type TrieNode = LeafNode | ExtensionNode | BranchNode | HashNode;

function trieError(message: string): FastEvmError {
  return new FastEvmError(ErrorCode.TRIE_INVALID, `invalid trie node: ${message}`);
}

/** Nibbles of a hex-prefix encoded path, and whether it was a leaf's. */
function decodeHexPrefix(b: Uint8Array): { path: Uint8Array; leaf: boolean } {
  if (b.length === 0) throw trieError("empty path");
  const flag = b[0]! >> 4;
  if (flag > 3) throw trieError(`bad path flag ${flag}`);
  const odd = (flag & 1) === 1;
  const path = new Uint8Array((b.length - 1) * 2 + (odd ? 1 : 0));
  let o = 0;
  if (odd) path[o++] = b[0]! & 15;
  for (let i = 1; i < b.length; i++) {
    path[o++] = b[i]! >> 4;
    path[o++] = b[i]! & 15;
  }
  return { path, leaf: (flag & 2) === 2 };
}

function childFromItem(item: RlpItem): TrieNode | null {
  if (Array.isArray(item)) return nodeFromItem(item, undefined);
  if (item.length === 0) return null;
  if (item.length !== 32) throw trieError(`child reference of ${item.length} bytes`);
  return { t: "hash", hash: item };
}

function nodeFromItem(item: RlpItem, hash: Uint8Array | undefined): TrieNode {
  if (!Array.isArray(item)) throw trieError("not a list");
  if (item.length === 17) {
    const children = item.slice(0, 16).map(childFromItem);
    const v = item[16]!;
    if (Array.isArray(v)) throw trieError("branch value is a list");
    return { t: "branch", children, value: v.length === 0 ? null : v, hash };
  }
  if (item.length !== 2) throw trieError(`${item.length} items`);
  const [p, second] = item as [RlpItem, RlpItem];
  if (Array.isArray(p)) throw trieError("path is a list");
  const { path, leaf } = decodeHexPrefix(p);
  if (leaf) {
    if (Array.isArray(second)) throw trieError("leaf value is a list");
    return { t: "leaf", path, value: second, hash };
  }
  const child = childFromItem(second);
  if (child === null) throw trieError("extension without child");
  return { t: "ext", path, child, hash };
}

/** Decodes a stored node (`hash` is the key it was found under). */
export function decodeNode(encoded: Uint8Array, hash: Uint8Array | undefined): TrieNode {
  return nodeFromItem(decodeRlp(encoded), hash);
}

/** Called for every node that gets a (new) hash during encoding: what a commit must persist. */
export type NodeSink = (hash: Uint8Array, encoded: Uint8Array) => void;

/** Reference to `node` from its parent: inline encoding under 32 bytes, else rlp(hash). */
function childRef(node: TrieNode | null, sink: NodeSink | undefined): Uint8Array {
  if (node === null) return EMPTY_ITEM;
  if (node.hash !== undefined) return hashRef(node.hash);
  const enc = encodeNode(node, sink);
  if (enc.length < 32) return enc;
  const hash = keccak256(enc);
  (node as Exclude<TrieNode, HashNode>).hash = hash;
  sink?.(hash, enc);
  return hashRef(hash);
}

/** RLP encoding of a resolved node, hashing (and sinking) modified descendants on the way. */
export function encodeNode(node: Exclude<TrieNode, HashNode> | HashNode, sink?: NodeSink): Uint8Array {
  switch (node.t) {
    case "leaf":
      return encodeLeaf(hexPrefixEncode(node.path, 0, node.path.length, true), node.value);
    case "ext":
      return encodeExtension(
        hexPrefixEncode(node.path, 0, node.path.length, false),
        childRef(node.child, sink),
      );
    case "branch":
      return encodeBranch(
        node.children.map((c) => childRef(c, sink)),
        node.value,
      );
    case "hash":
      throw new FastEvmError(ErrorCode.INTERNAL, "cannot encode an unresolved node");
  }
}
