/**
 * A typed Engine API client over HTTP (keep-alive fetch) or WebSocket that signs a fresh HS256 JWT per
 * request (per connection for WebSocket). Used by the tests and the bench; `HttpExecutionEngine` puts the
 * typed ExecutionEngine the consensus driver calls over it.
 */
import WebSocket from "ws";
import {
  type ExecutionPayload,
  type ExecutionPayloadV3,
  payloadValueFromJson,
  payloadValueToJson,
  withdrawalToJson,
} from "../../core/block/payload.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bigintToQuantity, bytesToHex, hexToBytes, quantityToBigint } from "../../core/hex.ts";
import type {
  BuiltPayloadValue,
  EngineBlockReads,
  ExecutionEngine,
  ExecutionPayloadValue,
  ForkchoiceState,
  ForkchoiceUpdated,
  HeadBlockValue,
  PayloadAttributes,
  PayloadStatus,
} from "../../core/wire/engine.ts";
import { RpcCode } from "../jsonrpc.ts";
import { engineToken } from "../jwt.ts";
import type { ForkchoiceUpdatedResult } from "./forkchoice.ts";
import type { PayloadStatusV1 } from "./newPayload.ts";

export interface ForkchoiceStateJson {
  readonly headBlockHash: string;
  readonly safeBlockHash: string;
  readonly finalizedBlockHash: string;
}

export interface PayloadAttributesJson {
  readonly timestamp: string;
  readonly prevRandao: string;
  readonly suggestedFeeRecipient: string;
  readonly withdrawals?: readonly {
    index: string;
    validatorIndex: string;
    address: string;
    amount: string;
  }[];
  readonly parentBeaconBlockRoot?: string;
  /** FastEVM extension (OP Stack names): raw EIP-2718 transactions to build from */
  readonly transactions?: readonly string[];
  readonly noTxPool?: boolean;
  readonly gasLimit?: string;
  /** FastEVM extension: the header's extraData (≤ 32 bytes) */
  readonly extraData?: string;
}

export interface GetPayloadV3Result {
  readonly executionPayload: ExecutionPayloadV3;
  readonly blockValue: string;
  readonly blobsBundle: { commitments: string[]; proofs: string[]; blobs: string[] };
  readonly shouldOverrideBuilder: boolean;
}

/** A JSON-RPC error answer, with its code. */
export class EngineRpcError extends FastEvmError<string> {
  constructor(
    readonly rpcCode: number,
    message: string,
    /** the server's FastEvmError code (-32000's `data.err`), when it sent one */
    cause?: string,
  ) {
    super(ErrorCode.RPC_CLIENT, message, cause === undefined ? { rpcCode } : { rpcCode, cause });
  }
}

interface Transport {
  send(body: string): Promise<string>;
}

