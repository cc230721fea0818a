/**
 * The one list of GeneralStateTests cases (Cancun) the WASM EVM does not pass yet, each with the reason.
 * Key: `<path under GeneralStateTests>:<test name>:<post index>`. This list may only shrink: the shard
 * tests fail when a listed case starts passing, so fixed cases must be removed here.
 */
export const KNOWN_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([]);
