// Limb arithmetic behind MODEXP: long division (for reductions and R^2) and Montgomery multiplication
// for odd moduli. Even moduli are split by the CRT in modexp.cpp (odd part here, 2^k part in pow2.cpp).
#include "bignum.hpp"

#include <algorithm>
#include <cstring>

namespace fastevm::precompiles::bignum {

Limbs from_be_bytes(const uint8_t* bytes, size_t len) {
  size_t start = 0;
  while (start < len && bytes[start] == 0) ++start;
  const size_t sig = len - start;
  Limbs out((sig + 3) / 4, 0);
  for (size_t i = 0; i < sig; ++i) {
    const size_t bit_pos = 8 * i;  // counted from the least significant end
    out[bit_pos / 32] |= static_cast<Limb>(bytes[len - 1 - i]) << (bit_pos % 32);
  }
  return out;
}

void to_be_bytes(const Limb* x, size_t n, uint8_t* out, size_t out_len) {
  std::memset(out, 0, out_len);
  for (size_t i = 0; i < n * 4 && i < out_len; ++i) {
    out[out_len - 1 - i] = static_cast<uint8_t>(x[i / 4] >> (8 * (i % 4)));
  }
}

void mod(const Limb* u, size_t un, const Limb* v, size_t vn, Limb* r, Limbs& scratch) {
  if (vn == 1) {
    uint64_t rem = 0;
    for (size_t i = un; i-- > 0;) rem = ((rem << 32) | u[i]) % v[0];
    r[0] = static_cast<Limb>(rem);
    return;
  }
  if (un < vn) {  // u < v because v's top limb is non-zero
    if (un > 0) std::memcpy(r, u, un * sizeof(Limb));
    std::fill(r + un, r + vn, 0);
    return;
  }
  // Normalise so the divisor's top bit is set: this bounds the quotient-digit estimate error to 2.
  const int shift = __builtin_clz(v[vn - 1]);
  scratch.resize(vn + un + 1);  // every limb is written below
  Limb* vs = scratch.data();
  Limb* us = vs + vn;
  for (size_t i = vn; i-- > 0;) {
    vs[i] = shift == 0 ? v[i] : (v[i] << shift) | (i > 0 ? v[i - 1] >> (32 - shift) : 0);
  }
  us[un] = shift == 0 ? 0 : u[un - 1] >> (32 - shift);
  for (size_t i = un; i-- > 0;) {
    us[i] = shift == 0 ? u[i] : (u[i] << shift) | (i > 0 ? u[i - 1] >> (32 - shift) : 0);
  }
  const uint64_t top = vs[vn - 1];
  const uint64_t second = vs[vn - 2];
  for (size_t j = un - vn + 1; j-- > 0;) {
    const uint64_t num = (static_cast<uint64_t>(us[j + vn]) << 32) | us[j + vn - 1];
    uint64_t qhat = num / top;
    uint64_t rhat = num % top;
    while (qhat >> 32 != 0 || qhat * second > ((rhat << 32) | us[j + vn - 2])) {
      --qhat;
      rhat += top;
      if (rhat >> 32 != 0) break;
    }
    // us[j..j+vn] -= qhat * vs
    uint64_t carry = 0;
    int64_t borrow = 0;
    for (size_t i = 0; i < vn; ++i) {
      const uint64_t p = qhat * vs[i] + carry;
      carry = p >> 32;
      const int64_t t = static_cast<int64_t>(us[i + j]) - borrow - static_cast<int64_t>(p & 0xffffffffULL);
      us[i + j] = static_cast<Limb>(t);
      borrow = t < 0 ? 1 : 0;
    }
    const int64_t t = static_cast<int64_t>(us[j + vn]) - borrow - static_cast<int64_t>(carry);
    us[j + vn] = static_cast<Limb>(t);
    if (t < 0) {  // the estimate was one too large (rare): add the divisor back
      uint64_t c = 0;
      for (size_t i = 0; i < vn; ++i) {
        const uint64_t s = static_cast<uint64_t>(us[i + j]) + vs[i] + c;
        us[i + j] = static_cast<Limb>(s);
        c = s >> 32;
      }
      us[j + vn] = static_cast<Limb>(us[j + vn] + c);
    }
  }
  for (size_t i = 0; i < vn; ++i) {
    r[i] = shift == 0 ? us[i] : (us[i] >> shift) | (us[i + 1] << (32 - shift));
  }
}

Montgomery::Montgomery(const Limbs& modulus)
    : m_(modulus), n_(modulus.size()), t_(modulus.size() + 2), wide_(2 * modulus.size() + 2) {
  // Newton iteration doubles the correct low bits of the inverse each step: 1 -> 2 -> ... -> 32.
  Limb inv = 1;
  for (int i = 0; i < 5; ++i) inv *= 2 - m_[0] * inv;
  m_inv_ = static_cast<Limb>(0u - inv);
  Limbs r2_wide(2 * n_ + 1, 0);
  r2_wide[2 * n_] = 1;
  r2_.assign(n_, 0);
  mod(r2_wide.data(), r2_wide.size(), m_.data(), n_, r2_.data(), scratch_);
}

void Montgomery::mul(const Limb* a, const Limb* b, Limb* out) {
  const size_t n = n_;
  Limb* t = t_.data();
  const Limb* m = m_.data();
  for (size_t j = 0; j <= n; ++j) t[j] = 0;
  // CIOS with the multiply and reduce passes fused: each step adds a*b[i] and q*m, where q makes the
  // low limb vanish, and shifts down one limb. Two carries keep every sum below 2^64.
  for (size_t i = 0; i < n; ++i) {
    const uint64_t bi = b[i];
    uint64_t s = t[0] + a[0] * bi;
    const uint64_t q = static_cast<Limb>(static_cast<Limb>(s) * m_inv_);
    uint64_t c1 = s >> 32;
    uint64_t c2 = (static_cast<Limb>(s) + q * m[0]) >> 32;
    for (size_t j = 1; j < n; ++j) {
      s = t[j] + a[j] * bi + c1;
      c1 = s >> 32;
      const uint64_t s2 = static_cast<Limb>(s) + q * m[j] + c2;
      c2 = s2 >> 32;
      t[j - 1] = static_cast<Limb>(s2);
    }
    s = t[n] + c1 + c2;
    t[n - 1] = static_cast<Limb>(s);
    t[n] = static_cast<Limb>(s >> 32);
  }
  finish(t, out);
}

void Montgomery::sqr(const Limb* a, Limb* out) {
  const size_t n = n_;
  if (n < kSqrThreshold) {
    mul(a, a, out);
    return;
  }
  // Separated operand scanning: the square costs ~n^2/2 products (cross terms once, doubled) ...
  Limb* w = wide_.data();
  for (size_t k = 0; k < 2 * n + 1; ++k) w[k] = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    const uint64_t ai = a[i];
    uint64_t c = 0;
    for (size_t j = i + 1; j < n; ++j) {
      const uint64_t s = w[i + j] + ai * a[j] + c;
      w[i + j] = static_cast<Limb>(s);
      c = s >> 32;
    }
    w[i + n] = static_cast<Limb>(c);
  }
  Limb top = 0;
  for (size_t k = 0; k < 2 * n; ++k) {
    const Limb next = w[k] >> 31;
    w[k] = (w[k] << 1) | top;
    top = next;
  }
  uint64_t c = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t sq = static_cast<uint64_t>(a[i]) * a[i];
    uint64_t s = static_cast<uint64_t>(w[2 * i]) + static_cast<Limb>(sq) + c;
    w[2 * i] = static_cast<Limb>(s);
    s = static_cast<uint64_t>(w[2 * i + 1]) + (sq >> 32) + (s >> 32);
    w[2 * i + 1] = static_cast<Limb>(s);
    c = s >> 32;
  }
  // ... then n reduction steps, each clearing the lowest remaining limb with a multiple of m.
  const Limb* m = m_.data();
  uint64_t overflow = 0;  // carry out of the top limb reached so far
  for (size_t i = 0; i < n; ++i) {
    const uint64_t q = static_cast<Limb>(w[i] * m_inv_);
    uint64_t carry = 0;
    for (size_t j = 0; j < n; ++j) {
      const uint64_t s = w[i + j] + q * m[j] + carry;
      w[i + j] = static_cast<Limb>(s);
      carry = s >> 32;
    }
    const uint64_t s = w[i + n] + carry + overflow;
    w[i + n] = static_cast<Limb>(s);
    overflow = s >> 32;
  }
  w[2 * n] = static_cast<Limb>(overflow);
  finish(w + n, out);
}

