// 256-bit unsigned integers for the EVM stack: four little-endian 64-bit limbs.
// wasm32 has i64 add/mul but no 64x64->128 multiply, so the wide product is built from 32-bit halves there
// (cheaper than the compiler-rt __multi3 call that __int128 lowers to); native builds use __int128.
#pragma once
#include <cstdint>
#include <cstring>

namespace fastevm {

struct u256 {
  uint64_t w[4];
};

constexpr u256 U256_ZERO{{0, 0, 0, 0}};
inline u256 from_u64(uint64_t v) { return u256{{v, 0, 0, 0}}; }
inline bool is_zero(const u256& a) { return (a.w[0] | a.w[1] | a.w[2] | a.w[3]) == 0; }
inline bool fits_u64(const u256& a) { return (a.w[1] | a.w[2] | a.w[3]) == 0; }
inline bool operator==(const u256& a, const u256& b) {
  return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
}
inline bool operator!=(const u256& a, const u256& b) { return !(a == b); }

inline bool lt(const u256& a, const u256& b) {
  for (int i = 3; i >= 0; --i)
    if (a.w[i] != b.w[i]) return a.w[i] < b.w[i];
  return false;
}
inline bool slt(const u256& a, const u256& b) {
  const bool an = (a.w[3] >> 63) != 0, bn = (b.w[3] >> 63) != 0;
  if (an != bn) return an;
  return lt(a, b);
}

inline u256 add(const u256& a, const u256& b) {
  u256 r;
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t s = a.w[i] + carry;
    const uint64_t c1 = s < carry ? 1 : 0;
    r.w[i] = s + b.w[i];
    carry = c1 + (r.w[i] < s ? 1 : 0);
  }
  return r;
}
inline u256 sub(const u256& a, const u256& b) {
  u256 r;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t d = a.w[i] - b.w[i];
    const uint64_t b1 = a.w[i] < b.w[i] ? 1 : 0;
    r.w[i] = d - borrow;
    borrow = b1 + (d < borrow ? 1 : 0);
  }
  return r;
}
inline u256 bnot(const u256& a) { return u256{{~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]}}; }
inline u256 negate(const u256& a) { return add(bnot(a), from_u64(1)); }
inline bool is_neg(const u256& a) { return (a.w[3] >> 63) != 0; }

/// 64x64 -> 128 product: returns the low half, stores the high half.
inline uint64_t mul_wide(uint64_t a, uint64_t b, uint64_t& hi) {
#if defined(__wasm__)
  const uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
  const uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return (mid << 32) | (ll & 0xffffffffu);
#else
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  hi = static_cast<uint64_t>(p >> 64);
  return static_cast<uint64_t>(p);
#endif
}

/// Low 256 bits of a*b (schoolbook, skipping products that land above bit 255).
inline u256 mul(const u256& a, const u256& b) {
  u256 r = U256_ZERO;
  for (int i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (int j = 0; i + j < 4; ++j) {
      uint64_t hi;
      const uint64_t lo = mul_wide(a.w[i], b.w[j], hi);
      uint64_t t = r.w[i + j] + lo;
      hi += t < lo ? 1 : 0;
      t += carry;
      hi += t < carry ? 1 : 0;
      r.w[i + j] = t;
      carry = hi;
    }
  }
  return r;
}

/// Full 512-bit product into out[8].
inline void mul_full(const u256& a, const u256& b, uint64_t out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; ++j) {
      uint64_t hi;
      const uint64_t lo = mul_wide(a.w[i], b.w[j], hi);
      uint64_t t = out[i + j] + lo;
      hi += t < lo ? 1 : 0;
      t += carry;
      hi += t < carry ? 1 : 0;
      out[i + j] = t;
      carry = hi;
    }
    out[i + 4] = carry;
  }
}

/// Unsigned division of an n-limb (64-bit) numerator by a 4-limb divisor; quotient limbs optional.
/// Knuth algorithm D on 64-bit limbs with a cached 2-by-1 reciprocal (uint256.cpp). A 32-bit-digit form with
/// one i64.div_u per quotient digit was measured 18-19% slower on wasm32 (EcMul, MathLoop), so it is not used.
void divmod_limbs(const uint64_t* num, int num_limbs, const u256& den, uint64_t* quot, u256& rem);

