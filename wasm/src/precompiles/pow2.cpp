// Truncated products and inverses modulo 2^k (see pow2.hpp).
#include "pow2.hpp"

#include <algorithm>

namespace fastevm::precompiles::bignum {

void mul_low(const Limb* a, const Limb* b, Limb* out, size_t n) {
  std::fill(out, out + n, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t ai = a[i];
    uint64_t c = 0;
    for (size_t j = 0; i + j < n; ++j) {  // products landing at limb n or above are dropped
      const uint64_t s = out[i + j] + ai * b[j] + c;
      out[i + j] = static_cast<Limb>(s);
      c = s >> 32;
    }
  }
}

Pow2Modulus::Pow2Modulus(size_t bits)
    : n_((bits + 31) / 32),
      top_mask_(bits % 32 == 0 ? ~Limb{0} : (Limb{1} << (bits % 32)) - 1),
      tmp_(2 * ((bits + 31) / 32)) {}

void Pow2Modulus::mask(Limb* x) const { x[n_ - 1] &= top_mask_; }

void Pow2Modulus::mul(const Limb* a, const Limb* b, Limb* out) {
  Limb* t = tmp_.data();
  mul_low(a, b, t, n_);
  mask(t);
  std::copy(t, t + n_, out);
}

void Pow2Modulus::reduce(const Limb* x, size_t xn, Limb* out) const {
  for (size_t i = 0; i < n_; ++i) out[i] = i < xn ? x[i] : 0;
  mask(out);
}

void Pow2Modulus::inverse(const Limb* q, size_t qn, Limb* out) {
  Limbs qq(n_, 0);
  for (size_t i = 0; i < n_ && i < qn; ++i) qq[i] = q[i];
  // 32 correct bits from the one-limb Newton iteration, then x <- x * (2 - q*x) on all n limbs.
  Limb inv = 1;
  for (int i = 0; i < 5; ++i) inv *= 2 - qq[0] * inv;
  Limbs x(n_, 0);
  x[0] = inv;
  Limbs qx(n_);
  Limbs two_minus(n_);
  for (size_t correct = 32; correct < 32 * n_; correct *= 2) {
    mul_low(qq.data(), x.data(), qx.data(), n_);
    // two_minus = 2 - qx (mod 2^(32n)): negate and add 2.
    uint64_t carry = 2;
    for (size_t i = 0; i < n_; ++i) {
      const uint64_t s = static_cast<uint64_t>(static_cast<Limb>(~qx[i])) + carry + (i == 0 ? 1 : 0);
      two_minus[i] = static_cast<Limb>(s);
      carry = s >> 32;
    }
    mul_low(x.data(), two_minus.data(), out, n_);
    std::copy(out, out + n_, x.begin());
  }
  std::copy(x.begin(), x.end(), out);
  mask(out);
}

}  // namespace fastevm::precompiles::bignum
