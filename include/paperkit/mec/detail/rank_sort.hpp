// Sorts RankedEntry values into ranks_before order (ranked_entry.hpp). The order is total, so
// any correct sort gives exactly std::sort's result (UnitMecRankSort.MatchesStdSort). Greedy
// coupling sorts each marginal once; both ways here first sort by the value's high bits only
// and then put the few runs of entries that agree on those bits into full order:
// - below kRadixSortFrom entries, std::sort on 64-bit keys (the value's high bits with the
//   entry's position in the low bits), cheaper to compare and move than 16-byte entries;
// - from there on, a stable LSD radix sort of the entries on the value's top 32 or 33 bits
//   (branch-free, unlike a comparison sort): four passes of 8-bit digits below 4096 entries,
//   three of 11-bit digits beyond, instead of one pass per byte of the value (bench/README.md).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "paperkit/mec/detail/ranked_entry.hpp"

namespace paperkit::mec::detail {

inline constexpr std::size_t kRadixSortFrom = 256;

// `entries` is sorted by the value bits at and above `from_bit`, equal ones in index order:
// sorts each run that agrees on those bits by ranks_before (runs of distinct random values are
// rare and short; a long run goes to std::sort, so the worst case stays O(n log n)).
inline void order_runs(RankedEntry* entries, std::size_t n, int from_bit) {
  auto rank_less = [](const RankedEntry& a, const RankedEntry& b) { return ranks_before(a, b); };
  std::size_t start = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && (entries[i].bits >> from_bit) == (entries[start].bits >> from_bit)) continue;
    const std::size_t length = i - start;
    if (length > 16) {
      std::sort(entries + start, entries + i, rank_less);
    } else if (length > 1) {
      for (std::size_t t = start + 1; t < i; ++t) {  // insertion: usually nothing moves
        const RankedEntry e = entries[t];
        std::size_t hole = t;
        while (hole > start && ranks_before(e, entries[hole - 1])) {
          entries[hole] = entries[hole - 1];
          --hole;
        }
        entries[hole] = e;
      }
    }
    start = i;
  }
}

// A stable LSD radix sort of `entries` by the value's top kDigits * kDigitBits bits, descending
// (ascending ~bits), then order_runs for the bits below.
template <int kDigitBits, int kDigits>
void radix_sort_high_bits(std::vector<RankedEntry>& entries, std::vector<RankedEntry>& buffer) {
  constexpr int kLowBit = 64 - kDigitBits * kDigits;
  constexpr std::uint64_t kDigitMask = (std::uint64_t{1} << kDigitBits) - 1;
  auto digit = [](const RankedEntry& e, int d) { return (~e.bits >> (kLowBit + kDigitBits * d)) & kDigitMask; };
  const std::size_t n = entries.size();
  std::vector<std::array<std::uint32_t, std::size_t{1} << kDigitBits>> counts(kDigits);
  for (auto& c : counts) c.fill(0);
  for (const RankedEntry& e : entries) {
    for (int d = 0; d < kDigits; ++d) ++counts[static_cast<std::size_t>(d)][digit(e, d)];
  }
  buffer.resize(n);
  for (int d = 0; d < kDigits; ++d) {
    auto& c = counts[static_cast<std::size_t>(d)];
    // A digit that every key shares moves nothing: skip the pass.
    if (c[digit(entries.front(), d)] == n) continue;
    std::uint32_t offset = 0;
    for (auto& slot : c) {
      const std::uint32_t here = slot;
      slot = offset;
      offset += here;
    }
    for (const RankedEntry& e : entries) buffer[c[digit(e, d)]++] = e;
    entries.swap(buffer);
  }
  order_runs(entries.data(), n, kLowBit);
}

// `entries` must list distinct indices in increasing order (as built from a marginal): equal
// values keep that order, the tie-break. `buffer` is scratch.
inline void sort_ranked(std::vector<RankedEntry>& entries, std::vector<RankedEntry>& buffer) {
  const std::size_t n = entries.size();
  if (n < 2) return;
  if (n < kRadixSortFrom) {
    // Key: the value's bits above the lowest s, then (mask - position), so a larger key is a
    // larger value or the same high bits and an earlier position (a lower index).
    const int s = static_cast<int>(std::bit_width(n - 1));
    const std::uint64_t mask = (std::uint64_t{1} << s) - 1;
    std::vector<std::uint64_t> keys(n);
    for (std::size_t t = 0; t < n; ++t) keys[t] = (entries[t].bits & ~mask) | (mask - t);
    std::sort(keys.begin(), keys.end(), [](std::uint64_t a, std::uint64_t b) { return a > b; });
    buffer.resize(n);
    for (std::size_t u = 0; u < n; ++u) buffer[u] = entries[mask - (keys[u] & mask)];
    entries.swap(buffer);
    order_runs(entries.data(), n, s);
    return;
  }
  // Radix: below 4096 entries 8-bit digits (histograms of 256), beyond 11-bit ones (fewer passes).
  if (n < 4096) {
    radix_sort_high_bits<8, 4>(entries, buffer);
  } else {
    radix_sort_high_bits<11, 3>(entries, buffer);
  }
}

}  // namespace paperkit::mec::detail
