// Native tests for the C++ precompiles (vectors from the FIPS/RIPEMD papers and EIP-152/198/2565).
// `precompiles_test` runs the vectors and prints "N passed, N failed".
// `precompiles_test --stdin` reads lines "<id> <gas> <input-hex>" and prints "<status> <gas_used> <out-hex>",
// which the vitest suite uses to compare against independent JS oracles on random inputs.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "../src/precompiles/precompiles.hpp"

namespace pc = fastevm::precompiles;

namespace {

int g_passed = 0;
int g_failed = 0;

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

void check(bool ok, const std::string& name) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    std::printf("FAIL %s\n", name.c_str());
  }
}

struct Result {
  pc::Status status;
  int64_t gas_used;
  std::vector<uint8_t> out;
};

Result call(uint8_t id, const std::vector<uint8_t>& input, int64_t gas) {
  Result r{};
  r.status = pc::run(id, input.data(), input.size(), gas, r.gas_used, r.out);
  return r;
}

void expect_ok(const std::string& name, uint8_t id, const std::vector<uint8_t>& input, int64_t expected_gas,
               const std::string& expected_hex) {
  const Result r = call(id, input, 100'000'000);
  const bool ok = r.status == pc::Status::Success && r.gas_used == expected_gas && to_hex(r.out) == expected_hex;
  if (!ok) {
    std::printf("  %s: status=%d gas=%lld out=%s\n", name.c_str(), static_cast<int>(r.status),
                static_cast<long long>(r.gas_used), to_hex(r.out).c_str());
  }
  check(ok, name);
  // One gas short of the price must be out of gas, consuming everything given.
  if (expected_gas > 0) {
    const Result oog = call(id, input, expected_gas - 1);
    check(oog.status == pc::Status::OutOfGas && oog.gas_used == expected_gas - 1 && oog.out.empty(),
          name + " (gas - 1)");
  }
}