void Montgomery::finish(const Limb* t, Limb* out) const {
  const size_t n = n_;
  const Limb* m = m_.data();
  // t (n+1 limbs) is < 2m: subtract m once if needed.
  bool ge = t[n] != 0;
  if (!ge) {
    ge = true;
    for (size_t i = n; i-- > 0;) {
      if (t[i] != m[i]) {
        ge = t[i] > m[i];
        break;
      }
    }
  }
  if (ge) {
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t d = static_cast<uint64_t>(t[i]) - m[i] - borrow;
      out[i] = static_cast<Limb>(d);
      borrow = d >> 63;
    }
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = t[i];
  }
}

void Montgomery::to_mont(const Limb* x, size_t xn, Limb* out) {
  Limbs reduced(n_, 0);
  mod(x, xn, m_.data(), n_, reduced.data(), scratch_);
  mul(reduced.data(), r2_.data(), out);
}

void Montgomery::from_mont(const Limb* a, Limb* out) {
  Limbs one(n_, 0);
  one[0] = 1;
  mul(a, one.data(), out);
}

void mul_full(const Limb* a, size_t an, const Limb* b, size_t bn, Limb* out) {
  std::fill(out, out + an + bn, 0);
  for (size_t i = 0; i < an; ++i) {
    const uint64_t ai = a[i];
    uint64_t c = 0;
    for (size_t j = 0; j < bn; ++j) {
      const uint64_t s = out[i + j] + ai * b[j] + c;
      out[i + j] = static_cast<Limb>(s);
      c = s >> 32;
    }
    out[i + bn] = static_cast<Limb>(c);
  }
}

}  // namespace fastevm::precompiles::bignum
