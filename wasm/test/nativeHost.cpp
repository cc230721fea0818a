// Host imports for the native build, over native_state(). Block hashes follow the state-test convention
// keccak(decimal string of the number).
#include "nativeHost.hpp"

#include <cstring>

#include "../include/evm.h"
#include "../src/keccak.hpp"

namespace fastevm::native {

std::map<std::string, NativeAccount>& native_state() {
  static std::map<std::string, NativeAccount> s;
  return s;
}

static std::string key_of(const uint8_t* p, size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

void set_account(const uint8_t address[20], const uint8_t balance[32], uint64_t nonce, const uint8_t* code,
                 size_t code_len) {
  NativeAccount& a = native_state()[key_of(address, 20)];
  std::memcpy(a.balance, balance, 32);
  a.nonce = nonce;
  a.code.assign(code, code + code_len);
  keccak256(code, code_len, a.code_hash);
}

void set_slot(const uint8_t address[20], const uint8_t key[32], const uint8_t value[32]) {
  native_state()[key_of(address, 20)].storage[key_of(key, 32)] = std::vector<uint8_t>(value, value + 32);
}

}  // namespace fastevm::native

using fastevm::native::native_state;

extern "C" int32_t fastevm_host_account(const uint8_t* address, uint8_t* out) {
  auto it = native_state().find(std::string(reinterpret_cast<const char*>(address), 20));
  if (it == native_state().end()) return 0;
  const auto& a = it->second;
  std::memcpy(out, a.balance, 32);
  for (int k = 0; k < 8; ++k) out[32 + k] = static_cast<uint8_t>(a.nonce >> (8 * k));
  std::memcpy(out + 40, a.code_hash, 32);
  return 1 | (a.storage.empty() ? 0 : 2);
}

extern "C" void fastevm_host_storage(const uint8_t* address, const uint8_t* key, uint8_t* out) {
  std::memset(out, 0, 32);
  auto it = native_state().find(std::string(reinterpret_cast<const char*>(address), 20));
  if (it == native_state().end()) return;
  auto s = it->second.storage.find(std::string(reinterpret_cast<const char*>(key), 32));
  if (s != it->second.storage.end()) std::memcpy(out, s->second.data(), 32);
}

extern "C" uint32_t fastevm_host_code_size(const uint8_t* address) {
  auto it = native_state().find(std::string(reinterpret_cast<const char*>(address), 20));
  return it == native_state().end() ? 0 : static_cast<uint32_t>(it->second.code.size());
}

extern "C" void fastevm_host_code_copy(const uint8_t* address, uint8_t* out, uint32_t size) {
  auto it = native_state().find(std::string(reinterpret_cast<const char*>(address), 20));
  if (it != native_state().end() && size > 0) std::memcpy(out, it->second.code.data(), size);
}

extern "C" void fastevm_host_block_hash(uint64_t number, uint8_t* out) {
  const std::string s = std::to_string(number);
  fastevm::keccak256(reinterpret_cast<const uint8_t*>(s.data()), s.size(), out);
}
