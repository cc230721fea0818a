// The Cancun instruction set as one X-macro list: opcode, name, constant gas, stack inputs, stack outputs.
// Dynamic costs (memory, access lists, copies) are charged by the instruction itself; everything in this
// list is resolved into constexpr tables at compile time.
#pragma once
#include <array>
#include <cstdint>

#define FASTEVM_OPCODES(X)                                                                          \
  X(0x00, STOP, 0, 0, 0) X(0x01, ADD, 3, 2, 1) X(0x02, MUL, 5, 2, 1) X(0x03, SUB, 3, 2, 1)          \
  X(0x04, DIV, 5, 2, 1) X(0x05, SDIV, 5, 2, 1) X(0x06, MOD, 5, 2, 1) X(0x07, SMOD, 5, 2, 1)         \
  X(0x08, ADDMOD, 8, 3, 1) X(0x09, MULMOD, 8, 3, 1) X(0x0a, EXP, 10, 2, 1)                          \
  X(0x0b, SIGNEXTEND, 5, 2, 1) X(0x10, LT, 3, 2, 1) X(0x11, GT, 3, 2, 1) X(0x12, SLT, 3, 2, 1)      \
  X(0x13, SGT, 3, 2, 1) X(0x14, EQ, 3, 2, 1) X(0x15, ISZERO, 3, 1, 1) X(0x16, AND, 3, 2, 1)         \
  X(0x17, OR, 3, 2, 1) X(0x18, XOR, 3, 2, 1) X(0x19, NOT, 3, 1, 1) X(0x1a, BYTE, 3, 2, 1)           \
  X(0x1b, SHL, 3, 2, 1) X(0x1c, SHR, 3, 2, 1) X(0x1d, SAR, 3, 2, 1) X(0x20, KECCAK256, 30, 2, 1)    \
  X(0x30, ADDRESS, 2, 0, 1) X(0x31, BALANCE, 0, 1, 1) X(0x32, ORIGIN, 2, 0, 1)                      \
  X(0x33, CALLER, 2, 0, 1) X(0x34, CALLVALUE, 2, 0, 1) X(0x35, CALLDATALOAD, 3, 1, 1)               \
  X(0x36, CALLDATASIZE, 2, 0, 1) X(0x37, CALLDATACOPY, 3, 3, 0) X(0x38, CODESIZE, 2, 0, 1)          \
  X(0x39, CODECOPY, 3, 3, 0) X(0x3a, GASPRICE, 2, 0, 1) X(0x3b, EXTCODESIZE, 0, 1, 1)               \
  X(0x3c, EXTCODECOPY, 0, 4, 0) X(0x3d, RETURNDATASIZE, 2, 0, 1) X(0x3e, RETURNDATACOPY, 3, 3, 0)   \
  X(0x3f, EXTCODEHASH, 0, 1, 1) X(0x40, BLOCKHASH, 20, 1, 1) X(0x41, COINBASE, 2, 0, 1)             \
  X(0x42, TIMESTAMP, 2, 0, 1) X(0x43, NUMBER, 2, 0, 1) X(0x44, PREVRANDAO, 2, 0, 1)                 \
  X(0x45, GASLIMIT, 2, 0, 1) X(0x46, CHAINID, 2, 0, 1) X(0x47, SELFBALANCE, 5, 0, 1)                \
  X(0x48, BASEFEE, 2, 0, 1) X(0x49, BLOBHASH, 3, 1, 1) X(0x4a, BLOBBASEFEE, 2, 0, 1)                \
  X(0x50, POP, 2, 1, 0) X(0x51, MLOAD, 3, 1, 1) X(0x52, MSTORE, 3, 2, 0) X(0x53, MSTORE8, 3, 2, 0)  \
  X(0x54, SLOAD, 0, 1, 1) X(0x55, SSTORE, 0, 2, 0) X(0x56, JUMP, 8, 1, 0) X(0x57, JUMPI, 10, 2, 0)  \
  X(0x58, PC, 2, 0, 1) X(0x59, MSIZE, 2, 0, 1) X(0x5a, GAS, 2, 0, 1) X(0x5b, JUMPDEST, 1, 0, 0)     \
  X(0x5c, TLOAD, 100, 1, 1) X(0x5d, TSTORE, 100, 2, 0) X(0x5e, MCOPY, 3, 3, 0)                      \
  X(0x5f, PUSH0, 2, 0, 1) X(0xa0, LOG0, 375, 2, 0) X(0xa1, LOG1, 750, 3, 0)                         \
  X(0xa2, LOG2, 1125, 4, 0) X(0xa3, LOG3, 1500, 5, 0) X(0xa4, LOG4, 1875, 6, 0)                     \
  X(0xf0, CREATE, 32000, 3, 1) X(0xf1, CALL, 0, 7, 1) X(0xf2, CALLCODE, 0, 7, 1)                    \
  X(0xf3, RETURN, 0, 2, 0) X(0xf4, DELEGATECALL, 0, 6, 1) X(0xf5, CREATE2, 32000, 4, 1)             \
  X(0xfa, STATICCALL, 0, 6, 1) X(0xfd, REVERT, 0, 2, 0) X(0xfe, INVALID, 0, 0, 0)                   \
  X(0xff, SELFDESTRUCT, 5000, 1, 0)

namespace fastevm {

struct OpInfo {
  int16_t gas;
  int8_t inputs;   // minimum stack height
  int8_t growth;   // outputs - inputs
  bool defined;
};

constexpr std::array<OpInfo, 256> make_op_table() {
  std::array<OpInfo, 256> t{};
  for (auto& e : t) e = OpInfo{0, 0, 0, false};
#define FASTEVM_OP_ENTRY(code, name, gas, in, out) t[code] = OpInfo{gas, in, out - in, true};
  FASTEVM_OPCODES(FASTEVM_OP_ENTRY)
#undef FASTEVM_OP_ENTRY
  for (size_t i = 0; i < 32; ++i) t[0x60 + i] = OpInfo{3, 0, 1, true};                  // PUSH1..32
  for (size_t i = 0; i < 16; ++i) t[0x80 + i] = OpInfo{3, static_cast<int8_t>(i + 1), 1, true};  // DUP
  for (size_t i = 0; i < 16; ++i) t[0x90 + i] = OpInfo{3, static_cast<int8_t>(i + 2), 0, true};  // SWAP
  return t;
}

inline constexpr std::array<OpInfo, 256> OP_TABLE = make_op_table();

/// Flat per-opcode tables for the dispatch loop: constant gas, and the stack heights an instruction may
/// start at (an undefined opcode gets an impossible range, so one range test covers all three checks).
template <typename F>
constexpr std::array<int16_t, 256> derive(F f) {
  std::array<int16_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<size_t>(i)] = f(OP_TABLE[static_cast<size_t>(i)]);
  return t;
}
inline constexpr std::array<int16_t, 256> BASE_GAS = derive([](const OpInfo& o) { return o.gas; });
inline constexpr std::array<int16_t, 256> MIN_HEIGHT =
    derive([](const OpInfo& o) { return static_cast<int16_t>(o.defined ? o.inputs : 0x7fff); });
inline constexpr std::array<int16_t, 256> MAX_HEIGHT =
    derive([](const OpInfo& o) { return static_cast<int16_t>(1024 - (o.growth > 0 ? o.growth : 0)); });

enum Opcode : uint8_t {
#define FASTEVM_OP_ENUM(code, name, gas, in, out) OP_##name = code,
  FASTEVM_OPCODES(FASTEVM_OP_ENUM)
#undef FASTEVM_OP_ENUM
};

}  // namespace fastevm
