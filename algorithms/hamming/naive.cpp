// A1: the O(nm) oracle and its vectorized form.
#define PAPERKIT_HAMMING_INTERNAL
#include <algorithm>
#include <cstdint>
#include <vector>

#include "paperkit/hamming/detail/kernels.hpp"

namespace paperkit::hamming::detail {

void naive(const Problem& p) {
  const std::size_t m = p.pattern.size();
  const auto count = static_cast<std::int64_t>(p.out.size());
#pragma omp parallel for num_threads(p.options.threads) schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    Distance d = 0;
    for (std::size_t j = 0; j < m; ++j) d += p.pattern[j] != p.text[static_cast<std::size_t>(i) + j];
    p.out[static_cast<std::size_t>(i)] = d;
  }
}

// Loops interchanged: for a block of B shifts, the inner loop runs over the shifts with one
// pattern symbol fixed, which the compiler turns into vector compares and adds. Partial sums
// are u16 (twice the lanes of u32) and flushed every 65535 pattern symbols, before they can
// overflow.
void naive_simd(const Problem& p) {
  constexpr std::size_t block = 2048;  // text (8 KB) and u16 sums (4 KB) stay in L1
  constexpr std::size_t flush = 65535;
  const std::size_t m = p.pattern.size();
  const std::size_t shifts = p.out.size();
  const auto blocks = static_cast<std::int64_t>((shifts + block - 1) / block);
  const Symbol* text = p.text.data();
  const Symbol* pattern = p.pattern.data();
#pragma omp parallel num_threads(p.options.threads)
  {
    std::vector<std::uint16_t> acc16(block);
    std::vector<std::uint32_t> acc32(block);
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t i0 = static_cast<std::size_t>(b) * block;
      const std::size_t width = std::min(block, shifts - i0);
      std::fill(acc32.begin(), acc32.end(), 0u);
      for (std::size_t j0 = 0; j0 < m; j0 += flush) {
        std::fill(acc16.begin(), acc16.end(), std::uint16_t{0});
        std::uint16_t* __restrict a = acc16.data();
        const std::size_t j_end = std::min(m, j0 + flush);
        for (std::size_t j = j0; j < j_end; ++j) {
          const Symbol c = pattern[j];
          const Symbol* __restrict t = text + i0 + j;
          for (std::size_t i = 0; i < width; ++i) a[i] = static_cast<std::uint16_t>(a[i] + (t[i] != c));
        }
        for (std::size_t i = 0; i < width; ++i) acc32[i] += acc16[i];
      }
      std::copy_n(acc32.begin(), width, p.out.begin() + static_cast<std::ptrdiff_t>(i0));
    }
  }
}

}  // namespace paperkit::hamming::detail
