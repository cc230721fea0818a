/**
 * Chain configuration and fork schedule, read from the `config` object of a geth genesis.json.
 * Forks up to London activate by block number, the merge by total difficulty (`terminalTotalDifficulty`),
 * Shanghai and Cancun by timestamp.
 */
import { ErrorCode, FastEvmError } from "../errors.ts";
import { parseLooseBigint } from "../hex.ts";

/** Forks in activation order; the names follow geth. */
export const FORKS = [
  "Frontier",
  "Homestead",
  "TangerineWhistle",
  "SpuriousDragon",
  "Byzantium",
  "Constantinople",
  "Petersburg",
  "Istanbul",
  "Berlin",
  "London",
  "Paris",
  "Shanghai",
  "Cancun",
] as const;
export type Fork = (typeof FORKS)[number];

/** geth config keys of the block-activated forks, in order, with the fork each one starts. */
export const BLOCK_FORK_KEYS = [
  ["homesteadBlock", "Homestead"],
  ["eip150Block", "TangerineWhistle"],
  ["eip155Block", "SpuriousDragon"],
  ["eip158Block", "SpuriousDragon"],
  ["byzantiumBlock", "Byzantium"],
  ["constantinopleBlock", "Constantinople"],
  ["petersburgBlock", "Petersburg"],
  ["istanbulBlock", "Istanbul"],
  ["berlinBlock", "Berlin"],
  ["londonBlock", "London"],
] as const satisfies readonly (readonly [string, Fork])[];

export const TIME_FORK_KEYS = [
  ["shanghaiTime", "Shanghai"],
  ["cancunTime", "Cancun"],
] as const satisfies readonly (readonly [string, Fork])[];

/**
 * geth `*Block` keys that change no rule FastEVM checks, accepted and ignored: difficulty-bomb delays
 * (FastEVM does not validate proof-of-work difficulty) and the merge's fork-id marker.
 */
export const IGNORED_FORK_KEYS: readonly string[] = [
  "muirGlacierBlock",
  "arrowGlacierBlock",
  "grayGlacierBlock",
  "mergeNetsplitBlock",
];

type BlockForkKey = (typeof BLOCK_FORK_KEYS)[number][0];
type TimeForkKey = (typeof TIME_FORK_KEYS)[number][0];

/**
 * `strict`: each block's timestamp is above its parent's (Ethereum). `non-decreasing`: equal timestamps are
 * allowed, as FastEVM networks declare (several commits may fall in one second; ARCHITECTURE §3).
 */
export type TimestampRule = "strict" | "non-decreasing";
export const TIMESTAMP_RULES: readonly TimestampRule[] = ["strict", "non-decreasing"];

/**
 * Where a block's priority fees go (its coinbase), genesis `config.fastevm.feeRecipient`: `leader` = the fee
 * recipient of the commit's leader in the committee (the default), or one fixed 20-byte address (for example a
 * burn address), lowercase 0x-hex. Every validator's driver follows it, so blocks stay identical.
 */
export type FeeRecipientRule = "leader" | `0x${string}`;

export type ChainConfig = {
  readonly chainId: bigint;
  /** FastEVM extension, genesis `config.fastevm.timestampRule`; absent = strict (Ethereum) */
  readonly timestampRule?: TimestampRule;
  /** FastEVM extension, genesis `config.fastevm.feeRecipient`; absent = `leader` */
  readonly feeRecipient?: FeeRecipientRule;
  /** when set, the chain is merged once total difficulty reaches it (0 = merged from genesis) */
  readonly terminalTotalDifficulty?: bigint;
} & { readonly [K in BlockForkKey]?: bigint } & { readonly [K in TimeForkKey]?: bigint };

function configError(message: string): FastEvmError {
  return new FastEvmError(ErrorCode.CHAIN_CONFIG_INVALID, `invalid chain config: ${message}`);
}

function readInt(obj: Record<string, unknown>, key: string): bigint | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" && typeof v !== "string") throw configError(`${key} must be a number`);
  try {
    return parseLooseBigint(v);
  } catch {
    throw configError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
}

/**
 * A fee-recipient rule as written in genesis (`config.fastevm.feeRecipient`) or on a command line: `"leader"`
 * or a 0x-prefixed 20-byte hex address (any case; returned lowercase). Undefined when `v` is neither.
 */
export function feeRecipientRuleOf(v: unknown): FeeRecipientRule | undefined {
  if (v === "leader") return "leader";
  if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase() as `0x${string}`;
  return undefined;
}

/** The refusal of a malformed fee-recipient rule, `what` naming where it was written. */
export const feeRecipientRuleError = (what: string, v: unknown): string =>
  `${what} must be "leader" or a 0x-prefixed 20-byte hex address, got ${JSON.stringify(v)}`;

interface FastEvmExtension {
  readonly timestampRule?: TimestampRule;
  readonly feeRecipient?: FeeRecipientRule;
}

/**
 * The `fastevm` object of a config: `{ timestampRule?: "strict" | "non-decreasing", feeRecipient?: "leader" |
 * ADDRESS }`.
 */
function parseFastEvmExtension(v: unknown): FastEvmExtension {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw configError("fastevm must be an object");
  const o = v as Record<string, unknown>;
  const out: { timestampRule?: TimestampRule; feeRecipient?: FeeRecipientRule } = {};
  const rule = o.timestampRule;
  if (rule !== undefined) {
    if (!TIMESTAMP_RULES.includes(rule as TimestampRule))
      throw configError(
        `fastevm.timestampRule must be "strict" or "non-decreasing", got ${JSON.stringify(rule)}`,
      );
    out.timestampRule = rule as TimestampRule;
  }
  if (o.feeRecipient !== undefined) {
    const fee = feeRecipientRuleOf(o.feeRecipient);
    if (fee === undefined) throw configError(feeRecipientRuleError("fastevm.feeRecipient", o.feeRecipient));
    out.feeRecipient = fee;
  }
  return out;
}

