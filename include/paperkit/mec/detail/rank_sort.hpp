// Sorts RankedEntry values into ranks_before order (ranked_entry.hpp) by an LSD radix sort on
// the value bits: the order is total, so the result is exactly std::sort's with ranks_before.
// Greedy coupling sorts each marginal once; on Dirichlet(1) inputs of 10^5-10^6 entries this is
// several times faster than std::sort (bench/README.md).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "paperkit/mec/detail/ranked_entry.hpp"

namespace paperkit::mec::detail {

// `entries` must list distinct indices in increasing order (as built from a marginal): the radix
// passes are stable, so equal values keep increasing indices, the tie-break. `buffer` is scratch.
inline void sort_ranked(std::vector<RankedEntry>& entries, std::vector<RankedEntry>& buffer) {
  const std::size_t n = entries.size();
  if (n < 256) {  // below this the histograms cost more than a comparison sort
    // A lambda, not the function pointer, so the comparison inlines.
    std::sort(entries.begin(), entries.end(),
              [](const RankedEntry& a, const RankedEntry& b) { return ranks_before(a, b); });
    return;
  }
  // Descending values = ascending ~bits; 8 digits of 8 bits, histograms in one pass.
  std::vector<std::array<std::uint32_t, 256>> counts(8);
  for (auto& c : counts) c.fill(0);
  for (const RankedEntry& e : entries) {
    const std::uint64_t key = ~e.bits;
    for (std::size_t d = 0; d < 8; ++d) ++counts[d][(key >> (8 * d)) & 0xff];
  }
  buffer.resize(n);
  for (std::size_t d = 0; d < 8; ++d) {
    auto& c = counts[d];
    // A digit that every key shares moves nothing: skip the pass (the exponent's high digits,
    // and the sign, usually).
    if (c[(~entries.front().bits >> (8 * d)) & 0xff] == n) continue;
    std::uint32_t offset = 0;
    for (auto& slot : c) {
      const std::uint32_t here = slot;
      slot = offset;
      offset += here;
    }
    for (const RankedEntry& e : entries) buffer[c[(~e.bits >> (8 * d)) & 0xff]++] = e;
    entries.swap(buffer);
  }
}

}  // namespace paperkit::mec::detail
