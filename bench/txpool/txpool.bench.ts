/**
 * The transaction pool at 10,000 pending transactions from 1,000 senders (10 each, EIP-1559 transfers,
 * tips spread over 1-100 gwei):
 * - admission, pool-side (inputs already decoded and recovered, as the recover pool hands them over): a fresh
 *   pool takes all 10,000, senders interleaved, each sender's nonces in order / in reverse (every one queued
 *   until the last fills the gap, then the run is promoted);
 * - the same with decoding and sender recovery (native libsecp256k1) on this thread first: one core's
 *   end-to-end admission;
 * - selection for one DAG block (~350 transfers: the gas room of 350 x 21,000), from the full pool.
 * No peer: no JS client has a comparable pool (@ethereumjs has none), so the figures are ours alone.
 * Each variant's result is checked before timing.
 */
import { privateKeyToAddress, writeWord } from "../../node/core/crypto/secp256k1.ts";
import { decodeTransaction } from "../../node/core/tx/decode.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { transactionHash } from "../../node/core/tx/hash.ts";
import { intrinsicGas } from "../../node/core/tx/intrinsicGas.ts";
import { recoverSender } from "../../node/core/tx/sender.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import type {
  PoolHead,
  PoolStateReader,
  PoolTx,
  PoolTxInput,
  TxPoolConfig,
} from "../../node/txpool/index.ts";
import { TxPool } from "../../node/txpool/index.ts";
import { runComparison } from "../compare.ts";

const SENDERS = 1_000;
const PER_SENDER = 10;
const CHAIN_ID = 20256n;
const GWEI = 1_000_000_000n;
const HEAD: PoolHead = { number: 1n, baseFee: GWEI, gasLimit: 30_000_000n };
/** room for all 10,000 pending, and for all of them queued at once (the reverse-order variant) */
const CONFIG: Partial<TxPoolConfig> = { chainId: CHAIN_ID, globalSlots: 16_384, globalQueue: 16_384 };
const BLOCK_TXS = 350;
const SELECT = { maxCount: 2_000, maxBytes: 1 << 20, maxGas: BigInt(BLOCK_TXS) * 21_000n };

/** Every sender funded at nonce 0: a flat map, as the wiring's flat-state read. */
const FUNDED: PoolStateReader = {
  account: () => ({ nonce: 0n, balance: 10n ** 21n }),
};

function senderKey(i: number): Uint8Array {
  const key = new Uint8Array(32);
  writeWord(key, 0, 0x7000n + BigInt(i));
  return key;
}

/** 10,000 signed remote inputs: round-robin over senders (nonce n of every sender before nonce n + 1 of any). */
function makeInputs(): PoolTxInput[] {
  const out: PoolTxInput[] = [];
  const to = new Uint8Array(20).fill(0x99);
  const keys = Array.from({ length: SENDERS }, (_, i) => senderKey(i));
  const senders = keys.map((k) => privateKeyToAddress(k));
  for (let n = 0; n < PER_SENDER; n++) {
    for (let s = 0; s < SENDERS; s++) {
      const tip = BigInt(1 + ((s * 37 + n) % 100)) * GWEI;
      const tx = signTransaction(
        {
          type: 2,
          chainId: CHAIN_ID,
          nonce: BigInt(n),
          maxPriorityFeePerGas: tip,
          maxFeePerGas: tip + 50n * GWEI,
          gasLimit: 21_000n,
          to,
          value: 1n,
          data: new Uint8Array(0),
          accessList: [],
        },
        keys[s]!,
      );
      out.push({
        raw: encodeTransaction(tx),
        tx,
        hash: transactionHash(tx),
        sender: senders[s]!,
        intrinsicGas: 21_000,
        local: false,
      });
    }
  }
  return out;
}

function admitAll(inputs: readonly PoolTxInput[]): TxPool {
  const pool = new TxPool({ config: CONFIG, head: HEAD });
  for (const input of inputs) pool.add(input, FUNDED, 0);
  return pool;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench txpool: ${what}`);
}

/** In nonce order per sender, the best tip first across senders, within the gas room. */
function checkSelection(got: readonly PoolTx[]): void {
  check(got.length === BLOCK_TXS, `selected ${got.length}, want ${BLOCK_TXS}`);
  const next = new Map<string, bigint>();
  for (const t of got) {
    check((next.get(t.senderHex) ?? 0n) === t.nonce, "a sender's nonces out of order");
    next.set(t.senderHex, t.nonce + 1n);
  }
  check(got[0]!.tipCap === 100n * GWEI, "the best tip does not come first");
}

export async function benchTxPool(): Promise<void> {
  const inputs = makeInputs();
  const reversed = [...inputs].reverse(); // every sender's nonces from 9 down to 0
  const raws = inputs.map((i) => i.raw);

  const full = admitAll(inputs);
  check(full.status().pending === SENDERS * PER_SENDER, `in order: ${JSON.stringify(full.status())}`);
  check(admitAll(reversed).status().pending === SENDERS * PER_SENDER, "reverse order: not all pending");

  /** decode + recover (native) + admit, as one core would without the recover pool */
  const endToEnd = (): TxPool => {
    const pool = new TxPool({ config: CONFIG, head: HEAD });
    for (const raw of raws) {
      const tx = decodeTransaction(raw);
      const sender = recoverSender(tx, { chainId: CHAIN_ID });
      pool.add(
        { raw, tx, hash: transactionHash(tx), sender, intrinsicGas: intrinsicGas(tx), local: false },
        FUNDED,
        0,
      );
    }
    return pool;
  };
  check(endToEnd().status().pending === SENDERS * PER_SENDER, "end to end: not all pending");

  const n = SENDERS * PER_SENDER;
  await runComparison({
    title: `txpool admission, pool-side (${n.toLocaleString("en-US")} txs from ${SENDERS} senders, no peer)`,
    unit: "tx/s",
    unitsPerOp: n,
    minIterations: 8,
    variants: [
      { name: "fastevm, nonce order", fn: () => admitAll(inputs) },
      { name: "fastevm, reverse nonce order", fn: () => admitAll(reversed) },
    ],
  });
  await runComparison({
    title: "txpool admission with decode + sender recovery on one thread (no peer)",
    unit: "tx/s",
    unitsPerOp: n,
    minIterations: 4,
    variants: [{ name: "fastevm (native secp256k1)", fn: endToEnd }],
  });

  // Selection: remote transactions, all past the remote delay; `now` moves one proposal timeout per call so
  // that the previous call's picks are proposable again and every call sees the same pool.
  const timeout = full.config.proposalTimeoutMs;
  let now = full.config.remoteProposalDelayMs;
  checkSelection(full.selectForProposal({ ...SELECT, now }));
  now += timeout;
  const r = await runComparison({
    title: `txpool selection for one DAG block (${BLOCK_TXS} of ${n.toLocaleString("en-US")} pending, ${SENDERS} senders, no peer)`,
    unit: "selections/s",
    variants: [
      {
        name: "fastevm",
        fn: () => {
          full.selectForProposal({ ...SELECT, now });
          now += timeout;
        },
      },
    ],
  });
  const perSecond = r.figures[0]?.perSecond ?? 0;
  console.log(`  = ${(1000 / perSecond).toFixed(3)} ms per selection`);
}
