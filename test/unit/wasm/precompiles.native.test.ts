/**
 * Runs the C++ precompiles natively (g++ with ASan/UBSan via native-build/precompiles.mk): first the C++
 * vector suite, then seeded random inputs through `precompiles_test --stdin`, compared with independent
 * JS implementations: @noble/hashes for SHA-256/RIPEMD-160, and @ethereumjs/evm's MODEXP and BLAKE2F
 * (BigInt / Uint32 code, nothing shared with ours). Skipped when g++ or make is missing.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { getActivePrecompiles, type PrecompileInput, paramsEVM } from "@ethereumjs/evm";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { bigintToBytes } from "../../../node/core/bytes.ts";
import { bytesToUnprefixedHex } from "../../../node/core/hex.ts";
import { REPO_ROOT } from "../../utils/fixtures.ts";

const hasToolchain = ["g++", "make"].every((tool) => spawnSync(tool, ["--version"]).status === 0);
const BINARY = join(REPO_ROOT, "native-build/out/precompiles_test");
const SEED = 0x5eed;

interface Outcome {
  /** 0 success, 1 failure, 2 out of gas (the C++ Status). */
  readonly status: number;
  readonly gasUsed: bigint;
  readonly output: string;
}

interface Call {
  readonly id: number;
  readonly gas: bigint;
  readonly input: Uint8Array;
}

/** Runs all calls through one process: one line per call each way. */
function runNative(calls: readonly Call[]): Outcome[] {
  const stdin = calls.map((c) => `${c.id} ${c.gas} ${bytesToUnprefixedHex(c.input)}\n`).join("");
  const res = spawnSync(BINARY, ["--stdin"], { input: stdin, encoding: "utf8", maxBuffer: 1 << 28 });
  expect(res.status, res.stderr).toBe(0);
  const lines = res.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(calls.length);
  return lines.map((line) => {
    const [status = "", gas = "", output = ""] = line.split(" ");
    return { status: Number(status), gasUsed: BigInt(gas), output };
  });
}

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, params: paramsEVM });
const ethjs = getActivePrecompiles(common);

/** @ethereumjs/evm's result for the same call, normalised to our outcome shape. */
async function runEthereumJs(call: Call): Promise<Outcome> {
  const address = call.id.toString(16).padStart(40, "0");
  const fn = ethjs.get(address);
  if (fn === undefined) throw new Error(`no ethereumjs precompile ${address}`);
  const opts = { data: call.input, gasLimit: call.gas, common } as unknown as PrecompileInput;
  const r = await fn(opts);
  if (r.exceptionError !== undefined) return { status: 1, gasUsed: call.gas, output: "" };
  return { status: 0, gasUsed: r.executionGasUsed, output: bytesToUnprefixedHex(r.returnValue) };
}

/** Success/failure, gas and output must agree; failure kinds (1 vs 2) both consume all gas. */
function normalise(o: Outcome): Outcome {
  return o.status === 0 ? o : { status: 1, gasUsed: o.gasUsed, output: "" };
}

