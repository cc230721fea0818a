// Long division for DIV/MOD/ADDMOD/MULMOD: Knuth's algorithm D over 32-bit digits, so every step is a
// 64-by-32 operation that wasm32 has as a single instruction.
#include "uint256.hpp"

namespace fastevm {

namespace {

int digits_of(const uint32_t* d, int n) {
  while (n > 0 && d[n - 1] == 0) --n;
  return n;
}

/// Reciprocal of a normalised 32-bit divisor for div2by1: floor((2^64 - 1) / d) - 2^32.
inline uint32_t reciprocal(uint32_t d) { return static_cast<uint32_t>(~0ull / d - (1ull << 32)); }

/// (u1:u0) / d with u1 < d, d normalised, by multiplication with the reciprocal (Moller-Granlund 2011,
/// algorithm 4): a hardware 64-bit division costs tens of cycles, this costs two multiplies.
inline uint32_t div2by1(uint64_t u, uint32_t d, uint32_t v, uint32_t& rem) {
  const uint32_t u1 = static_cast<uint32_t>(u >> 32), u0 = static_cast<uint32_t>(u);
  const uint64_t q = static_cast<uint64_t>(v) * u1 + u;
  uint32_t q1 = static_cast<uint32_t>(q >> 32) + 1;
  const uint32_t q0 = static_cast<uint32_t>(q);
  uint32_t r = u0 - q1 * d;
  if (r > q0) {
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

/// The main loop of algorithm D for an N-digit divisor (N >= 2), so the digit loops have constant bounds.
template <int N>
void knuth_loop(uint32_t* un, const uint32_t* vn, int m, uint32_t d1, uint32_t recip, uint32_t* q) {
  for (int j = m - N; j >= 0; --j) {
    uint64_t qhat, rhat;
    if (un[j + N] >= d1) {  // quotient digit would overflow: start from the largest digit
      qhat = 0xffffffffu;
      rhat = static_cast<uint64_t>(un[j + N - 1]) + d1;
    } else {
      uint32_t r32;
      qhat = div2by1((static_cast<uint64_t>(un[j + N]) << 32) | un[j + N - 1], d1, recip, r32);
      rhat = r32;
    }
    while (rhat < (1ull << 32) && qhat * vn[N - 2] > ((rhat << 32) | un[j + N - 2])) {
      --qhat;
      rhat += d1;
    }
    // multiply and subtract; a negative difference wraps, so bit 63 is the borrow
    uint64_t borrow = 0, carry = 0;
    for (int i = 0; i < N; ++i) {
      const uint64_t p = qhat * vn[i] + carry;
      carry = p >> 32;
      const uint64_t t = static_cast<uint64_t>(un[i + j]) - (p & 0xffffffffu) - borrow;
      un[i + j] = static_cast<uint32_t>(t);
      borrow = t >> 63;
    }
    const uint64_t t = static_cast<uint64_t>(un[j + N]) - carry - borrow;
    un[j + N] = static_cast<uint32_t>(t);
    if ((t >> 63) != 0) {
      // qhat was one too large: add the divisor back
      --qhat;
      uint64_t c = 0;
      for (int i = 0; i < N; ++i) {
        const uint64_t sum = static_cast<uint64_t>(un[i + j]) + vn[i] + c;
        un[i + j] = static_cast<uint32_t>(sum);
        c = sum >> 32;
      }
      un[j + N] = static_cast<uint32_t>(un[j + N] + c);
    }
    q[j] = static_cast<uint32_t>(qhat);
  }
}

}  // namespace

void divmod_limbs(const uint64_t* num, int num_limbs, const u256& den, uint64_t* quot, u256& rem) {
  uint32_t u[17] = {};  // numerator digits plus one for normalisation
  uint32_t v[8] = {};
  uint32_t q[16] = {};
  for (int i = 0; i < num_limbs; ++i) {
    u[2 * i] = static_cast<uint32_t>(num[i]);
    u[2 * i + 1] = static_cast<uint32_t>(num[i] >> 32);
  }
  for (int i = 0; i < 4; ++i) {
    v[2 * i] = static_cast<uint32_t>(den.w[i]);
    v[2 * i + 1] = static_cast<uint32_t>(den.w[i] >> 32);
  }
  const int m = digits_of(u, 2 * num_limbs);
  const int n = digits_of(v, 8);
  uint32_t r[8] = {};
  if (m < n) {
    for (int i = 0; i < m; ++i) r[i] = u[i];
  } else {
    // normalise so the divisor's top digit has its high bit set
    const int s = __builtin_clz(v[n - 1]);
    uint32_t vn[8] = {};
    uint32_t un[17] = {};
    for (int i = n - 1; i > 0; --i)
      vn[i] = s == 0 ? v[i] : (v[i] << s) | (v[i - 1] >> (32 - s));
    vn[0] = v[0] << s;
    un[m] = s == 0 ? 0 : u[m - 1] >> (32 - s);
    for (int i = m - 1; i > 0; --i)
      un[i] = s == 0 ? u[i] : (u[i] << s) | (u[i - 1] >> (32 - s));
    un[0] = u[0] << s;
    const uint32_t d1 = vn[n - 1];
    const uint32_t recip = reciprocal(d1);
    if (n == 1) {
      // single-digit divisor: short division
      uint32_t rr = un[m];
      for (int i = m - 1; i >= 0; --i) q[i] = div2by1((static_cast<uint64_t>(rr) << 32) | un[i], d1, recip, rr);
      r[0] = rr >> s;
    } else {
    switch (n) {
      case 2: knuth_loop<2>(un, vn, m, d1, recip, q); break;
      case 3: knuth_loop<3>(un, vn, m, d1, recip, q); break;
      case 4: knuth_loop<4>(un, vn, m, d1, recip, q); break;
      case 5: knuth_loop<5>(un, vn, m, d1, recip, q); break;
      case 6: knuth_loop<6>(un, vn, m, d1, recip, q); break;
      case 7: knuth_loop<7>(un, vn, m, d1, recip, q); break;
      default: knuth_loop<8>(un, vn, m, d1, recip, q); break;
    }
    for (int i = 0; i < n; ++i)
      r[i] = s == 0 ? un[i] : (un[i] >> s) | static_cast<uint32_t>(static_cast<uint64_t>(un[i + 1]) << (32 - s));
    }
  }
  for (int i = 0; i < 4; ++i) rem.w[i] = static_cast<uint64_t>(r[2 * i]) | (static_cast<uint64_t>(r[2 * i + 1]) << 32);
  if (quot != nullptr)
    for (int i = 0; i < 4; ++i) quot[i] = static_cast<uint64_t>(q[2 * i]) | (static_cast<uint64_t>(q[2 * i + 1]) << 32);
}

}  // namespace fastevm
