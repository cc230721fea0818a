// World-state cache and journal (see state.hpp).
#include "state.hpp"

#include "../include/evm.h"
#include "keccak.hpp"

namespace fastevm {

const uint8_t EMPTY_CODE_HASH[32] = {0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                     0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                     0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};

bool Account::is_empty() const {
  return nonce == 0 && is_zero(balance) && std::memcmp(code_hash, EMPTY_CODE_HASH, 32) == 0;
}

Account& State::account(const Address& a) {
  auto it = accounts_.find(a);
  if (it != accounts_.end()) return it->second;
  Account& acc = accounts_[a];
  acc.address = a;
  uint8_t buf[72];
  const int32_t flags = fastevm_host_account(a.b, buf);
  acc.exists = (flags & 1) != 0;
  acc.had_storage = (flags & 2) != 0;
  if (acc.exists) {
    acc.balance = load_be(buf);
    uint64_t n = 0;
    for (int k = 7; k >= 0; --k) n = (n << 8) | buf[32 + k];
    acc.nonce = n;
    std::memcpy(acc.code_hash, buf + 40, 32);
  } else {
    acc.balance = U256_ZERO;
    std::memcpy(acc.code_hash, EMPTY_CODE_HASH, 32);
  }
  acc.orig_balance = acc.balance;
  acc.orig_nonce = acc.nonce;
  acc.warm = precompile_id(a) != 0;
  return acc;
}

const CodeAnalysis& State::code(Account& acc) {
  if (acc.code != nullptr) return *acc.code;
  if (std::memcmp(acc.code_hash, EMPTY_CODE_HASH, 32) == 0) {
    acc.code = &cached_analysis(EMPTY_CODE_HASH, nullptr, 0);
    return *acc.code;
  }
  // the host is asked for the bytes only when no analysis of this code hash is cached yet
  if (const CodeAnalysis* c = find_analysis(acc.code_hash); c != nullptr) {
    acc.code = c;
    return *c;
  }
  static std::vector<uint8_t> buf;
  const uint32_t n = fastevm_host_code_size(acc.address.b);
  buf.resize(n);
  fastevm_host_code_copy(acc.address.b, buf.data(), n);
  acc.code = &cached_analysis(acc.code_hash, buf.data(), n);
  return *acc.code;
}

Slot& State::slot(Account& acc, const u256& key) {
  auto it = acc.storage.find(key);
  if (it != acc.storage.end()) return it->second;
  Slot& s = acc.storage[key];
  if (acc.created || !acc.exists || acc.storage_wiped) {
    s.original = U256_ZERO;
  } else {
    uint8_t k[32], v[32];
    store_be(k, key);
    fastevm_host_storage(acc.address.b, k, v);
    s.original = load_be(v);
  }
  s.current = s.original;
  s.block_original = s.original;
  return s;
}

void State::revert(size_t snap) {
  while (journal_.size() > snap) {
    JournalEntry& e = journal_.back();
    Account& a = *e.account;
    switch (e.kind) {
      case JournalKind::Balance: a.balance = e.old; break;
      case JournalKind::Nonce: a.nonce = e.old_nonce; break;
      case JournalKind::Storage: static_cast<Slot*>(e.slot)->current = e.old; break;
      case JournalKind::Transient: *static_cast<u256*>(e.slot) = e.old; break;
      case JournalKind::WarmAccount: a.warm = false; break;
      case JournalKind::WarmSlot: static_cast<Slot*>(e.slot)->warm = false; break;
      case JournalKind::Touched: a.touched = e.old_flag; break;
      case JournalKind::Create:
        a.created = false;
        a.exists = e.old_flag;
        break;
      case JournalKind::Destruct: a.destructed = false; break;
      case JournalKind::Code:
        a.code_set = false;
        std::memcpy(a.code_hash, EMPTY_CODE_HASH, 32);
        a.code = nullptr;
        break;
    }
    journal_.pop_back();
  }
}

void State::set_balance(Account& acc, const u256& v) {
  journal_.push_back({JournalKind::Balance, &acc, nullptr, acc.balance, 0, false});
  acc.balance = v;
}
void State::set_nonce(Account& acc, uint64_t v) {
  journal_.push_back({JournalKind::Nonce, &acc, nullptr, U256_ZERO, acc.nonce, false});
  acc.nonce = v;
}
void State::set_storage(Account& acc, Slot& s, const u256& v) {
  journal_.push_back({JournalKind::Storage, &acc, &s, s.current, 0, false});
  s.current = v;
}
bool State::warm_account(Account& acc) {
  if (acc.warm) return false;
  journal_.push_back({JournalKind::WarmAccount, &acc, nullptr, U256_ZERO, 0, false});
  acc.warm = true;
  return true;
}
bool State::warm_slot(Account& acc, Slot& s) {
  if (s.warm) return false;
  journal_.push_back({JournalKind::WarmSlot, &acc, &s, U256_ZERO, 0, false});
  s.warm = true;
  return true;
}
void State::touch(Account& acc) {
  if (acc.touched) return;
  journal_.push_back({JournalKind::Touched, &acc, nullptr, U256_ZERO, 0, false});
  acc.touched = true;
}
void State::mark_created(Account& acc) {
  journal_.push_back({JournalKind::Create, &acc, nullptr, U256_ZERO, 0, acc.exists});
  acc.created = true;
  acc.exists = true;
}
void State::mark_destructed(Account& acc) {
  if (acc.destructed) return;
  journal_.push_back({JournalKind::Destruct, &acc, nullptr, U256_ZERO, 0, false});
  acc.destructed = true;
}
void State::set_code(Account& acc, const uint8_t* code, size_t len) {
  journal_.push_back({JournalKind::Code, &acc, nullptr, U256_ZERO, 0, false});
  keccak256(code, len, acc.code_hash);
  acc.code = &cached_analysis(acc.code_hash, code, len);
  acc.code_set = true;
}
u256 State::tload(const Address& a, const u256& key) {
  auto it = transient_.find(TKey{a, key});
  return it == transient_.end() ? U256_ZERO : it->second;
}
void State::tstore(const Address& a, const u256& key, const u256& v) {
  u256& slot = transient_[TKey{a, key}];
  journal_.push_back({JournalKind::Transient, &account(a), &slot, slot, 0, false});
  slot = v;
}
void State::transfer(Account& from, Account& to, const u256 v) {
  touch(from);
  touch(to);
  if (is_zero(v)) return;
  set_balance(from, sub(from.balance, v));
  set_balance(to, add(to.balance, v));
}

void State::clear() {
  accounts_.clear();
  transient_.clear();
  journal_.clear();
  block_changed_.clear();
}

bool State::has_storage(const Account& acc) const {
  if (acc.had_storage && !acc.storage_wiped) return true;
  for (const auto& kv : acc.storage)
    if (!is_zero(kv.second.original)) return true;
  return false;
}

void State::end_transaction() {
  // every account and slot the transaction changed has a journal entry (reverted changes have none left)
  ++epoch_;
  settling_.clear();
  for (JournalEntry& e : journal_) {
    Account& a = *e.account;
    if (a.tx_epoch != epoch_) {
      a.tx_epoch = epoch_;
      a.slots_changed = false;
      settling_.push_back(&a);
    }
    if (e.kind == JournalKind::Storage) {
      Slot& s = *static_cast<Slot*>(e.slot);
      if (s.current != s.original) a.slots_changed = true;
      s.original = s.current;
    } else if (e.kind == JournalKind::WarmSlot) {
      static_cast<Slot*>(e.slot)->warm = false;
    }
  }
  journal_.clear();
  transient_.clear();
  for (Account* ap : settling_) {
    Account& a = *ap;
    const bool deleted = a.destructed || (a.touched && a.is_empty());
    const bool changed = deleted || a.balance != a.orig_balance || a.nonce != a.orig_nonce || a.code_set ||
                         a.created || a.slots_changed;
    if (deleted) {
      a.balance = U256_ZERO;
      a.nonce = 0;
      std::memcpy(a.code_hash, EMPTY_CODE_HASH, 32);
      a.code = nullptr;
      a.storage.clear();
      a.exists = false;
      a.had_storage = false;
      a.storage_wiped = true;
      a.code_changed = true;
      a.block_deleted = true;
    } else if (changed) {
      a.block_deleted = false;
      if (a.created) {
        a.storage_wiped = true;
        a.exists = true;
      }
      if (a.code_set) a.code_changed = true;
    }
    if (changed && !a.block_dirty) {
      a.block_dirty = true;
      block_changed_.push_back(&a);
    }
    a.warm = precompile_id(a.address) != 0;
    a.touched = false;
    a.created = false;
    a.destructed = false;
    a.code_set = false;
    a.orig_balance = a.balance;
    a.orig_nonce = a.nonce;
  }
}

}  // namespace fastevm
