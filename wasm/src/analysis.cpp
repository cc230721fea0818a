// Jump-destination analysis and its cache keyed by code hash. Code is immutable per hash, so cached
// entries stay valid across transactions; the cache is dropped wholesale when it grows too large.
#include "analysis.hpp"

#include <cstring>
#include <memory>
#include <unordered_map>

namespace fastevm {

namespace {

struct HashKey {
  uint8_t b[32];
  bool operator==(const HashKey& o) const { return std::memcmp(b, o.b, 32) == 0; }
};
struct HashKeyHash {
  size_t operator()(const HashKey& k) const {
    size_t h;
    std::memcpy(&h, k.b, sizeof h);
    return h;
  }
};

constexpr size_t MAX_CACHED = 4096;
std::unordered_map<HashKey, std::unique_ptr<CodeAnalysis>, HashKeyHash>& cache() {
  static std::unordered_map<HashKey, std::unique_ptr<CodeAnalysis>, HashKeyHash> c;
  return c;
}

}  // namespace

void analyze(const uint8_t* code, size_t len, CodeAnalysis& out) {
  out.size = len;
  out.padded.assign(len + 33, 0);
  if (len > 0) std::memcpy(out.padded.data(), code, len);
  out.jumpdests.assign(len / 64 + 1, 0);
  for (size_t i = 0; i < len; ++i) {
    const uint8_t op = code[i];
    if (op == 0x5b) {
      out.jumpdests[i / 64] |= 1ull << (i % 64);
    } else if (op >= 0x60 && op <= 0x7f) {
      i += static_cast<size_t>(op - 0x5f);
    }
  }
}

const CodeAnalysis* find_analysis(const uint8_t hash[32]) {
  HashKey key;
  std::memcpy(key.b, hash, 32);
  auto it = cache().find(key);
  return it == cache().end() ? nullptr : it->second.get();
}

const CodeAnalysis& cached_analysis(const uint8_t hash[32], const uint8_t* code, size_t len) {
  HashKey key;
  std::memcpy(key.b, hash, 32);
  auto& c = cache();
  auto it = c.find(key);
  if (it != c.end()) return *it->second;
  auto a = std::make_unique<CodeAnalysis>();
  analyze(code, len, *a);
  std::memcpy(a->hash, hash, 32);
  const CodeAnalysis& ref = *a;
  c.emplace(key, std::move(a));
  return ref;
}

void clear_analysis_cache() { cache().clear(); }

void trim_analysis_cache() {
  if (cache().size() >= MAX_CACHED) cache().clear();
}

}  // namespace fastevm
