// Synthetic texts for tests, experiments and `paperkit-hamming gen`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming {

enum class GenKind {
  random,     // i.i.d. uniform symbols in [0, sigma)
  periodic,   // a random word of length `period` repeated, then `mutation_rate` substitutions
  fibonacci,  // the Fibonacci word over {0, 1} (highly repetitive, sigma is ignored)
  mutate      // a copy of `base` with each symbol substituted with probability mutation_rate
};

GenKind parse_gen_kind(const std::string& name);

struct GenSpec {
  GenKind kind = GenKind::random;
  std::size_t n = 0;
  std::uint64_t sigma = 4;      // alphabet size, >= 1 and <= 2^32
  std::size_t period = 16;      // periodic
  double mutation_rate = 0.01;  // periodic, mutate: in [0, 1]
  std::uint64_t seed = 1;
};

// Deterministic for a given spec. `base` is used by `mutate` only (its length wins over n).
// Throws InvalidParameter for sigma outside [1, 2^32], period 0, rate outside [0, 1].
std::vector<Symbol> generate(const GenSpec& spec, const std::vector<Symbol>& base = {});

}  // namespace paperkit::hamming
