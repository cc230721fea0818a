/**
 * EIP-4788 at block start: with the beacon-roots contract deployed (its code taken from a BlockchainTests
 * fixture), a block's parentBeaconBlockRoot lands in the ring buffer at timestamp % 8191 (timestamp) and
 * + 8191 (root); the system caller and an empty coinbase stay absent, and the system call uses no block gas.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { bigintToFixedBytes, bytesToBigint } from "../../../../node/core/bytes.ts";
import { BEACON_ROOTS_ADDRESS, HISTORY_BUFFER_LENGTH } from "../../../../node/core/chain/params.ts";
import { keccak256 } from "../../../../node/core/hash.ts";
import { hexToBytes, looseHexToBytes } from "../../../../node/core/hex.ts";
import { SYSTEM_ADDRESS } from "../../../../workers/execute/executeBlock.ts";
import { ADDRESSES, devTx, openDevChain } from "../../../utils/devChain.ts";
import { fixturePath, readJson } from "../../../utils/fixtures.ts";

const pools = startChainPools();
afterAll(() => pools.close());

function beaconCode(): Uint8Array {
  const file = fixturePath("BlockchainTests/ValidBlocks/bcExample/shanghaiExample.json");
  const json = readJson<Record<string, { pre: Record<string, { code: string }> }>>(file);
  const pre = Object.values(json)[0]!.pre;
  const code = pre[BEACON_ROOTS_ADDRESS]?.code;
  if (code === undefined) throw new Error("fixture lacks the beacon roots contract");
  return looseHexToBytes(code);
}

describe("EIP-4788 beacon root system call", () => {
  it("stores the parent beacon root and touches nothing else", async () => {
    const beacon = hexToBytes(BEACON_ROOTS_ADDRESS, 20);
    const dev = await openDevChain(
      pools,
      {},
      new Map([[BEACON_ROOTS_ADDRESS, { balance: 0n, nonce: 1n, code: beaconCode(), storage: new Map() }]]),
    );
    const root = keccak256(new Uint8Array([42]));
    const coinbase = keccak256(new Uint8Array([7])).subarray(0, 20);
    const timestamp = 12_345n;
    const block = await dev.chain.buildBlock([devTx(0, 0n, ADDRESSES[1]!, 1n)], {
      parentBeaconBlockRoot: root,
      timestamp,
      coinbase,
    });
    await dev.chain.importBlock(block);
    const slot = timestamp % HISTORY_BUFFER_LENGTH;
    const store = dev.chain.store;
    expect(store.storageAt(beacon, bigintToFixedBytes(slot, 32))).toBe(timestamp);
    expect(store.storageAt(beacon, bigintToFixedBytes(slot + HISTORY_BUFFER_LENGTH, 32))).toBe(
      bytesToBigint(root),
    );
    expect(store.account(SYSTEM_ADDRESS)).toBeUndefined();
    expect(block.header.gasUsed).toBe(21_000n);
    // the coinbase got the transfer's tip only
    expect(store.account(coinbase)?.balance).toBe(21_000n * 1_000_000_000n);
    await dev.close();
  });
});
