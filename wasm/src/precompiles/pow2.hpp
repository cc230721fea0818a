// Arithmetic modulo 2^k for MODEXP's even moduli: m = 2^k * q (q odd) is split by the CRT into an odd
// part (Montgomery) and a power-of-two part, where reduction is just truncation.
#pragma once
#include <cstddef>

#include "bignum.hpp"

namespace fastevm::precompiles::bignum {

/// out[0..n) = low n limbs of a[0..n) * b[0..n); out must not alias a or b.
void mul_low(const Limb* a, const Limb* b, Limb* out, size_t n);

/// Multiplication modulo 2^bits on ceil(bits/32) limbs.
class Pow2Modulus {
 public:
  explicit Pow2Modulus(size_t bits);
  size_t size() const { return n_; }
  void mul(const Limb* a, const Limb* b, Limb* out);
  void sqr(const Limb* a, Limb* out) { mul(a, a, out); }
  /// out = x mod 2^bits for x of xn limbs.
  void reduce(const Limb* x, size_t xn, Limb* out) const;
  /// out = q^-1 mod 2^bits for odd q of qn limbs (Newton: each step doubles the correct low bits).
  void inverse(const Limb* q, size_t qn, Limb* out);

 private:
  void mask(Limb* x) const;
  size_t n_;
  Limb top_mask_;
  Limbs tmp_;
};

}  // namespace fastevm::precompiles::bignum
