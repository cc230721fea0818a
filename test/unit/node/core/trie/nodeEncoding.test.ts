import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { decodeRlp, encodeRlp } from "../../../../../node/core/rlp.ts";
import {
  childRef,
  EMPTY_ITEM,
  encodeBranch,
  encodeExtension,
  encodeLeaf,
  hashRef,
} from "../../../../../node/core/trie/nodeEncoding.ts";

const SEED = 0x7e1e;
const hex = bytesToHex;
const path = fc.uint8Array({ minLength: 1, maxLength: 33 });
const value = fc.uint8Array({ minLength: 1, maxLength: 120 });

describe("trie node encodings", () => {
  it("a leaf and an extension are the RLP lists [path, value] and [path, child]", () => {
    fc.assert(
      fc.property(path, value, (p, v) => {
        expect(hex(encodeLeaf(p, v))).toBe(hex(encodeRlp([p, v])));
        // the child: inlined as its own list when under 32 bytes, else its hash as a string
        const ref = childRef(encodeLeaf(p, v));
        expect(hex(encodeExtension(p, ref))).toBe(hex(encodeRlp([p, decodeRlp(ref)])));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("a branch is the RLP list of 16 references and its value; absent ones are the empty string", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(value, { nil: undefined }), { minLength: 16, maxLength: 16 }),
        fc.option(value, { nil: null }),
        (children, v) => {
          const hashes = children.map((c) => (c === undefined ? undefined : keccak256(c)));
          const refs = hashes.map((h) => (h === undefined ? EMPTY_ITEM : hashRef(h)));
          const list = [...hashes.map((h) => h ?? new Uint8Array(0)), v ?? new Uint8Array(0)];
          expect(hex(encodeBranch(refs, v))).toBe(hex(encodeRlp(list)));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("references a node of 32 bytes or more by its hash, a shorter one inline", () => {
    const short = encodeLeaf(Uint8Array.of(0x20), Uint8Array.of(1));
    expect(childRef(short)).toBe(short);
    const long = encodeLeaf(Uint8Array.of(0x20), new Uint8Array(40));
    expect(hex(childRef(long))).toBe(hex(encodeRlp(keccak256(long))));
  });
});
