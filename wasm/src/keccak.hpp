// Keccak-256 for KECCAK256, CREATE/CREATE2 addresses and code hashes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastevm {
void keccak256(const uint8_t* data, size_t len, uint8_t out[32]);
}
