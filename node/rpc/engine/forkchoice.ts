/**
 * engine_forkchoiceUpdatedV1/V2/V3 (paris.md §forkchoiceUpdated as of 2026-04, shanghai.md, cancun.md):
 * state shape (-32602) → unknown head (SYNCING) → invalid head (INVALID) → head an ancestor of the finalized
 * block (VALID, no update, no build) → safe/finalized on the head's chain (-38002) → reorg depth (-38006) →
 * head, safe and finalized moved together (in memory; persisted in the background) → only then the attributes: shape (-38003), fork (-38005),
 * timestamp after the head's (-38003), gasLimit within the 1/1024 rule (-38003), suggestedFeeRecipient equal to
 * the chain's fixed fee recipient when `config.fastevm.feeRecipient` names one (-38003; the block would fail
 * the header rule), each failure keeping the update → the build starts, its payloadId returned.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { type BlockPath, blockPath } from "../../chain/blockPath.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import { withdrawalToRlpInput } from "../../core/block/withdrawal.ts";
import { bigintToFixedBytes, concatBytes, equalBytes } from "../../core/bytes.ts";
import { gasLimitProblem, timestampProblem, timestampRuleOf } from "../../core/chain/blockRules.ts";
import { isCancun, isShanghai } from "../../core/chain/chainConfig.ts";
import { ErrorCode, isFastEvmError } from "../../core/errors.ts";
import { keccak256 } from "../../core/hash.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import { encodeRlp } from "../../core/rlp.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import type { PayloadStatusV1 } from "./newPayload.ts";
import {
  checkAttributes,
  expectParams,
  type ForkchoiceState,
  forkchoiceState,
  type PayloadAttributes,
  param,
  payloadAttributes,
} from "./validate.ts";

export interface ForkchoiceUpdatedResult {
  readonly payloadStatus: PayloadStatusV1;
  readonly payloadId: string | null;
}

const ZERO32 = new Uint8Array(32);

/**
 * The build's id: sha256 over the parent and every attribute that shapes the block (including the forced
 * transactions, noTxPool and gasLimit, as op-geth does), first 8 bytes, byte 0 the method version — so the
 * same attributes give the same id and getPayloadVn can check the version first.
 */
export function payloadId(parent: Uint8Array, a: PayloadAttributes, version: 1 | 2 | 3): string {
  const parts: Uint8Array[] = [
    parent,
    bigintToFixedBytes(a.timestamp, 8),
    a.prevRandao,
    a.suggestedFeeRecipient,
  ];
  if (a.withdrawals !== undefined) parts.push(encodeRlp(a.withdrawals.map(withdrawalToRlpInput)));
  if (a.parentBeaconBlockRoot !== undefined) parts.push(a.parentBeaconBlockRoot);
  parts.push(
    new Uint8Array([a.noTxPool ? 1 : 0]),
    bigintToFixedBytes(BigInt(a.transactions?.length ?? 0), 8),
  );
  for (const t of a.transactions ?? []) parts.push(keccak256(t));
  if (a.gasLimit !== undefined) parts.push(new Uint8Array([1]), bigintToFixedBytes(a.gasLimit, 8));
  if (a.extraData !== undefined) parts.push(new Uint8Array([2, a.extraData.length]), a.extraData);
  const id = sha256(concatBytes(...parts)).slice(0, 8);
  id[0] = version;
  return bytesToHex(id);
}

const result = (status: PayloadStatusV1, id: string | null = null): ForkchoiceUpdatedResult => ({
  payloadStatus: status,
  payloadId: id,
});

/** True when `ancestor` is `tip` or one of its ancestors. */
function isAncestor(
  engine: EngineState,
  ancestor: Uint8Array,
  tip: Uint8Array,
  tipHeader: BlockHeader,
): boolean {
  const store = engine.chain;
  const target = store.header(ancestor);
  if (target === undefined) return false;
  let hash = tip;
  let header: BlockHeader | undefined = tipHeader;
  while (header !== undefined && header.number > target.number) {
    hash = header.parentHash;
    header = store.header(hash);
  }
  return header !== undefined && equalBytes(hash, ancestor);
}

/** engine_forkchoiceUpdatedVn over JSON: the parameters parsed, then the one forkchoiceUpdated below. */
export function forkchoiceUpdated(
  engine: EngineState,
  version: 1 | 2 | 3,
  params: readonly unknown[],
): Promise<ForkchoiceUpdatedResult> {
  expectParams(params, 2);
  const state = forkchoiceState(param(params, 0, "forkchoiceState"));
  const rawAttrs = params[1];
  // parsed only after the update (a malformed attribute keeps it, -38003)
  const attributes =
    rawAttrs === undefined || rawAttrs === null ? undefined : () => payloadAttributes(rawAttrs);
  return applyForkchoice(engine, version, state, attributes);
}

/**
 * forkchoiceUpdated on typed values, for the JSON method and the in-process engine alike: `attributes` is
 * read (and, from JSON, parsed) only once the update is made.
 */
