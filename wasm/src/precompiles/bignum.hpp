// Unsigned big-integer arithmetic for MODEXP: little-endian 32-bit limbs, so every partial product
// fits a native 64-bit multiply (WASM has i64.mul but no 64x64->128 instruction).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastevm::precompiles::bignum {

using Limb = uint32_t;
using Limbs = std::vector<Limb>;

/// Parses big-endian bytes into limbs, dropping leading zero limbs (zero becomes an empty vector).
Limbs from_be_bytes(const uint8_t* bytes, size_t len);

/// Writes `x` as exactly `out_len` big-endian bytes (left-padded; `x` must fit).
void to_be_bytes(const Limb* x, size_t n, uint8_t* out, size_t out_len);

/// r[0..vn) = u mod v (Knuth TAOCP vol. 2, 4.3.1 Algorithm D). v[vn-1] must be non-zero.
/// `scratch` is reused between calls to avoid allocations in the exponentiation loop.
void mod(const Limb* u, size_t un, const Limb* v, size_t vn, Limb* r, Limbs& scratch);

/// Multiplication modulo an odd n-limb modulus in Montgomery form (R = 2^(32n)).
class Montgomery {
 public:
  explicit Montgomery(const Limbs& modulus);
  size_t size() const { return n_; }
  /// out = a*b/R mod m; a, b < m; out may alias a or b.
  void mul(const Limb* a, const Limb* b, Limb* out);
  /// out = a*a/R mod m; cheaper than mul for large n (cross products computed once).
  void sqr(const Limb* a, Limb* out);
  /// out = x*R mod m for any x of xn limbs (x may exceed m).
  void to_mont(const Limb* x, size_t xn, Limb* out);
  /// out = a/R mod m, the ordinary representative.
  void from_mont(const Limb* a, Limb* out);
  const Limb* modulus() const { return m_.data(); }
  Limb m_inv() const { return m_inv_; }

 private:
  Limbs m_;
  size_t n_;
  Limb m_inv_;  // -m^-1 mod 2^32
  Limbs r2_;    // R^2 mod m
  Limbs t_;     // n+1 limbs of CIOS accumulator
  Limbs wide_;  // 2n+1 limbs for squaring
  Limbs scratch_;
  static constexpr size_t kSqrThreshold = 8;  // below this, fused CIOS beats the separate passes
  void finish(const Limb* t, Limb* out) const;
};

/// Montgomery multiplication for a compile-time limb count: the loops unroll and the accumulator
/// lives in registers, which matters for the common small moduli (256-bit fields, 64-bit values).
/// Same representation as `Montgomery` with the same modulus.
template <size_t N>
class FixedMontgomery {
 public:
  FixedMontgomery(const Limb* modulus, Limb m_inv) : m_inv_(m_inv) {
    for (size_t i = 0; i < N; ++i) m_[i] = modulus[i];
  }
  static constexpr size_t size() { return N; }
  void sqr(const Limb* a, Limb* out) const { mul(a, a, out); }
  void mul(const Limb* a, const Limb* b, Limb* out) const {
    Limb t[N + 1] = {};
    for (size_t i = 0; i < N; ++i) {  // fused CIOS, as in Montgomery::mul
      const uint64_t bi = b[i];
      uint64_t s = t[0] + a[0] * bi;
      const uint64_t q = static_cast<Limb>(static_cast<Limb>(s) * m_inv_);
      uint64_t c1 = s >> 32;
      uint64_t c2 = (static_cast<Limb>(s) + q * m_[0]) >> 32;
      for (size_t j = 1; j < N; ++j) {
        s = t[j] + a[j] * bi + c1;
        c1 = s >> 32;
        const uint64_t s2 = static_cast<Limb>(s) + q * m_[j] + c2;
        c2 = s2 >> 32;
        t[j - 1] = static_cast<Limb>(s2);
      }
      s = t[N] + c1 + c2;
      t[N - 1] = static_cast<Limb>(s);
      t[N] = static_cast<Limb>(s >> 32);
    }
    // t < 2m: take t - m unless that borrows out of the (N+1)-limb value.
    Limb d[N];
    uint64_t borrow = 0;
    for (size_t i = 0; i < N; ++i) {
      const uint64_t diff = static_cast<uint64_t>(t[i]) - m_[i] - borrow;
      d[i] = static_cast<Limb>(diff);
      borrow = diff >> 63;
    }
    const bool keep_t = borrow > t[N];
    for (size_t i = 0; i < N; ++i) out[i] = keep_t ? t[i] : d[i];
  }

 private:
  Limb m_[N];
  Limb m_inv_;
};

/// out[0..an+bn) = a * b (schoolbook); out must not alias a or b.
void mul_full(const Limb* a, size_t an, const Limb* b, size_t bn, Limb* out);

}  // namespace fastevm::precompiles::bignum
