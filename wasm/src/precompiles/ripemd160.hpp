// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996) for the 0x03 precompile.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastevm::precompiles {
/// Writes the 20-byte RIPEMD-160 digest of `data[0..len)` to `out`.
void ripemd160(const uint8_t* data, size_t len, uint8_t out[20]);
}  // namespace fastevm::precompiles