export abstract class EngineCalls {
  #id = 0;
  protected abstract transport(): Transport;

  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const text = await this.transport().send(
      JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params }),
    );
    const res = JSON.parse(text) as {
      result?: T;
      error?: { code: number; message: string; data?: { err?: unknown } | null };
    };
    if (res.error !== undefined) {
      const cause = res.error.data?.err;
      throw new EngineRpcError(
        res.error.code,
        res.error.message,
        typeof cause === "string" ? cause : undefined,
      );
    }
    return res.result as T;
  }

  /**
   * One JSON-RPC batch: each call's result, or its EngineRpcError, in call order (matched by id, as a
   * server may answer a batch in any order).
   */
  async batch<T>(calls: readonly (readonly [string, readonly unknown[]])[]): Promise<(T | EngineRpcError)[]> {
    if (calls.length === 0) return [];
    const first = this.#id + 1;
    const body = calls.map(([method, params]) => ({ jsonrpc: "2.0", id: ++this.#id, method, params }));
    const res = JSON.parse(await this.transport().send(JSON.stringify(body))) as unknown;
    if (!Array.isArray(res)) {
      const e = (res as { error?: { code: number; message: string } }).error;
      throw new EngineRpcError(e?.code ?? 0, e?.message ?? "batch answered with a single response");
    }
    const out: (T | EngineRpcError | undefined)[] = new Array(calls.length);
    for (const r of res as { id: number; result?: T; error?: { code: number; message: string } }[]) {
      const i = r.id - first;
      if (i < 0 || i >= calls.length) continue;
      out[i] = r.error !== undefined ? new EngineRpcError(r.error.code, r.error.message) : (r.result as T);
    }
    return out.map((r) => r ?? new EngineRpcError(0, "no answer in the batch"));
  }

  exchangeCapabilities(methods: readonly string[]): Promise<string[]> {
    return this.call("engine_exchangeCapabilities", [methods]);
  }
  newPayloadV3(
    p: ExecutionPayloadV3,
    blobHashes: readonly string[],
    beaconRoot: string,
  ): Promise<PayloadStatusV1> {
    return this.call("engine_newPayloadV3", [p, blobHashes, beaconRoot]);
  }
  newPayload(version: 1 | 2, p: ExecutionPayload): Promise<PayloadStatusV1> {
    return this.call(`engine_newPayloadV${version}`, [p]);
  }
  forkchoiceUpdatedV3(
    s: ForkchoiceStateJson,
    attrs: PayloadAttributesJson | null = null,
  ): Promise<ForkchoiceUpdatedResult> {
    return this.call("engine_forkchoiceUpdatedV3", [s, attrs]);
  }
  getPayloadV3(id: string): Promise<GetPayloadV3Result> {
    return this.call("engine_getPayloadV3", [id]);
  }
}

/** What the node answers (-32000) a raw read of a block it lacks with (geth's words). */
const NOT_FOUND = /^(header|block) not found$/;

export class EngineHttpClient extends EngineCalls {
  constructor(
    readonly url: string,
    private readonly secret: Uint8Array,
  ) {
    super();
  }

  /** One POST; the raw status and body (tests use it for auth and framing cases). */
  async post(
    body: string,
    token: string | null = engineToken(this.secret),
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.url, { method: "POST", headers, body });
    return { status: res.status, text: await res.text() };
  }

  protected transport(): Transport {
    return {
      send: async (body) => {
        const r = await this.post(body);
        if (r.status !== 200) throw new EngineRpcError(-r.status, `HTTP ${r.status}: ${r.text}`);
        return r.text;
      },
    };
  }
}

export class EngineWsClient extends EngineCalls {
  readonly #pending = new Map<number, (text: string) => void>();

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on("message", (data) => {
      const text = String(data);
      const id = (JSON.parse(text) as { id?: number }).id;
      const cb = id === undefined ? undefined : this.#pending.get(id);
      if (cb !== undefined && id !== undefined) {
        this.#pending.delete(id);
        cb(text);
      }
    });
  }

  /** Opens a socket authenticated at the upgrade; rejects with the HTTP status when refused. */
  static connect(
    url: string,
    secret: Uint8Array,
    token: string | null = engineToken(secret),
  ): Promise<EngineWsClient> {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new EngineWsClient(ws)));
      ws.once("unexpected-response", (_req, res) =>
        reject(
          new EngineRpcError(-(res.statusCode ?? 0), `WebSocket upgrade refused: HTTP ${res.statusCode}`),
        ),
      );
      ws.once("error", (e) => reject(new FastEvmError(ErrorCode.RPC_CLIENT, e.message)));
    });
  }

  protected transport(): Transport {
    return {
      send: (body) =>
        new Promise((resolve) => {
          this.#pending.set((JSON.parse(body) as { id: number }).id, resolve);
          this.ws.send(body);
        }),
    };
  }

  close(): void {
    this.ws.close();
  }
}

/** Typed attributes as the JSON forkchoiceUpdated takes them. */
export function payloadAttributesJson(a: PayloadAttributes): PayloadAttributesJson {
  return {
    timestamp: bigintToQuantity(a.timestamp),
    prevRandao: bytesToHex(a.prevRandao),
    suggestedFeeRecipient: bytesToHex(a.suggestedFeeRecipient),
    ...(a.withdrawals === undefined ? {} : { withdrawals: a.withdrawals.map(withdrawalToJson) }),
    ...(a.parentBeaconBlockRoot === undefined
      ? {}
      : { parentBeaconBlockRoot: bytesToHex(a.parentBeaconBlockRoot) }),
    ...(a.transactions === undefined ? {} : { transactions: a.transactions.map(bytesToHex) }),
    ...(a.noTxPool ? { noTxPool: true } : {}),
    ...(a.gasLimit === undefined ? {} : { gasLimit: bigintToQuantity(a.gasLimit) }),
    ...(a.extraData === undefined ? {} : { extraData: bytesToHex(a.extraData) }),
  };
}

