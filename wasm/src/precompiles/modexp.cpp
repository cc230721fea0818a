// MODEXP: header of three 32-byte big-endian lengths, then base, exponent and modulus bytes.
// Exponentiation is left-to-right sliding window over the exponent bits, read in place from the
// input (the exponent can be megabytes long and is never copied).
#include "modexp.hpp"

#include <algorithm>
#include <cstring>

#include "bignum.hpp"
#include "pow2.hpp"

namespace fastevm::precompiles {
namespace {

using bignum::Limb;
using bignum::Limbs;

constexpr uint64_t kSaturated = UINT64_MAX;

/// Byte `index` of the input as if it were followed by infinitely many zeros.
inline uint8_t byte_at(const uint8_t* input, size_t len, uint64_t index) { return index < len ? input[index] : 0; }

/// A 32-byte big-endian length field, saturated when it does not fit 64 bits.
uint64_t read_length(const uint8_t* input, size_t len, uint64_t offset) {
  uint64_t value = 0;
  for (uint64_t i = 0; i < 32; ++i) {
    const uint8_t b = byte_at(input, len, offset + i);
    if (i < 24) {
      if (b != 0) return kSaturated;
    } else {
      value = (value << 8) | b;
    }
  }
  return value;
}

inline uint64_t sat_add(uint64_t a, uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }

/// Bit length of the first min(exp_len, 32) exponent bytes read as a big-endian integer.
uint64_t exponent_head_bits(const uint8_t* input, size_t len, uint64_t exp_offset, uint64_t exp_len) {
  if (exp_offset >= len) return 0;  // all padding; also keeps exp_offset + i from overflowing
  const uint64_t head_len = std::min<uint64_t>(exp_len, 32);
  for (uint64_t i = 0; i < head_len; ++i) {
    const uint8_t b = byte_at(input, len, exp_offset + i);
    if (b != 0) return 8 * (head_len - i) - static_cast<uint64_t>(__builtin_clz(b) - 24);
  }
  return 0;
}

/// Reads exponent bits MSB-first from the (virtually zero-padded) input.
class ExponentBits {
 public:
  ExponentBits(const uint8_t* input, size_t len, uint64_t offset, uint64_t exp_len)
      : input_(input), len_(len), offset_(offset), total_(exp_len * 8) {}
  uint64_t total() const { return total_; }
  unsigned bit(uint64_t pos) const { return (byte_at(input_, len_, offset_ + pos / 8) >> (7 - pos % 8)) & 1u; }
  /// Position of the most significant set bit, or total() when the exponent is zero.
  uint64_t first_set() const {
    const uint64_t bytes = total_ / 8;
    const uint64_t present = offset_ < len_ ? std::min<uint64_t>(bytes, len_ - offset_) : 0;
    for (uint64_t i = 0; i < present; ++i) {
      const uint8_t b = input_[offset_ + i];
      if (b != 0) return 8 * i + static_cast<uint64_t>(__builtin_clz(b) - 24);
    }
    return total_;
  }