/// Division by a divisor below 2^32: short division on 32-bit digits, each step one hardware 64/32 divide
/// (no reciprocal to compute, which matters when the divisor changes every time).
inline u256 divmod_small(const u256& a, uint64_t d, uint64_t& rem) {
  u256 q;
  uint64_t r = 0;
  for (int i = 3; i >= 0; --i) {
    const uint64_t hi = (r << 32) | (a.w[i] >> 32);
    const uint64_t qh = hi / d;
    r = hi - qh * d;
    const uint64_t lo = (r << 32) | (a.w[i] & 0xffffffffu);
    const uint64_t ql = lo / d;
    r = lo - ql * d;
    q.w[i] = (qh << 32) | ql;
  }
  rem = r;
  return q;
}

inline u256 udiv(const u256& a, const u256& b) {
  if (is_zero(b)) return U256_ZERO;
  if (fits_u64(a) && fits_u64(b)) return from_u64(a.w[0] / b.w[0]);
  if (fits_u64(b) && b.w[0] <= 0xffffffffu) {
    uint64_t r;
    return divmod_small(a, b.w[0], r);
  }
  uint64_t q[4];
  u256 r;
  divmod_limbs(a.w, 4, b, q, r);
  return u256{{q[0], q[1], q[2], q[3]}};
}
inline u256 umod(const u256& a, const u256& b) {
  if (is_zero(b)) return U256_ZERO;
  if (fits_u64(a) && fits_u64(b)) return from_u64(a.w[0] % b.w[0]);
  if (fits_u64(b) && b.w[0] <= 0xffffffffu) {
    uint64_t r;
    divmod_small(a, b.w[0], r);
    return from_u64(r);
  }
  u256 r;
  divmod_limbs(a.w, 4, b, nullptr, r);
  return r;
}
inline u256 sdiv(const u256& a, const u256& b) {
  if (is_zero(b)) return U256_ZERO;
  const bool an = is_neg(a), bn = is_neg(b);
  const u256 q = udiv(an ? negate(a) : a, bn ? negate(b) : b);
  return an != bn ? negate(q) : q;
}
inline u256 smod(const u256& a, const u256& b) {
  if (is_zero(b)) return U256_ZERO;
  const bool an = is_neg(a);
  const u256 r = umod(an ? negate(a) : a, is_neg(b) ? negate(b) : b);
  return an ? negate(r) : r;
}
inline u256 addmod(const u256& a, const u256& b, const u256& m) {
  if (is_zero(m)) return U256_ZERO;
  if (lt(a, m) && lt(b, m)) {
    // reduced operands (the usual case in field arithmetic): one conditional subtraction, no division
    const u256 r = add(a, b);
    return lt(r, a) || !lt(r, m) ? sub(r, m) : r;
  }
  const u256 s = add(a, b);
  const uint64_t carry = lt(s, a) ? 1 : 0;
  if (carry == 0) return umod(s, m);
  const uint64_t n[5] = {s.w[0], s.w[1], s.w[2], s.w[3], 1};
  u256 r;
  divmod_limbs(n, 5, m, nullptr, r);
  return r;
}
inline u256 mulmod(const u256& a, const u256& b, const u256& m) {
  if (is_zero(m)) return U256_ZERO;
  uint64_t p[8];
  mul_full(a, b, p);
  u256 r;
  divmod_limbs(p, 8, m, nullptr, r);
  return r;
}
inline unsigned bit_length(const u256& a) {
  for (int i = 3; i >= 0; --i)
    if (a.w[i] != 0) return static_cast<unsigned>(i) * 64 + 64 - static_cast<unsigned>(__builtin_clzll(a.w[i]));
  return 0;
}
inline u256 exp(u256 base, const u256& e) {
  u256 r = from_u64(1);
  const unsigned nbits = bit_length(e);
  for (unsigned k = 0; k < nbits; ++k) {
    if ((e.w[k / 64] >> (k % 64)) & 1) r = mul(r, base);
    if (k + 1 < nbits) base = mul(base, base);
  }
  return r;
}

