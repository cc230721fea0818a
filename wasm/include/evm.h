/* FastEVM C ABI: one call per transaction (fastevm_execute) or per block (fastevm_execute_block). JS writes
 * the request into the buffer returned by fastevm_request_buffer, calls one of them, and reads the response
 * from fastevm_response_ptr/len.
 * State misses are answered by the synchronous host imports below (module "env").
 * All integers in request/response are little-endian; 256-bit values are 32-byte big-endian words.
 *
 * Request layout:
 *   env:  coinbase[20] number:u64 timestamp:u64 gas_limit:u64 prevrandao[32] base_fee[32] blob_base_fee[32]
 *         chain_id[32]
 *   tx:   sender[20] has_to:u8 to[20] value[32] gas_limit:u64 intrinsic_gas:u64 gas_price[32]
 *         priority_fee[32] upfront_cost[32] data_len:u32 data[data_len]
 *         access_count:u32 { address[20] key_count:u32 keys[32*key_count] }*
 *         blob_count:u32 blob_hashes[32*blob_count]
 * Response layout:
 *   status:u32 gas_used:u64 gas_refund:u64 created_address_present:u8 created[20]
 *   output_len:u32 output[..]
 *   log_count:u32 { address[20] topic_count:u32 topics[32*n] data_len:u32 data[..] }*
 *   account_count:u32 { address[20] flags:u32 balance[32] nonce:u64 code_len:u32 code[..]
 *                        slot_count:u32 { key[32] value[32] }* }*
 *   account flags: 1 = deleted (selfdestructed or touched-and-empty), 2 = code set in this tx,
 *                  4 = created in this tx (storage starts empty)
 *
 * Block request (fastevm_execute_block): the transactions of one block run in turn over one state cache.
 *   env (as above) build:u8 max_blob_gas:u64 tx_count:u32
 *   { precheck:u32 fee_check:u32 blob_gas:u64 nonce:u64 max_cost[32] cost_overflow:u8 tx (as above) }*
 *   precheck / fee_check: non-zero when the caller found the transaction invalid by its stateless rules / by
 *   its fee caps against the block's base fees (reported as FASTEVM_TX_PRECHECK / FASTEVM_TX_FEE, in the
 *   order of the checks below). max_cost = gas_limit * max price + value + max blob fee.
 *   Each transaction is checked in this order: blob gas left in the block, precheck, gas left in the block,
 *   fee_check, sender without code (EIP-3607), nonce equal to the account's, nonce below 2^64-1 (EIP-2681),
 *   balance >= max_cost. An invalid one is skipped when build = 1 (nothing of it applied); with build = 0
 *   it ends the call and the response carries no write-set.
 * Block response:
 *   status:u32 (0, or FASTEVM_INTERNAL_ERROR alone) record_count:u32
 *   { reason:u32 (fastevm_tx_reason) then, for FASTEVM_TX_OK: status:u32 gas_used:u64 logs (as above);
 *     otherwise detail[32]: blob gas used / gas left / the account's nonce / its balance, by reason }*
 *   gas_used:u64 blob_gas_used:u64
 *   account_count:u32 accounts (as above), the block's write-set: each account as the last transaction left
 *   it; flags 1 = deleted, 2 = code set or removed in the block (the code follows), 4 = storage wiped in the
 *   block (the slots listed are all its non-zero ones); otherwise the slots that differ from the block's start
 */
#ifndef FASTEVM_EVM_H
#define FASTEVM_EVM_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__wasm__)
#define FASTEVM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define FASTEVM_EXPORT(name) __attribute__((export_name(#name)))
#else
#define FASTEVM_IMPORT(name)
#define FASTEVM_EXPORT(name)
#endif

enum fastevm_status {
  FASTEVM_SUCCESS = 0,
  FASTEVM_REVERT = 1,
  FASTEVM_OUT_OF_GAS = 2,
  FASTEVM_INVALID_INSTRUCTION = 3,
  FASTEVM_UNDEFINED_INSTRUCTION = 4,
  FASTEVM_STACK_OVERFLOW = 5,
  FASTEVM_STACK_UNDERFLOW = 6,
  FASTEVM_BAD_JUMP_DESTINATION = 7,
  FASTEVM_INVALID_MEMORY_ACCESS = 8,
  FASTEVM_STATIC_MODE_VIOLATION = 9,
  FASTEVM_PRECOMPILE_FAILURE = 10,
  FASTEVM_CONTRACT_VALIDATION_FAILURE = 11,
  FASTEVM_CREATE_COLLISION = 12,
  FASTEVM_CALL_DEPTH_EXCEEDED = 13,
  FASTEVM_INSUFFICIENT_BALANCE = 14,
  /* not an EVM outcome: the request was malformed or the module failed; the tx must not be applied */
  FASTEVM_INTERNAL_ERROR = 100
};

/* Why a block's transaction was not executed (block response). */
enum fastevm_tx_reason {
  FASTEVM_TX_OK = 0,
  FASTEVM_TX_BLOB_GAS_LIMIT = 1,
  FASTEVM_TX_PRECHECK = 2,
  FASTEVM_TX_GAS_LIMIT = 3,
  FASTEVM_TX_FEE = 4,
  FASTEVM_TX_SENDER_NOT_EOA = 5,
  FASTEVM_TX_NONCE_TOO_LOW = 6,
  FASTEVM_TX_NONCE_TOO_HIGH = 7,
  FASTEVM_TX_NONCE_MAX = 8,
  FASTEVM_TX_INSUFFICIENT_FUNDS = 9
};

/* Exports. */
FASTEVM_EXPORT(fastevm_request_buffer) uint8_t* fastevm_request_buffer(uint32_t size);
FASTEVM_EXPORT(fastevm_execute) uint32_t fastevm_execute(uint32_t request_len);
FASTEVM_EXPORT(fastevm_execute_block) uint32_t fastevm_execute_block(uint32_t request_len);
FASTEVM_EXPORT(fastevm_response_ptr) const uint8_t* fastevm_response_ptr(void);
FASTEVM_EXPORT(fastevm_response_len) uint32_t fastevm_response_len(void);
/* Drops the code-analysis cache (tests; memory pressure). */
FASTEVM_EXPORT(fastevm_reset_cache) void fastevm_reset_cache(void);

/* Host imports. fastevm_host_account writes balance[32] nonce:u64 code_hash[32] and returns
 * bit 0 = account exists, bit 1 = account has non-empty storage. */
FASTEVM_IMPORT(fastevm_host_account) int32_t fastevm_host_account(const uint8_t* address, uint8_t* out);
/* Writes the 32-byte value of a storage slot at the start of the transaction. */
FASTEVM_IMPORT(fastevm_host_storage) void fastevm_host_storage(const uint8_t* address, const uint8_t* key, uint8_t* out);
/* Code size of an account, then the code itself (copy of exactly `size` bytes). */
FASTEVM_IMPORT(fastevm_host_code_size) uint32_t fastevm_host_code_size(const uint8_t* address);
FASTEVM_IMPORT(fastevm_host_code_copy) void fastevm_host_code_copy(const uint8_t* address, uint8_t* out, uint32_t size);
/* Hash of block `number` (only called for the 256 most recent blocks). */
FASTEVM_IMPORT(fastevm_host_block_hash) void fastevm_host_block_hash(uint64_t number, uint8_t* out);

#ifdef __cplusplus
}
#endif
#endif
