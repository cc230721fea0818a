// Native test runner and benchmark driver (built with g++ -O3, and with ASan+UBSan in CI).
//   fastevm-native                 self tests: keccak vectors, 256-bit arithmetic identities, bytecode programs
//   fastevm-native bench FILE N    runs the request in FILE N times over its state, prints gas and ns per run
//   fastevm-native replay FILE     replays { state, request, WASM response } records, requires identical output
//   fastevm-native replay-blocks FILE   the same with block requests (fastevm_execute_block)
// FILE: u32 account_count { address[20] balance[32] nonce:u64 code_len:u32 code slot_count:u32
//       { key[32] value[32] }* }* request_len:u32 request (layout in wasm/include/evm.h)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../include/evm.h"
#include "../src/keccak.hpp"
#include "../src/uint256.hpp"
#include "nativeHost.hpp"

using namespace fastevm;

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    if (++failures <= 10) std::fprintf(stderr, "FAIL: %s\n", what);
  }
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::vector<uint8_t> unhex(const char* h) {
  std::vector<uint8_t> out;
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; };
  for (size_t i = 0; h[i] != 0 && h[i + 1] != 0; i += 2) out.push_back(static_cast<uint8_t>(v(h[i]) * 16 + v(h[i + 1])));
  return out;
}

