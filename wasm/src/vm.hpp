// The virtual machine for one transaction at a time: block/tx context, the world state, the call-frame
// machinery (CALL*/CREATE* recursion) and per-depth buffers reused across transactions, so the steady
// state allocates nothing per call frame.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "../include/evm.h"
#include "analysis.hpp"
#include "state.hpp"
#include "uint256.hpp"

namespace fastevm {

constexpr int MAX_DEPTH = 1024;
constexpr int STACK_LIMIT = 1024;
constexpr size_t MAX_CODE_SIZE = 24576;
constexpr size_t MAX_INITCODE_SIZE = 49152;

enum class CallKind : uint8_t { Call, CallCode, DelegateCall, StaticCall, Create, Create2 };

struct Message {
  CallKind kind;
  bool is_static;
  int depth;
  int64_t gas;
  Address recipient;     // the account whose storage and balance the code acts on
  Address sender;        // CALLER
  Address code_address;  // whose code runs (CALL*); the new address for CREATE*
  u256 value;
  const uint8_t* input;
  size_t input_size;
};

struct Result {
  fastevm_status status;
  int64_t gas_left;
  const uint8_t* output;
  size_t output_size;
};

struct Log {
  Address address;
  uint32_t topic_count;
  u256 topics[4];
  std::vector<uint8_t> data;
};

struct BlockContext {
  Address coinbase;
  uint64_t number;
  uint64_t timestamp;
  uint64_t gas_limit;
  u256 prevrandao;
  u256 base_fee;
  u256 blob_base_fee;
  u256 chain_id;
};

struct TxContext {
  Address origin;
  u256 gas_price;
  std::vector<u256> blob_hashes;
};

/// Buffers owned by one call depth, kept between transactions.
struct FrameBuffers {
  u256 stack[STACK_LIMIT];
  std::vector<uint8_t> memory;
  std::vector<uint8_t> output;      // what this frame returned
  std::vector<uint8_t> return_data;  // what the last child call returned
  CodeAnalysis initcode;
};

class Vm {
 public:
  BlockContext block{};
  TxContext tx{};
  State state;
  int64_t refund = 0;
  std::vector<Log> logs;

  /// CALL, CALLCODE, DELEGATECALL, STATICCALL (and the transaction's top-level call).
  Result call(const Message& m);
  /// CREATE/CREATE2 at m.code_address (already derived); the sender's nonce was already bumped.
  Result create(const Message& m);

  FrameBuffers& buffers(int depth);

 private:
  Result execute(const Message& m, const CodeAnalysis& code);
  Result run_precompile(const Message& m, uint8_t id);
  std::vector<std::unique_ptr<FrameBuffers>> frames_;
};

}  // namespace fastevm