export function applyForkchoice(
  engine: EngineState,
  version: 1 | 2 | 3,
  state: ForkchoiceState,
  attributes: (() => PayloadAttributes) | undefined,
): Promise<ForkchoiceUpdatedResult> {
  return engine.lock.run(async () => {
    engine.counters.forkchoiceUpdated++;
    const chain = engine.chain;
    const headHex = bytesToHex(state.head);
    const bad = engine.invalid.get(headHex);
    if (bad !== undefined)
      return result({ status: "INVALID", latestValidHash: bad.latestValidHash, validationError: bad.error });
    const head = chain.header(state.head);
    if (head === undefined)
      return result({ status: "SYNCING", latestValidHash: null, validationError: null });
    const valid = { status: "VALID", latestValidHash: headHex, validationError: null } as const;

    // A head behind the finalized block: no update, no build.
    const marks = chain.marks();
    const finalizedNow = marks.finalized;
    if (finalizedNow !== undefined && !equalBytes(finalizedNow, state.head)) {
      const fin = chain.header(finalizedNow);
      if (fin !== undefined && head.number < fin.number && isAncestor(engine, state.head, finalizedNow, fin))
        return result(valid);
    }
    for (const [name, h] of [
      ["safe", state.safe],
      ["finalized", state.finalized],
    ] as const) {
      if (equalBytes(h, ZERO32)) continue;
      if (!isAncestor(engine, h, state.head, head))
        throw new RpcError(
          RpcCode.INVALID_FORKCHOICE_STATE,
          `${name} block ${bytesToHex(h)} is not on the head's chain`,
        );
    }
    let path: BlockPath;
    try {
      path = blockPath(
        chain,
        chain.head(),
        { hash: state.head, header: head },
        { maxRewind: engine.maxReorgDepth },
      );
    } catch (e) {
      if (!isFastEvmError(e, ErrorCode.BLOCK_REORG_TOO_DEEP)) throw e;
      throw new RpcError(
        RpcCode.TOO_DEEP_REORG,
        `reorg to ${headHex} rewinds more than the limit of ${engine.maxReorgDepth} blocks`,
      );
    }
    const safe = equalBytes(state.safe, ZERO32) ? null : state.safe;
    const finalized = equalBytes(state.finalized, ZERO32) ? null : state.finalized;
    const same = (cur: Uint8Array | undefined, h: Uint8Array | null) =>
      h === null || (cur !== undefined && equalBytes(cur, h));
    // A repeated update (the common keep-alive call) changes nothing. A change moves the canonical head in
    // memory; the chain's background writer persists it.
    const unchanged =
      path.rewind.length === 0 &&
      path.reapply.length === 0 &&
      same(marks.safe, safe) &&
      same(marks.finalized, finalized);
    if (!unchanged)
      await chain.forkchoice(state.head, {
        ...(safe === null ? {} : { safe }),
        ...(finalized === null ? {} : { finalized }),
      });
    if (path.rewind.length > 0) engine.counters.reorgs++;
    if (attributes === undefined) return result(valid);

    // Attributes: checked only now, and a failure keeps the update above.
    const attrs = attributes();
    checkAttributes(attrs);
    const config = chain.config;
    if (version === 3 && attrs.version !== 3)
      throw new RpcError(RpcCode.INVALID_PAYLOAD_ATTRIBUTES, "PayloadAttributesV3 expected");
    if (version === 1 && attrs.version !== 1)
      throw new RpcError(RpcCode.INVALID_PAYLOAD_ATTRIBUTES, "PayloadAttributesV1 expected");
    if (
      version === 2 &&
      (attrs.version === 3 || (attrs.version === 2) !== isShanghai(config, attrs.timestamp))
    )
      throw new RpcError(
        RpcCode.INVALID_PAYLOAD_ATTRIBUTES,
        "wrong PayloadAttributes version for the timestamp",
      );
    const cancun = isCancun(config, attrs.timestamp);
    if (
      (version === 3 && !cancun) ||
      (version === 2 && cancun) ||
      (version === 1 && isShanghai(config, attrs.timestamp))
    )
      throw new RpcError(
        RpcCode.UNSUPPORTED_FORK,
        `forkchoiceUpdatedV${version} does not cover timestamp ${attrs.timestamp}`,
      );
    // the chain's timestamp rule (FastEVM chains may declare non-decreasing: several commits per second)
    const tsProblem = timestampProblem(timestampRuleOf(config), attrs.timestamp, head.timestamp);
    if (tsProblem !== undefined) throw new RpcError(RpcCode.INVALID_PAYLOAD_ATTRIBUTES, tsProblem);
    const gasProblem =
      attrs.gasLimit === undefined ? undefined : gasLimitProblem(attrs.gasLimit, head.gasLimit);
    if (gasProblem !== undefined) throw new RpcError(RpcCode.INVALID_PAYLOAD_ATTRIBUTES, gasProblem);
    const fee = config.feeRecipient;
    if (
      fee !== undefined &&
      fee !== "leader" &&
      !equalBytes(attrs.suggestedFeeRecipient, hexToBytes(fee, 20))
    )
      throw new RpcError(
        RpcCode.INVALID_PAYLOAD_ATTRIBUTES,
        `suggestedFeeRecipient ${bytesToHex(attrs.suggestedFeeRecipient)} is not the chain's fee recipient ${fee}`,
      );
    const id = payloadId(state.head, attrs, version);
    if (!engine.payloads.has(id)) {
      const parent = state.head;
      // Queued behind this call on the same lock: the build sees exactly the state this update left.
      const built = engine.lock.run(() => engine.builder.build(parent, attrs));
      built.then(
        (b) => {
          engine.counters.payloadsBuilt++;
          engine.counters.forcedTxsSkipped += b.skipped.length;
        },
        (e) => engine.log(`payload ${id} build failed: ${(e as Error).message}`),
      );
      engine.addPayload(id, { version, timestamp: attrs.timestamp, result: built });
    }
    return result(valid, id);
  });
}
