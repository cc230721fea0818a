/**
 * The one block-parameter resolver of the public API (execution-apis BlockNumberOrTag / BlockNumberOrHash,
 * EIP-1898): numbers; `earliest`, `latest`, `pending` (the head: FastEVM has no pending block); `safe` and
 * `finalized`, which read the stored safe / finalized hashes (on a FastEVM chain the last executed commit's
 * block, since a Mysticeti commit is final); a 32-byte hash; `{blockHash, requireCanonical}` and
 * `{blockNumber}` objects.
 */
import type { BlockHeader } from "../../core/block/header.ts";
import { equalBytes } from "../../core/bytes.ts";
import { hexToBytes, quantityToBigint } from "../../core/hex.ts";
import { META_KEYS } from "../../storage/tables.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { RpcContext } from "./context.ts";
import { invalidArg, parseArg } from "./params.ts";

export type BlockTag = "earliest" | "latest" | "pending" | "safe" | "finalized";
const TAGS: readonly string[] = ["earliest", "latest", "pending", "safe", "finalized"];

/** A parsed block parameter (before it is looked up). */
export type BlockSpec =
  | { readonly kind: "tag"; readonly tag: BlockTag }
  | { readonly kind: "number"; readonly number: bigint }
  | { readonly kind: "hash"; readonly hash: Uint8Array; readonly requireCanonical: boolean };

export interface ResolvedBlock {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

/**
 * Parses a block parameter at argument position `i`. `allowHash`: BlockNumberOrHash (a hash string or
 * EIP-1898 object) rather than BlockNumberOrTag. `dflt` is used when the parameter is absent or null.
 * Throws -32602 `invalid argument i: …` for anything else.
 */
export function parseBlockSpec(
  i: number,
  v: unknown,
  opts: { readonly allowHash?: boolean; readonly dflt?: BlockTag } = {},
): BlockSpec {
  if (v === undefined || v === null) {
    if (opts.dflt !== undefined) return { kind: "tag", tag: opts.dflt };
    throw invalidArg(i, "missing value for required argument blockNumber");
  }
  if (typeof v === "string") {
    if (TAGS.includes(v)) return { kind: "tag", tag: v as BlockTag };
    if (opts.allowHash && v.length === 66)
      return {
        kind: "hash",
        hash: parseArg(i, v, (x) => hexToBytes(x as string, 32)),
        requireCanonical: false,
      };
    return { kind: "number", number: parseArg(i, v, (x) => quantityToBigint(x as string, 64)) };
  }
  if (opts.allowHash && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const hasHash = o.blockHash !== undefined && o.blockHash !== null;
    const hasNumber = o.blockNumber !== undefined && o.blockNumber !== null;
    if (hasHash && hasNumber)
      throw invalidArg(i, "cannot specify both BlockHash and BlockNumber, choose one or the other");
    if (hasHash) {
      if (o.requireCanonical !== undefined && typeof o.requireCanonical !== "boolean")
        throw invalidArg(i, "requireCanonical must be a boolean");
      return {
        kind: "hash",
        hash: parseArg(i, o.blockHash, (x) => hexToBytes(x as string, 32)),
        requireCanonical: o.requireCanonical === true,
      };
    }
    if (hasNumber) return parseBlockSpec(i, o.blockNumber, {});
    throw invalidArg(i, "block parameter object needs blockHash or blockNumber");
  }
  throw invalidArg(i, "invalid block number or tag");
}

/** The stored hash a tag names (null: not set yet, for safe / finalized). */
function tagHash(ctx: RpcContext, tag: BlockTag): Uint8Array | null {
  const store = ctx.chain.store;
  switch (tag) {
    case "latest":
    case "pending":
      return store.head().hash;
    case "earliest":
      return store.canonicalHash(0n) ?? null;
    case "safe":
      return store.meta(META_KEYS.safeHash) ?? null;
    case "finalized":
      return store.meta(META_KEYS.finalizedHash) ?? null;
  }
}

/**
 * Looks a parsed block parameter up: the block, or null when no such block is stored (a number past the
 * head, an unknown hash). Throws -32000 `safe block not found` / `finalized block not found` before any
 * forkchoice has named one, and -32000 `hash is not currently canonical` for `requireCanonical: true` on a
 * side-branch block (geth's messages).
 */
export function lookupBlock(ctx: RpcContext, spec: BlockSpec): ResolvedBlock | null {
  const store = ctx.chain.store;
  let hash: Uint8Array | undefined;
  if (spec.kind === "tag") {
    const h = tagHash(ctx, spec.tag);
    if (h === null) {
      if (spec.tag === "safe" || spec.tag === "finalized")
        throw RpcError.exact(RpcCode.SERVER_ERROR, `${spec.tag} block not found`);
      return null;
    }
    hash = h;
  } else if (spec.kind === "number") hash = store.canonicalHash(spec.number);
  else hash = spec.hash;
  if (hash === undefined) return null;
  const header = store.header(hash);
  if (header === undefined) return null;
  if (spec.kind === "hash" && spec.requireCanonical) {
    const canonical = store.canonicalHash(header.number);
    if (canonical === undefined || !equalBytes(canonical, hash))
      throw RpcError.exact(RpcCode.SERVER_ERROR, "hash is not currently canonical");
  }
  return { hash, header };
}

/**
 * THE block-parameter resolver for every method (BlockNumberOrHash, EIP-1898 included; `latest` when the
 * parameter is absent): `{hash, header}`, or null when no such block is stored. Throws RpcError -32602
 * (`invalid argument 0: …`) for a malformed parameter, and the -32000 errors of `lookupBlock`.
 */
export function resolveBlock(ctx: RpcContext, param: unknown, argIndex = 0): ResolvedBlock | null {
  return lookupBlock(ctx, parseBlockSpec(argIndex, param, { allowHash: true, dflt: "latest" }));
}

/** A block number for a range bound (eth_getLogs / filters): tags resolve to their block's number. */
export function resolveBlockNumber(ctx: RpcContext, spec: BlockSpec): bigint {
  if (spec.kind === "number") return spec.number;
  const b = lookupBlock(ctx, spec);
  if (b === null) throw RpcError.exact(RpcCode.SERVER_ERROR, "header not found");
  return b.header.number;
}
