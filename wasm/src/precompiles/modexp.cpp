// MODEXP: header of three 32-byte big-endian lengths, then base, exponent and modulus bytes.
// Exponentiation is left-to-right sliding window over the exponent bits, read in place from the
// input (the exponent can be megabytes long and is never copied).
#include "modexp.hpp"

#include <algorithm>
#include <cstring>

#include "bignum.hpp"

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
  Limbs x(n, 0);
  if ((modulus[0] & 1) != 0) {
    bignum::Montgomery ring(modulus);
    ring.to_mont(base.data(), base.size(), x.data());
    Limbs acc(n, 0);
    power(ring, x.data(), exponent, start, acc.data());
    ring.from_mont(acc.data(), result.data());
  } else {
    bignum::PlainModulus ring(modulus);
    ring.reduce(base.data(), base.size(), x.data());
    power(ring, x.data(), exponent, start, result.data());
  }
  bignum::to_be_bytes(result.data(), n, out.data(), out.size());
  return true;
}

}  // namespace fastevm::precompiles
