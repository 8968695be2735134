// A4 `abrahamson` (Abrahamson, SICOMP 16(6) 1987): symbols that occur more than t times in P
// (heavy, at most m/t of them) are counted by FFT correlation; every other symbol by walking
// its occurrence pairs. With t = sqrt(m log2 m) both halves cost O(n sqrt(m log m)).
// Also the occurrence-pair engine of correlation.hpp, shared with `hybrid`.
#define PAPERKIT_HAMMING_INTERNAL
#include <algorithm>
#include <cstdint>

#include "paperkit/hamming/detail/correlation.hpp"
#include "paperkit/hamming/detail/kernels.hpp"

namespace paperkit::hamming::detail {

void add_pair_matches(const SymbolTable& table, std::span<const SymbolId> ids, int threads, std::span<Distance> match) {
  if (ids.empty() || match.empty()) return;
  const std::size_t n = table.n(), m = table.m(), shifts = match.size();
  // occ[start[c] .. start[c+1]): ascending positions j of id c in P, for the chosen ids only;
  // every other id (heavy ones and none()) gets an empty range, so the scan needs no test.
  std::vector<std::uint32_t> start(table.sigma() + 2, 0);
  for (SymbolId c : ids) start[c + 1] = static_cast<std::uint32_t>(table.pattern_counts[c]);
  for (std::size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  std::vector<std::uint32_t> occ(start.back());
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t j = 0; j < m; ++j) {
      const SymbolId c = table.pattern_ids[j];
      if (fill[c] < start[c + 1]) occ[fill[c]++] = static_cast<std::uint32_t>(j);
    }
  }

  // Parallel over fixed chunks of output shifts [i0, i1): a chunk reads the text positions
  // k in [i0, i1 + m - 1) and adds only into its own shifts, so threads never share an
  // output, and integer counts make the result independent of the thread count. Chunks span
  // at least 4m shifts so that the edges (k near i0 or i1, where only some pairs fall inside)
  // are a small part; the increments of one k fall in a window of m outputs either way.
  const std::size_t chunk = std::max<std::size_t>(std::size_t{1} << 16, 4 * m);
  const auto chunks = static_cast<std::int64_t>((shifts + chunk - 1) / chunk);
  const SymbolId* text = table.text_ids.data();
  const std::uint32_t* positions = occ.data();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (std::int64_t q = 0; q < chunks; ++q) {
    const std::size_t i0 = static_cast<std::size_t>(q) * chunk;
    const std::size_t i1 = std::min(shifts, i0 + chunk);
    const std::size_t k_end = std::min(n, i1 + m - 1);
    for (std::size_t k = i0; k < k_end; ++k) {
      const SymbolId c = text[k];
      const std::uint32_t* first = positions + start[c];
      const std::uint32_t* last = positions + start[c + 1];
      if (first == last) continue;
      // Pairs (k, j) with shift i = k - j in [i0, i1): j in [k - i1 + 1, k - i0].
      if (k >= i1) first = std::lower_bound(first, last, static_cast<std::uint32_t>(k - i1 + 1));
      if (k - i0 < m - 1) last = std::upper_bound(first, last, static_cast<std::uint32_t>(k - i0));
      Distance* at = match.data() + k;
      for (; first < last; ++first) ++*(at - *first);
    }
  }
}

void abrahamson(const Problem& p) {
  const SymbolTable table = make_symbol_table(p.text, p.pattern, p.options.threads);
  const double t = abrahamson_threshold(p.pattern.size(), p.options.threshold);
  std::vector<SymbolId> heavy, light;
  for (std::size_t c = 0; c < table.sigma(); ++c) {
    (static_cast<double>(table.pattern_counts[c]) > t ? heavy : light).push_back(static_cast<SymbolId>(c));
  }
  std::fill(p.out.begin(), p.out.end(), 0u);
  add_fft_matches(table, heavy, p.options.threads, p.out);
  add_pair_matches(table, light, p.options.threads, p.out);
  matches_to_distances(p.out, p.pattern.size());
}

}  // namespace paperkit::hamming::detail
