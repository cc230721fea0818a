/**
 * State diffs: the codec round-trips (absent accounts included) and the overlay of a rewind + re-apply path
 * takes each key's value from the last diff that touched it (pre when rewinding, post when re-applying).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  composeOverlay,
  decodeStateDiff,
  encodeStateDiff,
  type StateDiff,
} from "../../../../node/chain/stateDiff.ts";

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
});
