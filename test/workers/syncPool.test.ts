/**
 * The sync pool's body check on its worker thread: a body matching its header passes with its
 * transactions and withdrawals; a changed transaction list, withdrawals list or ommers list, a missing or
 * extra withdrawals list, or undecodable bytes are each refused with a code — one verdict per body.
 */
import { afterAll, describe, expect, it } from "vitest";
import { encodeBody, ommersHash, transactionsRoot } from "../../node/core/block/block.ts";
import { type Withdrawal, withdrawalsRoot } from "../../node/core/block/withdrawal.ts";
import { ErrorCode } from "../../node/core/errors.ts";
import type { BodyExpectation } from "../../node/core/wire/sync.ts";
import { SyncPool } from "../../node/pool/syncPool.ts";
import { ADDRESSES, devTx } from "../utils/devChain.ts";
import { cancunHeader } from "../utils/headers.ts";

const pool = new SyncPool();
afterAll(() => pool.close());

const txs = [devTx(0, 0n, ADDRESSES[1]!, 1n), devTx(0, 1n, ADDRESSES[2]!, 2n)];
const ws: Withdrawal[] = [{ index: 0n, validatorIndex: 1n, address: ADDRESSES[3]!, amount: 5n }];
const want: BodyExpectation = {
  transactionsRoot: transactionsRoot(txs),
  ommersHash: ommersHash([]),
  withdrawalsRoot: withdrawalsRoot(ws),
};

describe("SyncPool.checkBodies", () => {
  it("passes matching bodies and refuses each kind of mismatch", async () => {
    const bodies = [
      encodeBody({ transactions: txs, ommers: [], withdrawals: ws }),
      encodeBody({ transactions: [txs[1]!, txs[0]!], ommers: [], withdrawals: ws }),
      encodeBody({ transactions: txs, ommers: [], withdrawals: [] }),
      encodeBody({ transactions: txs, ommers: [cancunHeader()], withdrawals: ws }),
      encodeBody({ transactions: txs, ommers: [] }),
      new Uint8Array([0xc2, 0x01, 0x02]),
    ];
    const { items } = await pool.checkBodies({ expected: bodies.map(() => want), bodies });
    expect(items[0]).toMatchObject({ ok: true, transactions: txs, ommers: [], withdrawals: ws });
    expect(items.slice(1).map((i) => (i.ok ? "ok" : i.code))).toEqual([
      ErrorCode.SYNC_BAD_BODY,
      ErrorCode.SYNC_BAD_BODY,
      ErrorCode.SYNC_BAD_BODY,
      ErrorCode.SYNC_BAD_BODY,
      ErrorCode.BLOCK_DECODE,
    ]);
  });

  it("a pre-Shanghai header wants no withdrawals list", async () => {
    const { transactionsRoot: tr, ommersHash: oh } = want;
    const { items } = await pool.checkBodies({
      expected: [
        { transactionsRoot: tr, ommersHash: oh },
        { transactionsRoot: tr, ommersHash: oh },
      ],
      bodies: [
        encodeBody({ transactions: txs, ommers: [] }),
        encodeBody({ transactions: txs, ommers: [], withdrawals: [] }),
      ],
    });
    expect(items.map((i) => i.ok)).toEqual([true, false]);
  });
});
