/**
 * Seeded random blocks over a small fixed world (test/unit/workers/execute/executeBlock.test.ts's
 * differential, and the native block replay corpus): ETH transfers, token calls, contract creations
 * (returning code, reverting, self-destructing, out of gas), reverts, out-of-gas calls, refunds from cleared
 * slots, blob transactions past the block's blob gas, value to and zero-value calls to absent accounts and to
 * an empty account with storage (EIP-161 / EIP-7610), the coinbase as sender, and on request transactions
 * invalid in the middle of a block (nonce, funds, block gas, fee cap, intrinsic gas, sender with code).
 */
import { bigintToBytes } from "../../node/core/bytes.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { encodeRlp } from "../../node/core/rlp.ts";
import type { Transaction } from "../../node/core/tx/types.ts";
import type { ExecTx, ExecuteTask } from "../../node/core/wire/execute.ts";
import { MemoryState } from "../../node/evm/memoryState.ts";
import { airdropCalldata, TOKEN_BYTECODE, transferCalldata } from "../../perf/token/token.ts";
import { cancunHeader } from "./headers.ts";

/** mulberry32: the seeded generator of the blocks */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addr = (n: number): Uint8Array => hexToBytes(`0x${n.toString(16).padStart(40, "0")}`);
const EOAS = Array.from({ length: 8 }, (_, i) => addr(0x1000 + i));
const POOR = EOAS[7]!;
const REVERTER = addr(0xc1); // PUSH1 0 PUSH1 0 REVERT
const LOOPER = addr(0xc2); // JUMPDEST PUSH1 0 JUMP: out of gas
/** SSTORE(calldata[32], calldata[0]); LOG1(topic = the key); slots 0..3 start non-zero (clears refund) */
const STORER = addr(0xc3);
const DONATOR = addr(0xc4); // CALLER SELFDESTRUCT (not created in the tx: moves the balance only)
const ABSENT = Array.from({ length: 4 }, (_, i) => addr(0xdead00 + i));
/** empty (no nonce, balance or code) but with storage, as EIP-7610's cases: a touch deletes it, storage too */
const GHOST = addr(0xc5);
const COINBASE = EOAS[6]!;
const BASE_FEE = 7n;

const INITCODE = {
  /** SSTORE(0, 1), returns the one-byte code 0x00 */
  store: "0x600160005560016000f3",
  revert: "0x60006000fd",
  /** CALLER SELFDESTRUCT in the constructor: created and deleted in one transaction (EIP-6780) */
  selfdestruct: "0x33ff",
  outOfGas: "0x5b600056",
  token: TOKEN_BYTECODE,
};

export function preState(): MemoryState {
  const st = new MemoryState();
  const none = new Map<string, bigint>();
  for (const e of EOAS)
    st.set(e, {
      nonce: 0n,
      balance: e === POOR ? 100_000n : 10n ** 20n,
      code: new Uint8Array(),
      storage: none,
    });
  st.set(REVERTER, { nonce: 1n, balance: 0n, code: hexToBytes("0x60006000fd"), storage: none });
  st.set(LOOPER, { nonce: 1n, balance: 5n, code: hexToBytes("0x5b600056"), storage: none });
  const slots = new Map<string, bigint>();
  for (let k = 0; k < 4; k++) slots.set(bytesToHex(word(BigInt(k))), BigInt(k + 1));
  st.set(STORER, {
    nonce: 1n,
    balance: 0n,
    code: hexToBytes("0x600035602035556000600060203560006000a1600060006000a000"),
    storage: slots,
  });
  st.set(GHOST, {
    nonce: 0n,
    balance: 0n,
    code: new Uint8Array(),
    storage: new Map([[`0x${"00".repeat(31)}07`, 9n]]),
  });
  st.set(DONATOR, { nonce: 1n, balance: 10n ** 9n, code: hexToBytes("0x33ff"), storage: none });
  return st;
}

function word(v: bigint): Uint8Array {
  return hexToBytes(`0x${v.toString(16).padStart(64, "0")}`);
}

export interface Gen {
  readonly r: () => number;
  nonces: Map<string, bigint>;
  token: Uint8Array | undefined;
}

const pick = <T>(g: Gen, xs: readonly T[]): T => xs[Math.floor(g.r() * xs.length)]!;

