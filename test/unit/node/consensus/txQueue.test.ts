import { describe, expect, it } from "vitest";
import { TxQueue } from "../../../../node/consensus/txQueue.ts";

const tx = (n: number, len = 10) => new Uint8Array(len).fill(n);

describe("TxQueue", () => {
  it("pulls in submission order within count and byte caps", () => {
    const q = new TxQueue({ maxCount: 100, maxBytes: 1000, maxTxBytes: 100 });
    for (let i = 0; i < 10; i++) expect(q.submit(tx(i))).toBe("queued");
    expect(q.pull(3, 1000).map((t) => t[0])).toEqual([0, 1, 2]);
    expect(q.pull(100, 25).map((t) => t[0])).toEqual([3, 4]);
    expect(q.size).toBe(5);
    expect(q.pull(100, 1000)).toHaveLength(5);
    expect(q.pull(100, 1000)).toEqual([]);
  });

  it("refuses when full (count or bytes), oversized or empty transactions", () => {
    const q = new TxQueue({ maxCount: 2, maxBytes: 25, maxTxBytes: 12 });
    expect(q.submit(tx(1))).toBe("queued");
    expect(q.submit(tx(2))).toBe("queued");
    expect(q.submit(tx(3))).toBe("full");
    expect(q.dropped).toBe(1);
    expect(q.submit(tx(4, 13))).toBe("too-large");
    expect(q.submit(new Uint8Array(0))).toBe("empty");
    q.pull(1, 100);
    // one 10-byte tx left: 12 more bytes fit (22 ≤ 25), then the count cap (2) refuses a third
    expect(q.submit(tx(5, 12))).toBe("queued");
    expect(q.submit(tx(6, 1))).toBe("full");
    q.pull(2, 100);
    expect(q.submit(tx(7, 12))).toBe("queued");
    expect(q.submit(tx(8, 12))).toBe("queued");
    expect(q.submit(tx(9, 2))).toBe("full"); // both caps: 2 queued, 24 + 2 > 25 bytes
  });

  it("stays correct across compaction", () => {
    const q = new TxQueue();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.submit(tx(next++ & 255));
      for (const t of q.pull(70, 1 << 20)) expect(t[0]).toBe(expected++ & 255);
    }
    expect(q.size).toBe(5000 - 3500);
  });
});
