/** The block sync codec: round trips of every message, and strict refusal of malformed or oversized input. */
import { describe, expect, it } from "vitest";
import { encodeBody } from "../../../../../node/core/block/block.ts";
import { headerHash } from "../../../../../node/core/block/header.ts";
import { ErrorCode, FastEvmError } from "../../../../../node/core/errors.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import {
  decodeSyncMessage,
  encodeSyncMessage,
  MAX_ANNOUNCED,
  MAX_BODIES_REQUEST,
  MAX_HEADERS_SERVE,
  type SyncMessage,
} from "../../../../../node/core/wire/sync.ts";
import { cancunHeader } from "../../../../utils/headers.ts";

const hash = (b: number) => new Uint8Array(32).fill(b);
const body = encodeBody({ transactions: [new Uint8Array([2, 0xc0])], ommers: [], withdrawals: [] });

const messages: SyncMessage[] = [
  { kind: "status", chainId: 20256n, genesisHash: hash(1), headNumber: 0n, headHash: hash(2) },
  { kind: "status", chainId: 2n ** 64n, genesisHash: hash(1), headNumber: 2n ** 63n, headHash: hash(2) },
  { kind: "getBlockHeaders", origin: { number: 0n }, count: 1, skip: 0, reverse: false },
  { kind: "getBlockHeaders", origin: { number: 12345n }, count: 192, skip: 3, reverse: true },
  { kind: "getBlockHeaders", origin: { hash: hash(0) }, count: 5, skip: 0, reverse: false },
  { kind: "blockHeaders", headers: [] },
  { kind: "blockHeaders", headers: [cancunHeader({ number: 1n }), cancunHeader({ number: 2n })] },
  { kind: "getBlockBodies", hashes: [hash(3), hash(4)] },
  { kind: "blockBodies", bodies: [] },
  { kind: "blockBodies", bodies: [body, body] },
  { kind: "newBlockHashes", blocks: [{ hash: hash(5), number: 7n }] },
];

function codeOf(bytes: Uint8Array): string {
  try {
    decodeSyncMessage(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(FastEvmError);
    return (e as FastEvmError).code;
  }
  return "decoded";
}

describe("sync codec", () => {
  it.each(messages.map((m) => [m.kind, m] as const))("round-trips %s", (_k, m) => {
    const back = decodeSyncMessage(encodeSyncMessage(m));
    expect(back).toEqual(m);
    expect(encodeSyncMessage(back)).toEqual(encodeSyncMessage(m));
  });

  it("keeps header hashes through the round trip", () => {
    const h = cancunHeader({ number: 9n });
    const back = decodeSyncMessage(encodeSyncMessage({ kind: "blockHeaders", headers: [h] }));
    expect(back.kind === "blockHeaders" && headerHash(back.headers[0]!)).toEqual(headerHash(h));
  });

  it("refuses malformed input with NETWORK_DECODE", () => {
    const bad: [string, Uint8Array][] = [
      ["empty", new Uint8Array()],
      ["not a list", encodeRlp(new Uint8Array([1, 2]))],
      ["unknown kind", encodeRlp([99, 1])],
      ["trailing bytes", new Uint8Array([...encodeSyncMessage(messages[0]!), 0])],
      ["status: short hash", encodeRlp([0, 1n, new Uint8Array(31), 0n, hash(2)])],
      ["status: missing field", encodeRlp([0, 1n, hash(1), 0n])],
      ["status: leading zero", encodeRlp([0, new Uint8Array([0, 1]), hash(1), 0n, hash(2)])],
      ["status: 9-byte number", encodeRlp([0, 1n, hash(1), 2n ** 64n, hash(2)])],
      ["headers: count 0", encodeRlp([1, 0n, 0, 0, 0])],
      ["headers: reverse 2", encodeRlp([1, 0n, 1, 0, 2])],
      ["headers: origin of 20 bytes", encodeRlp([1, new Uint8Array(20).fill(1), 1, 0, 0])],
      ["headers: skip too big", encodeRlp([1, 0n, 1, 10_000_000, 0])],
      ["headers: a header that is not one", encodeRlp([2, [[1, 2, 3]]])],
      ["bodies request: no hashes", encodeRlp([3, []])],
      ["bodies request: short hash", encodeRlp([3, [new Uint8Array(31)]])],
      ["bodies: body not a list", encodeRlp([4, [new Uint8Array([0x80])]])],
      ["bodies: body as list item", encodeRlp([4, [[new Uint8Array([1])]]])],
      ["announce: empty", encodeRlp([5, []])],
      ["announce: entry of 3 fields", encodeRlp([5, [[hash(1), 1n, 1n]]])],
    ];
    for (const [what, bytes] of bad) expect([what, codeOf(bytes)]).toEqual([what, ErrorCode.NETWORK_DECODE]);
  });

  it("refuses lists above their caps with NETWORK_MESSAGE_TOO_LARGE", () => {
    const big: [string, Uint8Array][] = [
      ["count", encodeRlp([1, 0n, MAX_HEADERS_SERVE + 1, 0, 0])],
      ["headers", encodeRlp([2, Array.from({ length: MAX_HEADERS_SERVE + 1 }, () => [])])],
      ["hashes", encodeRlp([3, Array.from({ length: MAX_BODIES_REQUEST + 1 }, () => hash(1))])],
      ["bodies", encodeRlp([4, Array.from({ length: MAX_BODIES_REQUEST + 1 }, () => body)])],
      ["announced", encodeRlp([5, Array.from({ length: MAX_ANNOUNCED + 1 }, () => [hash(1), 1n])])],
    ];
    for (const [what, bytes] of big)
      expect([what, codeOf(bytes)]).toEqual([what, ErrorCode.NETWORK_MESSAGE_TOO_LARGE]);
  });

  it("never throws anything but a FastEvmError on mutated input", () => {
    // deterministic mutations of every valid message: flipped bytes, truncations
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (const m of messages) {
      const good = encodeSyncMessage(m);
      for (let k = 0; k < 200; k++) {
        const b = good.slice(0, 1 + (rnd() % good.length));
        const at = rnd() % b.length;
        b[at] = b[at]! ^ (1 << (rnd() % 8));
        const code = codeOf(b);
        expect(["decoded", ErrorCode.NETWORK_DECODE, ErrorCode.NETWORK_MESSAGE_TOO_LARGE]).toContain(code);
      }
    }
  });
});
