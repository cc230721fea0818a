// Dispatch and gas for the Cancun precompiles 0x01..0x0a. Hashes, MODEXP and BLAKE2F run here in
// C++; ecrecover, the bn254 trio and KZG are priced here and computed by the host import.
#include "precompiles.hpp"

#include <cstring>

#include "blake2f.hpp"
#include "modexp.hpp"
#include "ripemd160.hpp"
#include "sha256.hpp"

namespace fastevm::precompiles {
namespace {

enum Id : uint8_t {
  kEcrecover = 1,
  kSha256 = 2,
  kRipemd160 = 3,
  kIdentity = 4,
  kModexp = 5,
  kBnAdd = 6,
  kBnMul = 7,
  kBnPairing = 8,
  kBlake2f = 9,
  kPointEvaluation = 10,
};

constexpr size_t kBlake2fInputLen = 213;
constexpr size_t kPairingPairLen = 192;
constexpr size_t kPointEvaluationInputLen = 192;
/// A price, or `valid = false` for malformed inputs that fail whatever the gas (e.g. BLAKE2F of the
/// wrong length). Kept apart from MODEXP's saturated UINT64_MAX, which is out-of-gas, not failure.
struct Price {
  bool valid;
  uint64_t gas;
};
constexpr Price kMalformed{false, 0};
inline Price price(uint64_t gas) { return Price{true, gas}; }

inline uint64_t words(size_t len) { return (static_cast<uint64_t>(len) + 31) / 32; }

/// Gas per the Cancun schedule.
Price required_gas(uint8_t id, const uint8_t* input, size_t len) {
  switch (id) {
    case kEcrecover: return price(3000);
    case kSha256: return price(60 + 12 * words(len));
    case kRipemd160: return price(600 + 120 * words(len));
    case kIdentity: return price(15 + 3 * words(len));
    case kModexp: return price(modexp_gas(input, len));
    case kBnAdd: return price(150);
    case kBnMul: return price(6000);
    case kBnPairing:
      if (len % kPairingPairLen != 0) return kMalformed;
      return price(45000 + 34000 * static_cast<uint64_t>(len / kPairingPairLen));
    case kBlake2f:
      if (len != kBlake2fInputLen) return kMalformed;
      return price((uint64_t{input[0]} << 24) | (uint64_t{input[1]} << 16) | (uint64_t{input[2]} << 8) | input[3]);
    case kPointEvaluation:
      if (len != kPointEvaluationInputLen) return kMalformed;
      return price(50000);
    default: return kMalformed;
  }
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// EIP-152 layout: rounds (4, BE) | h (64) | m (128) | t (16) | f (1), words little-endian.
bool run_blake2f(const uint8_t* in, std::vector<uint8_t>& out) {
  const uint8_t final_flag = in[212];
  if (final_flag > 1) return false;
  const uint32_t rounds = (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
  uint64_t h[8];
  uint64_t m[16];
  for (int i = 0; i < 8; ++i) h[i] = load_le64(in + 4 + 8 * i);
  for (int i = 0; i < 16; ++i) m[i] = load_le64(in + 68 + 8 * i);
  blake2b_compress(rounds, h, m, load_le64(in + 196), load_le64(in + 204), final_flag == 1);
  out.resize(64);
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 8; ++b) out[8 * i + b] = static_cast<uint8_t>(h[i] >> (8 * b));
  }
  return true;
}

/// Calls the JS host. ecrecover reports "no address" as empty output; the others fail on -1.
bool run_host(uint8_t id, const uint8_t* input, size_t len, std::vector<uint8_t>& out) {
  uint8_t buf[64];
  const uint32_t cap = id == kEcrecover || id == kBnPairing ? 32 : 64;
  const int32_t n = fastevm_host_precompile(id, input, static_cast<uint32_t>(len), buf, cap);
  if (n < 0 || static_cast<uint32_t>(n) > cap) {
    if (id == kEcrecover) {
      out.clear();
      return true;
    }
    return false;
  }
  out.assign(buf, buf + n);
  return true;
}

}  // namespace

bool is_precompile(const uint8_t* address) {
  for (int i = 0; i < 19; ++i) {
    if (address[i] != 0) return false;
  }
  return address[19] >= kEcrecover && address[19] <= kPointEvaluation;
}

Status run(uint8_t id, const uint8_t* input, size_t input_len, int64_t gas_available, int64_t& gas_used,
           std::vector<uint8_t>& out) {
  out.clear();
  const int64_t budget = gas_available < 0 ? 0 : gas_available;
  gas_used = budget;  // every non-success outcome consumes all gas given
  const Price p = required_gas(id, input, input_len);
  if (!p.valid) return Status::Failure;
  if (p.gas > static_cast<uint64_t>(budget)) return Status::OutOfGas;

  bool ok = true;
  switch (id) {
    case kSha256:
      out.resize(32);
      sha256(input, input_len, out.data());
      break;
    case kRipemd160:
      out.assign(32, 0);  // 20-byte digest, left-padded to a word
      ripemd160(input, input_len, out.data() + 12);
      break;
    case kIdentity: out.assign(input, input + input_len); break;
    case kModexp: ok = modexp_run(input, input_len, out); break;
    case kBlake2f: ok = run_blake2f(input, out); break;
    default: ok = run_host(id, input, input_len, out); break;
  }
  if (!ok) {
    out.clear();
    return Status::Failure;
  }
  gas_used = static_cast<int64_t>(p.gas);
  return Status::Success;
}

}  // namespace fastevm::precompiles
