// BLAKE2b F per RFC 7693 §3.2, with the round count as a parameter as EIP-152 requires.
//
// Two bodies compute the same function: a scalar one (native builds, the sanitizer runs) and, when the
// WASM build enables SIMD (-msimd128), one that keeps the 4×4 state as eight 2-lane vectors and runs
// two G functions per instruction. The message schedule is fixed for the whole call, so the SIMD body
// gathers the 10 rows of message pairs once instead of once per round. A call may run 2^32 − 1 rounds
// (stTimeConsuming/CALLBlake2f_MaxRounds): the SIMD body does one round in about half the time.
#include "blake2f.hpp"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace fastevm::precompiles {
namespace {

constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                             0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                             0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr uint8_t kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

#if !defined(__wasm_simd128__)
inline uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = rotr(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 63);
}
#else
// Rotations of each 64-bit lane right by 32, 24, 16 and 63 bits (the first three are byte shuffles).
inline v128_t rotr32(v128_t x) { return wasm_i32x4_shuffle(x, x, 1, 0, 3, 2); }
inline v128_t rotr24(v128_t x) {
  return wasm_i8x16_shuffle(x, x, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
}
inline v128_t rotr16(v128_t x) {
  return wasm_i8x16_shuffle(x, x, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
}
inline v128_t rotr63(v128_t x) { return wasm_v128_or(wasm_i64x2_add(x, x), wasm_u64x2_shr(x, 63)); }
inline v128_t add3(v128_t a, v128_t b, v128_t c) { return wasm_i64x2_add(wasm_i64x2_add(a, b), c); }

// Row r of the state as two vectors: rN_0 = (v[4r], v[4r+1]), rN_1 = (v[4r+2], v[4r+3]).
struct Rows {
  v128_t a0, a1, b0, b1, c0, c1, d0, d1;
};

// Four G functions at once, one per column of the (possibly diagonalized) state.
inline void mix4(Rows& s, v128_t x0, v128_t x1, v128_t y0, v128_t y1) {
  s.a0 = add3(s.a0, s.b0, x0);
  s.a1 = add3(s.a1, s.b1, x1);
  s.d0 = rotr32(wasm_v128_xor(s.d0, s.a0));
  s.d1 = rotr32(wasm_v128_xor(s.d1, s.a1));
  s.c0 = wasm_i64x2_add(s.c0, s.d0);
  s.c1 = wasm_i64x2_add(s.c1, s.d1);
  s.b0 = rotr24(wasm_v128_xor(s.b0, s.c0));
  s.b1 = rotr24(wasm_v128_xor(s.b1, s.c1));
  s.a0 = add3(s.a0, s.b0, y0);
  s.a1 = add3(s.a1, s.b1, y1);
  s.d0 = rotr16(wasm_v128_xor(s.d0, s.a0));
  s.d1 = rotr16(wasm_v128_xor(s.d1, s.a1));
  s.c0 = wasm_i64x2_add(s.c0, s.d0);
  s.c1 = wasm_i64x2_add(s.c1, s.d1);
  s.b0 = rotr63(wasm_v128_xor(s.b0, s.c0));
  s.b1 = rotr63(wasm_v128_xor(s.b1, s.c1));
}

// One round: the column step, rotate rows b, c, d left by 1, 2, 3 words so the diagonals become
// columns, the diagonal step, and rotate back. `w` holds the round's eight message vectors.
inline void simd_round(Rows& s, const v128_t* w) {
  mix4(s, w[0], w[1], w[2], w[3]);
  v128_t t = s.b0;
  s.b0 = wasm_i64x2_shuffle(s.b0, s.b1, 1, 2);
  s.b1 = wasm_i64x2_shuffle(s.b1, t, 1, 2);
  t = s.c0;
  s.c0 = s.c1;
  s.c1 = t;
  t = s.d0;
  s.d0 = wasm_i64x2_shuffle(s.d1, s.d0, 1, 2);
  s.d1 = wasm_i64x2_shuffle(t, s.d1, 1, 2);
  mix4(s, w[4], w[5], w[6], w[7]);
  t = s.b0;
  s.b0 = wasm_i64x2_shuffle(s.b1, s.b0, 1, 2);
  s.b1 = wasm_i64x2_shuffle(t, s.b1, 1, 2);
  t = s.c0;
  s.c0 = s.c1;
  s.c1 = t;
  t = s.d0;
  s.d0 = wasm_i64x2_shuffle(s.d0, s.d1, 1, 2);
  s.d1 = wasm_i64x2_shuffle(s.d1, t, 1, 2);
}
#endif

}  // namespace

void blake2b_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1, bool last) {
#if defined(__wasm_simd128__)
  // w[r]: for the column then the diagonal step of a round using sigma row r, the first and the second
  // message word of each G, two columns per vector.
  v128_t w[10][8];
  for (int r = 0; r < 10; ++r) {
    for (int step = 0; step < 2; ++step) {
      const uint8_t* s = kSigma[r] + 8 * step;
      w[r][4 * step + 0] = wasm_i64x2_make(m[s[0]], m[s[2]]);
      w[r][4 * step + 1] = wasm_i64x2_make(m[s[4]], m[s[6]]);
      w[r][4 * step + 2] = wasm_i64x2_make(m[s[1]], m[s[3]]);
      w[r][4 * step + 3] = wasm_i64x2_make(m[s[5]], m[s[7]]);
    }
  }
  Rows st{wasm_i64x2_make(h[0], h[1]),
          wasm_i64x2_make(h[2], h[3]),
          wasm_i64x2_make(h[4], h[5]),
          wasm_i64x2_make(h[6], h[7]),
          wasm_i64x2_make(kIv[0], kIv[1]),
          wasm_i64x2_make(kIv[2], kIv[3]),
          wasm_i64x2_make(kIv[4] ^ t0, kIv[5] ^ t1),
          wasm_i64x2_make(last ? ~kIv[6] : kIv[6], kIv[7])};
  for (uint32_t n = rounds / 10; n > 0; --n)
    for (int r = 0; r < 10; ++r) simd_round(st, w[r]);
  for (uint32_t r = 0; r < rounds % 10; ++r) simd_round(st, w[r]);
  const v128_t out[4] = {wasm_v128_xor(st.a0, st.c0), wasm_v128_xor(st.a1, st.c1), wasm_v128_xor(st.b0, st.d0),
                         wasm_v128_xor(st.b1, st.d1)};
  for (int i = 0; i < 4; ++i) {
    h[2 * i] ^= static_cast<uint64_t>(wasm_i64x2_extract_lane(out[i], 0));
    h[2 * i + 1] ^= static_cast<uint64_t>(wasm_i64x2_extract_lane(out[i], 1));
  }
#else
  uint64_t v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= t0;
  v[13] ^= t1;
  if (last) v[14] = ~v[14];
  uint32_t row = 0;  // rounds % 10 without a division per round
  for (uint32_t r = 0; r < rounds; ++r) {
    const uint8_t* s = kSigma[row];
    mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    row = row == 9 ? 0 : row + 1;
  }
  for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
#endif
}

}  // namespace fastevm::precompiles