 private:
  const uint8_t* input_;
  size_t len_;
  uint64_t offset_;
  uint64_t total_;
};

/// Window width that minimises squarings+multiplications for an exponent of `bits` bits.
int window_for(uint64_t bits) {
  if (bits <= 24) return 1;
  if (bits <= 80) return 3;
  if (bits <= 240) return 4;
  if (bits <= 768) return 5;
  return 6;
}

/// acc = x^e in the ring's representation; `x` is already reduced (and in the ring's form).
template <class Ring>
void power(Ring& ring, const Limb* x, const ExponentBits& e, uint64_t start, Limb* acc) {
  const size_t n = ring.size();
  const uint64_t total = e.total();
  const int w = window_for(total - start);
  // table[k] = x^(2k+1): only odd powers are needed because windows end on a set bit.
  const size_t entries = size_t{1} << (w - 1);
  Limbs table(entries * n);
  std::memcpy(table.data(), x, n * sizeof(Limb));
  if (entries > 1) {
    Limbs x2(n);
    ring.sqr(x, x2.data());
    for (size_t k = 1; k < entries; ++k) ring.mul(&table[(k - 1) * n], x2.data(), &table[k * n]);
  }
  bool first = true;
  uint64_t pos = start;
  while (pos < total) {
    if (e.bit(pos) == 0) {
      ring.sqr(acc, acc);
      ++pos;
      continue;
    }
    uint64_t width = std::min<uint64_t>(static_cast<uint64_t>(w), total - pos);
    while (e.bit(pos + width - 1) == 0) --width;
    size_t value = 0;
    for (uint64_t i = 0; i < width; ++i) value = (value << 1) | e.bit(pos + i);
    const Limb* odd_power = &table[(value >> 1) * n];
    if (first) {
      std::memcpy(acc, odd_power, n * sizeof(Limb));
      first = false;
    } else {
      for (uint64_t i = 0; i < width; ++i) ring.sqr(acc, acc);
      ring.mul(acc, odd_power, acc);
    }
    pos += width;
  }
}

template <size_t N>
void fixed_power(const bignum::Montgomery& ring, const Limb* x, const ExponentBits& e, uint64_t start, Limb* acc) {
  bignum::FixedMontgomery<N> fixed(ring.modulus(), ring.m_inv());
  power(fixed, x, e, start, acc);
}

/// Odd-modulus exponentiation in Montgomery form; `out` has q.size() limbs. Moduli up to 256 bits
/// use the unrolled fixed-size multiplier.
void odd_power(const Limbs& q, const Limbs& base, const ExponentBits& e, uint64_t start, Limb* out) {
  bignum::Montgomery ring(q);
  Limbs x(q.size(), 0);
  Limbs acc(q.size(), 0);
  ring.to_mont(base.data(), base.size(), x.data());
  switch (q.size()) {
    case 1: fixed_power<1>(ring, x.data(), e, start, acc.data()); break;
    case 2: fixed_power<2>(ring, x.data(), e, start, acc.data()); break;
    case 3: fixed_power<3>(ring, x.data(), e, start, acc.data()); break;
    case 4: fixed_power<4>(ring, x.data(), e, start, acc.data()); break;
    case 5: fixed_power<5>(ring, x.data(), e, start, acc.data()); break;
    case 6: fixed_power<6>(ring, x.data(), e, start, acc.data()); break;
    case 7: fixed_power<7>(ring, x.data(), e, start, acc.data()); break;
    case 8: fixed_power<8>(ring, x.data(), e, start, acc.data()); break;
    default: power(ring, x.data(), e, start, acc.data()); break;
  }
  ring.from_mont(acc.data(), out);
}

/// Even modulus m = 2^k * q (q odd): r1 = x^e mod q, r2 = x^e mod 2^k, then Garner's recombination
/// r = r1 + q * ((r2 - r1) * q^-1 mod 2^k), which is < m. Avoids long division in the hot loop.
void even_power(const Limbs& m, const Limbs& base, const ExponentBits& e, uint64_t start, Limb* out) {
  size_t k = 0;
  while (m[k / 32] == 0) k += 32;
  k += static_cast<size_t>(__builtin_ctz(m[k / 32]));
  // q = m >> k
  Limbs q(m.size() - k / 32, 0);
  const unsigned shift = k % 32;
  for (size_t i = 0; i < q.size(); ++i) {
    const Limb lo = m[i + k / 32];
    const Limb hi = i + k / 32 + 1 < m.size() ? m[i + k / 32 + 1] : 0;
    q[i] = shift == 0 ? lo : (lo >> shift) | (hi << (32 - shift));
  }
  while (q.size() > 1 && q.back() == 0) q.pop_back();

  bignum::Pow2Modulus p2(k);
  const size_t n2 = p2.size();
  Limbs x2(n2, 0);
  Limbs r2(n2, 0);
  p2.reduce(base.data(), base.size(), x2.data());
  power(p2, x2.data(), e, start, r2.data());

  Limbs r1(q.size(), 0);  // x^e mod 1 = 0
  if (q.size() > 1 || q[0] != 1) odd_power(q, base, e, start, r1.data());

  Limbs d(n2, 0);  // (r2 - r1) mod 2^k
  uint64_t borrow = 0;
  for (size_t i = 0; i < n2; ++i) {
    const uint64_t diff = static_cast<uint64_t>(r2[i]) - (i < r1.size() ? r1[i] : 0) - borrow;
    d[i] = static_cast<Limb>(diff);
    borrow = diff >> 63;
  }
  p2.reduce(d.data(), n2, d.data());
  Limbs q_inv(n2, 0);
  p2.inverse(q.data(), q.size(), q_inv.data());
  Limbs y(n2, 0);
  p2.mul(d.data(), q_inv.data(), y.data());

  Limbs r(q.size() + n2 + 1, 0);
  bignum::mul_full(q.data(), q.size(), y.data(), n2, r.data());
  uint64_t carry = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const uint64_t s = static_cast<uint64_t>(r[i]) + (i < r1.size() ? r1[i] : 0) + carry;
    r[i] = static_cast<Limb>(s);
    carry = s >> 32;
  }
  std::copy(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(m.size()), out);  // r < m fits m's limbs
}

}  // namespace

