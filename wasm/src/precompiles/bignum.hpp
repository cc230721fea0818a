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

/// out[0..an+bn) = a * b (schoolbook); out must not alias a or b.
void mul_full(const Limb* a, size_t an, const Limb* b, size_t bn, Limb* out);

}  // namespace fastevm::precompiles::bignum
