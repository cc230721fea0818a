// Keccak-256 (the original padding 0x01, not SHA3's 0x06), written from the Keccak reference description.
#include "keccak.hpp"

#include <cstring>

namespace fastevm {

namespace {

constexpr uint64_t RC[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};
// rotation offsets and the pi permutation, in the order of the combined rho-pi walk
constexpr int ROTC[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int PILN[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

inline uint64_t rotl(uint64_t x, int s) { return (x << s) | (x >> (64 - s)); }

void keccakf(uint64_t st[25]) {
  uint64_t bc[5];
  for (int round = 0; round < 24; ++round) {
    for (int i = 0; i < 5; ++i) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
    for (int i = 0; i < 5; ++i) {
      const uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
      for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
    }
    uint64_t t = st[1];
    for (int i = 0; i < 24; ++i) {
      const int j = PILN[i];
      const uint64_t tmp = st[j];
      st[j] = rotl(t, ROTC[i]);
      t = tmp;
    }
    for (int j = 0; j < 25; j += 5) {
      for (int i = 0; i < 5; ++i) bc[i] = st[j + i];
      for (int i = 0; i < 5; ++i) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
    }
    st[0] ^= RC[round];
  }
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

}  // namespace

void keccak256(const uint8_t* data, size_t len, uint8_t out[32]) {
  constexpr size_t RATE = 136;
  uint64_t st[25] = {};
  while (len >= RATE) {
    for (size_t i = 0; i < RATE / 8; ++i) st[i] ^= load_le64(data + i * 8);
    keccakf(st);
    data += RATE;
    len -= RATE;
  }
  uint8_t last[RATE] = {};
  if (len > 0) std::memcpy(last, data, len);
  last[len] = 0x01;
  last[RATE - 1] |= 0x80;
  for (size_t i = 0; i < RATE / 8; ++i) st[i] ^= load_le64(last + i * 8);
  keccakf(st);
  for (size_t i = 0; i < 4; ++i)
    for (size_t k = 0; k < 8; ++k) out[i * 8 + k] = static_cast<uint8_t>(st[i] >> (8 * k));
}

}  // namespace fastevm
