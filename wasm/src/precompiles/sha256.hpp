// SHA-256 (FIPS 180-4) for the 0x02 precompile; one-shot, since precompile inputs are contiguous.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastevm::precompiles {
/// Writes the 32-byte SHA-256 digest of `data[0..len)` to `out`.
void sha256(const uint8_t* data, size_t len, uint8_t out[32]);
}  // namespace fastevm::precompiles
