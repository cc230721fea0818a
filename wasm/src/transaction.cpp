// One transaction inside the module: decode the request (layout in include/evm.h), charge the sender,
// warm the EIP-2929/2930/3651 sets, run the top-level frame, settle gas (refund cap 1/5, tip to the
// coinbase), apply EIP-6780/EIP-161 deletions and encode the response with the compact write-set.
#include "transaction.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../include/evm.h"
#include "keccak.hpp"

namespace fastevm {

Vm& vm() {
  static Vm instance;
  return instance;
}
std::vector<uint8_t>& response() {
  static std::vector<uint8_t> r;
  return r;
}

std::vector<uint8_t>& request() {
  static std::vector<uint8_t> r;
  return r;
}

void internal_error() {
  response().clear();
  Writer w{response()};
  w.u32(FASTEVM_INTERNAL_ERROR);
}

namespace {

/// keccak(rlp([sender, nonce]))[12:]
Address create_address(const Address& sender, uint64_t nonce) {
  uint8_t buf[32];
  size_t n = 0;
  int nl = 0;
  for (uint64_t x = nonce; x != 0; x >>= 8) ++nl;
  const size_t payload = 21 + (nonce < 0x80 ? 1 : 1 + static_cast<size_t>(nl));
  buf[n++] = static_cast<uint8_t>(0xc0 + payload);
  buf[n++] = 0x94;
  std::memcpy(buf + n, sender.b, 20);
  n += 20;
  if (nonce == 0) buf[n++] = 0x80;
  else if (nonce < 0x80) buf[n++] = static_cast<uint8_t>(nonce);
  else {
    buf[n++] = static_cast<uint8_t>(0x80 + nl);
    for (int i = 0; i < nl; ++i) buf[n++] = static_cast<uint8_t>(nonce >> (8 * (nl - 1 - i)));
  }
  uint8_t h[32];
  keccak256(buf, n, h);
  Address a;
  std::memcpy(a.b, h + 12, 20);
  return a;
}

uint32_t run_transaction(Reader& rd) {
  Vm& v = vm();
  v.state.clear();
  trim_analysis_cache();
  read_env(rd, v.block);
  TxInput in;
  if (!read_tx(rd, in)) return FASTEVM_INTERNAL_ERROR;
  TxOutcome o;
  if (!apply_transaction(v, in, o)) return FASTEVM_INTERNAL_ERROR;

  std::vector<uint8_t>& out = response();
  out.clear();
  Writer w{out};
  w.u32(static_cast<uint32_t>(o.result.status));
  w.u64(o.gas_used);
  w.u64(o.refund);
  out.push_back(o.created ? 1 : 0);
  w.bytes(o.created_address.b, 20);
  w.u32(static_cast<uint32_t>(o.result.output_size));
  if (o.result.output_size > 0) w.bytes(o.result.output, o.result.output_size);
  write_logs(w, v.logs);
  const size_t count_pos = w.reserve_u32();
  uint32_t count = 0;
  std::vector<Account*> accs;
  for (auto& [addr, a] : v.state.accounts()) accs.push_back(&a);
  sort_accounts(accs);
  std::vector<const std::pair<const u256, Slot>*> slots;
  for (Account* ap : accs) {
    Account& a = *ap;
    slots.clear();
    for (const auto& kv : a.storage)
      if (kv.second.current != kv.second.original) slots.push_back(&kv);
    sort_slots(slots);
    const bool deleted = a.destructed || (a.touched && a.is_empty());
    const bool dirty = a.balance != a.orig_balance || a.nonce != a.orig_nonce;
    if (!deleted && !dirty && !a.code_set && !a.created && slots.empty()) continue;
    ++count;
    write_account(w, v.state, a, (deleted ? 1u : 0u) | (a.code_set ? 2u : 0u) | (a.created ? 4u : 0u), slots);
  }
  w.patch_u32(count_pos, count);
  return static_cast<uint32_t>(o.result.status);
}

}  // namespace

void read_env(Reader& rd, BlockContext& b) {
  b.coinbase = rd.addr();
  b.number = rd.u64();
  b.timestamp = rd.u64();
  b.gas_limit = rd.u64();
  b.prevrandao = rd.word();
  b.base_fee = rd.word();
  b.blob_base_fee = rd.word();
  b.chain_id = rd.word();
}

bool read_tx(Reader& rd, TxInput& in) {
  in.sender = rd.addr();
  in.has_to = rd.u8() != 0;
  in.to = rd.addr();
  in.value = rd.word();
  in.gas_limit = rd.u64();
  in.intrinsic = rd.u64();
  in.gas_price = rd.word();
  in.priority_fee = rd.word();
  in.upfront = rd.word();
  in.data_len = rd.u32();
  in.data = rd.take(in.data_len);
  in.access_count = rd.u32();
  in.access = rd.p;
  for (uint32_t i = 0; i < in.access_count && rd.ok; ++i) {
    rd.take(20);
    const uint32_t keys = rd.u32();
    if (static_cast<size_t>(rd.end - rd.p) / 32 < keys) return false;
    rd.p += static_cast<size_t>(keys) * 32;
  }
  in.access_end = rd.p;
  in.blob_count = rd.u32();
  if (static_cast<size_t>(rd.end - rd.p) / 32 < in.blob_count) return false;
  in.blobs = rd.p;
  rd.p += static_cast<size_t>(in.blob_count) * 32;
  return rd.ok && in.intrinsic <= in.gas_limit && in.gas_limit <= static_cast<uint64_t>(INT64_MAX);
}

bool apply_transaction(Vm& v, const TxInput& in, TxOutcome& out) {
  v.logs.clear();
  v.refund = 0;
  const BlockContext& b = v.block;
  v.tx.origin = in.sender;
  v.tx.gas_price = in.gas_price;

  Account& s = v.state.account(in.sender);
  if (lt(s.balance, in.upfront)) return false;
  const uint64_t sender_nonce = s.nonce;
  v.state.set_nonce(s, sender_nonce + 1);
  v.state.set_balance(s, sub(s.balance, in.upfront));
  v.state.warm_account(s);
  // precompiles: warm when first loaded (State::account), no host call for them up front
  v.state.warm_account(v.state.account(b.coinbase));
  Reader al{in.access, in.access_end};
  for (uint32_t i = 0; i < in.access_count; ++i) {
    Account& a = v.state.account(al.addr());
    v.state.warm_account(a);
    const uint32_t keys = al.u32();
    for (uint32_t k = 0; k < keys; ++k) v.state.warm_slot(a, v.state.slot(a, al.word()));
  }
  v.tx.blob_hashes.clear();
  for (uint32_t i = 0; i < in.blob_count; ++i) v.tx.blob_hashes.push_back(load_be(in.blobs + 32 * static_cast<size_t>(i)));

  Message m{};
  m.depth = 0;
  m.gas = static_cast<int64_t>(in.gas_limit - in.intrinsic);
  m.sender = in.sender;
  m.value = in.value;
  m.input = in.data;
  m.input_size = in.data_len;
  out.created = false;
  out.created_address = Address{};
  if (in.has_to) {
    m.kind = CallKind::Call;
    m.recipient = in.to;
    m.code_address = in.to;
    v.state.warm_account(v.state.account(in.to));
    out.result = v.call(m);
  } else {
    m.kind = CallKind::Create;
    out.created_address = create_address(in.sender, sender_nonce);
    m.recipient = out.created_address;
    m.code_address = out.created_address;
    v.state.warm_account(v.state.account(out.created_address));
    out.result = v.create(m);
    out.created = out.result.status == FASTEVM_SUCCESS;
  }

  // gas settlement
  const Result& r = out.result;
  uint64_t gas_used = in.gas_limit - static_cast<uint64_t>(r.gas_left);
  const int64_t refund = r.status == FASTEVM_SUCCESS && v.refund > 0 ? v.refund : 0;
  const uint64_t capped = std::min<uint64_t>(static_cast<uint64_t>(refund), gas_used / 5);
  gas_used -= capped;
  Account& s2 = v.state.account(in.sender);
  v.state.set_balance(s2, add(s2.balance, mul(from_u64(in.gas_limit - gas_used), v.tx.gas_price)));
  Account& cb = v.state.account(b.coinbase);
  v.state.touch(cb);
  const u256 tip = mul(from_u64(gas_used), in.priority_fee);
  if (!is_zero(tip)) v.state.set_balance(cb, add(cb.balance, tip));
  out.gas_used = gas_used;
  out.refund = capped;
  return true;
}

void write_logs(Writer& w, const std::vector<Log>& logs) {
  w.u32(static_cast<uint32_t>(logs.size()));
  for (const Log& l : logs) {
    w.bytes(l.address.b, 20);
    w.u32(l.topic_count);
    for (uint32_t i = 0; i < l.topic_count; ++i) w.word(l.topics[i]);
    w.u32(static_cast<uint32_t>(l.data.size()));
    w.bytes(l.data.data(), l.data.size());
  }
}

void write_account(Writer& w, State& state, Account& a, uint32_t flags,
                   const std::vector<const std::pair<const u256, Slot>*>& slots) {
  w.bytes(a.address.b, 20);
  w.u32(flags);
  w.word(a.balance);
  w.u64(a.nonce);
  if ((flags & 2u) != 0) {
    const CodeAnalysis& c = state.code(a);
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

void sort_accounts(std::vector<Account*>& accs) {
  std::sort(accs.begin(), accs.end(),
            [](const Account* x, const Account* y) { return std::memcmp(x->address.b, y->address.b, 20) < 0; });
}

void sort_slots(std::vector<const std::pair<const u256, Slot>*>& slots) {
  std::sort(slots.begin(), slots.end(), [](const auto* x, const auto* y) { return lt(x->first, y->first); });
}

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
