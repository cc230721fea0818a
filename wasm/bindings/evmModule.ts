/**
 * Loads the committed `wasm/build/fastevm.wasm` synchronously (no emscripten JS glue) and runs one
 * transaction per `execute` call, or a block's transactions per `executeBlock` call. The host imports read from the `EvmHost` of the call in progress; one
 * instance per thread (`sharedEvm()`), calls are not re-entrant.
 */
import { readFileSync } from "node:fs";
import { ErrorCode, FastEvmError } from "../../node/core/errors.ts";
import { compileOptimized, WebAssemblyApi } from "../../node/core/wasmApi.ts";
import {
  ByteWriter,
  decodeBlockResponse,
  decodeResponse,
  encodeBlockRequestInto,
  encodeRequestInto,
  writeWord,
} from "./evmCodec.ts";
import type { BlockEnv, BlockRun, BlockRunTx, EvmHost, EvmResult, EvmTx } from "./evmTypes.ts";
import { hostPrecompile } from "./precompiles.ts";

/** Precompiles computed in JS: returns the output, or null on failure. */
export type HostPrecompile = (id: number, input: Uint8Array) => Uint8Array | null;

const WA = WebAssemblyApi;

interface Exports {
  memory: { buffer: ArrayBuffer };
  _initialize?: () => void;
  fastevm_request_buffer(size: number): number;
  fastevm_execute(len: number): number;
  fastevm_execute_block(len: number): number;
  fastevm_response_ptr(): number;
  fastevm_response_len(): number;
  fastevm_reset_cache(): void;
}

export const WASM_PATH = new URL("../build/fastevm.wasm", import.meta.url);

let compiled: object | undefined;
function wasmModule(): object {
  compiled ??= compileOptimized(readFileSync(WASM_PATH));
  return compiled;
}

export class WasmEvm {
  private readonly exports: Exports;
  private host: EvmHost | undefined;
  private readonly request = new ByteWriter();
  /** views of linear memory, replaced when the memory grows (growth detaches the old buffer) */
  private u8 = new Uint8Array(0);
  private view = new DataView(new ArrayBuffer(0));
  /** set when the module trapped: its memory may be mid-update, so the instance must not be reused */
  broken = false;

  constructor(precompile: HostPrecompile) {
    const mem = (): Uint8Array => {
      const buf = this.exports.memory.buffer;
      if (this.u8.buffer !== buf) {
        this.u8 = new Uint8Array(buf);
        this.view = new DataView(buf);
      }
      return this.u8;
    };
    const h = (): EvmHost => {
      if (this.host === undefined)
        throw new FastEvmError(ErrorCode.EVM_INTERNAL, "host import outside execute");
      return this.host;
    };
    const env = {
      fastevm_host_account: (addr: number, out: number): number => {
        const a = h().account(mem().slice(addr, addr + 20));
        if (a === undefined) return 0;
        const m = mem();
        writeWord(this.view, out, a.balance);
        this.view.setBigUint64(out + 32, a.nonce, true);
        m.set(a.codeHash, out + 40);
        return 1 | (a.hasStorage ? 2 : 0);
      },
      fastevm_host_storage: (addr: number, key: number, out: number): void => {
        const m = mem();
        const val = h().storage(m.slice(addr, addr + 20), m.slice(key, key + 32));
        mem();
        writeWord(this.view, out, val);
      },
      fastevm_host_code_size: (addr: number): number => h().code(mem().slice(addr, addr + 20)).length,
      fastevm_host_code_copy: (addr: number, out: number, size: number): void => {
        const code = h().code(mem().slice(addr, addr + 20));
        mem().set(code.subarray(0, size), out);
      },
      fastevm_host_block_hash: (num: bigint, out: number): void => {
        mem().set(h().blockHash(BigInt.asUintN(64, num)), out);
      },
      fastevm_host_precompile: (id: number, input: number, len: number, out: number, cap: number): number => {
        const r = precompile(id, mem().slice(input, input + len));
        if (r === null || r.length > cap) return -1;
        mem().set(r, out);
        return r.length;
      },
      emscripten_notify_memory_growth: (): void => {},
    };
    const wasi = {
      proc_exit: (code: number): never => {
        throw new FastEvmError(ErrorCode.EVM_INTERNAL, `EVM module aborted (exit ${code})`);
      },
    };
    try {
      const inst = new WA.Instance(wasmModule(), { env, wasi_snapshot_preview1: wasi });
      this.exports = inst.exports as unknown as Exports;
    } catch (e) {
      throw new FastEvmError(
        ErrorCode.EVM_LOAD,
        `cannot instantiate ${WASM_PATH.pathname}`,
        {},
        { cause: e },
      );
    }
    this.exports._initialize?.();
  }

  /** Executes one transaction against `host`. Throws EVM_INTERNAL if the module rejects the request. */
  execute(env: BlockEnv, tx: EvmTx, host: EvmHost): EvmResult {
    return decodeResponse(this.executeRaw(env, tx, host));
  }

  /** Like `execute`, returning the response bytes (a copy) in the layout of `wasm/include/evm.h`. */
  executeRaw(env: BlockEnv, tx: EvmTx, host: EvmHost): Uint8Array {
    return this.#call(encodeRequestInto(this.request, env, tx), host, false);
  }

  /**
   * Runs a block's transactions in one call (the module checks each against the block and the sender's
   * state, executes it and keeps the state for the next); `host` answers for the state before the first.
   * `build`: an invalid transaction is skipped; otherwise the first one ends the run.
   */
  executeBlock(
    env: BlockEnv,
    run: { readonly build: boolean; readonly maxBlobGas: bigint },
    txs: readonly BlockRunTx[],
    host: EvmHost,
  ): BlockRun {
    return decodeBlockResponse(this.executeBlockRaw(env, run, txs, host));
  }

  /** Like `executeBlock`, returning the response bytes (a copy) in the layout of `wasm/include/evm.h`. */
  executeBlockRaw(
    env: BlockEnv,
    run: { readonly build: boolean; readonly maxBlobGas: bigint },
    txs: readonly BlockRunTx[],
    host: EvmHost,
  ): Uint8Array {
    return this.#call(encodeBlockRequestInto(this.request, env, run, txs), host, true);
  }

  #call(req: Uint8Array, host: EvmHost, block: boolean): Uint8Array {
    if (this.broken) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM instance unusable after a trap");
    const ptr = this.exports.fastevm_request_buffer(req.length);
    new Uint8Array(this.exports.memory.buffer).set(req, ptr);
    this.host = host;
    try {
      if (block) this.exports.fastevm_execute_block(req.length);
      else this.exports.fastevm_execute(req.length);
    } catch (e) {
      this.broken = true;
      throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM module trapped", {}, { cause: e });
    } finally {
      this.host = undefined;
    }
    const rp = this.exports.fastevm_response_ptr();
    const rl = this.exports.fastevm_response_len();
    return new Uint8Array(this.exports.memory.buffer, rp, rl).slice();
  }

  resetCache(): void {
    this.exports.fastevm_reset_cache();
  }
}

let shared: WasmEvm | undefined;
/** The thread's EVM instance (created on first use, replaced after a trap), with the JS precompiles of `precompiles.ts`. */
export function sharedEvm(): WasmEvm {
  if (shared === undefined || shared.broken) shared = new WasmEvm(hostPrecompile);
  return shared;
}
