// Entering and leaving call frames: snapshots, value transfer, precompile dispatch, contract creation
// (collision rule, EIP-3541 0xEF prefix, EIP-170 size limit, code deposit cost).
#include <cstring>

#include "vm.hpp"

namespace fastevm {

FrameBuffers& Vm::buffers(int depth) {
  while (frames_.size() <= static_cast<size_t>(depth)) frames_.push_back(std::make_unique<FrameBuffers>());
  return *frames_[static_cast<size_t>(depth)];
}

Result Vm::call(const Message& m) {
  const size_t snap = state.snapshot();
  const int64_t refund_snap = refund;
  const size_t logs_snap = logs.size();
  Account& to = state.account(m.recipient);
  if (m.kind == CallKind::Call || m.kind == CallKind::CallCode) {
    state.transfer(state.account(m.sender), to, m.value);
  } else if (m.kind == CallKind::StaticCall) {
    state.touch(to);  // a zero-value call still touches its target (EIP-161)
  }
  Result r;
  if (const uint8_t id = precompile_id(m.code_address); id != 0) {
    r = run_precompile(m, id);
  } else {
    Account& code_acc = m.code_address == m.recipient ? to : state.account(m.code_address);
    const CodeAnalysis& code = state.code(code_acc);
    if (code.size == 0) {
      r = Result{FASTEVM_SUCCESS, m.gas, nullptr, 0};
    } else {
      r = execute(m, code);
    }
  }
  if (r.status != FASTEVM_SUCCESS) {
    state.revert(snap);
    refund = refund_snap;
    logs.resize(logs_snap);
  }
  return r;
}

Result Vm::create(const Message& m) {
  Account& acc = state.account(m.code_address);
  state.warm_account(acc);
  if (acc.nonce != 0 || std::memcmp(acc.code_hash, EMPTY_CODE_HASH, 32) != 0 || state.has_storage(acc))
    return Result{FASTEVM_CREATE_COLLISION, 0, nullptr, 0};
  const size_t snap = state.snapshot();
  const int64_t refund_snap = refund;
  const size_t logs_snap = logs.size();
  state.mark_created(acc);
  state.set_nonce(acc, 1);
  state.transfer(state.account(m.sender), acc, m.value);
  FrameBuffers& fb = buffers(m.depth);
  analyze(m.input, m.input_size, fb.initcode);
  Message em = m;
  em.input = nullptr;
  em.input_size = 0;
  Result r = execute(em, fb.initcode);
  if (r.status == FASTEVM_SUCCESS) {
    const int64_t deposit = 200 * static_cast<int64_t>(r.output_size);
    if (r.output_size > MAX_CODE_SIZE || (r.output_size > 0 && r.output[0] == 0xef)) {
      r = Result{FASTEVM_CONTRACT_VALIDATION_FAILURE, 0, nullptr, 0};
    } else if (r.gas_left < deposit) {
      r = Result{FASTEVM_OUT_OF_GAS, 0, nullptr, 0};
    } else {
      r.gas_left -= deposit;
      state.set_code(acc, r.output, r.output_size);
      r.output = nullptr;
      r.output_size = 0;
    }
  }
  if (r.status != FASTEVM_SUCCESS) {
    state.revert(snap);
    refund = refund_snap;
    logs.resize(logs_snap);
  }
  return r;
}

}  // namespace fastevm
