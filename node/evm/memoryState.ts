/**
 * A whole world state held in memory (state tests, differential tests, benchmarks): answers the WASM EVM's
 * host imports, applies its write-sets, and computes the state root via `node/state/stateRoot.ts`.
 */

import type { AccountChange, EvmHost, HostAccount } from "../../wasm/bindings/evmTypes.ts";
import { bigintToFixedBytes } from "../core/bytes.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex } from "../core/hex.ts";
import { EMPTY_CODE_HASH } from "../state/account.ts";
import { computeStateRoot, type FullAccount } from "../state/stateRoot.ts";

export interface MemoryAccount {
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
  codeHash: Uint8Array;
  /** 0x-hex 32-byte key → non-zero value */
  storage: Map<string, bigint>;
}

export class MemoryState implements EvmHost {
  /** 0x-hex lowercase 20-byte address → account */
  readonly accounts = new Map<string, MemoryAccount>();
  blockHashOf: (n: bigint) => Uint8Array = (n) => keccak256(new TextEncoder().encode(n.toString()));

  static key(address: Uint8Array): string {
    return bytesToHex(address);
  }

  set(
    address: Uint8Array,
    a: { nonce: bigint; balance: bigint; code: Uint8Array; storage: Map<string, bigint> },
  ): void {
    const storage = new Map<string, bigint>();
    for (const [k, v] of a.storage) if (v !== 0n) storage.set(k, v);
    const codeHash = a.code.length === 0 ? EMPTY_CODE_HASH : keccak256(a.code);
    this.accounts.set(MemoryState.key(address), {
      nonce: a.nonce,
      balance: a.balance,
      code: a.code,
      codeHash,
      storage,
    });
  }

  clone(): MemoryState {
    const c = new MemoryState();
    c.blockHashOf = this.blockHashOf;
    for (const [k, a] of this.accounts) c.accounts.set(k, { ...a, storage: new Map(a.storage) });
    return c;
  }

  account(address: Uint8Array): HostAccount | undefined {
    const a = this.accounts.get(MemoryState.key(address));
    if (a === undefined) return undefined;
    return { balance: a.balance, nonce: a.nonce, codeHash: a.codeHash, hasStorage: a.storage.size > 0 };
  }

  storage(address: Uint8Array, key: Uint8Array): bigint {
    return this.accounts.get(MemoryState.key(address))?.storage.get(bytesToHex(key)) ?? 0n;
  }

  code(address: Uint8Array): Uint8Array {
    return this.accounts.get(MemoryState.key(address))?.code ?? new Uint8Array(0);
  }

  blockHash(number: bigint): Uint8Array {
    return this.blockHashOf(number);
  }

  /** Applies a transaction's write-set. */
  apply(changes: readonly AccountChange[]): void {
    for (const c of changes) {
      const k = MemoryState.key(c.address);
      if (c.deleted) {
        this.accounts.delete(k);
        continue;
      }
      const prev = this.accounts.get(k);
      const storage = prev === undefined || c.created ? new Map<string, bigint>() : prev.storage;
      for (const s of c.storage) {
        const sk = bytesToHex(s.key);
        if (s.value === 0n) storage.delete(sk);
        else storage.set(sk, s.value);
      }
      const code = c.code ?? prev?.code ?? new Uint8Array(0);
      const codeHash = c.code === null ? (prev?.codeHash ?? EMPTY_CODE_HASH) : keccak256(c.code);
      this.accounts.set(k, { nonce: c.nonce, balance: c.balance, code, codeHash, storage });
    }
  }

  stateRoot(): Uint8Array {
    const full = new Map<string, FullAccount>();
    for (const [k, a] of this.accounts)
      full.set(k, { nonce: a.nonce, balance: a.balance, code: a.code, storage: a.storage });
    return computeStateRoot(full);
  }

  /** Storage value as the 32-byte word the EVM sees (tests). */
  storageWord(address: Uint8Array, key: Uint8Array): Uint8Array {
    return bigintToFixedBytes(this.storage(address, key), 32);
  }
}
