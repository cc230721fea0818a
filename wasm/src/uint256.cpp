// Long division for DIV/MOD/ADDMOD/MULMOD: Knuth's algorithm D over 64-bit limbs. Quotient digits are
// estimated with the reciprocal-based 2-by-1 division of Moller & Granlund ("Improved division by invariant
// integers", 2011), so the loop needs multiplications only; the reciprocal of the divisor's top limb is
// cached, since MULMOD/ADDMOD loops (elliptic-curve code) keep dividing by the same modulus.
#include "uint256.hpp"

namespace fastevm {

namespace {

struct U128 {
  uint64_t hi, lo;
};

inline U128 mul128(uint64_t a, uint64_t b) {
  U128 r;
  r.lo = mul_wide(a, b, r.hi);
  return r;
}

/// floor((2^128 - 1) / d) - 2^64 for a normalised d (top bit set).
uint64_t reciprocal(uint64_t d) {
  static uint64_t cached_d = 0, cached_v = 0;
  if (d == cached_d) return cached_v;
  const unsigned __int128 num = (static_cast<unsigned __int128>(~d) << 64) | ~0ull;
  cached_v = static_cast<uint64_t>(num / d);
  cached_d = d;
  return cached_v;
}

/// (u1:u0) / d with u1 < d, d normalised, v = reciprocal(d); returns the quotient, sets the remainder.
inline uint64_t div2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v, uint64_t& rem) {
  U128 q = mul128(v, u1);
  const uint64_t lo = q.lo + u0;
  q.hi += u1 + (lo < u0 ? 1 : 0);
  q.lo = lo;
  uint64_t q1 = q.hi + 1;
  uint64_t r = u0 - q1 * d;
  if (r > q.lo) {
    --q1;
    r += d;
  }
  if (r >= d) {
    ++q1;
    r -= d;
  }
  rem = r;
  return q1;
}

int limbs_of(const uint64_t* x, int n) {
  while (n > 0 && x[n - 1] == 0) --n;
  return n;
}

/// The main loop of algorithm D for an N-limb divisor (N >= 2), constant bounds so the limb loops unroll.
template <int N>
void knuth_loop(uint64_t* un, const uint64_t* vn_in, int m, uint64_t* q) {
  uint64_t vn[static_cast<size_t>(N)];
  for (int i = 0; i < N; ++i) vn[i] = vn_in[i];
  const uint64_t d1 = vn[N - 1], d0 = vn[N - 2];
  const uint64_t v = reciprocal(d1);
  for (int j = m - N; j >= 0; --j) {
    const uint64_t u2 = un[j + N], u1 = un[j + N - 1], u0 = un[j + N - 2];
    uint64_t qhat, rhat;
    bool rhat_overflow = false;
    if (u2 >= d1) {  // the digit would overflow: start from the largest one
      qhat = ~0ull;
      rhat = u1 + d1;
      rhat_overflow = rhat < u1;
    } else {
      qhat = div2by1(u2, u1, d1, v, rhat);
    }
    // at most two corrections make qhat exact or one too large (Knuth's test on the next limb)
    while (!rhat_overflow) {
      const U128 p = mul128(qhat, d0);
      if (p.hi < rhat || (p.hi == rhat && p.lo <= u0)) break;
      --qhat;
      const uint64_t nr = rhat + d1;
      rhat_overflow = nr < rhat;
      rhat = nr;
    }
    // multiply and subtract
    uint64_t borrow = 0, carry = 0;
    for (int i = 0; i < N; ++i) {
      U128 p = mul128(qhat, vn[i]);
      p.lo += carry;
      p.hi += p.lo < carry ? 1 : 0;
      carry = p.hi;
      const uint64_t x = un[i + j];
      const uint64_t t = x - p.lo;
      const uint64_t b1 = x < p.lo ? 1 : 0;
      un[i + j] = t - borrow;
      borrow = b1 + (t < borrow ? 1 : 0);
    }
    const uint64_t top = un[j + N];
    const uint64_t t = top - carry;
    const uint64_t b1 = top < carry ? 1 : 0;
    un[j + N] = t - borrow;
    const bool negative = (b1 + (t < borrow ? 1 : 0)) != 0;
    if (negative) {
      // qhat was one too large: add the divisor back
      --qhat;
      uint64_t c = 0;
      for (int i = 0; i < N; ++i) {
        const uint64_t s1 = un[i + j] + c;
        const uint64_t c1 = s1 < c ? 1 : 0;
        const uint64_t s2 = s1 + vn[i];
        un[i + j] = s2;
        c = c1 + (s2 < vn[i] ? 1 : 0);
      }
      un[j + N] += c;
    }
    q[j] = qhat;
  }
}

}  // namespace

void divmod_limbs(const uint64_t* num, int num_limbs, const u256& den, uint64_t* quot, u256& rem) {
  uint64_t q[8] = {};
  rem = U256_ZERO;
  const int m = limbs_of(num, num_limbs);
  const int n = limbs_of(den.w, 4);
  if (m < n) {
    for (int i = 0; i < m; ++i) rem.w[i] = num[i];
  } else {
    // normalise so the divisor's top limb has its high bit set
    const int s = __builtin_clzll(den.w[n - 1]);
    uint64_t vn[4] = {};
    uint64_t un[9] = {};
    for (int i = n - 1; i > 0; --i) vn[i] = s == 0 ? den.w[i] : (den.w[i] << s) | (den.w[i - 1] >> (64 - s));
    vn[0] = den.w[0] << s;
    un[m] = s == 0 ? 0 : num[m - 1] >> (64 - s);
    for (int i = m - 1; i > 0; --i) un[i] = s == 0 ? num[i] : (num[i] << s) | (num[i - 1] >> (64 - s));
    un[0] = num[0] << s;
    switch (n) {
      case 1: {
        const uint64_t d = vn[0], v = reciprocal(d);
        uint64_t r = un[m];
        for (int i = m - 1; i >= 0; --i) q[i] = div2by1(r, un[i], d, v, r);
        un[0] = r;
        un[1] = 0;
        break;
      }
      case 2: knuth_loop<2>(un, vn, m, q); break;
      case 3: knuth_loop<3>(un, vn, m, q); break;
      default: knuth_loop<4>(un, vn, m, q); break;
    }
    for (int i = 0; i < n; ++i) rem.w[i] = s == 0 ? un[i] : (un[i] >> s) | (un[i + 1] << (64 - s));
  }
  if (quot != nullptr)
    for (int i = 0; i < 4; ++i) quot[i] = q[i];
}

}  // namespace fastevm