inline u256 band(const u256& a, const u256& b) {
  return u256{{a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]}};
}
inline u256 bor(const u256& a, const u256& b) {
  return u256{{a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]}};
}
inline u256 bxor(const u256& a, const u256& b) {
  return u256{{a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]}};
}

inline u256 shl(const u256& a, unsigned s) {
  if (s >= 256) return U256_ZERO;
  u256 r = U256_ZERO;
  const unsigned limbs = s / 64, bits = s % 64;
  for (unsigned i = 3 + 1; i-- > limbs;) {
    uint64_t v = a.w[i - limbs] << bits;
    if (bits != 0 && i - limbs > 0) v |= a.w[i - limbs - 1] >> (64 - bits);
    r.w[i] = v;
  }
  return r;
}
inline u256 shr(const u256& a, unsigned s) {
  if (s >= 256) return U256_ZERO;
  u256 r = U256_ZERO;
  const unsigned limbs = s / 64, bits = s % 64;
  for (unsigned i = 0; i + limbs < 4; ++i) {
    uint64_t v = a.w[i + limbs] >> bits;
    if (bits != 0 && i + limbs + 1 < 4) v |= a.w[i + limbs + 1] << (64 - bits);
    r.w[i] = v;
  }
  return r;
}
inline u256 sar(const u256& a, unsigned s) {
  const bool neg = is_neg(a);
  if (s >= 256) return neg ? bnot(U256_ZERO) : U256_ZERO;
  u256 r = shr(a, s);
  if (neg && s > 0) r = bor(r, shl(bnot(U256_ZERO), 256 - s));
  return r;
}
inline u256 signextend(const u256& b, const u256& x) {
  if (!fits_u64(b) || b.w[0] >= 31) return x;
  const unsigned bit = static_cast<unsigned>(b.w[0]) * 8 + 7;
  const bool neg = ((x.w[bit / 64] >> (bit % 64)) & 1) != 0;
  const u256 mask = shr(bnot(U256_ZERO), 255 - bit);  // ones in bits [0, bit]
  return neg ? bor(x, bnot(mask)) : band(x, mask);
}
inline u256 byte_op(const u256& i, const u256& x) {
  if (!fits_u64(i) || i.w[0] >= 32) return U256_ZERO;
  const unsigned idx = 31 - static_cast<unsigned>(i.w[0]);  // little-endian byte index
  return from_u64((x.w[idx / 8] >> ((idx % 8) * 8)) & 0xff);
}
/// Number of significant bytes (for EXP gas).
inline unsigned byte_length(const u256& a) {
  for (int i = 3; i >= 0; --i)
    if (a.w[i] != 0) return static_cast<unsigned>(i) * 8 + (64 - static_cast<unsigned>(__builtin_clzll(a.w[i])) + 7) / 8;
  return 0;
}

inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline u256 load_be(const uint8_t* p) {
  return u256{{load_be64(p + 24), load_be64(p + 16), load_be64(p + 8), load_be64(p)}};
}
/// Loads len (<= 32) big-endian bytes as a right-aligned value.
inline u256 load_be_partial(const uint8_t* p, unsigned len) {
  uint8_t buf[32] = {};
  std::memcpy(buf + 32 - len, p, len);
  return load_be(buf);
}
/// PUSHn immediate: reads 8 bytes unconditionally when n <= 8 (code is padded with 33 zero bytes).
inline u256 load_push(const uint8_t* p, unsigned n) {
  if (n <= 8) return u256{{load_be64(p) >> (64 - 8 * n), 0, 0, 0}};
  return load_be_partial(p, n);
}
inline void store_be(uint8_t* p, const u256& a) {
  store_be64(p, a.w[3]);
  store_be64(p + 8, a.w[2]);
  store_be64(p + 16, a.w[1]);
  store_be64(p + 24, a.w[0]);
}

}  // namespace fastevm
