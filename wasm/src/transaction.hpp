// One transaction's execution, shared by the single-transaction call (transaction.cpp) and the block loop
// (block.cpp): the request's transaction fields, charging the sender, warming, the top-level frame and the gas
// settlement; and the response pieces both write (logs, an account of the write-set).
#pragma once
#include <cstdint>
#include <vector>

#include "codec.hpp"
#include "vm.hpp"

namespace fastevm {

/// The transaction fields of a request (layout in include/evm.h), pointing into the request bytes.
struct TxInput {
  Address sender;
  bool has_to = false;
  Address to;
  u256 value;
  uint64_t gas_limit = 0;
  uint64_t intrinsic = 0;
  u256 gas_price;
  u256 priority_fee;
  u256 upfront;
  const uint8_t* data = nullptr;
  uint32_t data_len = 0;
  const uint8_t* access = nullptr;  // access_count { address key_count keys }*
  const uint8_t* access_end = nullptr;
  uint32_t access_count = 0;
  const uint8_t* blobs = nullptr;  // 32 bytes each
  uint32_t blob_count = 0;
};

struct TxOutcome {
  Result result;
  uint64_t gas_used = 0;  // after the refund
  uint64_t refund = 0;
  bool created = false;
  Address created_address{};
};

/// The thread's VM and the request and response buffers (all reused across calls).
Vm& vm();
std::vector<uint8_t>& request();
std::vector<uint8_t>& response();
/// Replaces the response with the FASTEVM_INTERNAL_ERROR status alone.
void internal_error();

void read_env(Reader& rd, BlockContext& b);
/// Reads sender .. blob hashes; false if the request is short or malformed.
bool read_tx(Reader& rd, TxInput& in);
/// Debits the upfront cost, bumps the nonce, warms, runs the frame and settles gas, refund and tip. The
/// caller checked the transaction is valid against the state. False = the request cannot be executed.
bool apply_transaction(Vm& v, const TxInput& in, TxOutcome& out);

void write_logs(Writer& w, const std::vector<Log>& logs);
/// One account of a write-set: address flags balance nonce [code] slots (sorted by the caller).
void write_account(Writer& w, State& state, Account& a, uint32_t flags,
                   const std::vector<const std::pair<const u256, Slot>*>& slots);
/// Sorts accounts by address (the response must not depend on the hash map's order).
void sort_accounts(std::vector<Account*>& accs);
/// Sorts slots by key.
void sort_slots(std::vector<const std::pair<const u256, Slot>*>& slots);

}  // namespace fastevm