/** One random transaction with its sender; `invalid` asks for one that breaks a rule. */
export function randomTx(g: Gen, invalid: boolean): ExecTx {
  // the poor account sends only the transactions meant to be invalid (it cannot pay for any)
  const sender = invalid && g.r() < 0.3 ? POOR : pick(g, EOAS.slice(0, 7));
  const key = bytesToHex(sender);
  let nonce = g.nonces.get(key) ?? 0n;
  let to: Uint8Array | null = pick(g, EOAS);
  let value = BigInt(Math.floor(g.r() * 1e6));
  let data: Uint8Array = new Uint8Array();
  let gasLimit = 21_000n;
  let maxFee = 20n;
  let intrinsic: number | undefined = 21_000;
  let from = sender;
  let blobs: Uint8Array[] | undefined;
  const kind = Math.floor(g.r() * 12);
  if (kind === 1) to = REVERTER;
  else if (kind === 2) to = LOOPER;
  else if (kind === 3) {
    to = STORER;
    if (g.r() < 0.5) value = 0n; // storage-only changes to an account of the pre-state
    const v = g.r() < 0.4 ? 0n : BigInt(Math.floor(g.r() * 1000));
    data = new Uint8Array([...word(v), ...word(BigInt(Math.floor(g.r() * 6)))]);
  } else if (kind === 4) to = DONATOR;
  else if (kind === 5) {
    to = pick(g, [...ABSENT, GHOST]);
    if (g.r() < 0.5) value = 0n;
  } else if (kind === 6 || (kind === 7 && g.token === undefined)) {
    to = null;
    const which =
      g.token === undefined ? "token" : pick(g, ["store", "revert", "selfdestruct", "outOfGas"] as const);
    data = hexToBytes(INITCODE[which]);
    if (which === "token") g.token = createdAddress(sender, nonce);
  } else if (kind === 7 && g.token !== undefined) {
    to = g.token;
    value = 0n;
    data =
      g.r() < 0.3
        ? airdropCalldata([pick(g, EOAS), pick(g, EOAS)], 1000n)
        : transferCalldata(pick(g, EOAS), BigInt(Math.floor(g.r() * 2000)));
  } else if (kind === 8) {
    to = pick(g, [STORER, REVERTER, EOAS[0]!]);
    blobs = Array.from({ length: 1 + Math.floor(g.r() * 4) }, (_, i) => {
      const h = word(BigInt(i + 1));
      h[0] = 1;
      return h;
    });
  } else if (kind === 9) from = COINBASE;
  if (from !== sender) nonce = g.nonces.get(bytesToHex(from)) ?? 0n;
  if (to !== null && to !== pick(g, EOAS) && data.length === 0 && kind !== 5) gasLimit = 60_000n;
  if (to === null || kind === 3 || kind === 7 || kind === 8) gasLimit = to === null ? 1_500_000n : 200_000n;
  if (to === null) intrinsic = 53_000 + data.length * 16;
  else if (data.length > 0) intrinsic = 21_000 + data.length * 16;
  if (kind === 2) gasLimit = 30_000n;
  if (invalid) {
    const how = Math.floor(g.r() * 7);
    if (how === 0) nonce += 1n;
    else if (how === 1 && nonce > 0n) nonce -= 1n;
    else if (how === 2) value = 10n ** 30n;
    else if (how === 3) gasLimit = 40_000_000n;
    else if (how === 4) maxFee = BASE_FEE - 1n;
    else if (how === 5) {
      gasLimit = 20_000n;
      intrinsic = undefined; // not through validate: the stateless rules run in the loop's precheck
    } else from = STORER;
  } else g.nonces.set(bytesToHex(from), nonce + 1n);
  const common = { nonce, gasLimit, to, value, data, r: 1n, s: 1n, chainId: 1n, accessList: [] };
  const tx: Transaction =
    blobs !== undefined && to !== null
      ? {
          ...common,
          type: 3,
          to,
          maxFeePerGas: maxFee,
          maxPriorityFeePerGas: 2n,
          maxFeePerBlobGas: 3n,
          blobVersionedHashes: blobs,
          yParity: 0,
        }
      : g.r() < 0.3
        ? { ...common, type: 0, gasPrice: maxFee, v: 37n }
        : { ...common, type: 2, maxFeePerGas: maxFee, maxPriorityFeePerGas: 2n, yParity: 1 };
  return { tx, sender: from, intrinsicGas: intrinsic as number };
}

/** keccak(rlp([sender, nonce]))[12:] */
function createdAddress(sender: Uint8Array, nonce: bigint): Uint8Array {
  return keccak256(encodeRlp([sender, bigintToBytes(nonce)])).subarray(12);
}

export function task(number: bigint, txs: ExecTx[], mode: "verify" | "build"): ExecuteTask {
  return {
    datadir: "",
    chainId: 1n,
    header: cancunHeader({ number, coinbase: COINBASE, baseFeePerGas: BASE_FEE, excessBlobGas: 0n }),
    parentStateRoot: new Uint8Array(32),
    txs,
    rawTxs: txs.map((_, i) => new Uint8Array([i & 0xff, i >> 8])),
    ommerCount: 0,
    overlay: { accounts: [], storage: [] },
    ancestorHashes: [],
    mode,
  };
}

/** A new generator; `nonces` and `token` are what it believes of the state, restored after a rejected block. */
export function generator(seed: number): Gen {
  return { r: rng(seed), nonces: new Map(), token: undefined };
}

/** The next block's transactions: none in about one block of ten, else up to 40, `invalidShare` of them invalid. */
export function randomBlockTxs(g: Gen, invalidShare: number): ExecTx[] {
  const size = g.r() < 0.1 ? 0 : Math.floor(g.r() * 40);
  return Array.from({ length: size }, () => randomTx(g, g.r() < invalidShare));
}
