/**
 * Block sync into an execution node through its Engine API (node/sync/engineSyncChain.ts), as a split
 * validator's consensus process catches up (`fastevm consensus --execution-url`): the execution node is a
 * real dev chain behind the HTTP Engine API with JWT. Blocks go in by newPayloadV3 + forkchoiceUpdatedV3
 * and come out with the source's hashes and state; a block with a forged state root is INVALID (a
 * validation error: the sync manager penalises its peer) and not stored; a block whose parent the node
 * lacks is not the peer's fault and the head is read again. Serving from an execution node through the
 * same port (EngineChainServer) answers every headers and bodies request as ChainServer does over the same
 * chain. Then all split, over libp2p loopback: the sync manager catches up through the Engine API from a
 * peer serving its execution node's chain, and a peer whose node is at genesis is never asked for a block.
 */
import "../../../../node/network/polyfills.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import type { Block } from "../../../../node/core/block/block.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { ErrorCode, isFastEvmError, isValidationError } from "../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import type { GetBlockBodies, GetBlockHeaders } from "../../../../node/core/wire/sync.ts";
import { PeerScores } from "../../../../node/network/peerScores.ts";
import type { SyncServeHandlers } from "../../../../node/network/syncTransport.ts";
import { SyncTransport } from "../../../../node/network/syncTransport.ts";
import { SyncPool } from "../../../../node/pool/syncPool.ts";
import { EngineHttpClient, HttpExecutionEngine } from "../../../../node/rpc/engine/client.ts";
import { type RpcServer, startRpcServer } from "../../../../node/rpc/server/server.ts";
import { ChainServer } from "../../../../node/sync/chainServer.ts";
import {
  blockBlobHashes,
  EngineChainServer,
  EngineSyncChain,
} from "../../../../node/sync/engineSyncChain.ts";
import { SyncManager } from "../../../../node/sync/syncManager.ts";
import { ADDRESSES, type DevChain, devTx, dumpFlatState, openDevChain } from "../../../utils/devChain.ts";
import { closePayloadPool, type EngineHarness, openEngine } from "../../../utils/engineHarness.ts";
import { caughtUp, connectSync, TestHosts } from "../../../utils/syncNet.ts";

const pools = startChainPools();
const syncPool = new SyncPool();
const BLOCKS = 24;
const secret = new Uint8Array(32).fill(0x31);
const hosts = new TestHosts(90);
let source: DevChain;
const opened: { h: EngineHarness; server: RpcServer }[] = [];

/** A fresh execution node (same dev genesis) behind the HTTP Engine API, and its typed client. */
async function executionNode(): Promise<{ h: EngineHarness; engine: HttpExecutionEngine }> {
  const h = await openEngine(pools);
  const server = await startRpcServer({
    host: "127.0.0.1",
    port: 0,
    jwtSecret: secret,
    dispatcher: h.dispatcher,
    bodyLimit: 8 * 1024 * 1024,
    log: () => {},
  });
  opened.push({ h, server });
  return {
    h,
    engine: new HttpExecutionEngine(new EngineHttpClient(`http://127.0.0.1:${server.port}`, secret)),
  };
}

let filledNode: Promise<{ h: EngineHarness; engine: HttpExecutionEngine }> | undefined;
/** An execution node holding the source's chain, imported through EngineSyncChain (made once). */
function filled(): Promise<{ h: EngineHarness; engine: HttpExecutionEngine }> {
  filledNode ??= (async () => {
    const node = await executionNode();
    const chain = await EngineSyncChain.open(node.engine);
    for (let n = 1; n <= BLOCKS; n++) await chain.importBlock(sourceBlock(n));
    await node.h.dev.chain.persisted();
    return node;
  })();
  return filledNode;
}

const sourceBlock = (n: number): Block => source.chain.block(source.chain.store.canonicalHash(BigInt(n))!)!;

function expectSameChain(dev: DevChain, through: number): void {
  expect(dev.chain.head().header.number).toBe(BigInt(through));
  for (let n = 1n; n <= BigInt(through); n++)
    expect(bytesToHex(dev.chain.store.canonicalHash(n)!)).toBe(
      bytesToHex(source.chain.store.canonicalHash(n)!),
    );
}