void test_keccak() {
  uint8_t h[32];
  keccak256(nullptr, 0, h);
  check(hex(h, 32) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", "keccak('')");
  keccak256(reinterpret_cast<const uint8_t*>("abc"), 3, h);
  check(hex(h, 32) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", "keccak('abc')");
  std::vector<uint8_t> big(200, 0x61);  // crosses the 136-byte rate
  keccak256(big.data(), big.size(), h);
  uint8_t h2[32];
  keccak256(big.data(), big.size(), h2);
  check(std::memcmp(h, h2, 32) == 0, "keccak deterministic over two blocks");
}

uint64_t rng_state = 0x9e3779b97f4a7c15ull;
uint64_t next() {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
u256 random_u256() {
  u256 r;
  const int limbs = static_cast<int>(next() % 4) + 1;  // vary magnitudes
  for (int i = 0; i < 4; ++i) r.w[i] = i < limbs ? next() : 0;
  if (next() % 5 == 0) r.w[0] &= 0xff;
  return r;
}

void test_arithmetic() {
  for (int i = 0; i < 20000; ++i) {
    const u256 a = random_u256(), b = random_u256(), m = random_u256();
    if (!is_zero(b)) {
      const u256 q = udiv(a, b), r = umod(a, b);
      check(add(mul(q, b), r) == a && lt(r, b), "a == (a/b)*b + a%b");
    }
    const u256 small = from_u64((next() >> (next() % 64)) | 1);  // exercises the short-division path
    check(add(mul(udiv(a, small), small), umod(a, small)) == a && lt(umod(a, small), small), "a == (a/d)*d + a%d");
    if (!is_zero(m) && !is_zero(b)) {
      const u256 lhs = mulmod(a, b, m);
      const u256 rhs = addmod(mulmod(a, sub(b, from_u64(1)), m), umod(a, m), m);
      check(lhs == rhs && lt(lhs, m), "mulmod(a,b,m) == mulmod(a,b-1,m) + a mod m");
    }
    check(sub(add(a, b), b) == a, "(a+b)-b == a");
    if (!is_zero(m)) {
      // addmod's fast path (reduced operands) against the general one (via an unreduced operand + m)
      const u256 ar = umod(a, m), br = umod(b, m);
      check(addmod(ar, br, m) == umod(addmod(ar, br, m), m) && lt(addmod(ar, br, m), m), "addmod reduced");
      check(addmod(a, b, m) == addmod(ar, br, m), "addmod(a,b,m) == addmod(a%m,b%m,m)");
    }
    const unsigned s = static_cast<unsigned>(next() % 256);
    check(shl(shr(shl(a, s), s), s) == shl(a, s), "shl/shr round trip");
    check(sdiv(negate(a), from_u64(1)) == negate(a), "sdiv by 1");
  }
  check(exp(from_u64(2), from_u64(255)) == shl(from_u64(1), 255), "2**255");
  check(exp(from_u64(3), from_u64(0)) == from_u64(1), "3**0");
  check(signextend(from_u64(0), from_u64(0xff)) == bnot(U256_ZERO), "signextend 0xff");
  check(sar(shl(from_u64(1), 255), 255) == bnot(U256_ZERO), "sar sign fill");
}

struct Req {
  std::vector<uint8_t> b;
  void bytes(const uint8_t* p, size_t n) { b.insert(b.end(), p, p + n); }
  void zeros(size_t n) { b.insert(b.end(), n, 0); }
  void u64(uint64_t v) {
    for (int k = 0; k < 8; ++k) b.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  void u32(uint32_t v) {
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  void word(uint64_t v) {
    zeros(24);
    for (int k = 7; k >= 0; --k) b.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
};

/// Calls `to` (which holds `code`) from a funded sender with 1,000,000 gas at price 10; returns the status.
uint32_t run_code(const char* code_hex, uint64_t& gas_used, const std::vector<uint8_t>& calldata = {}) {
  native::native_state().clear();
  uint8_t sender[20] = {0xa9}, to[20] = {0xc0}, coinbase[20] = {0x2a}, balance[32] = {};
  balance[20] = 1;  // 2^88 wei
  native::set_account(sender, balance, 0, nullptr, 0);
  const std::vector<uint8_t> code = unhex(code_hex);
  native::set_account(to, balance, 0, code.data(), code.size());
  Req r;
  r.bytes(coinbase, 20);
  r.u64(1);
  r.u64(1000);
  r.u64(30000000);
  r.zeros(32);
  r.word(7);   // base fee
  r.word(1);   // blob base fee
  r.word(1);   // chain id
  r.bytes(sender, 20);
  r.b.push_back(1);
  r.bytes(to, 20);
  r.word(0);
  r.u64(1000000);
  uint64_t intrinsic = 21000;
  for (uint8_t c : calldata) intrinsic += c == 0 ? 4 : 16;
  r.u64(intrinsic);
  r.word(10);
  r.word(3);
  r.word(10 * 1000000);
  r.u32(static_cast<uint32_t>(calldata.size()));
  r.bytes(calldata.data(), calldata.size());
  r.u32(0);
  r.u32(0);
  uint8_t* buf = fastevm_request_buffer(static_cast<uint32_t>(r.b.size()));
  std::memcpy(buf, r.b.data(), r.b.size());
  const uint32_t status = fastevm_execute(static_cast<uint32_t>(r.b.size()));
  const uint8_t* resp = fastevm_response_ptr();
  gas_used = 0;
  for (int k = 7; k >= 0; --k) gas_used = (gas_used << 8) | resp[4 + k];
  return status;
}

void test_programs() {
  uint64_t gas;
  check(run_code("600160010160005500", gas) == FASTEVM_SUCCESS && gas == 21000 + 3 * 3 + 3 + 22100, "add + sstore");
  check(run_code("fe", gas) == FASTEVM_INVALID_INSTRUCTION && gas == 1000000, "INVALID consumes all gas");
  check(run_code("600456", gas) == FASTEVM_BAD_JUMP_DESTINATION, "jump into nowhere");
  check(run_code("60016000fd", gas) == FASTEVM_REVERT && gas == 21000 + 3 + 3 + 3, "revert keeps gas");
  check(run_code("01", gas) == FASTEVM_STACK_UNDERFLOW, "stack underflow");
  check(run_code("5b600056", gas) == FASTEVM_OUT_OF_GAS, "infinite loop runs out of gas");
  check(run_code("7f", gas) == FASTEVM_SUCCESS, "truncated PUSH32 reads padding then STOP");
  // 1025 pushes overflow the stack
  std::string many;
  for (int i = 0; i < 1025; ++i) many += "5f";
  check(run_code(many.c_str(), gas) == FASTEVM_STACK_OVERFLOW, "stack overflow");
  // recursive self-call until the depth or gas runs out must not crash
  check(run_code("5f5f5f5f5f305af1", gas) == FASTEVM_SUCCESS, "deep recursion");
  // CREATE of a contract returning 0xEF is rejected (EIP-3541): push 0
  check(run_code("60ef5f5360015ff3", gas) == FASTEVM_SUCCESS, "return 0xef at top level is fine");
  // SHA256 precompile via STATICCALL
  check(run_code("5f5f5f5f60025afa5f5500", gas) == FASTEVM_SUCCESS, "staticcall sha256");
}

std::vector<uint8_t> read_file(const char* file, bool& ok) {
  std::vector<uint8_t> d;
  FILE* f = std::fopen(file, "rb");
  ok = f != nullptr;
  if (!ok) return d;
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) d.insert(d.end(), chunk, chunk + n);
  std::fclose(f);
  return d;
}

struct Cursor {
  const std::vector<uint8_t>& d;
  size_t p = 0;
  bool ok = true;
  bool has(size_t n) {
    if (d.size() - p < n) ok = false;
    return ok;
  }
  uint32_t u32() {
    if (!has(4)) return 0;
    const uint32_t v = static_cast<uint32_t>(d[p]) | (static_cast<uint32_t>(d[p + 1]) << 8) |
                       (static_cast<uint32_t>(d[p + 2]) << 16) | (static_cast<uint32_t>(d[p + 3]) << 24);
    p += 4;
    return v;
  }
  const uint8_t* take(size_t n) {
    if (!has(n)) return nullptr;
    const uint8_t* r = d.data() + p;
    p += n;
    return r;
  }
};

/// Replaces the native state with the accounts of one record; false on a malformed record.
bool load_state(Cursor& c) {
  native::native_state().clear();
  for (uint32_t count = c.u32(); count > 0 && c.ok; --count) {
    const uint8_t* head = c.take(60);
    if (head == nullptr) return false;
    uint64_t nonce = 0;
    for (int k = 7; k >= 0; --k) nonce = (nonce << 8) | head[52 + k];
    const uint32_t cl = c.u32();
    const uint8_t* code = c.take(cl);
    if (!c.ok) return false;
    native::set_account(head, head + 20, nonce, code, cl);
    for (uint32_t s = c.u32(); s > 0 && c.ok; --s) {
      const uint8_t* kv = c.take(64);
      if (kv != nullptr) native::set_slot(head, kv, kv + 32);
    }
  }
  return c.ok;
}

uint32_t execute(const uint8_t* req, uint32_t len, bool block = false) {
  uint8_t* buf = fastevm_request_buffer(len);
  if (len > 0) std::memcpy(buf, req, len);
  return block ? fastevm_execute_block(len) : fastevm_execute(len);
}

int bench(const char* file, int iterations) {
  bool ok;
  const std::vector<uint8_t> d = read_file(file, ok);
  Cursor c{d};
  if (!ok || !load_state(c)) return 2;
  const uint32_t rl = c.u32();
  const uint8_t* req = c.take(rl);
  if (!c.ok) return 2;
  uint64_t gas = 0;
  uint32_t status = 0;
  double best = 1e30;
  for (int i = 0; i < iterations; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    status = execute(req, rl);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (ns < best) best = ns;
    const uint8_t* resp = fastevm_response_ptr();
    gas = 0;
    for (int k = 7; k >= 0; --k) gas = (gas << 8) | resp[4 + k];
  }
  std::printf("{\"status\":%u,\"gasUsed\":%llu,\"bestNs\":%.0f}\n", status, static_cast<unsigned long long>(gas), best);
  return 0;
}

/// Replays records { state, request, expected response } written by test/unit/wasm/writeNativeCorpus.ts
/// and requires the native response to be byte-identical to the WASM module's.
int replay(const char* file, bool blocks) {
  bool ok;
  const std::vector<uint8_t> d = read_file(file, ok);
  if (!ok) return 2;
  Cursor c{d};
  int records = 0, mismatches = 0;
  while (c.p < d.size()) {
    if (!load_state(c)) break;
    const uint32_t rl = c.u32();
    const uint8_t* req = c.take(rl);
    const uint32_t el = c.u32();
    const uint8_t* expected = c.take(el);
    if (!c.ok) break;
    execute(req, rl, blocks);
    ++records;
    if (fastevm_response_len() != el || (el > 0 && std::memcmp(fastevm_response_ptr(), expected, el) != 0)) {
      ++mismatches;
      if (mismatches <= 10) std::fprintf(stderr, "replay: record %d differs from the WASM response\n", records - 1);
    }
  }
  if (!c.ok) {
    std::fprintf(stderr, "replay: malformed corpus after %d records\n", records);
    return 2;
  }
  std::printf("replay: %d records, %d mismatches\n", records, mismatches);
  return mismatches == 0 && records > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "bench") return bench(argv[2], argc >= 4 ? std::atoi(argv[3]) : 10);
  if (argc >= 3 && std::string(argv[1]) == "replay") return replay(argv[2], false);
  if (argc >= 3 && std::string(argv[1]) == "replay-blocks") return replay(argv[2], true);
  test_keccak();
  test_arithmetic();
  test_programs();
  std::printf("%s (%d failures)\n", failures == 0 ? "native tests passed" : "native tests FAILED", failures);
  return failures == 0 ? 0 : 1;
}
