// Internal: the algorithm kernels behind paperkit::hamming::distances.
#pragma once

#ifndef PAPERKIT_HAMMING_INTERNAL
#error "paperkit/hamming/detail headers are internal: include paperkit/hamming/hamming.hpp"
#endif

#include <span>

#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming::detail {

// Every kernel gets 1 <= m <= n and out.size() == n - m + 1 and fills every entry of out.
struct Problem {
  std::span<const Symbol> text;
  std::span<const Symbol> pattern;
  std::span<Distance> out;
  const Options& options;
};

void naive(const Problem& p);
void naive_simd(const Problem& p);
void bitpar(const Problem& p);
void fft(const Problem& p);
void abrahamson(const Problem& p);
void hybrid(const Problem& p);

}  // namespace paperkit::hamming::detail
