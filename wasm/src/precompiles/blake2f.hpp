// The BLAKE2b compression function F with a caller-chosen round count (EIP-152, precompile 0x09).
#pragma once
#include <cstdint>

namespace fastevm::precompiles {
/// Compresses in place: h (8 words) with message m (16 words), offset counters t0/t1 and the
/// final-block flag, running `rounds` rounds (the message schedule repeats every 10).
void blake2b_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1, bool last);
}  // namespace fastevm::precompiles
