// The interpreter loop: one switch over the opcode, gas kept in a local, stack bounds and constant gas
// checked from the constexpr table before dispatch so instruction bodies never re-check them.
#include <algorithm>
#include <cstring>

#include "keccak.hpp"
#include "opcodes.hpp"
#include "vm.hpp"

namespace fastevm {

namespace {

/// Memory beyond 1 GiB would cost over 2.2e12 gas (3w + w^2/512), more than any transaction can carry, so
/// larger offsets are out of gas up front; this also keeps every size within wasm32's size_t.
constexpr uint64_t MAX_MEMORY = 1ull << 30;

inline int64_t memory_cost(uint64_t words) {
  return static_cast<int64_t>(3 * words + words * words / 512);
}
inline int64_t num_words(uint64_t bytes) { return static_cast<int64_t>((bytes + 31) / 32); }

/// Charges and performs memory expansion to cover [off, off+size); false = out of gas.
inline bool expand(int64_t& gas, std::vector<uint8_t>& mem, const u256& off, const u256& size, size_t& o,
                   size_t& s) {
  if (is_zero(size)) {
    o = 0;
    s = 0;
    return true;
  }
  if (!fits_u64(off) || !fits_u64(size) || off.w[0] > MAX_MEMORY || size.w[0] > MAX_MEMORY) return false;
  const uint64_t end = off.w[0] + size.w[0];
  if (end > MAX_MEMORY) return false;
  o = static_cast<size_t>(off.w[0]);
  s = static_cast<size_t>(size.w[0]);
  if (end > mem.size()) {
    const uint64_t new_words = (end + 31) / 32;
    const uint64_t old_words = mem.size() / 32;
    gas -= memory_cost(new_words) - memory_cost(old_words);
    if (gas < 0) return false;
    mem.resize(static_cast<size_t>(new_words * 32));
  }
  return true;
}

/// Copies src[src_off..] into dst with zero fill past the end of src.
inline void copy_padded(uint8_t* dst, size_t size, const uint8_t* src, size_t src_len, const u256& src_off) {
  const size_t start = fits_u64(src_off) && src_off.w[0] < src_len ? static_cast<size_t>(src_off.w[0]) : src_len;
  const size_t n = std::min(size, src_len - start);
  if (n > 0) std::memcpy(dst, src + start, n);
  if (size > n) std::memset(dst + n, 0, size - n);
}

}  // namespace

Result Vm::execute(const Message& m, const CodeAnalysis& analysis) {
  FrameBuffers& fb = buffers(m.depth);
  std::vector<uint8_t>& mem = fb.memory;
  mem.clear();
  fb.return_data.clear();
  const uint8_t* const code = analysis.padded.data();
  u256* const stack_base = fb.stack;
  u256* sp = stack_base;  // next free slot; top is sp[-1]
  int64_t gas = m.gas;
  size_t pc = 0;
  fastevm_status status = FASTEVM_SUCCESS;
  size_t ret_off = 0, ret_size = 0;
  // the executing account, looked up once per frame (node-based map: the reference stays valid)
  Account* self_acc = nullptr;
  auto self_account = [&]() -> Account& {
    if (self_acc == nullptr) self_acc = &state.account(m.recipient);
    return *self_acc;
  };

#define FAIL(s)  \
  do {           \
    status = (s); \
    goto done;   \
  } while (0)
#define CHARGE(c)                            \
  do {                                       \
    gas -= (c);                              \
    if (gas < 0) FAIL(FASTEVM_OUT_OF_GAS);   \
  } while (0)
#define EXPAND(off, size, o, s) \
  if (!expand(gas, mem, off, size, o, s)) FAIL(FASTEVM_OUT_OF_GAS)

  for (;;) {
    const uint8_t op = code[pc];
    const int height = static_cast<int>(sp - stack_base);
    if (height < MIN_HEIGHT[op] || height > MAX_HEIGHT[op]) [[unlikely]] {
      if (!OP_TABLE[op].defined) FAIL(FASTEVM_UNDEFINED_INSTRUCTION);
      FAIL(height < OP_TABLE[op].inputs ? FASTEVM_STACK_UNDERFLOW : FASTEVM_STACK_OVERFLOW);
    }
    CHARGE(BASE_GAS[op]);
    switch (op) {
      case OP_STOP: goto done;
      case OP_ADD: sp[-2] = add(sp[-1], sp[-2]); --sp; break;
      case OP_MUL: sp[-2] = mul(sp[-1], sp[-2]); --sp; break;
      case OP_SUB: sp[-2] = sub(sp[-1], sp[-2]); --sp; break;
      case OP_DIV: sp[-2] = udiv(sp[-1], sp[-2]); --sp; break;
      case OP_SDIV: sp[-2] = sdiv(sp[-1], sp[-2]); --sp; break;
      case OP_MOD: sp[-2] = umod(sp[-1], sp[-2]); --sp; break;
      case OP_SMOD: sp[-2] = smod(sp[-1], sp[-2]); --sp; break;
      case OP_ADDMOD: sp[-3] = addmod(sp[-1], sp[-2], sp[-3]); sp -= 2; break;
      case OP_MULMOD: sp[-3] = mulmod(sp[-1], sp[-2], sp[-3]); sp -= 2; break;
      case OP_EXP:
        CHARGE(50 * static_cast<int64_t>(byte_length(sp[-2])));
        sp[-2] = exp(sp[-1], sp[-2]);
        --sp;
        break;
      case OP_SIGNEXTEND: sp[-2] = signextend(sp[-1], sp[-2]); --sp; break;
      case OP_LT: sp[-2] = from_u64(lt(sp[-1], sp[-2])); --sp; break;
      case OP_GT: sp[-2] = from_u64(lt(sp[-2], sp[-1])); --sp; break;
      case OP_SLT: sp[-2] = from_u64(slt(sp[-1], sp[-2])); --sp; break;
      case OP_SGT: sp[-2] = from_u64(slt(sp[-2], sp[-1])); --sp; break;
      case OP_EQ: sp[-2] = from_u64(sp[-1] == sp[-2]); --sp; break;
      case OP_ISZERO: sp[-1] = from_u64(is_zero(sp[-1])); break;
      case OP_AND: sp[-2] = band(sp[-1], sp[-2]); --sp; break;
      case OP_OR: sp[-2] = bor(sp[-1], sp[-2]); --sp; break;
      case OP_XOR: sp[-2] = bxor(sp[-1], sp[-2]); --sp; break;
      case OP_NOT: sp[-1] = bnot(sp[-1]); break;
      case OP_BYTE: sp[-2] = byte_op(sp[-1], sp[-2]); --sp; break;
      case OP_SHL:
        sp[-2] = fits_u64(sp[-1]) && sp[-1].w[0] < 256 ? shl(sp[-2], static_cast<unsigned>(sp[-1].w[0])) : U256_ZERO;
        --sp;
        break;
      case OP_SHR:
        sp[-2] = fits_u64(sp[-1]) && sp[-1].w[0] < 256 ? shr(sp[-2], static_cast<unsigned>(sp[-1].w[0])) : U256_ZERO;
        --sp;
        break;
      case OP_SAR:
        sp[-2] = sar(sp[-2], fits_u64(sp[-1]) && sp[-1].w[0] < 256 ? static_cast<unsigned>(sp[-1].w[0]) : 256u);
        --sp;
        break;
      case OP_KECCAK256: {
        size_t o, s;
        EXPAND(sp[-1], sp[-2], o, s);
        CHARGE(6 * num_words(s));
        uint8_t h[32];
        keccak256(s == 0 ? nullptr : mem.data() + o, s, h);
        sp[-2] = load_be(h);
        --sp;
        break;
      }
      case OP_ADDRESS: *sp++ = address_to_u256(m.recipient); break;
      case OP_BALANCE: {
        Account& a = state.account(u256_to_address(sp[-1]));
        CHARGE(state.warm_account(a) ? 2600 : 100);
        sp[-1] = a.balance;
        break;
      }
      case OP_ORIGIN: *sp++ = address_to_u256(tx.origin); break;
      case OP_CALLER: *sp++ = address_to_u256(m.sender); break;
      case OP_CALLVALUE: *sp++ = m.value; break;
      case OP_CALLDATALOAD: {
        uint8_t buf[32];
        copy_padded(buf, 32, m.input, m.input_size, sp[-1]);
        sp[-1] = load_be(buf);
        break;
      }
      case OP_CALLDATASIZE: *sp++ = from_u64(m.input_size); break;
      case OP_CALLDATACOPY:
      case OP_CODECOPY:
      case OP_RETURNDATACOPY: {
        size_t o, s;
        const u256 src = sp[-2];
        if (op == OP_RETURNDATACOPY) {
          const u256 end = add(src, sp[-3]);
          if (!fits_u64(src) || lt(end, src) || !fits_u64(end) || end.w[0] > fb.return_data.size())
            FAIL(FASTEVM_INVALID_MEMORY_ACCESS);
        }
        EXPAND(sp[-1], sp[-3], o, s);
        CHARGE(3 * num_words(s));
        if (s > 0) {
          if (op == OP_CALLDATACOPY) copy_padded(mem.data() + o, s, m.input, m.input_size, src);
          else if (op == OP_CODECOPY) copy_padded(mem.data() + o, s, code, analysis.size, src);
          else std::memcpy(mem.data() + o, fb.return_data.data() + static_cast<size_t>(src.w[0]), s);
        }
        sp -= 3;
        break;
      }
      case OP_CODESIZE: *sp++ = from_u64(analysis.size); break;
      case OP_GASPRICE: *sp++ = tx.gas_price; break;
      case OP_EXTCODESIZE: {
        Account& a = state.account(u256_to_address(sp[-1]));
        CHARGE(state.warm_account(a) ? 2600 : 100);
        sp[-1] = from_u64(state.code_size(a));
        break;
      }
      case OP_EXTCODECOPY: {
        Account& a = state.account(u256_to_address(sp[-1]));
        size_t o, s;
        EXPAND(sp[-2], sp[-4], o, s);
        CHARGE(3 * num_words(s) + (state.warm_account(a) ? 2600 : 100));
        if (s > 0) {
          const CodeAnalysis& c = state.code(a);
          copy_padded(mem.data() + o, s, c.padded.data(), c.size, sp[-3]);
        }
        sp -= 4;
        break;
      }
      case OP_RETURNDATASIZE: *sp++ = from_u64(fb.return_data.size()); break;
      case OP_EXTCODEHASH: {
        Account& a = state.account(u256_to_address(sp[-1]));
        CHARGE(state.warm_account(a) ? 2600 : 100);
        sp[-1] = a.is_empty() ? U256_ZERO : load_be(a.code_hash);
        break;
      }
      case OP_BLOCKHASH: {
        const u256 n = sp[-1];
        u256 h = U256_ZERO;
        if (fits_u64(n) && n.w[0] < block.number && block.number - n.w[0] <= 256) {
          uint8_t buf[32];
          fastevm_host_block_hash(n.w[0], buf);
          h = load_be(buf);
        }
        sp[-1] = h;
        break;
      }
      case OP_COINBASE: *sp++ = address_to_u256(block.coinbase); break;
      case OP_TIMESTAMP: *sp++ = from_u64(block.timestamp); break;
      case OP_NUMBER: *sp++ = from_u64(block.number); break;
      case OP_PREVRANDAO: *sp++ = block.prevrandao; break;
      case OP_GASLIMIT: *sp++ = from_u64(block.gas_limit); break;
      case OP_CHAINID: *sp++ = block.chain_id; break;
      case OP_SELFBALANCE: *sp++ = self_account().balance; break;
      case OP_BASEFEE: *sp++ = block.base_fee; break;
      case OP_BLOBHASH: {
        const u256 i = sp[-1];
        sp[-1] = fits_u64(i) && i.w[0] < tx.blob_hashes.size() ? tx.blob_hashes[static_cast<size_t>(i.w[0])] : U256_ZERO;
        break;
      }
      case OP_BLOBBASEFEE: *sp++ = block.blob_base_fee; break;
      case OP_POP: --sp; break;
      case OP_MLOAD: {
        size_t o, s;
        EXPAND(sp[-1], from_u64(32), o, s);
        sp[-1] = load_be(mem.data() + o);
        break;
      }
      case OP_MSTORE: {
        size_t o, s;
        EXPAND(sp[-1], from_u64(32), o, s);
        store_be(mem.data() + o, sp[-2]);
        sp -= 2;
        break;
      }
      case OP_MSTORE8: {
        size_t o, s;
        EXPAND(sp[-1], from_u64(1), o, s);
        mem[o] = static_cast<uint8_t>(sp[-2].w[0]);
        sp -= 2;
        break;
      }
      case OP_SLOAD: {
        Account& a = self_account();
        Slot& sl = state.slot(a, sp[-1]);
        CHARGE(state.warm_slot(a, sl) ? 2100 : 100);
        sp[-1] = sl.current;
        break;
      }
      case OP_SSTORE: {
        if (m.is_static) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        if (gas <= 2300) FAIL(FASTEVM_OUT_OF_GAS);  // EIP-2200 sentry
        Account& a = self_account();
        Slot& sl = state.slot(a, sp[-1]);
        const u256 v = sp[-2];
        int64_t cost = state.warm_slot(a, sl) ? 2100 : 0;
        const u256 orig = sl.original, cur = sl.current;
        if (cur == v) {
          cost += 100;
        } else if (orig == cur) {
          cost += is_zero(orig) ? 20000 : 2900;
          if (!is_zero(orig) && is_zero(v)) refund += 4800;
        } else {
          cost += 100;
          if (!is_zero(orig)) {
            if (is_zero(cur)) refund -= 4800;
            else if (is_zero(v)) refund += 4800;
          }
          if (orig == v) refund += is_zero(orig) ? 19900 : 2800;
        }
        CHARGE(cost);
        if (cur != v) state.set_storage(a, sl, v);
        sp -= 2;
        break;
      }
      case OP_JUMP: {
        const u256 d = sp[-1];
        if (!fits_u64(d) || !analysis.is_jumpdest(d.w[0])) FAIL(FASTEVM_BAD_JUMP_DESTINATION);
        pc = static_cast<size_t>(d.w[0]);
        --sp;
        continue;
      }
      case OP_JUMPI: {
        if (!is_zero(sp[-2])) {
          const u256 d = sp[-1];
          if (!fits_u64(d) || !analysis.is_jumpdest(d.w[0])) FAIL(FASTEVM_BAD_JUMP_DESTINATION);
          pc = static_cast<size_t>(d.w[0]);
          sp -= 2;
          continue;
        }
        sp -= 2;
        break;
      }
      case OP_PC: *sp++ = from_u64(pc); break;
      case OP_MSIZE: *sp++ = from_u64(mem.size()); break;
      case OP_GAS: *sp++ = from_u64(static_cast<uint64_t>(gas)); break;
      case OP_JUMPDEST: break;
      case OP_TLOAD: sp[-1] = state.tload(m.recipient, sp[-1]); break;
      case OP_TSTORE:
        if (m.is_static) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        state.tstore(m.recipient, sp[-1], sp[-2]);
        sp -= 2;
        break;
      case OP_MCOPY: {
        size_t o1, s1, o2, s2;
        EXPAND(sp[-1], sp[-3], o1, s1);
        EXPAND(sp[-2], sp[-3], o2, s2);
        CHARGE(3 * num_words(s1));
        if (s1 > 0) std::memmove(mem.data() + o1, mem.data() + o2, s1);
        sp -= 3;
        break;
      }
      case OP_PUSH0: *sp++ = U256_ZERO; break;
      case OP_LOG0:
      case OP_LOG1:
      case OP_LOG2:
      case OP_LOG3:
      case OP_LOG4: {
        if (m.is_static) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        const uint32_t n = op - OP_LOG0;
        size_t o, s;
        EXPAND(sp[-1], sp[-2], o, s);
        CHARGE(8 * static_cast<int64_t>(s));
        Log& l = logs.emplace_back();
        l.address = m.recipient;
        l.topic_count = n;
        for (uint32_t i = 0; i < n; ++i) l.topics[i] = sp[-3 - static_cast<int>(i)];
        l.data.assign(mem.data() + o, mem.data() + o + s);
        sp -= 2 + n;
        break;
      }
      case OP_CREATE:
      case OP_CREATE2: {
        if (m.is_static) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        const u256 value = sp[-1];
        size_t o, s;
        EXPAND(sp[-2], sp[-3], o, s);
        if (s > MAX_INITCODE_SIZE) FAIL(FASTEVM_OUT_OF_GAS);
        CHARGE((op == OP_CREATE2 ? 8 : 2) * num_words(s));  // EIP-3860 word cost (+ hashing for CREATE2)
        const u256 salt = op == OP_CREATE2 ? sp[-4] : U256_ZERO;
        sp -= op == OP_CREATE2 ? 4 : 3;
        fb.return_data.clear();
        Account& self = self_account();
        if (m.depth >= MAX_DEPTH || lt(self.balance, value) || self.nonce == UINT64_MAX) {
          *sp++ = U256_ZERO;
          break;
        }
        const int64_t child_gas = gas - gas / 64;
        gas -= child_gas;
        Message cm{op == OP_CREATE2 ? CallKind::Create2 : CallKind::Create, false, m.depth + 1, child_gas,
                   {}, m.recipient, {}, value, mem.data() + o, static_cast<size_t>(s)};
        uint8_t h[32];
        if (op == OP_CREATE) {
          // keccak(rlp([sender, nonce]))
          uint8_t buf[32];
          size_t n = 0;
          const uint64_t nonce = self.nonce;
          uint8_t nb[8];
          int nl = 0;
          for (uint64_t x = nonce; x != 0; x >>= 8) ++nl;
          for (int i = 0; i < nl; ++i) nb[i] = static_cast<uint8_t>(nonce >> (8 * (nl - 1 - i)));
          const size_t payload = 21 + (nonce == 0 ? 1 : (nonce < 0x80 ? 1 : 1 + static_cast<size_t>(nl)));
          buf[n++] = static_cast<uint8_t>(0xc0 + payload);
          buf[n++] = 0x94;
          std::memcpy(buf + n, m.recipient.b, 20);
          n += 20;
          if (nonce == 0) buf[n++] = 0x80;
          else if (nonce < 0x80) buf[n++] = static_cast<uint8_t>(nonce);
          else {
            buf[n++] = static_cast<uint8_t>(0x80 + nl);
            std::memcpy(buf + n, nb, static_cast<size_t>(nl));
            n += static_cast<size_t>(nl);
          }
          keccak256(buf, n, h);
        } else {
          uint8_t buf[85];
          buf[0] = 0xff;
          std::memcpy(buf + 1, m.recipient.b, 20);
          store_be(buf + 21, salt);
          keccak256(s == 0 ? nullptr : mem.data() + o, s, buf + 53);
          keccak256(buf, 85, h);
        }
        std::memcpy(cm.code_address.b, h + 12, 20);
        cm.recipient = cm.code_address;
        state.set_nonce(self, self.nonce + 1);
        const Result r = create(cm);
        gas += r.gas_left;
        if (r.status == FASTEVM_REVERT) fb.return_data.assign(r.output, r.output + r.output_size);
        *sp++ = r.status == FASTEVM_SUCCESS ? address_to_u256(cm.code_address) : U256_ZERO;
        break;
      }
      case OP_CALL:
      case OP_CALLCODE:
      case OP_DELEGATECALL:
      case OP_STATICCALL: {
        const bool has_value = op == OP_CALL || op == OP_CALLCODE;
        const u256 gas_arg = sp[-1];
        const Address to = u256_to_address(sp[-2]);
        const u256 value = has_value ? sp[-3] : U256_ZERO;
        u256* args = has_value ? sp - 4 : sp - 3;  // args[0]=in_off, [-1]=in_size, [-2]=out_off, [-3]=out_size
        const u256 in_off = args[0], in_size = args[-1], out_off = args[-2], out_size = args[-3];
        sp -= has_value ? 7 : 6;
        if (op == OP_CALL && m.is_static && !is_zero(value)) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        size_t io, is, oo, os;
        EXPAND(in_off, in_size, io, is);
        EXPAND(out_off, out_size, oo, os);
        Account& target = state.account(to);
        int64_t cost = state.warm_account(target) ? 2600 : 100;
        if (!is_zero(value)) {
          cost += 9000;
          if (op == OP_CALL && target.is_empty()) cost += 25000;
        }
        CHARGE(cost);
        int64_t child_gas = gas - gas / 64;
        if (fits_u64(gas_arg) && gas_arg.w[0] < static_cast<uint64_t>(child_gas))
          child_gas = static_cast<int64_t>(gas_arg.w[0]);
        gas -= child_gas;
        if (!is_zero(value)) child_gas += 2300;
        fb.return_data.clear();
        Account& self = self_account();
        if (m.depth >= MAX_DEPTH || (!is_zero(value) && lt(self.balance, value))) {
          gas += child_gas;
          *sp++ = U256_ZERO;
          break;
        }
        Message cm{};
        cm.depth = m.depth + 1;
        cm.gas = child_gas;
        cm.code_address = to;
        cm.input = is == 0 ? nullptr : mem.data() + io;
        cm.input_size = is;
        cm.is_static = m.is_static || op == OP_STATICCALL;
        if (op == OP_CALL || op == OP_STATICCALL) {
          cm.kind = op == OP_CALL ? CallKind::Call : CallKind::StaticCall;
          cm.recipient = to;
          cm.sender = m.recipient;
          cm.value = value;
        } else if (op == OP_CALLCODE) {
          cm.kind = CallKind::CallCode;
          cm.recipient = m.recipient;
          cm.sender = m.recipient;
          cm.value = value;
        } else {
          cm.kind = CallKind::DelegateCall;
          cm.recipient = m.recipient;
          cm.sender = m.sender;
          cm.value = m.value;
        }
        const Result r = call(cm);
        fb.return_data.assign(r.output, r.output + r.output_size);
        const size_t n = std::min(os, r.output_size);
        if (n > 0) std::memcpy(mem.data() + oo, r.output, n);
        gas += r.gas_left;
        *sp++ = from_u64(r.status == FASTEVM_SUCCESS ? 1 : 0);
        break;
      }
      case OP_RETURN:
      case OP_REVERT: {
        EXPAND(sp[-1], sp[-2], ret_off, ret_size);
        if (op == OP_REVERT) status = FASTEVM_REVERT;
        goto done;
      }
      case OP_INVALID: FAIL(FASTEVM_INVALID_INSTRUCTION);
      case OP_SELFDESTRUCT: {
        if (m.is_static) FAIL(FASTEVM_STATIC_MODE_VIOLATION);
        Account& b = state.account(u256_to_address(sp[-1]));
        Account& self = self_account();
        int64_t cost = state.warm_account(b) ? 2600 : 0;
        if (!is_zero(self.balance) && b.is_empty()) cost += 25000;
        CHARGE(cost);
        const u256 all = self.balance;  // copy: transfer takes a reference
        state.transfer(self, b, all);
        if (self.created) {
          state.set_balance(self, U256_ZERO);
          state.mark_destructed(self);
        }
        goto done;
      }
      default:
        if (op >= 0x60 && op <= 0x7f) {
          const unsigned n = op - 0x5fu;
          *sp++ = load_push(code + pc + 1, n);
          pc += n;
        } else if (op >= 0x80 && op <= 0x8f) {
          const int n = op - 0x7f;
          *sp = sp[-n];
          ++sp;
        } else {  // SWAP1..16
          const int n = op - 0x8e;
          std::swap(sp[-1], sp[-n]);
        }
        break;
    }
    ++pc;
  }

done:
#undef FAIL
#undef CHARGE
#undef EXPAND
  Result r{status, gas, nullptr, 0};
  if (status == FASTEVM_SUCCESS || status == FASTEVM_REVERT) {
    fb.output.assign(mem.data() + ret_off, mem.data() + ret_off + ret_size);
    r.output = fb.output.data();
    r.output_size = fb.output.size();
  } else {
    r.gas_left = 0;
  }
  return r;
}

}  // namespace fastevm
