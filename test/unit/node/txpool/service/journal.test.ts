import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import { TxJournal } from "../../../../../node/txpool/service/journal.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

const dirs: { remove(): void }[] = [];
function journalPath(): string {
  const d = tempDir("fastevm-journal-");
  dirs.push(d);
  return join(d.path, "txpool", "transactions.rlp");
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

const tx = (n: number, len = 100) => new Uint8Array(len).fill(n);

describe("TxJournal", () => {
  it("loads nothing when there is no file", () => {
    expect(new TxJournal(journalPath()).load()).toEqual([]);
  });

  it("appends and loads back in order, across instances (a restart)", () => {
    const p = journalPath();
    const j = new TxJournal(p);
    j.append([tx(1), tx(2)]);
    j.append([tx(3, 60_000)]);
    j.close();
    expect(new TxJournal(p).load()).toEqual([tx(1), tx(2), tx(3, 60_000)]);
  });

  it("writes the file with mode 0600 in a 0700 folder (reliability rows 40–41)", () => {
    const p = journalPath();
    const j = new TxJournal(p);
    j.append([tx(1)]);
    j.close();
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(statSync(join(p, "..")).mode & 0o777).toBe(0o700);
  });

  it("drops a torn last entry (a crash mid-append) and keeps the whole ones", () => {
    const p = journalPath();
    const j = new TxJournal(p);
    j.append([tx(1), tx(2)]);
    j.close();
    const whole = encodeRlp(tx(3));
    appendFileSync(p, whole.subarray(0, whole.length - 10));
    expect(new TxJournal(p).load()).toEqual([tx(1), tx(2)]);
  });

  it("stops at garbage instead of throwing", () => {
    const p = journalPath();
    new TxJournal(p).append([tx(7)]);
    appendFileSync(p, Buffer.from([0xff, 0xff, 0xff]));
    expect(new TxJournal(p).load()).toEqual([tx(7)]);
  });

  it("rotate replaces the content with the given transactions, and appends continue after it", () => {
    const p = journalPath();
    const j = new TxJournal(p);
    j.append([tx(1), tx(2), tx(3)]);
    j.rotate([tx(2)]);
    j.append([tx(4)]);
    j.close();
    expect(new TxJournal(p).load()).toEqual([tx(2), tx(4)]);
    j.rotate([]);
    expect(readFileSync(p).length).toBe(0);
  });

  it("an empty file loads as empty", () => {
    const p = journalPath();
    new TxJournal(p).rotate([]);
    writeFileSync(p, new Uint8Array(0));
    expect(new TxJournal(p).load()).toEqual([]);
  });
});