/**
 * Refuses a fork FastEVM does not implement: any `*Block` / `*Time` key (pragueTime, osakaTime, …) other than
 * the forks above and IGNORED_FORK_KEYS, and the DAO fork (`daoForkSupport: true`). A fork scheduled in the
 * future is refused too: the node could not follow the chain once it activates.
 */
function refuseUnimplementedForks(obj: Record<string, unknown>): void {
  const known = new Set<string>([
    ...BLOCK_FORK_KEYS.map(([k]) => k),
    ...TIME_FORK_KEYS.map(([k]) => k),
    ...IGNORED_FORK_KEYS,
  ]);
  const unknown = Object.keys(obj).filter(
    (k) =>
      /[a-z0-9](Block|Time)$/.test(k) &&
      !known.has(k) &&
      obj[k] !== null &&
      !(k === "daoForkBlock" && obj.daoForkSupport !== true),
  );
  if (unknown.length > 0)
    throw new FastEvmError(
      ErrorCode.CHAIN_CONFIG_UNSUPPORTED,
      `unsupported chain config: ${unknown.join(", ")} schedule${unknown.length === 1 ? "s a fork" : " forks"} FastEVM does not implement (it implements forks up to ${FORKS.at(-1)})`,
      { keys: unknown.join(",") },
    );
}

/**
 * Parses and validates a geth `config` object: chainId required; block forks in order; time forks in order;
 * Shanghai needs London and the merge (terminalTotalDifficulty), Cancun needs Shanghai. A fork key FastEVM
 * does not implement is refused (CHAIN_CONFIG_UNSUPPORTED); other unknown keys are ignored.
 */
export function parseChainConfig(json: unknown): ChainConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw configError("config must be an object");
  const obj = json as Record<string, unknown>;
  refuseUnimplementedForks(obj);
  const chainId = readInt(obj, "chainId");
  if (chainId === undefined || chainId === 0n) throw configError("chainId is required and must be positive");
  const out: Record<string, bigint> = { chainId };
  let prev: [string, bigint] | undefined;
  for (const [key] of BLOCK_FORK_KEYS) {
    const v = readInt(obj, key);
    if (v === undefined) continue;
    if (prev !== undefined && v < prev[1])
      throw configError(`${key} (${v}) is before ${prev[0]} (${prev[1]})`);
    prev = [key, v];
    out[key] = v;
  }
  const ttd = readInt(obj, "terminalTotalDifficulty");
  if (ttd !== undefined) out.terminalTotalDifficulty = ttd;
  let prevTime: [string, bigint] | undefined;
  for (const [key] of TIME_FORK_KEYS) {
    const v = readInt(obj, key);
    if (v === undefined) continue;
    if (prevTime === undefined && key !== "shanghaiTime")
      throw configError(`${key} is set without shanghaiTime`);
    if (prevTime !== undefined && v < prevTime[1])
      throw configError(`${key} (${v}) is before ${prevTime[0]} (${prevTime[1]})`);
    prevTime = [key, v];
    out[key] = v;
  }
  if (out.shanghaiTime !== undefined && (out.londonBlock === undefined || ttd === undefined)) {
    throw configError("shanghaiTime needs londonBlock and terminalTotalDifficulty (the merge)");
  }
  return { ...out, ...parseFastEvmExtension(obj.fastevm) } as ChainConfig;
}

/**
 * The fork whose rules apply to a block with this number and timestamp. "Paris" is reported only for chains
 * merged from genesis (terminalTotalDifficulty 0); otherwise the merge depends on total difficulty, which the
 * config alone cannot tell, and the last block fork is reported until Shanghai.
 */
export function forkAt(c: ChainConfig, number: bigint, timestamp: bigint): Fork {
  if (c.cancunTime !== undefined && timestamp >= c.cancunTime) return "Cancun";
  if (c.shanghaiTime !== undefined && timestamp >= c.shanghaiTime) return "Shanghai";
  let fork: Fork = "Frontier";
  for (const [key, f] of BLOCK_FORK_KEYS) {
    const at = c[key];
    if (at !== undefined && number >= at) fork = f;
  }
  if (fork === "London" && c.terminalTotalDifficulty === 0n) return "Paris";
  return fork;
}

/** True when `fork` (or a later one) is active. */
export function isForkActive(c: ChainConfig, fork: Fork, number: bigint, timestamp: bigint): boolean {
  return FORKS.indexOf(forkAt(c, number, timestamp)) >= FORKS.indexOf(fork);
}

export const isLondon = (c: ChainConfig, n: bigint): boolean =>
  c.londonBlock !== undefined && n >= c.londonBlock;
export const isShanghai = (c: ChainConfig, t: bigint): boolean =>
  c.shanghaiTime !== undefined && t >= c.shanghaiTime;
export const isCancun = (c: ChainConfig, t: bigint): boolean =>
  c.cancunTime !== undefined && t >= c.cancunTime;

/** A config with every fork up to and including `fork` active from genesis (for fixture runners). */
export function chainConfigForFork(fork: Fork, chainId = 1n): ChainConfig {
  const upTo = FORKS.indexOf(fork);
  const out: Record<string, bigint> = { chainId };
  for (const [key, f] of BLOCK_FORK_KEYS) if (FORKS.indexOf(f) <= upTo) out[key] = 0n;
  if (upTo >= FORKS.indexOf("Paris")) out.terminalTotalDifficulty = 0n;
  for (const [key, f] of TIME_FORK_KEYS) if (FORKS.indexOf(f) <= upTo) out[key] = 0n;
  return out as unknown as ChainConfig;
}
