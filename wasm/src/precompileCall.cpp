// The one place the interpreter calls into the precompiles (wasm/src/precompiles/, another module):
// maps their status to ours and keeps the output in the frame's buffer.
#include "precompiles/precompiles.hpp"
#include "vm.hpp"

namespace fastevm {

Result Vm::run_precompile(const Message& m, uint8_t id) {
  FrameBuffers& fb = buffers(m.depth);
  fb.output.clear();
  int64_t used = 0;
  const precompiles::Status s = precompiles::run(id, m.input, m.input_size, m.gas, used, fb.output);
  if (s != precompiles::Status::Success || used > m.gas)
    return Result{s == precompiles::Status::OutOfGas ? FASTEVM_OUT_OF_GAS : FASTEVM_PRECOMPILE_FAILURE, 0, nullptr, 0};
  return Result{FASTEVM_SUCCESS, m.gas - used, fb.output.data(), fb.output.size()};
}

}  // namespace fastevm
