// World state of one transaction, or of a block's transactions in turn: a cache of accounts and slots loaded
// through host imports, a journal that makes every change revertible to a snapshot (one per call frame), warm
// sets (EIP-2929) and transient storage (EIP-1153). Node-based hash maps keep Account/Slot pointers stable for
// the journal. In a block, `end_transaction` settles each transaction (EIP-161/6780 deletions, tx-start values
// for EIP-2200, warm sets and transient storage reset) and keeps the cache for the next one, remembering every
// account the block changed and each slot's value at the block's start.
#pragma once
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "analysis.hpp"
#include "uint256.hpp"

namespace fastevm {

struct Address {
  uint8_t b[20];
  bool operator==(const Address& o) const { return std::memcmp(b, o.b, 20) == 0; }
};
struct AddressHash {
  size_t operator()(const Address& a) const {
    uint32_t h;
    std::memcpy(&h, a.b + 16, 4);
    uint32_t g;
    std::memcpy(&g, a.b, 4);
    return h ^ (g * 0x9e3779b9u);
  }
};
struct U256Hash {
  size_t operator()(const u256& k) const {
    const uint64_t x = k.w[0] ^ (k.w[1] * 0x9e3779b97f4a7c15ull) ^ (k.w[2] << 7) ^ (k.w[3] >> 3);
    return static_cast<size_t>(x ^ (x >> 32));
  }
};

inline u256 address_to_u256(const Address& a) { return load_be_partial(a.b, 20); }
inline Address u256_to_address(const u256& v) {
  uint8_t buf[32];
  store_be(buf, v);
  Address a;
  std::memcpy(a.b, buf + 12, 20);
  return a;
}

struct Slot {
  u256 original;        // at the transaction's start (EIP-2200)
  u256 current;
  u256 block_original;  // at the block's start
  bool warm = false;
};

struct Account {
  Address address;
  u256 balance;
  uint64_t nonce = 0;
  uint8_t code_hash[32];
  bool exists = false;
  bool had_storage = false;  // non-empty storage at tx start (EIP-7610 collision)
  bool warm = false;
  bool touched = false;
  bool created = false;     // created in this tx (EIP-6780)
  bool destructed = false;  // SELFDESTRUCT of an account created in this tx
  bool code_set = false;
  // block scope (State::end_transaction)
  bool storage_wiped = false;  // deleted or created in this block: storage no longer read from the host
  bool block_deleted = false;  // deleted by the last transaction that changed it
  bool block_dirty = false;    // changed by a transaction of this block
  bool code_changed = false;   // code set or removed in this block
  uint32_t tx_epoch = 0;       // the last transaction whose settlement visited it
  bool slots_changed = false;  // during end_transaction: a slot differs from its tx-start value
  u256 orig_balance;       // at tx start, to report only real changes
  uint64_t orig_nonce = 0;
  const CodeAnalysis* code = nullptr;  // loaded lazily
  std::unordered_map<u256, Slot, U256Hash> storage;

  bool is_empty() const;
};

enum class JournalKind : uint8_t { Balance, Nonce, Storage, Transient, WarmAccount, WarmSlot, Touched, Create, Destruct, Code };

struct JournalEntry {
  JournalKind kind;
  Account* account;
  void* slot;  // Slot* for Storage/WarmSlot, u256* for Transient
  u256 old;
  uint64_t old_nonce;
  bool old_flag;
};

class State {
 public:
  /// The account from the cache, loaded through the host on first use. Precompiles are warm from the start
  /// of every transaction (EIP-2929), so they start warm here instead of being loaded up front.
  Account& account(const Address& a);
  const CodeAnalysis& code(Account& acc);
  uint32_t code_size(Account& acc) { return static_cast<uint32_t>(code(acc).size); }
  Slot& slot(Account& acc, const u256& key);

  size_t snapshot() const { return journal_.size(); }
  void revert(size_t snap);

  void set_balance(Account& acc, const u256& v);
  void set_nonce(Account& acc, uint64_t v);
  void set_storage(Account& acc, Slot& s, const u256& v);
  /// Returns true if the address was cold (and now is warm).
  bool warm_account(Account& acc);
  bool warm_slot(Account& acc, Slot& s);
  void touch(Account& acc);
  void mark_created(Account& acc);
  void mark_destructed(Account& acc);
  void set_code(Account& acc, const uint8_t* code, size_t len);
  u256 tload(const Address& a, const u256& key);
  void tstore(const Address& a, const u256& key, const u256& v);
  /// Moves value; the caller checked the balance.
  void transfer(Account& from, Account& to, u256 v);

  void clear();
  /// Settles the transaction that just ran and keeps the cache for the block's next one.
  void end_transaction();
  /// Whether the account has non-empty storage now (the EIP-7610 collision rule).
  bool has_storage(const Account& acc) const;
  std::unordered_map<Address, Account, AddressHash>& accounts() { return accounts_; }
  /// Every account a settled transaction of this block changed, in first-change order.
  const std::vector<Account*>& block_changed() const { return block_changed_; }

 private:
  struct TKey {
    Address a;
    u256 k;
    bool operator==(const TKey& o) const { return a == o.a && k == o.k; }
  };
  struct TKeyHash {
    size_t operator()(const TKey& t) const { return AddressHash()(t.a) ^ U256Hash()(t.k); }
  };
  std::unordered_map<Address, Account, AddressHash> accounts_;
  std::unordered_map<TKey, u256, TKeyHash> transient_;
  std::vector<JournalEntry> journal_;
  std::vector<Account*> block_changed_;
  std::vector<Account*> settling_;  // reused by end_transaction
  uint32_t epoch_ = 0;
};

extern const uint8_t EMPTY_CODE_HASH[32];

/// Precompile id (1..10) for an address, or 0.
inline uint8_t precompile_id(const Address& a) {
  for (int i = 0; i < 19; ++i)
    if (a.b[i] != 0) return 0;
  return a.b[19] >= 1 && a.b[19] <= 10 ? a.b[19] : 0;
}

}  // namespace fastevm
