// Long division for DIV/MOD/ADDMOD/MULMOD: Knuth's algorithm D over 32-bit digits, so every step is a
// 64-by-32 operation that wasm32 has as a single instruction.
#include "uint256.hpp"

namespace fastevm {

namespace {

int digits_of(const uint32_t* d, int n) {
  while (n > 0 && d[n - 1] == 0) --n;
  return n;
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
  } else if (n == 1) {
    // single-digit divisor: short division
    uint64_t rr = 0;
    for (int i = m - 1; i >= 0; --i) {
      const uint64_t cur = (rr << 32) | u[i];
      q[i] = static_cast<uint32_t>(cur / v[0]);
      rr = cur % v[0];
    }
    r[0] = static_cast<uint32_t>(rr);
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
    for (int j = m - n; j >= 0; --j) {
      const uint64_t top = (static_cast<uint64_t>(un[j + n]) << 32) | un[j + n - 1];
      uint64_t qhat = top / vn[n - 1];
      uint64_t rhat = top % vn[n - 1];
      while (qhat >= (1ull << 32) || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
        --qhat;
        rhat += vn[n - 1];
        if (rhat >= (1ull << 32)) break;
      }
      // multiply and subtract
      int64_t borrow = 0;
      uint64_t carry = 0;
      for (int i = 0; i < n; ++i) {
        const uint64_t p = qhat * vn[i] + carry;
        carry = p >> 32;
        const int64_t t = static_cast<int64_t>(un[i + j]) - borrow - static_cast<int64_t>(p & 0xffffffffu);
        un[i + j] = static_cast<uint32_t>(t);
        borrow = t < 0 ? 1 : 0;
      }
      const int64_t t = static_cast<int64_t>(un[j + n]) - borrow - static_cast<int64_t>(carry);
      un[j + n] = static_cast<uint32_t>(t);
      if (t < 0) {
        // qhat was one too large: add the divisor back
        --qhat;
        uint64_t c = 0;
        for (int i = 0; i < n; ++i) {
          const uint64_t sum = static_cast<uint64_t>(un[i + j]) + vn[i] + c;
          un[i + j] = static_cast<uint32_t>(sum);
          c = sum >> 32;
        }
        un[j + n] = static_cast<uint32_t>(un[j + n] + c);
      }
      q[j] = static_cast<uint32_t>(qhat);
    }
    for (int i = 0; i < n; ++i)
      r[i] = s == 0 ? un[i] : (un[i] >> s) | static_cast<uint32_t>(static_cast<uint64_t>(un[i + 1]) << (32 - s));
  }
  for (int i = 0; i < 4; ++i) rem.w[i] = static_cast<uint64_t>(r[2 * i]) | (static_cast<uint64_t>(r[2 * i + 1]) << 32);
  if (quot != nullptr)
    for (int i = 0; i < 4; ++i) quot[i] = static_cast<uint64_t>(q[2 * i]) | (static_cast<uint64_t>(q[2 * i + 1]) << 32);
}

}  // namespace fastevm