uint64_t modexp_gas(const uint8_t* input, size_t input_len) {
  const uint64_t base_len = read_length(input, input_len, 0);
  const uint64_t exp_len = read_length(input, input_len, 32);
  const uint64_t mod_len = read_length(input, input_len, 64);
  const uint64_t max_len = std::max(base_len, mod_len);
  const uint64_t words = max_len / 8 + (max_len % 8 != 0 ? 1 : 0);
  if (words == 0) return 200;
  const unsigned __int128 complexity = static_cast<unsigned __int128>(words) * words;

  const uint64_t exp_offset = sat_add(96, base_len);
  const uint64_t head_bits = exponent_head_bits(input, input_len, exp_offset, exp_len);
  uint64_t iterations;
  if (exp_len <= 32) {
    iterations = head_bits == 0 ? 0 : head_bits - 1;
  } else {
    const uint64_t length_part = (exp_len - 32) > kSaturated / 8 ? kSaturated : 8 * (exp_len - 32);
    iterations = sat_add(length_part, head_bits == 0 ? 0 : head_bits - 1);
  }
  iterations = std::max<uint64_t>(iterations, 1);

  // complexity < 2^128 and iterations < 2^64: saturate instead of forming a 192-bit product.
  if (complexity > static_cast<unsigned __int128>(kSaturated)) return kSaturated;
  const unsigned __int128 product = complexity * iterations;
  const unsigned __int128 gas = product / 3;
  if (gas > static_cast<unsigned __int128>(kSaturated)) return kSaturated;
  return std::max<uint64_t>(static_cast<uint64_t>(gas), 200);
}

bool modexp_run(const uint8_t* input, size_t input_len, std::vector<uint8_t>& out) {
  const uint64_t base_len = read_length(input, input_len, 0);
  const uint64_t exp_len = read_length(input, input_len, 32);
  const uint64_t mod_len = read_length(input, input_len, 64);
  // Gas makes these unreachable (mod_len 2^27 costs ~9e13 gas); refusing keeps allocation bounded
  // even if a caller passes an unrealistic gas budget.
  constexpr uint64_t kMaxOperand = uint64_t{1} << 27;
  constexpr uint64_t kMaxExponent = uint64_t{1} << 32;
  out.clear();
  if (mod_len == 0) return true;  // empty output whatever the base and exponent
  if (base_len > kMaxOperand || mod_len > kMaxOperand || exp_len > kMaxExponent) return false;
  out.assign(static_cast<size_t>(mod_len), 0);

  const uint64_t exp_offset = 96 + base_len;
  const uint64_t mod_offset = exp_offset + exp_len;
  std::vector<uint8_t> buf(static_cast<size_t>(std::max(base_len, mod_len)));
  for (uint64_t i = 0; i < mod_len; ++i) buf[i] = byte_at(input, input_len, mod_offset + i);
  const Limbs modulus = bignum::from_be_bytes(buf.data(), static_cast<size_t>(mod_len));
  if (modulus.empty() || (modulus.size() == 1 && modulus[0] == 1)) return true;  // x mod 0 := 0; x mod 1 = 0

  const ExponentBits exponent(input, input_len, exp_offset, exp_len);
  const uint64_t start = exponent.first_set();
  const size_t n = modulus.size();
  Limbs result(n, 0);
  if (start == exponent.total()) {  // x^0 = 1, including 0^0
    result[0] = 1;
    bignum::to_be_bytes(result.data(), n, out.data(), out.size());
    return true;
  }

  for (uint64_t i = 0; i < base_len; ++i) buf[i] = byte_at(input, input_len, 96 + i);
  const Limbs base = bignum::from_be_bytes(buf.data(), static_cast<size_t>(base_len));
  if ((modulus[0] & 1) != 0) {
    odd_power(modulus, base, exponent, start, result.data());
  } else {
    even_power(modulus, base, exponent, start, result.data());
  }
  bignum::to_be_bytes(result.data(), n, out.data(), out.size());
  return true;
}

}  // namespace fastevm::precompiles
