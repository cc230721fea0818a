// One transaction inside the module: decode the request (layout in include/evm.h), charge the sender,
// warm the EIP-2929/2930/3651 sets, run the top-level frame, settle gas (refund cap 1/5, tip to the
// coinbase), apply EIP-6780/EIP-161 deletions and encode the response with the compact write-set.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../include/evm.h"
#include "keccak.hpp"
#include "vm.hpp"

namespace fastevm {
namespace {

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
};

Vm& vm() {
  static Vm instance;
  return instance;
}
std::vector<uint8_t>& request() {
  static std::vector<uint8_t> r;
  return r;
}
std::vector<uint8_t>& response() {
  static std::vector<uint8_t> r;
  return r;
}

void internal_error() {
  response().clear();
  Writer w{response()};
  w.u32(FASTEVM_INTERNAL_ERROR);
}

uint32_t run_transaction(Reader& rd) {
  Vm& v = vm();
  v.state.clear();
  v.logs.clear();
  v.refund = 0;
  trim_analysis_cache();
  BlockContext& b = v.block;
  b.coinbase = rd.addr();
  b.number = rd.u64();
  b.timestamp = rd.u64();
  b.gas_limit = rd.u64();
  b.prevrandao = rd.word();
  b.base_fee = rd.word();
  b.blob_base_fee = rd.word();
  b.chain_id = rd.word();
  const Address sender = rd.addr();
  const bool has_to = rd.take(1)[0] != 0;
  const Address to = rd.addr();
  const u256 value = rd.word();
  const uint64_t gas_limit = rd.u64();
  const uint64_t intrinsic = rd.u64();
  v.tx.origin = sender;
  v.tx.gas_price = rd.word();
  const u256 priority_fee = rd.word();
  const u256 upfront = rd.word();
  const uint32_t data_len = rd.u32();
  const uint8_t* data = rd.take(data_len);
  if (!rd.ok || intrinsic > gas_limit || gas_limit > static_cast<uint64_t>(INT64_MAX)) return FASTEVM_INTERNAL_ERROR;

  Account& s = v.state.account(sender);
  if (lt(s.balance, upfront)) return FASTEVM_INTERNAL_ERROR;
  const uint64_t sender_nonce = s.nonce;
  v.state.set_nonce(s, sender_nonce + 1);
  v.state.set_balance(s, sub(s.balance, upfront));
  v.state.warm_account(s);
  // precompiles: warm when first loaded (State::account), no host call for them up front
  v.state.warm_account(v.state.account(b.coinbase));
  const uint32_t access_count = rd.u32();
  for (uint32_t i = 0; i < access_count && rd.ok; ++i) {
    Account& a = v.state.account(rd.addr());
    v.state.warm_account(a);
    const uint32_t keys = rd.u32();
    for (uint32_t k = 0; k < keys && rd.ok; ++k) v.state.warm_slot(a, v.state.slot(a, rd.word()));
  }
  const uint32_t blob_count = rd.u32();
  v.tx.blob_hashes.clear();
  for (uint32_t i = 0; i < blob_count && rd.ok; ++i) v.tx.blob_hashes.push_back(rd.word());
  if (!rd.ok) return FASTEVM_INTERNAL_ERROR;

  Message m{};
  m.depth = 0;
  m.gas = static_cast<int64_t>(gas_limit - intrinsic);
  m.sender = sender;
  m.value = value;
  m.input = data;
  m.input_size = data_len;
  Result r;
  bool created = false;
  Address created_addr{};
  if (has_to) {
    m.kind = CallKind::Call;
    m.recipient = to;
    m.code_address = to;
    v.state.warm_account(v.state.account(to));
    r = v.call(m);
  } else {
    m.kind = CallKind::Create;
    // keccak(rlp([sender, nonce]))[12:]
    uint8_t buf[32];
    size_t n = 0;
    int nl = 0;
    for (uint64_t x = sender_nonce; x != 0; x >>= 8) ++nl;
    const size_t payload = 21 + (sender_nonce < 0x80 ? 1 : 1 + static_cast<size_t>(nl));
    buf[n++] = static_cast<uint8_t>(0xc0 + payload);
    buf[n++] = 0x94;
    std::memcpy(buf + n, sender.b, 20);
    n += 20;
    if (sender_nonce == 0) buf[n++] = 0x80;
    else if (sender_nonce < 0x80) buf[n++] = static_cast<uint8_t>(sender_nonce);
    else {
      buf[n++] = static_cast<uint8_t>(0x80 + nl);
      for (int i = 0; i < nl; ++i) buf[n++] = static_cast<uint8_t>(sender_nonce >> (8 * (nl - 1 - i)));
    }
    uint8_t h[32];
    keccak256(buf, n, h);
    std::memcpy(created_addr.b, h + 12, 20);
    m.recipient = created_addr;
    m.code_address = created_addr;
    v.state.warm_account(v.state.account(created_addr));
    r = v.create(m);
    created = r.status == FASTEVM_SUCCESS;
  }

  // gas settlement
  const int64_t gas_left = r.gas_left;
  uint64_t gas_used = gas_limit - static_cast<uint64_t>(gas_left);
  const int64_t refund = r.status == FASTEVM_SUCCESS && v.refund > 0 ? v.refund : 0;
  const uint64_t capped = std::min<uint64_t>(static_cast<uint64_t>(refund), gas_used / 5);
  gas_used -= capped;
  Account& s2 = v.state.account(sender);
  v.state.set_balance(s2, add(s2.balance, mul(from_u64(gas_limit - gas_used), v.tx.gas_price)));
  Account& cb = v.state.account(b.coinbase);
  v.state.touch(cb);
  const u256 tip = mul(from_u64(gas_used), priority_fee);
  if (!is_zero(tip)) v.state.set_balance(cb, add(cb.balance, tip));

  // response
  std::vector<uint8_t>& out = response();
  out.clear();
  Writer w{out};
  w.u32(static_cast<uint32_t>(r.status));
  w.u64(gas_used);
  w.u64(capped);
  out.push_back(created ? 1 : 0);
  w.bytes(created_addr.b, 20);
  w.u32(static_cast<uint32_t>(r.output_size));
  if (r.output_size > 0) w.bytes(r.output, r.output_size);
  w.u32(static_cast<uint32_t>(v.logs.size()));
  for (const Log& l : v.logs) {
    w.bytes(l.address.b, 20);
    w.u32(l.topic_count);
    for (uint32_t i = 0; i < l.topic_count; ++i) w.word(l.topics[i]);
    w.u32(static_cast<uint32_t>(l.data.size()));
    w.bytes(l.data.data(), l.data.size());
  }
  const size_t count_pos = out.size();
  w.u32(0);
  uint32_t count = 0;
  // sorted by address and key: the response must not depend on the hash-map implementation
  std::vector<Account*> accs;
  for (auto& [addr, a] : v.state.accounts()) accs.push_back(&a);
  std::sort(accs.begin(), accs.end(),
            [](const Account* x, const Account* y) { return std::memcmp(x->address.b, y->address.b, 20) < 0; });
  std::vector<const std::pair<const u256, Slot>*> slots;
  for (Account* ap : accs) {
    Account& a = *ap;
    slots.clear();
    for (const auto& kv : a.storage)
      if (kv.second.current != kv.second.original) slots.push_back(&kv);
    std::sort(slots.begin(), slots.end(), [](const auto* x, const auto* y) { return lt(x->first, y->first); });
    const bool deleted = a.destructed || (a.touched && a.is_empty());
    const bool dirty = a.balance != a.orig_balance || a.nonce != a.orig_nonce;
    if (!deleted && !dirty && !a.code_set && !a.created && slots.empty()) continue;
    ++count;
    w.bytes(a.address.b, 20);
    w.u32((deleted ? 1u : 0u) | (a.code_set ? 2u : 0u) | (a.created ? 4u : 0u));
    w.word(a.balance);
    w.u64(a.nonce);
    if (a.code_set) {
      const CodeAnalysis& c = v.state.code(a);
      w.u32(static_cast<uint32_t>(c.size));
      w.bytes(c.padded.data(), c.size);
    } else {
      w.u32(0);
    }
    w.u32(static_cast<uint32_t>(slots.size()));
    for (const auto* kv : slots) {
      w.word(kv->first);
      w.word(kv->second.current);
    }
  }
  for (int k = 0; k < 4; ++k) out[count_pos + static_cast<size_t>(k)] = static_cast<uint8_t>(count >> (8 * k));
  return static_cast<uint32_t>(r.status);
}

}  // namespace
}  // namespace fastevm

extern "C" {

uint8_t* fastevm_request_buffer(uint32_t size) {
  auto& r = fastevm::request();
  if (r.size() < size) r.resize(size);
  return r.data();
}

uint32_t fastevm_execute(uint32_t request_len) {
  auto& req = fastevm::request();
  if (request_len > req.size()) {
    fastevm::internal_error();
    return FASTEVM_INTERNAL_ERROR;
  }
  fastevm::Reader rd{req.data(), req.data() + request_len};
  const uint32_t s = fastevm::run_transaction(rd);
  if (s == FASTEVM_INTERNAL_ERROR) fastevm::internal_error();
  return s;
}

const uint8_t* fastevm_response_ptr(void) { return fastevm::response().data(); }
uint32_t fastevm_response_len(void) { return static_cast<uint32_t>(fastevm::response().size()); }
void fastevm_reset_cache(void) { fastevm::clear_analysis_cache(); }
}
