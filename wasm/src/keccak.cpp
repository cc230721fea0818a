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
  // state in locals (registers / wasm locals); theta, rho-pi and chi unrolled with constant indices
  uint64_t a[25];
  for (int i = 0; i < 25; ++i) a[i] = st[i];
  for (int round = 0; round < 24; ++round) {
    const uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    const uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    const uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const uint64_t d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1), d3 = c2 ^ rotl(c4, 1),
                   d4 = c3 ^ rotl(c0, 1);
    for (int j = 0; j < 25; j += 5) {
      a[j] ^= d0;
      a[j + 1] ^= d1;
      a[j + 2] ^= d2;
      a[j + 3] ^= d3;
      a[j + 4] ^= d4;
    }
    uint64_t t = a[1];
#define FASTEVM_RHO_PI(i)      \
  {                            \
    const int j = PILN[i];     \
    const uint64_t tmp = a[j]; \
    a[j] = rotl(t, ROTC[i]);   \
    t = tmp;                   \
  }
    FASTEVM_RHO_PI(0) FASTEVM_RHO_PI(1) FASTEVM_RHO_PI(2) FASTEVM_RHO_PI(3) FASTEVM_RHO_PI(4) FASTEVM_RHO_PI(5)
    FASTEVM_RHO_PI(6) FASTEVM_RHO_PI(7) FASTEVM_RHO_PI(8) FASTEVM_RHO_PI(9) FASTEVM_RHO_PI(10) FASTEVM_RHO_PI(11)
    FASTEVM_RHO_PI(12) FASTEVM_RHO_PI(13) FASTEVM_RHO_PI(14) FASTEVM_RHO_PI(15) FASTEVM_RHO_PI(16)
    FASTEVM_RHO_PI(17) FASTEVM_RHO_PI(18) FASTEVM_RHO_PI(19) FASTEVM_RHO_PI(20) FASTEVM_RHO_PI(21)
    FASTEVM_RHO_PI(22) FASTEVM_RHO_PI(23)
#undef FASTEVM_RHO_PI
    for (int j = 0; j < 25; j += 5) {
      const uint64_t b0 = a[j], b1 = a[j + 1], b2 = a[j + 2], b3 = a[j + 3], b4 = a[j + 4];
      a[j] = b0 ^ (~b1 & b2);
      a[j + 1] = b1 ^ (~b2 & b3);
      a[j + 2] = b2 ^ (~b3 & b4);
      a[j + 3] = b3 ^ (~b4 & b0);
      a[j + 4] = b4 ^ (~b0 & b1);
    }
    a[0] ^= RC[round];
  }
  for (int i = 0; i < 25; ++i) st[i] = a[i];
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // both targets (x86-64, wasm32) are little-endian
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
  std::memcpy(out, st, 32);
}

}  // namespace fastevm
