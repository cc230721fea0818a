// wasm/src/precompiles/precompiles.hpp
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
namespace fastevm::precompiles {
enum class Status : int { Success = 0, Failure = 1 /* consumes all gas given */, OutOfGas = 2 };
// true for 0x01..0x0a (Cancun). `address` is the 20-byte address.
bool is_precompile(const uint8_t* address);
// Runs precompile `id` (1..10) on input; sets gas_used (<= gas_available on Success); output in `out`.
Status run(uint8_t id, const uint8_t* input, size_t input_len, int64_t gas_available, int64_t& gas_used,
           std::vector<uint8_t>& out);
}
// Host import for precompiles computed in JS (ecrecover, bn254, kzg): returns output length, or -1 on failure.
extern "C" int32_t fastevm_host_precompile(uint32_t id, const uint8_t* in, uint32_t in_len, uint8_t* out,
                                           uint32_t out_cap);
