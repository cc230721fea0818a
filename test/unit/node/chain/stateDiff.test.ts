/**
 * State diffs: the codec round-trips (absent accounts included) and the overlay of a rewind + re-apply path
 * takes each key's value from the last diff that touched it (pre when rewinding, post when re-applying);
 * the overlay of unpersisted blocks built from their write-sets keeps each account's last value, drops the
 * slots written before a wipe (selfdestruct, re-creation) and keeps those after it, and carries the code
 * deployed and the trie nodes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  composeOverlay,
  decodeStateDiff,
  encodeStateDiff,
  overlayFromBlocks,
  type StateDiff,
} from "../../../../node/chain/stateDiff.ts";
import { EMPTY_TRIE_ROOT } from "../../../../node/core/trie/trieRoot.ts";
import type { AccountWrite } from "../../../../node/core/wire/execute.ts";
import { decodeAccount, EMPTY_CODE_HASH } from "../../../../node/state/account.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const accountValue = fc.option(fc.uint8Array({ minLength: 1, maxLength: 80 }), { nil: null });
const word = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
const diff: fc.Arbitrary<StateDiff> = fc.record({
  accounts: fc.array(fc.record({ address: bytes(20), pre: accountValue, post: accountValue }), {
    maxLength: 5,
  }),
  storage: fc.array(fc.record({ key: bytes(52), pre: word, post: word }), { maxLength: 5 }),
});

describe("state diffs", () => {
  it("round-trip through their encoding", () => {
    fc.assert(
      fc.property(diff, (d) => {
        expect(decodeStateDiff(encodeStateDiff(d))).toEqual(d);
      }),
      { seed: 4788, numRuns: 200 },
    );
  });

  it("compose rewinds (pre values) then re-applies (post values)", () => {
    const a = new Uint8Array(20).fill(1);
    const k = new Uint8Array(52).fill(2);
    const v = (x: number) => new Uint8Array([0xc0 + x]);
    const head: StateDiff = {
      accounts: [{ address: a, pre: v(1), post: v(2) }],
      storage: [{ key: k, pre: 5n, post: 6n }],
    };
    const older: StateDiff = {
      accounts: [{ address: a, pre: null, post: v(1) }],
      storage: [{ key: k, pre: 0n, post: 5n }],
    };
    const side: StateDiff = { accounts: [{ address: a, pre: null, post: v(9) }], storage: [] };
    // rewind head then older (newest first): the account is absent again, the slot back to 0
    expect(composeOverlay([head, older], [])).toEqual({ accounts: [[a, null]], storage: [[k, 0n]] });
    // then re-apply a side block: its post wins for the account, the slot stays rewound
    expect(composeOverlay([head, older], [side])).toEqual({ accounts: [[a, v(9)]], storage: [[k, 0n]] });
    expect(composeOverlay([], [])).toEqual({ accounts: [], storage: [] });
  });

  it("over unpersisted blocks: last values, wipes, code and trie nodes", () => {
    const A = new Uint8Array(20).fill(0xaa);
    const B = new Uint8Array(20).fill(0xbb);
    const slot = (n: number) => new Uint8Array(32).fill(n);
    const write = (address: Uint8Array, over: Partial<AccountWrite>): AccountWrite => ({
      address,
      deleted: false,
      wiped: false,
      nonce: 1n,
      balance: 5n,
      codeHash: EMPTY_CODE_HASH,
      storageRoot: EMPTY_TRIE_ROOT,
      code: null,
      slots: [],
      ...over,
    });
    const code = new Uint8Array([0x60, 0x00]);
    const codeHash = new Uint8Array(32).fill(7);
    const node = [new Uint8Array(32).fill(1), new Uint8Array([0xc0])] as const;
    const o = overlayFromBlocks([
      {
        writes: [
          write(A, { slots: [{ key: slot(1), value: 10n }] }),
          write(B, { code, codeHash, slots: [{ key: slot(2), value: 20n }] }),
        ],
        trieNodes: [node],
      },
      {
        writes: [
          write(A, { wiped: true, nonce: 2n, slots: [{ key: slot(3), value: 30n }] }),
          write(B, { deleted: true }),
        ],
        trieNodes: [],
      },
    ]);
    const acc = new Map(o.accounts.map(([a, v]) => [a[0], v]));
    expect(decodeAccount(acc.get(0xaa)!).nonce).toBe(2n);
    expect(acc.get(0xbb)).toBeNull();
    expect(o.wiped?.map((a) => a[0]).sort()).toEqual([0xaa, 0xbb]);
    // A's slot 1 was wiped by the second block, its slot 3 written after; B's storage went with it
    expect(o.storage.map(([k, v]) => [k[0], k[20], v])).toEqual([[0xaa, 3, 30n]]);
    expect(o.code).toEqual([[codeHash, code]]);
    expect(o.trieNodes).toEqual([node]);
  });
});
