/** Protocol constants (Cancun rules) used by header validation, fee logic and genesis. */

/** EIP-1559: base fee of the first London block. */
export const INITIAL_BASE_FEE = 1_000_000_000n;
/** EIP-1559: the gas target is gasLimit / ELASTICITY_MULTIPLIER. */
export const ELASTICITY_MULTIPLIER = 2n;
/** EIP-1559: the base fee moves by at most 1/8 per block. */
export const BASE_FEE_MAX_CHANGE_DENOMINATOR = 8n;
/** A block's gas limit may differ from its parent's by less than parent / 1024. */
export const GAS_LIMIT_BOUND_DIVISOR = 1024n;
export const MIN_GAS_LIMIT = 5000n;
/** geth's gas limit for a genesis.json that gives none. */
export const GENESIS_GAS_LIMIT = 5000n;
/** geth's difficulty for a genesis.json that gives neither difficulty nor mixHash. */
export const GENESIS_DIFFICULTY = 131_072n;
/**
 * The yellow paper's extraData limit (32 bytes): the one constant header validation, payload decoding, the
 * payload worker's check and the FastEVM `extraData` payload attribute all use.
 */
export const MAX_EXTRA_DATA_BYTES = 32;

/** EIP-4844 (Cancun values). */
export const GAS_PER_BLOB = 131_072n;
export const TARGET_BLOB_GAS_PER_BLOCK = 393_216n;
export const MAX_BLOB_GAS_PER_BLOCK = 786_432n;
export const MIN_BLOB_BASE_FEE = 1n;
export const BLOB_BASE_FEE_UPDATE_FRACTION = 3_338_477n;

/** EIP-4788: the beacon roots contract and its ring buffer length. */
export const BEACON_ROOTS_ADDRESS = "0x000f3df6d732807ef1319fb7b8bb8522d0beac02";
export const HISTORY_BUFFER_LENGTH = 8191n;