const word = (v: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe.skipIf(!hasToolchain)("native C++ precompiles", () => {
  beforeAll(() => {
    const make = spawnSync(
      "make",
      ["-s", "-f", "native-build/precompiles.mk", BINARY.replace(`${REPO_ROOT}/`, "")],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
      },
    );
    expect(make.status, make.stderr).toBe(0);
  });

  it("passes the C++ vector suite (FIPS, RIPEMD, EIP-152/198/2565)", () => {
    const res = spawnSync(BINARY, [], { encoding: "utf8" });
    expect(res.stdout).toMatch(/^(\d+) passed, 0 failed$/m);
    const passed = Number(/(\d+) passed/.exec(res.stdout)?.[1]);
    expect(passed).toBeGreaterThanOrEqual(80);
    expect(res.status).toBe(0);
  });

  it("hashes and identity match @noble/hashes on random input, gas per word", () => {
    const inputs = fc.sample(fc.uint8Array({ maxLength: 300 }), { seed: SEED, numRuns: 200 });
    const calls = inputs.flatMap((input) => [2, 3, 4].map((id) => ({ id, gas: 1_000_000n, input })));
    const out = runNative(calls);
    calls.forEach((call, i) => {
      const words = BigInt(Math.ceil(call.input.length / 32));
      const expected =
        call.id === 2
          ? { gas: 60n + 12n * words, out: bytesToUnprefixedHex(sha256(call.input)) }
          : call.id === 3
            ? { gas: 600n + 120n * words, out: "00".repeat(12) + bytesToUnprefixedHex(ripemd160(call.input)) }
            : { gas: 15n + 3n * words, out: bytesToUnprefixedHex(call.input) };
      expect(out[i]).toEqual({ status: 0, gasUsed: expected.gas, output: expected.out });
    });
  });

  it("MODEXP matches @ethereumjs/evm on random operands, lengths, padding and gas limits", async () => {
    // Mostly small operands, some up to 300 bytes (75 limbs: the separate squaring path).
    const operand = fc.oneof(
      { arbitrary: fc.uint8Array({ maxLength: 70 }), weight: 5 },
      { arbitrary: fc.uint8Array({ minLength: 100, maxLength: 300 }), weight: 1 },
    );
    // Even moduli 2^k * q with large k (the CRT path), including pure powers of two (q = 1).
    const evenModulus = fc
      .tuple(fc.oneof(fc.constant(1n), fc.bigInt(1n, 1n << 128n)), fc.nat(300))
      .map(([q, k]) => bigintToBytes((q | 1n) << BigInt(k)));
    const arb = fc.record({
      base: operand,
      exp: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 40 })),
      mod: fc.oneof(operand, fc.uint8Array({ minLength: 1, maxLength: 3 }), evenModulus),
      // Declared lengths usually match the data, sometimes exceed it (zero-padding) or lie short.
      extra: fc.tuple(fc.nat(40), fc.nat(40), fc.nat(40)).map((t) => t.map((n) => (n > 30 ? n - 30 : 0))),
      truncate: fc.nat(300),
      gas: fc.oneof(fc.constant(10_000_000n), fc.bigInt(0n, 5000n)),
    });
    const calls = fc
      .sample(arb, { seed: SEED, numRuns: 400 })
      .map(({ base, exp, mod, extra, truncate, gas }) => {
        const [eb = 0, ee = 0, em = 0] = extra;
        const full = concat(
          word(BigInt(base.length + eb)),
          word(BigInt(exp.length + ee)),
          word(BigInt(mod.length + em)),
          base,
          new Uint8Array(eb),
          exp,
          new Uint8Array(ee),
          mod,
        );
        const input = truncate < full.length && truncate % 3 === 0 ? full.subarray(0, truncate) : full;
        return { id: 5, gas, input };
      });
    const out = runNative(calls);
    for (const [i, call] of calls.entries()) {
      expect(normalise(out[i] as Outcome), `input ${bytesToUnprefixedHex(call.input)}`).toEqual(
        normalise(await runEthereumJs(call)),
      );
    }
  });

  it("BLAKE2F matches @ethereumjs/evm on random states, round counts and flags", async () => {
    const arb = fc.record({
      rounds: fc.oneof(fc.nat(30), fc.integer({ min: 0, max: 2000 })),
      body: fc.uint8Array({ minLength: 208, maxLength: 208 }),
      flag: fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 4 }, { arbitrary: fc.nat(255), weight: 1 }),
      length: fc.oneof({ arbitrary: fc.constant(213), weight: 4 }, { arbitrary: fc.nat(260), weight: 1 }),
      gas: fc.oneof(
        { arbitrary: fc.constant(1_000_000n), weight: 3 },
        { arbitrary: fc.bigInt(0n, 40n), weight: 1 },
      ),
    });
    const calls = fc.sample(arb, { seed: SEED, numRuns: 300 }).map(({ rounds, body, flag, length, gas }) => {
      const full = concat(word(BigInt(rounds)).subarray(28), body, new Uint8Array([flag]));
      const input = length === 213 ? full : concat(full, new Uint8Array(260)).subarray(0, length);
      return { id: 9, gas, input };
    });
    const out = runNative(calls);
    for (const [i, call] of calls.entries()) {
      expect(normalise(out[i] as Outcome), `input ${bytesToUnprefixedHex(call.input)}`).toEqual(
        normalise(await runEthereumJs(call)),
      );
    }
  });

  it("prices the host precompiles in C++ (native host answers failure)", () => {
    const out = runNative([
      { id: 1, gas: 3000n, input: new Uint8Array(128) },
      { id: 6, gas: 150n, input: new Uint8Array(0) },
      { id: 7, gas: 6000n, input: new Uint8Array(0) },
      { id: 8, gas: 45000n + 2n * 34000n, input: new Uint8Array(384) },
      { id: 10, gas: 50000n, input: new Uint8Array(192) },
    ]);
    expect(out[0]).toEqual({ status: 0, gasUsed: 3000n, output: "" }); // ecrecover: empty, not failure
    for (const o of out.slice(1)) expect(o.status).toBe(1);
  });
});
