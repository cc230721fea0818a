/**
 * A block's state diff: the value before and after the block of every account and storage slot it changed.
 * Written with the block (table `stateDiffs`), it lets a reorg rewind the flat state block by block and
 * re-apply a side branch without re-executing, and builds the overlay a side block executes against.
 * Encoding: rlp([[address, pre, post]…], [[address‖slot, pre, post]…]); an empty account value = absent.
 */
import { bigintToFixedBytes, bytesToBigint, equalBytes } from "../core/bytes.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex } from "../core/hex.ts";
import { decodeRlp, encodeRlp, rlpBigint, rlpBytes, rlpFixedBytes, rlpList } from "../core/rlp.ts";
import type { AccountWrite, StateOverlay } from "../core/wire/execute.ts";
import { encodeAccount } from "../state/account.ts";
import { storageKey } from "../storage/keys.ts";
import { readBytes, type Storage } from "../storage/storage.ts";

export interface AccountDiff {
  readonly address: Uint8Array;
  readonly pre: Uint8Array | null;
  readonly post: Uint8Array | null;
}

export interface SlotDiff {
  /** address (20) ‖ slot (32) */
  readonly key: Uint8Array;
  readonly pre: bigint;
  readonly post: bigint;
}

export interface StateDiff {
  readonly accounts: readonly AccountDiff[];
  readonly storage: readonly SlotDiff[];
}

const EMPTY = new Uint8Array(0);

export function encodeStateDiff(d: StateDiff): Uint8Array {
  return encodeRlp([
    d.accounts.map((a) => [a.address, a.pre ?? EMPTY, a.post ?? EMPTY]),
    d.storage.map((s) => [s.key, s.pre, s.post]),
  ]);
}

export function decodeStateDiff(data: Uint8Array): StateDiff {
  const [accs, slots] = rlpList(decodeRlp(data), "state diff");
  const orNull = (b: Uint8Array): Uint8Array | null => (b.length === 0 ? null : b);
  return {
    accounts: rlpList(accs, "diff accounts").map((item) => {
      const [a, pre, post] = rlpList(item, "account diff");
      return {
        address: rlpFixedBytes(a, 20, "address"),
        pre: orNull(rlpBytes(pre, "pre")),
        post: orNull(rlpBytes(post, "post")),
      };
    }),
    storage: rlpList(slots, "diff storage").map((item) => {
      const [k, pre, post] = rlpList(item, "slot diff");
      return {
        key: rlpFixedBytes(k, 52, "slot key"),
        pre: rlpBigint(pre, "pre"),
        post: rlpBigint(post, "post"),
      };
    }),
  };
}

/** Every slot of `address` in the flat storage table (read inside the writer's transaction). */
function flatSlots(storage: Storage, address: Uint8Array): [Uint8Array, bigint][] {
  const start = storageKey(address, new Uint8Array(32));
  const end = storageKey(address, new Uint8Array(32).fill(0xff));
  const out: [Uint8Array, bigint][] = [];
  for (const { key, value } of storage.tables.storage.getRange({ start, end, inclusiveEnd: true }))
    out.push([new Uint8Array(key), bytesToBigint(value)]);
  return out;
}

/** An account write's value in the flat table: its RLP, or null when the block deleted it. */
function accountValue(w: AccountWrite): Uint8Array | null {
  return w.deleted
    ? null
    : encodeAccount({ nonce: w.nonce, balance: w.balance, storageRoot: w.storageRoot, codeHash: w.codeHash });
}

/**
 * The diff of a block's write-set against the flat state, which must hold the block's parent state (call
 * inside the commit transaction, after any rewind). Also stores new code (content-addressed, never deleted).
 */
export function diffFromWrites(storage: Storage, writes: readonly AccountWrite[]): StateDiff {
  const t = storage.tables;
  const accounts: AccountDiff[] = [];
  const slots = new Map<string, SlotDiff>();
  for (const w of writes) {
    const pre = readBytes(t.accounts, w.address) ?? null;
    const post = accountValue(w);
    if (!(pre === null && post === null) && !(pre !== null && post !== null && equalBytes(pre, post)))
      accounts.push({ address: w.address, pre, post });
    if (w.code !== null && w.code.length > 0) t.code.putSync(keccak256(w.code), w.code);
    if (w.wiped || w.deleted) {
      for (const [key, value] of flatSlots(storage, w.address))
        slots.set(bytesToHex(key), { key, pre: value, post: 0n });
    }
    for (const s of w.slots) {
      const key = storageKey(w.address, s.key);
      const hk = bytesToHex(key);
      const known = slots.get(hk);
      const raw = known === undefined ? readBytes(t.storage, key) : undefined;
      const pre = known?.pre ?? (raw === undefined ? 0n : bytesToBigint(raw));
      slots.set(hk, { key, pre, post: s.value });
    }
  }
  return { accounts, storage: [...slots.values()].filter((s) => s.pre !== s.post) };
}

