/**
 * A synchronous Merkle-Patricia trie over any node reader (LMDB reads are synchronous): updates happen on an
 * in-memory node tree loaded lazily from the reader, and `commit()` hashes only what changed and hands back
 * the new nodes to persist. This is the fast path for state-root computation; @ethereumjs/mpt (async, one
 * database round trip per node) stays as the reference implementation and the proof verifier.
 */
import { equalBytes } from "../bytes.ts";
import { ErrorCode, FastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";
import { bytesToNibbles } from "./hexPrefix.ts";
import { type BranchNode, decodeNode, encodeNode, type NodeSink, type TrieNode } from "./node.ts";
import { EMPTY_TRIE_ROOT } from "./trieRoot.ts";

/** Node hash → RLP-encoded node, or undefined when missing. */
export type NodeReader = (hash: Uint8Array) => Uint8Array | undefined;

type Resolved = Exclude<TrieNode, { t: "hash" }>;

function commonPrefix(a: Uint8Array, b: Uint8Array, bStart: number): number {
  const n = Math.min(a.length, b.length - bStart);
  let i = 0;
  while (i < n && a[i] === b[bStart + i]) i++;
  return i;
}

function concatPaths(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function newBranch(): BranchNode {
  return { t: "branch", children: new Array<TrieNode | null>(16).fill(null), value: null };
}

/** `node` with its decoded descendants below `levels` more levels replaced by their hashes. */
function pruneNode(node: TrieNode, levels: number): TrieNode {
  if (node.t === "hash") return node;
  if (levels === 0) return node.hash === undefined ? node : { t: "hash", hash: node.hash };
  if (node.t === "branch") {
    for (let k = 0; k < 16; k++) {
      const c = node.children[k];
      if (c !== null && c !== undefined) node.children[k] = pruneNode(c, levels - 1);
    }
  } else if (node.t === "ext") node.child = pruneNode(node.child, levels - 1);
  return node;
}

export interface PatriciaTrieOptions {
  /** hash keys with keccak256 first (state and storage tries) */
  readonly secure?: boolean;
}

export class PatriciaTrie {
  private root: TrieNode | null;
  private reader: NodeReader;
  private readonly secure: boolean;
  /** nodes hashed but not yet handed to a commit sink */
  private unsaved: [Uint8Array, Uint8Array][] = [];

  constructor(reader: NodeReader, root: Uint8Array = EMPTY_TRIE_ROOT, opts: PatriciaTrieOptions = {}) {
    this.reader = reader;
    this.secure = opts.secure ?? false;
    this.root = equalBytes(root, EMPTY_TRIE_ROOT) ? null : { t: "hash", hash: root };
  }

  /** Reads missing nodes from `reader` from now on (a trie kept between tasks, over each task's node store). */
  setReader(reader: NodeReader): void {
    this.reader = reader;
  }

  /**
   * Keeps the decoded nodes of the top `levels` levels (root = level 0) and turns the hashed ones below them
   * back into hash references, so a trie kept between blocks holds a bounded upper part in memory: at most
   * 16^0 + … + 16^(levels-1) branch nodes, plus nodes under 32 bytes (inline, no hash). Commit first.
   */
  prune(levels: number): void {
    if (this.root === null) return;
    if (this.root.t !== "hash" && this.root.hash === undefined)
      throw new FastEvmError(ErrorCode.INTERNAL, "trie has uncommitted changes: commit before pruning");
    this.root = pruneNode(this.root, levels);
  }

  private path(key: Uint8Array): Uint8Array {
    return bytesToNibbles(this.secure ? keccak256(key) : key);
  }

  private resolve(node: TrieNode): Resolved {
    if (node.t !== "hash") return node;
    const enc = this.reader(node.hash);
    if (enc === undefined) {
      throw new FastEvmError(
        ErrorCode.TRIE_INVALID,
        `missing trie node ${Buffer.from(node.hash).toString("hex")}`,
      );
    }
    return decodeNode(enc, node.hash) as Resolved;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const path = this.path(key);
    let node = this.root;
    let i = 0;
    while (node !== null) {
      const n = this.resolve(node);
      if (n.t === "leaf") {
        return n.path.length === path.length - i && commonPrefix(n.path, path, i) === n.path.length
          ? n.value
          : undefined;
      }
      if (n.t === "ext") {
        if (commonPrefix(n.path, path, i) !== n.path.length) return undefined;
        i += n.path.length;
        node = n.child;
      } else {
        if (i === path.length) return n.value ?? undefined;
        node = n.children[path[i]!]!;
        i++;
      }
    }
    return undefined;
  }

  /** Sets `key` to `value`; an empty value deletes the key (Ethereum tries hold no empty values). */
  put(key: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) {
      this.del(key);
      return;
    }
    this.root = this.insert(this.root, this.path(key), 0, value);
  }

  del(key: Uint8Array): void {
    const r = this.remove(this.root, this.path(key), 0);
    if (r !== undefined) this.root = r;
  }

  private insert(node: TrieNode | null, key: Uint8Array, i: number, value: Uint8Array): TrieNode {
    if (node === null) return { t: "leaf", path: key.slice(i), value };
    const n = this.resolve(node);
    n.hash = undefined;
    if (n.t === "branch") {
      if (i === key.length) n.value = value;
      else n.children[key[i]!] = this.insert(n.children[key[i]!]!, key, i + 1, value);
      return n;
    }
    const cp = commonPrefix(n.path, key, i);
    if (n.t === "leaf" && cp === n.path.length && i + cp === key.length) {
      n.value = value;
      return n;
    }
    if (n.t === "ext" && cp === n.path.length) {
      n.child = this.insert(n.child, key, i + cp, value);
      return n;
    }
    // Split at the first differing nibble: a branch holding the old node's rest and the new key's rest.
    const b = newBranch();
    if (n.t === "leaf") {
      if (cp < n.path.length)
        b.children[n.path[cp]!] = { t: "leaf", path: n.path.slice(cp + 1), value: n.value };
      else b.value = n.value;
    } else {
      b.children[n.path[cp]!] =
        cp + 1 < n.path.length ? { t: "ext", path: n.path.slice(cp + 1), child: n.child } : n.child;
    }
    if (i + cp < key.length) b.children[key[i + cp]!] = { t: "leaf", path: key.slice(i + cp + 1), value };
    else b.value = value;
    return cp > 0 ? { t: "ext", path: n.path.slice(0, cp), child: b } : b;
  }

  /** The replacement for `node` after deleting `key`: null when emptied, undefined when nothing changed. */
  private remove(node: TrieNode | null, key: Uint8Array, i: number): TrieNode | null | undefined {
    if (node === null) return undefined;
    const n = this.resolve(node);
    if (n.t === "leaf") {
      return n.path.length === key.length - i && commonPrefix(n.path, key, i) === n.path.length
        ? null
        : undefined;
    }
    if (n.t === "ext") {
      if (commonPrefix(n.path, key, i) !== n.path.length) return undefined;
      const r = this.remove(n.child, key, i + n.path.length);
      if (r === undefined) return undefined;
      if (r === null) return null;
      return this.mergeExtension(n.path, r);
    }
    if (i === key.length) {
      if (n.value === null) return undefined;
      n.value = null;
    } else {
      const k = key[i]!;
      const r = this.remove(n.children[k]!, key, i + 1);
      if (r === undefined) return undefined;
      n.children[k] = r;
    }
    n.hash = undefined;
    return this.normalizeBranch(n);
  }

  /** An extension over `child`, merged into it when the child is itself a leaf or extension. */
  private mergeExtension(path: Uint8Array, child: TrieNode): TrieNode {
    const c = this.resolve(child);
    if (c.t === "leaf") return { t: "leaf", path: concatPaths(path, c.path), value: c.value };
    if (c.t === "ext") return { t: "ext", path: concatPaths(path, c.path), child: c.child };
    return { t: "ext", path, child: c };
  }

  /** A branch left with one entry collapses into a leaf or extension. */
  private normalizeBranch(n: BranchNode): TrieNode | null {
    let count = 0;
    let only = -1;
    for (let k = 0; k < 16; k++) {
      if (n.children[k] !== null) {
        count++;
        only = k;
      }
    }
    if (count === 0) return n.value === null ? null : { t: "leaf", path: new Uint8Array(0), value: n.value };
    if (count > 1 || n.value !== null) return n;
    return this.mergeExtension(Uint8Array.of(only), n.children[only]!);
  }

  /**
   * Root hash of the current contents. Hashes only what changed since the last call; the newly hashed nodes
   * wait in memory until `commit`. The root is always stored by hash, even when under 32 bytes.
   */
  rootHash(): Uint8Array {
    if (this.root === null) return EMPTY_TRIE_ROOT;
    if (this.root.hash !== undefined) return this.root.hash;
    const root = this.root as Resolved;
    const sink: NodeSink = (hash, enc) => this.unsaved.push([hash, enc]);
    const enc = encodeNode(root, sink);
    const hash = keccak256(enc);
    root.hash = hash;
    sink(hash, enc);
    return hash;
  }

  /** Hashes what changed, hands every node created since the last commit to `sink`, returns the root hash. */
  commit(sink: NodeSink): Uint8Array {
    const root = this.rootHash();
    for (const [hash, enc] of this.unsaved) sink(hash, enc);
    this.unsaved = [];
    return root;
  }

  /**
   * Merkle proof for `key` (eth_getProof): the encodings of the hash-referenced nodes from the root along the
   * key's path. Commit first: proofs describe the committed root.
   */
  proof(key: Uint8Array): Uint8Array[] {
    if (this.root === null) return [];
    if (this.root.t !== "hash" && this.root.hash === undefined) {
      throw new FastEvmError(ErrorCode.INTERNAL, "trie has uncommitted changes: commit before proving");
    }
    const path = this.path(key);
    const out: Uint8Array[] = [];
    let node: TrieNode | null = this.root;
    let i = 0;
    while (node !== null) {
      const n = this.resolve(node);
      if (node.t === "hash" || n.hash !== undefined) out.push(encodeNode(n));
      if (n.t === "leaf") break;
      if (n.t === "ext") {
        if (commonPrefix(n.path, path, i) !== n.path.length) break;
        i += n.path.length;
        node = n.child;
      } else {
        if (i === path.length) break;
        node = n.children[path[i]!]!;
        i++;
      }
    }
    return out;
  }
}
