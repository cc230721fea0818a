// In-memory world state answering the EVM's host imports in native builds (tests, benchmarks).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fastevm::native {

struct NativeAccount {
  uint8_t balance[32] = {};
  uint64_t nonce = 0;
  std::vector<uint8_t> code;
  uint8_t code_hash[32] = {};
  std::map<std::string, std::vector<uint8_t>> storage;  // 32-byte key -> 32-byte value
};

/// address (20 raw bytes as string) -> account
std::map<std::string, NativeAccount>& native_state();
void set_account(const uint8_t address[20], const uint8_t balance[32], uint64_t nonce, const uint8_t* code,
                 size_t code_len);
void set_slot(const uint8_t address[20], const uint8_t key[32], const uint8_t value[32]);

}  // namespace fastevm::native
