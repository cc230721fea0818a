// Code analysis, done once per code hash: the code padded with zero bytes (so PUSH32 at the very end reads
// no further than the buffer and execution falls into STOP) and a bitmap of valid JUMPDEST positions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastevm {

struct CodeAnalysis {
  std::vector<uint8_t> padded;    // code + 33 zero bytes
  std::vector<uint64_t> jumpdests;  // bit i set = offset i is a JUMPDEST outside push data
  size_t size = 0;                // unpadded code length
  uint8_t hash[32];

  bool is_jumpdest(uint64_t pos) const {
    return pos < size && ((jumpdests[static_cast<size_t>(pos / 64)] >> (pos % 64)) & 1) != 0;
  }
};

void analyze(const uint8_t* code, size_t len, CodeAnalysis& out);
/// The cached analysis of the code with this hash, or nullptr.
const CodeAnalysis* find_analysis(const uint8_t hash[32]);
/// Analysis for code with the given hash, from the cache or built from the bytes and cached.
const CodeAnalysis& cached_analysis(const uint8_t hash[32], const uint8_t* code, size_t len);
void clear_analysis_cache();
/// Drops the cache if it grew too large; only between transactions (entries are referenced during one).
void trim_analysis_cache();

}  // namespace fastevm
