/**
 * Per-transaction memo of derived values: the canonical encoding a transaction was decoded from (so
 * hashing needs no re-encoding), its hash, and its recovered sender. Kept in a WeakMap beside the plain
 * model rather than on it, so models stay plain data for structured clone; a clone simply recomputes.
 * Models are readonly: a memo is never invalidated.
 */
export interface TxMemo {
  /** canonical EIP-2718 encoding (legacy: the RLP list) */
  raw?: Uint8Array;
  /** offset in `raw` of the first field of the list */
  fieldsStart?: number;
  /** offset in `raw` of the signature's first field (v / yParity) */
  sigStart?: number;
  hash?: Uint8Array;
  signingHash?: Uint8Array;
  sender?: Uint8Array;
}

const memos = new WeakMap<object, TxMemo>();

export function memoOf(tx: object): TxMemo {
  let m = memos.get(tx);
  if (m === undefined) {
    m = {};
    memos.set(tx, m);
  }
  return m;
}

/** Records the canonical encoding a transaction was decoded from. */
export function rememberEncoding(tx: object, raw: Uint8Array, fieldsStart: number, sigStart: number): void {
  memos.set(tx, { raw, fieldsStart, sigStart });
}
