/** The in-memory root builder against @ethereumjs/mpt as oracle, on random key sets (seeded). */
import { createMPT } from "@ethereumjs/mpt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import {
  EMPTY_TRIE_ROOT,
  orderedTrieRoot,
  secureTrieRoot,
  trieRoot,
} from "../../../../../node/core/trie/trieRoot.ts";

async function oracle(pairs: [Uint8Array, Uint8Array][], secure = false): Promise<string> {
  const t = await createMPT({ useKeyHashing: secure });
  for (const [k, v] of pairs) await t.put(k, v);
  return bytesToHex(t.root());
}

/** Short keys over a small alphabet, so that shared prefixes, prefix keys and branch values all occur. */
const key = fc.uint8Array({ minLength: 0, maxLength: 5 }).map((b) => b.map((x) => x & 0x13));
const value = fc.uint8Array({ minLength: 1, maxLength: 70 });
const pairsArb = fc.uniqueArray(fc.tuple(key, value), { maxLength: 40, selector: ([k]) => bytesToHex(k) });

describe("trieRoot", () => {
  it("is keccak(rlp('')) when empty", () => {
    expect(bytesToHex(trieRoot([]))).toBe(
      "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
    );
    expect(EMPTY_TRIE_ROOT).toEqual(trieRoot([[Uint8Array.of(1), new Uint8Array(0)]]));
  });

  it("matches @ethereumjs/mpt on random key sets (plain and secure)", async () => {
    await fc.assert(
      fc.asyncProperty(pairsArb, async (pairs) => {
        expect(bytesToHex(trieRoot(pairs))).toBe(await oracle(pairs));
        expect(bytesToHex(secureTrieRoot(pairs))).toBe(await oracle(pairs, true));
      }),
      { seed: 4242, numRuns: 150 },
    );
  });

  it("matches @ethereumjs/mpt for ordered lists of every size up to 300", async () => {
    for (const n of [0, 1, 2, 15, 16, 17, 127, 128, 129, 300]) {
      const values = Array.from({ length: n }, (_, i) => new Uint8Array((i % 50) + 1).fill(i & 0xff));
      const pairs = values.map((v, i) => [encodeRlp(i), v] as [Uint8Array, Uint8Array]);
      expect(bytesToHex(orderedTrieRoot(values)), `n=${n}`).toBe(await oracle(pairs));
    }
  });

  it("lets a later duplicate key win", () => {
    const k = Uint8Array.of(1, 2);
    expect(
      trieRoot([
        [k, Uint8Array.of(1)],
        [k, Uint8Array.of(2)],
      ]),
    ).toEqual(trieRoot([[k, Uint8Array.of(2)]]));
  });
});
