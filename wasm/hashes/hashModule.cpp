// A minimal WASM module exposing the C++ hash functions to JavaScript (node/core/hash.ts): JS copies the input
// into `hash_buffer()`, calls `keccak_hash(len)` or `blake2b256_hash(len)`, and reads the 32-byte digest back
// from the start of the same buffer. No imports, no allocation: ~10x faster than pure-JS hashing for the short
// inputs of trie nodes, transactions and consensus blocks.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../src/keccak.hpp"
#include "../src/precompiles/blake2f.hpp"

namespace {
// Inputs above this go to the JS fallback; it covers every trie node, transaction and contract in practice.
constexpr size_t kBufferSize = 1 << 17;
alignas(16) uint8_t io_buffer[kBufferSize];

constexpr uint64_t kBlake2bIv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/// Unkeyed BLAKE2b with a 32-byte digest (RFC 7693): 12 rounds of F over 128-byte blocks, the last one
/// zero-padded and flagged; the parameter block folds digest length 32, key length 0, fanout and depth 1.
void blake2b256(const uint8_t* data, size_t len, uint8_t out[32]) {
  uint64_t h[8];
  std::memcpy(h, kBlake2bIv, sizeof h);
  h[0] ^= 0x01010000ULL | 32ULL;
  uint64_t m[16];
  size_t offset = 0;
  while (len - offset > 128) {
    std::memcpy(m, data + offset, 128);  // wasm32 and x86-64 are little-endian, as BLAKE2b's words are
    offset += 128;
    fastevm::precompiles::blake2b_compress(12, h, m, offset, 0, false);
  }
  std::memset(m, 0, sizeof m);
  std::memcpy(m, data + offset, len - offset);
  fastevm::precompiles::blake2b_compress(12, h, m, len, 0, true);
  std::memcpy(out, h, 32);
}
}  // namespace

extern "C" {
__attribute__((export_name("hash_buffer"))) uint8_t* hash_buffer() { return io_buffer; }
__attribute__((export_name("hash_buffer_size"))) uint32_t hash_buffer_size() {
  return static_cast<uint32_t>(kBufferSize);
}
__attribute__((export_name("keccak_hash"))) void keccak_hash(uint32_t len) {
  fastevm::keccak256(io_buffer, len, io_buffer);
}
__attribute__((export_name("blake2b256_hash"))) void blake2b256_hash(uint32_t len) {
  blake2b256(io_buffer, len, io_buffer);
}
}