/** Applies a diff to the flat tables forward (pre → post) or backward (post → pre); inside a transaction. */
export function applyStateDiff(storage: Storage, d: StateDiff, direction: "forward" | "backward"): void {
  const t = storage.tables;
  const fwd = direction === "forward";
  for (const a of d.accounts) {
    const v = fwd ? a.post : a.pre;
    if (v === null) t.accounts.removeSync(a.address);
    else t.accounts.putSync(a.address, v);
  }
  for (const s of d.storage) {
    const v = fwd ? s.post : s.pre;
    if (v === 0n) t.storage.removeSync(s.key);
    else t.storage.putSync(s.key, bigintToFixedBytes(v, 32));
  }
}

/**
 * The overlay from the flat (head) state to another state: the diffs of the blocks to rewind (newest first)
 * taken backward, then those to re-apply (oldest first) forward; the last write of each key wins.
 */
export function composeOverlay(rewind: readonly StateDiff[], reapply: readonly StateDiff[]): StateOverlay {
  const accounts = new Map<string, [Uint8Array, Uint8Array | null]>();
  const slots = new Map<string, [Uint8Array, bigint]>();
  const take = (d: StateDiff, fwd: boolean): void => {
    for (const a of d.accounts) accounts.set(bytesToHex(a.address), [a.address, fwd ? a.post : a.pre]);
    for (const s of d.storage) slots.set(bytesToHex(s.key), [s.key, fwd ? s.post : s.pre]);
  };
  for (const d of rewind) take(d, false);
  for (const d of reapply) take(d, true);
  return { accounts: [...accounts.values()], storage: [...slots.values()] };
}

/**
 * The overlay from LMDB's flat state to the post-state of blocks accepted and not persisted yet (oldest
 * first; the first one's parent is the persisted head), from their write-sets: each account's final value,
 * the slots written, the accounts whose storage was cleared (`wiped`: a later slot write stays), the code
 * they deployed and their new trie nodes. It holds final values only, so it gives the same state while the
 * writer persists those blocks in order.
 */
export function overlayFromBlocks(
  blocks: readonly {
    readonly writes: readonly AccountWrite[];
    readonly trieNodes: readonly (readonly [Uint8Array, Uint8Array])[];
  }[],
): StateOverlay {
  const accounts = new Map<string, [Uint8Array, Uint8Array | null]>();
  /** address hex → slot hex → [key, value] */
  const slots = new Map<string, Map<string, [Uint8Array, bigint]>>();
  const wiped = new Map<string, Uint8Array>();
  const code = new Map<string, [Uint8Array, Uint8Array]>();
  const trieNodes: (readonly [Uint8Array, Uint8Array])[] = [];
  for (const b of blocks) {
    for (const w of b.writes) {
      const a = bytesToHex(w.address);
      accounts.set(a, [w.address, accountValue(w)]);
      let own = slots.get(a);
      if (w.deleted || w.wiped) {
        wiped.set(a, w.address);
        own?.clear();
      }
      if (w.slots.length > 0) {
        if (own === undefined) {
          own = new Map();
          slots.set(a, own);
        }
        for (const s of w.slots) {
          const key = storageKey(w.address, s.key);
          own.set(bytesToHex(key), [key, s.value]);
        }
      }
      if (w.code !== null && w.code.length > 0) code.set(bytesToHex(w.codeHash), [w.codeHash, w.code]);
    }
    for (const n of b.trieNodes) trieNodes.push(n);
  }
  const storage: [Uint8Array, bigint][] = [];
  for (const own of slots.values()) for (const e of own.values()) storage.push(e);
  return {
    accounts: [...accounts.values()],
    storage,
    wiped: [...wiped.values()],
    code: [...code.values()],
    trieNodes,
  };
}
