/**
 * Per-transaction memo of derived values: the canonical encoding a transaction was decoded from (so
 * hashing needs no re-encoding), its hash, and its recovered sender.
 *
 * The memo hangs off the model under a non-enumerable symbol key: structured clone and object spread
 * skip it (a clone or an edited copy `{ ...tx, nonce }` recomputes instead of inheriting stale values),
 * and deep-equality ignores it. A WeakMap did the same but cost ~3 µs per decoded transaction.
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

const MEMO = Symbol("fastevm.txMemo");

function attach(tx: object, memo: TxMemo): TxMemo {
  Object.defineProperty(tx, MEMO, { value: memo, enumerable: false, writable: false, configurable: false });
  return memo;
}

export function memoOf(tx: object): TxMemo {
  const m = (tx as { [MEMO]?: TxMemo })[MEMO];
  return m !== undefined ? m : Object.isExtensible(tx) ? attach(tx, {}) : {};
}

/** Records the canonical encoding a transaction was decoded from (right after decoding it). */
export function rememberEncoding(tx: object, raw: Uint8Array, fieldsStart: number, sigStart: number): void {
  attach(tx, { raw, fieldsStart, sigStart });
}
