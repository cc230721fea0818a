// MODEXP (precompile 0x05): EIP-198 semantics with EIP-2565 pricing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastevm::precompiles {

/// EIP-2565 gas, saturating at UINT64_MAX for absurd declared lengths (never overflows).
uint64_t modexp_gas(const uint8_t* input, size_t input_len);

/// Computes base^exp mod m into `out` (mod_len bytes). Input shorter than the declared lengths reads
/// as zero-padded. Returns false only for lengths no gas limit can pay for (defensive, see .cpp).
bool modexp_run(const uint8_t* input, size_t input_len, std::vector<uint8_t>& out);

}  // namespace fastevm::precompiles