function statusValue(s: PayloadStatusV1): PayloadStatus {
  return {
    status: s.status,
    latestValidHash: s.latestValidHash === null ? null : hexToBytes(s.latestValidHash, 32),
    validationError: s.validationError ?? null,
  };
}

/**
 * The ExecutionEngine of an execution node in another process: the V3 methods over an Engine API client
 * (HTTP or WebSocket, JWT), values converted to and from their JSON form at this edge. An error answer is
 * the client's EngineRpcError, as the in-process engine throws it.
 */
export class HttpExecutionEngine implements ExecutionEngine, EngineBlockReads {
  constructor(readonly client: EngineCalls) {}

  async forkchoiceUpdated(
    state: ForkchoiceState,
    attributes?: PayloadAttributes,
  ): Promise<ForkchoiceUpdated> {
    const r = await this.client.forkchoiceUpdatedV3(
      {
        headBlockHash: bytesToHex(state.head),
        safeBlockHash: bytesToHex(state.safe),
        finalizedBlockHash: bytesToHex(state.finalized),
      },
      attributes === undefined ? null : payloadAttributesJson(attributes),
    );
    return { payloadStatus: statusValue(r.payloadStatus), payloadId: r.payloadId };
  }

  async getPayload(payloadId: string): Promise<BuiltPayloadValue> {
    const r = await this.client.getPayloadV3(payloadId);
    return { payload: payloadValueFromJson(r.executionPayload), blockValue: BigInt(r.blockValue) };
  }

  async newPayload(
    payload: ExecutionPayloadValue,
    versionedHashes: readonly Uint8Array[],
    parentBeaconBlockRoot: Uint8Array,
  ): Promise<PayloadStatus> {
    const r = await this.client.newPayloadV3(
      payloadValueToJson(payload) as ExecutionPayloadV3,
      versionedHashes.map(bytesToHex),
      bytesToHex(parentBeaconBlockRoot),
    );
    return statusValue(r);
  }

  /** The execution node's chain id and genesis hash (eth_chainId, block 0): what its chain is known by. */
  async chainIdentity(): Promise<{ readonly chainId: bigint; readonly genesisHash: Uint8Array }> {
    const [id, genesis] = await Promise.all([
      this.client.call<string>("eth_chainId"),
      this.client.call<{ hash: string } | null>("eth_getBlockByNumber", ["0x0", false]),
    ]);
    if (genesis === null)
      throw new FastEvmError(ErrorCode.CONSENSUS_ENGINE, "the execution node has no genesis block");
    return { chainId: quantityToBigint(id), genesisHash: hexToBytes(genesis.hash, 32) };
  }

  /**
   * Blocks' headers as RLP (debug_getRawHeader, one batch), by number (canonical) or hash; null where the
   * node has no such block.
   */
  async rawHeaders(ids: readonly (bigint | Uint8Array)[]): Promise<(Uint8Array | null)[]> {
    return this.#raw("debug_getRawHeader", ids);
  }

  /** Whole blocks as RLP (debug_getRawBlock, one batch), by hash or number; null where it has none. */
  async rawBlocks(ids: readonly (bigint | Uint8Array)[]): Promise<(Uint8Array | null)[]> {
    return this.#raw("debug_getRawBlock", ids);
  }

  async #raw(method: string, ids: readonly (bigint | Uint8Array)[]): Promise<(Uint8Array | null)[]> {
    const calls = ids.map(
      (id) => [method, [typeof id === "bigint" ? bigintToQuantity(id) : bytesToHex(id)]] as const,
    );
    return (await this.client.batch<string>(calls)).map((r) => {
      if (typeof r === "string") return hexToBytes(r);
      // the node's answer for a block it does not have (lookupBlock's message); anything else is a failure
      if (r.rpcCode === RpcCode.SERVER_ERROR && NOT_FOUND.test(r.message)) return null;
      throw r;
    });
  }

  async headBlock(): Promise<HeadBlockValue | null> {
    const b = await this.client.call<{
      hash: string;
      number: string;
      timestamp: string;
      gasLimit: string;
      extraData: string;
      mixHash: string;
    } | null>("eth_getBlockByNumber", ["latest", false]);
    if (b === null) return null;
    return {
      hash: hexToBytes(b.hash, 32),
      number: quantityToBigint(b.number),
      timestamp: quantityToBigint(b.timestamp),
      gasLimit: quantityToBigint(b.gasLimit),
      extraData: hexToBytes(b.extraData),
      prevRandao: hexToBytes(b.mixHash, 32),
    };
  }
}
