// Byte reader and writer of the request/response layouts in include/evm.h: little-endian integers,
// 32-byte big-endian words. A short read sets `ok` to false and yields zeros (never reads past the end).
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "state.hpp"
#include "uint256.hpp"

namespace fastevm {

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  const uint8_t* take(size_t n) {
    if (static_cast<size_t>(end - p) < n) {
      ok = false;
      static const uint8_t zeros[32] = {};
      return n <= 32 ? zeros : nullptr;
    }
    const uint8_t* r = p;
    p += n;
    return r;
  }
  uint8_t u8() { return take(1)[0]; }
  uint64_t u64() {
    const uint8_t* b = take(8);
    uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = (v << 8) | b[k];
    return v;
  }
  uint32_t u32() {
    const uint8_t* b = take(4);
    return static_cast<uint32_t>(b[0]) | (static_cast<uint32_t>(b[1]) << 8) | (static_cast<uint32_t>(b[2]) << 16) |
           (static_cast<uint32_t>(b[3]) << 24);
  }
  u256 word() { return load_be(take(32)); }
  Address addr() {
    Address a;
    std::memcpy(a.b, take(20), 20);
    return a;
  }
};

struct Writer {
  std::vector<uint8_t>& out;
  void bytes(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
  void u64(uint64_t v) {
    for (int k = 0; k < 8; ++k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  void u32(uint32_t v) {
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  void word(const u256& v) {
    uint8_t b[32];
    store_be(b, v);
    bytes(b, 32);
  }
  /// Reserves a u32 to fill in later with `patch_u32`; returns its position.
  size_t reserve_u32() {
    const size_t pos = out.size();
    u32(0);
    return pos;
  }
  void patch_u32(size_t pos, uint32_t v) {
    for (int k = 0; k < 4; ++k) out[pos + static_cast<size_t>(k)] = static_cast<uint8_t>(v >> (8 * k));
  }
};

}  // namespace fastevm
