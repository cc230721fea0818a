// A block's transactions in one call (layout in include/evm.h): for each, the checks against the block and
// the sender's state (blob gas left, gas left, EIP-3607 sender code, nonce, balance, in the state transition's
// order, after the stateless verdicts the caller computed), then the transaction itself, its receipt fields
// and its settlement into the block's state cache. The response ends with the block's write-set: every
// account a transaction changed, as it is after the last one.
#include <cstring>
#include <vector>

#include "../include/evm.h"
#include "transaction.hpp"

namespace fastevm {
namespace {

struct BlockTx {
  uint32_t precheck;  // a stateless verdict from the caller (FASTEVM_TX_PRECHECK when non-zero)
  uint32_t fee_check;  // fee-cap verdict from the caller (FASTEVM_TX_FEE when non-zero)
  uint64_t blob_gas;
  uint64_t nonce;
  u256 max_cost;       // gas_limit * max price + value + max blob fee
  bool cost_overflow;  // max_cost does not fit in 256 bits
  TxInput in;
};

bool read_block_tx(Reader& rd, BlockTx& t) {
  t.precheck = rd.u32();
  t.fee_check = rd.u32();
  t.blob_gas = rd.u64();
  t.nonce = rd.u64();
  t.max_cost = rd.word();
  t.cost_overflow = rd.u8() != 0;
  return rd.ok && read_tx(rd, t.in);
}

/// FASTEVM_TX_OK, or why the transaction is invalid here; `detail` gets the number the reason is about.
uint32_t check(Vm& v, const BlockTx& t, uint64_t gas_used, uint64_t blob_gas_used, uint64_t max_blob_gas,
               u256& detail) {
  if (t.blob_gas > max_blob_gas - blob_gas_used) {
    detail = from_u64(blob_gas_used);
    return FASTEVM_TX_BLOB_GAS_LIMIT;
  }
  if (t.precheck != 0) return FASTEVM_TX_PRECHECK;
  const uint64_t gas_left = v.block.gas_limit - gas_used;
  if (t.in.gas_limit > gas_left) {
    detail = from_u64(gas_left);
    return FASTEVM_TX_GAS_LIMIT;
  }
  if (t.fee_check != 0) return FASTEVM_TX_FEE;
  Account& s = v.state.account(t.in.sender);
  if (std::memcmp(s.code_hash, EMPTY_CODE_HASH, 32) != 0) return FASTEVM_TX_SENDER_NOT_EOA;
  detail = from_u64(s.nonce);
  if (t.nonce < s.nonce) return FASTEVM_TX_NONCE_TOO_LOW;
  if (t.nonce > s.nonce) return FASTEVM_TX_NONCE_TOO_HIGH;
  if (s.nonce == UINT64_MAX) return FASTEVM_TX_NONCE_MAX;
  if (t.cost_overflow || lt(s.balance, t.max_cost)) {
    detail = s.balance;
    return FASTEVM_TX_INSUFFICIENT_FUNDS;
  }
  return FASTEVM_TX_OK;
}

uint32_t run_block(Reader& rd) {
  Vm& v = vm();
  v.state.clear();
  trim_analysis_cache();
  read_env(rd, v.block);
  const bool build = rd.u8() != 0;
  const uint64_t max_blob_gas = rd.u64();
  const uint32_t count = rd.u32();
  if (!rd.ok || v.block.gas_limit > static_cast<uint64_t>(INT64_MAX)) return FASTEVM_INTERNAL_ERROR;

  std::vector<uint8_t>& out = response();
  out.clear();
  Writer w{out};
  w.u32(FASTEVM_SUCCESS);
  const size_t records_pos = w.reserve_u32();
  uint32_t records = 0;
  uint64_t gas_used = 0;
  uint64_t blob_gas_used = 0;
  bool stopped = false;
  BlockTx t;
  TxOutcome o;
  for (uint32_t i = 0; i < count && !stopped; ++i) {
    if (!read_block_tx(rd, t)) return FASTEVM_INTERNAL_ERROR;
    u256 detail = U256_ZERO;
    const uint32_t reason = check(v, t, gas_used, blob_gas_used, max_blob_gas, detail);
    ++records;
    w.u32(reason);
    if (reason != FASTEVM_TX_OK) {
      w.word(detail);
      stopped = !build;
      continue;
    }
    if (!apply_transaction(v, t.in, o)) return FASTEVM_INTERNAL_ERROR;
    v.state.end_transaction();
    gas_used += o.gas_used;
    blob_gas_used += t.blob_gas;
    w.u32(static_cast<uint32_t>(o.result.status));
    w.u64(o.gas_used);
    write_logs(w, v.logs);
  }
  w.patch_u32(records_pos, records);
  w.u64(gas_used);
  w.u64(blob_gas_used);
  const size_t count_pos = w.reserve_u32();
  if (stopped) return FASTEVM_SUCCESS;  // the block is invalid: no write-set
  std::vector<Account*> accs(v.state.block_changed());
  sort_accounts(accs);
  std::vector<const std::pair<const u256, Slot>*> slots;
  for (Account* ap : accs) {
    Account& a = *ap;
    slots.clear();
    for (const auto& kv : a.storage)
      if (a.storage_wiped ? !is_zero(kv.second.current) : kv.second.current != kv.second.block_original)
        slots.push_back(&kv);
    sort_slots(slots);
    write_account(w, v.state, a,
                  (a.block_deleted ? 1u : 0u) | (a.code_changed ? 2u : 0u) | (a.storage_wiped ? 4u : 0u), slots);
  }
  w.patch_u32(count_pos, static_cast<uint32_t>(accs.size()));
  return FASTEVM_SUCCESS;
}

}  // namespace
}  // namespace fastevm

extern "C" {

uint32_t fastevm_execute_block(uint32_t request_len) {
  auto& req = fastevm::request();
  if (request_len > req.size()) {
    fastevm::internal_error();
    return FASTEVM_INTERNAL_ERROR;
  }
  fastevm::Reader rd{req.data(), req.data() + request_len};
  const uint32_t s = fastevm::run_block(rd);
  if (s == FASTEVM_INTERNAL_ERROR) fastevm::internal_error();
  return s;
}
}
