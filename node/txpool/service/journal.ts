/**
 * The local-transaction journal (geth's `transactions.rlp`): every transaction submitted to this node is
 * appended, as one RLP byte string, to `DATADIR/txpool/transactions.rlp` before the submitter hears
 * "accepted", so a SIGKILL loses none of them; on start the pool re-admits what the file holds.
 * `rotate` rewrites the file with the local transactions still in the pool (write to a temporary file,
 * then rename, so a crash mid-rotation leaves the old journal whole). A torn last entry (a crash mid-append)
 * is ignored on load.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { decodeRlpPrefix, encodeRlp } from "../../core/rlp.ts";

export class TxJournal {
  #fd: number | undefined;

  constructor(readonly path: string) {}

  /** The journaled transactions, in file order; an unreadable tail is dropped. */
  load(): Uint8Array[] {
    if (!existsSync(this.path)) return [];
    const data = new Uint8Array(readFileSync(this.path));
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < data.length) {
      let next: { item: unknown; end: number };
      try {
        next = decodeRlpPrefix(data, offset);
      } catch {
        break;
      }
      // compact copies: a view would carry the whole file into every thread hop
      if (next.item instanceof Uint8Array && next.item.length > 0) out.push(new Uint8Array(next.item));
      offset = next.end;
    }
    return out;
  }

  /** Appends `txs` (synchronously: the caller answers the submitter after this returns). */
  append(txs: readonly Uint8Array[]): void {
    if (txs.length === 0) return;
    if (this.#fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.#fd = openSync(this.path, "a", 0o600);
    }
    const parts = txs.map((t) => encodeRlp(t));
    const buf = Buffer.concat(parts);
    writeSync(this.#fd, buf);
  }

  /** Replaces the journal's content with `txs` (the locals still pending or queued). */
  rotate(txs: readonly Uint8Array[]): void {
    this.close();
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.new`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      if (txs.length > 0) writeSync(fd, Buffer.concat(txs.map((t) => encodeRlp(t))));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