void expect_status(const std::string& name, uint8_t id, const std::vector<uint8_t>& input, int64_t gas,
                   pc::Status status) {
  const Result r = call(id, input, gas);
  check(r.status == status && r.gas_used == gas && r.out.empty(), name);
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> word(uint64_t v) {
  std::vector<uint8_t> w(32, 0);
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

void test_hashes() {
  const std::string abc56 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const std::string million(1'000'000, 'a');
  expect_ok("sha256 empty", 2, {}, 60, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_ok("sha256 abc", 2, bytes_of("abc"), 72, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect_ok("sha256 56 bytes", 2, bytes_of(abc56), 84,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  expect_ok("sha256 million a", 2, bytes_of(million), 60 + 12 * 31250,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const std::string pad(24, '0');
  expect_ok("ripemd160 empty", 3, {}, 600, pad + "9c1185a5c5e9fc54612808977ee8f548b2258d31");
  expect_ok("ripemd160 abc", 3, bytes_of("abc"), 720, pad + "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  expect_ok("ripemd160 message digest", 3, bytes_of("message digest"), 720,
            pad + "5d0689ef49d2fae572b881b123a85ffa21595f36");
  expect_ok("ripemd160 56 bytes", 3, bytes_of(abc56), 840, pad + "12a053384a9c0c88e405a06c27dcf49ada62eb2b");
  expect_ok("ripemd160 million a", 3, bytes_of(million), 600 + 120 * 31250,
            pad + "52783243c1697bdbe16d37f97f68f08325dc1528");
  expect_ok("identity empty", 4, {}, 15, "");
  std::string ab33;
  for (int i = 0; i < 33; ++i) ab33 += "ab";
  expect_ok("identity 33 bytes", 4, std::vector<uint8_t>(33, 0xab), 21, ab33);
}

/// EIP-152 vectors 4-7: blake2b("abc") state after F with the given rounds and final flag.
std::vector<uint8_t> blake2f_input(uint32_t rounds, uint8_t final_flag) {
  std::vector<uint8_t> in = from_hex(
      "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
      "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b");
  in.insert(in.begin(), {static_cast<uint8_t>(rounds >> 24), static_cast<uint8_t>(rounds >> 16),
                         static_cast<uint8_t>(rounds >> 8), static_cast<uint8_t>(rounds)});
  std::vector<uint8_t> m(128, 0);
  m[0] = 'a';
  m[1] = 'b';
  m[2] = 'c';
  in.insert(in.end(), m.begin(), m.end());
  std::vector<uint8_t> t(16, 0);
  t[0] = 3;
  in.insert(in.end(), t.begin(), t.end());
  in.push_back(final_flag);
  return in;
}

void test_blake2f() {
  expect_ok("blake2f eip152 #4 (0 rounds)", 9, blake2f_input(0, 1), 0,
            "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
            "d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b");
  expect_ok("blake2f eip152 #5 (12 rounds)", 9, blake2f_input(12, 1), 12,
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
  expect_ok("blake2f eip152 #6 (not final)", 9, blake2f_input(12, 0), 12,
            "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752"
            "98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735");
  expect_ok("blake2f eip152 #7 (1 round)", 9, blake2f_input(1, 1), 1,
            "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb"
            "a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421");
  std::vector<uint8_t> shorter = blake2f_input(12, 1);
  shorter.pop_back();
  expect_status("blake2f 212 bytes fails", 9, shorter, 1000, pc::Status::Failure);
  std::vector<uint8_t> longer = blake2f_input(12, 1);
  longer.push_back(0);
  expect_status("blake2f 214 bytes fails", 9, longer, 1000, pc::Status::Failure);
  expect_status("blake2f empty fails", 9, {}, 1000, pc::Status::Failure);
  expect_status("blake2f final flag 2 fails", 9, blake2f_input(12, 2), 1000, pc::Status::Failure);
  expect_status("blake2f 2^32-1 rounds is out of gas", 9, blake2f_input(0xffffffff, 1), 30'000'000,
                pc::Status::OutOfGas);
}

void test_modexp() {
  const auto p = from_hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
  const auto p_minus_1 = from_hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e");
  const std::string one = std::string(63, '0') + "1";
  // EIP-198 example 1: Fermat, 3^(p-1) mod p = 1. Gas (EIP-2565): 4 words^2 * 255 / 3 = 1360.
  expect_ok("modexp eip198 #1", 5, concat({word(1), word(32), word(32), {3}, p_minus_1, p}), 1360, one);
  // EIP-198 example 2: base length 0 means base 0.
  expect_ok("modexp eip198 #2", 5, concat({word(0), word(32), word(32), p_minus_1, p}), 1360, std::string(64, '0'));
  // Input shorter than declared: 3^(p-1) with the modulus cut off reads as modulus 0 (zeros out).
  expect_ok("modexp truncated modulus", 5, concat({word(1), word(32), word(32), {3}, p_minus_1}), 1360,
            std::string(64, '0'));
  // Zero-padding applies to the modulus tail: declared 2 bytes, given 1 -> 0x0700 = 1792.
  expect_ok("modexp padded modulus", 5, concat({word(1), word(1), word(2), {5}, {3}, {7}}), 200, "007d");
  expect_ok("modexp all empty", 5, {}, 200, "");
  expect_ok("modexp mod 1", 5, concat({word(1), word(1), word(1), {5}, {3}, {1}}), 200, "00");
  expect_ok("modexp 0^0 = 1", 5, concat({word(0), word(0), word(1), {9}}), 200, "01");
  expect_ok("modexp even modulus", 5, concat({word(1), word(1), word(2), {3}, {100}, {0x10, 0x00}}), 200,
            "03d1");  // 3^100 mod 4096 = 977
  expect_ok("modexp base larger than modulus", 5,
            concat({word(33), word(1), word(1), std::vector<uint8_t>(33, 0xff), {1}, {7}}), 200, "00");  // 2^264-1 = 0 mod 7
  // Huge declared lengths: gas saturates instead of overflowing.
  auto huge = word(0);
  std::memset(huge.data(), 0xff, 32);
  expect_status("modexp huge modulus length", 5, concat({word(0), word(32), huge}), 100'000'000,
                pc::Status::OutOfGas);
  expect_status("modexp huge base length", 5, concat({huge, word(1), word(1)}), 100'000'000, pc::Status::OutOfGas);
  expect_status("modexp huge exponent length", 5, concat({word(1), huge, word(1), {2}, {3}}), 100'000'000,
                pc::Status::OutOfGas);
  // base and modulus empty: 200 gas and empty output even with an absurd exponent length.
  expect_ok("modexp huge exponent, nothing to compute", 5, concat({word(0), huge, word(0)}), 200, "");
  // Carry stress: m = 2^2048 - 1 (all limbs 0xffffffff, squaring path) and m = 2^2048 - 2 (even path),
  // base m - 1 = -1: (-1)^2 = 1 and (-1)^3 = m - 1. Gas: 32 words^2 * 1 (or 1) / 3 = 341.
  for (const uint8_t low : {uint8_t{0xff}, uint8_t{0xfe}}) {
    std::vector<uint8_t> m(256, 0xff);
    m[255] = low;
    std::vector<uint8_t> m1 = m;
    m1[255] = static_cast<uint8_t>(low - 1);
    const std::string tag = low == 0xff ? " (odd)" : " (even)";
    expect_ok("modexp (-1)^2 mod 2^2048-k" + tag, 5, concat({word(256), word(1), word(256), m1, {2}, m}), 341,
              std::string(510, '0') + "01");
    expect_ok("modexp (-1)^3 mod 2^2048-k" + tag, 5, concat({word(256), word(1), word(256), m1, {3}, m}), 341,
              to_hex(m1));
  }
  // Exponent longer than 32 bytes: 8*(40-32) + bitlen(head)-1 = 64 + 255 = 319 iterations;
  // (p-1)^even = 1 mod p.
  std::vector<uint8_t> exp40(40, 0);
  exp40[0] = 0x80;
  expect_ok("modexp 40-byte exponent", 5, concat({word(32), word(40), word(32), p_minus_1, exp40, p}), 16 * 319 / 3,
            one);
  // Head all zero: 8*(40-32) + 0 = 64 iterations.
  std::vector<uint8_t> exp40_low(40, 0);
  exp40_low[39] = 2;
  expect_ok("modexp 40-byte exponent, zero head", 5,
            concat({word(32), word(40), word(32), p_minus_1, exp40_low, p}), 16 * 64 / 3, one);
}

void test_host_pricing() {
  // Gas for host-computed precompiles is charged in C++ before the host is asked.
  expect_status("ecrecover out of gas", 1, std::vector<uint8_t>(128, 0), 2999, pc::Status::OutOfGas);
  expect_status("bn add out of gas", 6, {}, 149, pc::Status::OutOfGas);
  expect_status("bn mul out of gas", 7, {}, 5999, pc::Status::OutOfGas);
  expect_status("pairing 1 pair out of gas", 8, std::vector<uint8_t>(192, 0), 78999, pc::Status::OutOfGas);
  expect_status("pairing bad length fails", 8, std::vector<uint8_t>(191, 0), 1'000'000, pc::Status::Failure);
  expect_status("kzg bad length fails", 10, std::vector<uint8_t>(191, 0), 1'000'000, pc::Status::Failure);
  expect_status("kzg out of gas", 10, std::vector<uint8_t>(192, 0), 49999, pc::Status::OutOfGas);
  expect_status("unknown id fails", 11, {}, 1000, pc::Status::Failure);
}

void test_is_precompile() {
  uint8_t addr[20] = {};
  check(!pc::is_precompile(addr), "0x00 is not a precompile");
  for (int i = 1; i <= 10; ++i) {
    addr[19] = static_cast<uint8_t>(i);
    check(pc::is_precompile(addr), "0x" + std::to_string(i) + " is a precompile");
  }
  addr[19] = 11;
  check(!pc::is_precompile(addr), "0x0b is not a precompile");
  addr[19] = 1;
  addr[0] = 1;
  check(!pc::is_precompile(addr), "high byte set is not a precompile");
}

int run_stdin() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const size_t a = line.find(' ');
    const size_t b = line.find(' ', a + 1);
    const int id = std::stoi(line.substr(0, a));
    const long long gas = std::stoll(line.substr(a + 1, b - a - 1));
    const std::vector<uint8_t> input = from_hex(b == std::string::npos ? "" : line.substr(b + 1));
    const Result r = call(static_cast<uint8_t>(id), input, gas);
    std::printf("%d %lld %s\n", static_cast<int>(r.status), static_cast<long long>(r.gas_used), to_hex(r.out).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--stdin") == 0) return run_stdin();
  test_hashes();
  test_blake2f();
  test_modexp();
  test_host_pricing();
  test_is_precompile();
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
