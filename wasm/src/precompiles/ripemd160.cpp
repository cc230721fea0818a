// RIPEMD-160: two parallel 80-step lines (left and right) over each 64-byte block, combined at the end.
// Tables are the message-word order and rotation amounts from the algorithm's specification.
#include "ripemd160.hpp"

#include <cstring>

namespace fastevm::precompiles {
namespace {

constexpr uint8_t kWordLeft[80] = {
    0, 1, 2,  3,  4,  5,  6,  7,  8, 9, 10, 11, 12, 13, 14, 15, 7, 4,  13, 1,  10, 6,  15, 3,  12, 0, 9,
    5, 2, 14, 11, 8,  3,  10, 14, 4, 9, 15, 8,  1,  2,  7,  0,  6, 13, 11, 5,  12, 1,  9,  11, 10, 0, 8,
    12, 4, 13, 3, 7,  15, 14, 5,  6, 2, 4,  0,  5,  9,  7,  12, 2, 10, 14, 1,  3,  8,  11, 6,  15, 13};
constexpr uint8_t kWordRight[80] = {
    5,  14, 7,  0, 9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12, 6,  11, 3, 7,  0,  13, 5,  10, 14, 15, 8,
    12, 4,  9,  1, 2, 15, 5,  1,  3,  7,  14, 6,  9,  11, 8,  12, 2,  10, 0, 4,  13, 8,  6,  4,  1,  3,  11,
    15, 0,  5,  12, 2, 13, 9,  7,  10, 14, 12, 15, 10, 4,  1,  5,  8,  7,  6, 2,  13, 14, 0,  3,  9,  11};
constexpr uint8_t kShiftLeft[80] = {
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13, 11, 9,  7,  15, 7,  12, 15,
    9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15, 14, 8,  13, 6,  5,  12, 7,  5,  11, 12, 14, 15, 14, 15,
    9,  8,  9,  14, 5,  6,  8,  6,  5,  12, 9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
constexpr uint8_t kShiftRight[80] = {
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,  12, 8,  9,  11, 7,  7,  12,
    7,  6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14, 12, 13, 5,  14, 13, 13, 7,  5,  15, 5,  8,  11, 14, 14,
    6,  14, 6,  9,  12, 9,  12, 5,  15, 8,  8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};
constexpr uint32_t kConstLeft[5] = {0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e};
constexpr uint32_t kConstRight[5] = {0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000};

inline uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// The five boolean functions; the left line uses them in order 0..4 per round, the right line 4..0.
template <int Which>
inline uint32_t boolean_fn(uint32_t x, uint32_t y, uint32_t z) {
  if constexpr (Which == 0) return x ^ y ^ z;
  if constexpr (Which == 1) return (x & y) | (~x & z);
  if constexpr (Which == 2) return (x | ~y) ^ z;
  if constexpr (Which == 3) return (x & z) | (y & ~z);
  return x ^ (y | ~z);
}

struct Line {
  uint32_t a, b, c, d, e;
};

/// The 16 steps of round `Round` on both lines; templated so each step's function is fixed.
template <int Round>
inline void sixteen_steps(Line& l, Line& r, const uint32_t x[16]) {
  for (int j = 16 * Round; j < 16 * Round + 16; ++j) {
    uint32_t t = rotl(l.a + boolean_fn<Round>(l.b, l.c, l.d) + x[kWordLeft[j]] + kConstLeft[Round], kShiftLeft[j]) + l.e;
    l.a = l.e;
    l.e = l.d;
    l.d = rotl(l.c, 10);
    l.c = l.b;
    l.b = t;
    t = rotl(r.a + boolean_fn<4 - Round>(r.b, r.c, r.d) + x[kWordRight[j]] + kConstRight[Round], kShiftRight[j]) + r.e;
    r.a = r.e;
    r.e = r.d;
    r.d = rotl(r.c, 10);
    r.c = r.b;
    r.b = t;
  }
}

void compress(uint32_t h[5], const uint8_t block[64]) {
  uint32_t x[16];
  for (int i = 0; i < 16; ++i) {
    const uint8_t* p = block + 4 * i;
    x[i] = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
  }
  Line l{h[0], h[1], h[2], h[3], h[4]};
  Line r = l;
  sixteen_steps<0>(l, r, x);
  sixteen_steps<1>(l, r, x);
  sixteen_steps<2>(l, r, x);
  sixteen_steps<3>(l, r, x);
  sixteen_steps<4>(l, r, x);
  const uint32_t t = h[1] + l.c + r.d;
  h[1] = h[2] + l.d + r.e;
  h[2] = h[3] + l.e + r.a;
  h[3] = h[4] + l.a + r.b;
  h[4] = h[0] + l.b + r.c;
  h[0] = t;
}

}  // namespace

void ripemd160(const uint8_t* data, size_t len, uint8_t out[20]) {
  uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const size_t full = len / 64;
  for (size_t i = 0; i < full; ++i) compress(h, data + 64 * i);

  // MD-style padding with the bit length little-endian (unlike SHA-256).
  uint8_t tail[128] = {};
  const size_t rest = len - full * 64;
  if (rest > 0) std::memcpy(tail, data + full * 64, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest < 56 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(len) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 8 + i] = static_cast<uint8_t>(bits >> (8 * i));
  compress(h, tail);
  if (tail_len == 128) compress(h, tail + 64);

  for (int i = 0; i < 5; ++i) {
    for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(h[i] >> (8 * b));
  }
}

}  // namespace fastevm::precompiles