beforeAll(async () => {
  source = await openDevChain(pools);
  let nonce = 0n;
  for (let i = 0; i < BLOCKS; i++) {
    const txs = [0, 1].map((k) => devTx(0, nonce + BigInt(k), ADDRESSES[1 + ((i + k) % 5)]!, 7n + BigInt(i)));
    nonce += 2n;
    await source.chain.importBlock(await source.chain.buildBlock(txs));
  }
  await source.chain.persisted();
}, 60_000);

afterAll(async () => {
  await hosts.stopAll();
  for (const o of opened) {
    await o.server.close();
    await o.h.close();
  }
  await source.close();
  await syncPool.close();
  await pools.close();
  await closePayloadPool();
});

describe("EngineSyncChain", () => {
  it("imports blocks through newPayload and forkchoiceUpdated: the source's hashes and state", async () => {
    const { h, engine } = await executionNode();
    const identity = await engine.chainIdentity();
    expect(identity.chainId).toBe(source.chain.config.chainId);
    expect(bytesToHex(identity.genesisHash)).toBe(bytesToHex(source.chain.store.canonicalHash(0n)!));
    const chain = await EngineSyncChain.open(engine);
    expect(chain.head().header.number).toBe(0n);
    for (let n = 1; n <= 10; n++) {
      expect(blockBlobHashes(sourceBlock(n))).toEqual([]);
      expect(await chain.importBlock(sourceBlock(n))).toEqual({ status: "VALID" });
      expect(bytesToHex(chain.head().hash)).toBe(bytesToHex(source.chain.store.canonicalHash(BigInt(n))!));
    }
    expectSameChain(h.dev, 10);
    // the head the commit check anchors on: block 10's stamp and digest fields
    expect(chain.head().header.extraData).toEqual(sourceBlock(10).header.extraData);
    expect(chain.head().header.mixHash).toEqual(sourceBlock(10).header.mixHash);
    // re-opened, it reads the same head from the node
    const again = await EngineSyncChain.open(engine);
    expect(bytesToHex(again.head().hash)).toBe(bytesToHex(chain.head().hash));
    expect(again.head().header.mixHash).toEqual(sourceBlock(10).header.mixHash);
  }, 60_000);

  it("a forged state root is a validation error and is not stored; a missing parent is not", async () => {
    const { h, engine } = await executionNode();
    const chain = await EngineSyncChain.open(engine);
    for (let n = 1; n <= 3; n++) await chain.importBlock(sourceBlock(n));
    const real = sourceBlock(4);
    const forged: Block = { ...real, header: { ...real.header, stateRoot: new Uint8Array(32).fill(9) } };
    const e1 = await chain.importBlock(forged).catch((e: unknown) => e);
    expect(isValidationError(e1)).toBe(true);
    expect(isFastEvmError(e1, ErrorCode.PAYLOAD_INVALID)).toBe(true);
    expect(h.dev.chain.store.hasBlock(headerHash(forged.header))).toBe(false);
    expect(chain.head().header.number).toBe(3n);
    // block 6 on a node at 3: not the block's fault (SYNCING), the head read again
    const e2 = await chain.importBlock(sourceBlock(6)).catch((e: unknown) => e);
    expect(isFastEvmError(e2, ErrorCode.CONSENSUS_ENGINE)).toBe(true);
    expect(isValidationError(e2)).toBe(false);
    expect(bytesToHex(chain.head().hash)).toBe(bytesToHex(h.dev.chain.head().hash));
    // the real block 4 still goes in
    await chain.importBlock(real);
    expectSameChain(h.dev, 4);
  }, 60_000);

  it("EngineChainServer answers as ChainServer does over the same chain, read through the Engine port", async () => {
    const { engine } = await filled();
    const identity = await engine.chainIdentity();
    const local = new ChainServer(source.chain);
    const remote = new EngineChainServer(engine, identity.chainId, identity.genesisHash);
    expect(await remote.status()).toEqual(local.status());
    const hashAt = (n: number) => source.chain.store.canonicalHash(BigInt(n))!;
    const requests: GetBlockHeaders[] = [
      [{ number: 0n }, 500, 0, false],
      [{ number: 1n }, 5, 0, false],
      [{ number: BigInt(BLOCKS - 2) }, 5, 0, false],
      [{ number: 2n }, 4, 2, false],
      [{ number: 9n }, 10, 1, true],
      [{ number: BigInt(BLOCKS + 1) }, 3, 0, false],
      [{ hash: hashAt(7) }, 3, 0, false],
      [{ hash: hashAt(7) }, 4, 0, true],
      [{ hash: new Uint8Array(32).fill(9) }, 3, 0, false],
    ].map(([origin, count, skip, reverse]) => ({
      kind: "getBlockHeaders",
      origin: origin as GetBlockHeaders["origin"],
      count: count as number,
      skip: skip as number,
      reverse: reverse as boolean,
    }));
    for (const r of requests) {
      const want = local.headers(r).headers.map((h) => bytesToHex(headerHash(h)));
      expect((await remote.headers(r)).headers.map((h) => bytesToHex(headerHash(h)))).toEqual(want);
    }
    const all = Array.from({ length: BLOCKS }, (_, i) => hashAt(i + 1));
    const withGap = [hashAt(1), hashAt(2), new Uint8Array(32).fill(9), hashAt(3)];
    for (const hashes of [all, withGap, []]) {
      const r: GetBlockBodies = { kind: "getBlockBodies", hashes };
      expect((await remote.bodies(r)).bodies).toEqual(local.bodies(r).bodies);
    }
    const soft = { softResponseBytes: 1 };
    const r: GetBlockBodies = { kind: "getBlockBodies", hashes: all };
    expect(
      (await new EngineChainServer(engine, identity.chainId, identity.genesisHash, soft).bodies(r)).bodies,
    ).toEqual(new ChainServer(source.chain, soft).bodies(r).bodies);
    // an unreachable node fails the request: the transport refuses it, the asker is not at fault
    const gone = new HttpExecutionEngine(new EngineHttpClient("http://127.0.0.1:1", secret));
    const dead = new EngineChainServer(gone, identity.chainId, identity.genesisHash);
    await expect(dead.headers(requests[1]!)).rejects.toThrow();
  }, 60_000);

  it("all split: a validator's execution node catches up from another's, both through the Engine API", async () => {
    const served = await filled();
    const { h, engine } = await executionNode();
    const chain = await EngineSyncChain.open(engine);
    const identity = await engine.chainIdentity();
    const serve = (e: HttpExecutionEngine) =>
      new EngineChainServer(e, identity.chainId, identity.genesisHash);
    const honestHost = await hosts.create();
    const honest = new SyncTransport(honestHost, new PeerScores(honestHost), serve(served.engine));
    await honest.start();
    // a split peer whose execution node is at genesis: its status says so, nobody asks it for blocks
    const asked = { status: 0, headers: 0, bodies: 0 };
    const atGenesis = serve((await executionNode()).engine);
    const counting: SyncServeHandlers = {
      status: () => {
        asked.status++;
        return atGenesis.status();
      },
      headers: (r) => {
        asked.headers++;
        return atGenesis.headers(r);
      },
      bodies: (r) => {
        asked.bodies++;
        return atGenesis.bodies(r);
      },
    };
    const emptyHost = await hosts.create();
    const empty = new SyncTransport(emptyHost, new PeerScores(emptyHost), counting);
    await empty.start();
    const host = await hosts.create();
    const transport = new SyncTransport(host, new PeerScores(host), serve(engine));
    await transport.start();
    const manager = new SyncManager({
      chain,
      transport,
      checkBodies: (t) => syncPool.checkBodies(t),
      ...identity,
      bodiesPerRequest: 4,
      headersPerRequest: 8,
      backoffMs: 100,
      statusIntervalMs: 60_000,
    });
    try {
      await connectSync(host, manager, [emptyHost, honestHost]);
      await caughtUp(manager);
      expect(manager.counters.blocksImported).toBe(BLOCKS);
      await h.dev.chain.persisted();
      expectSameChain(h.dev, BLOCKS);
      expect(dumpFlatState(h.dev.storage)).toEqual(dumpFlatState(source.storage));
      expect(h.engine.counters.payloadChecks).toBeGreaterThanOrEqual(BLOCKS);
      expect(asked.status).toBeGreaterThan(0);
      expect([asked.headers, asked.bodies]).toEqual([0, 0]);
      expect(transport.scores.score(emptyHost.peerId.toString())).toBe(0);
      expect(transport.scores.score(honestHost.peerId.toString())).toBeGreaterThanOrEqual(0);
    } finally {
      await manager.stop();
      await transport.stop();
      await empty.stop();
      await honest.stop();
    }
  }, 60_000);
});
