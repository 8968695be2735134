// The simplest correct method, written again inside the tests so that the library's own
// `naive` is checked too, plus seeded input makers.
#pragma once

#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming::test {

inline std::vector<Distance> brute_force(const std::vector<Symbol>& text, const std::vector<Symbol>& pattern) {
  std::vector<Distance> hd;
  if (text.size() < pattern.size()) return hd;
  for (std::size_t i = 0; i + pattern.size() <= text.size(); ++i) {
    Distance d = 0;
    for (std::size_t j = 0; j < pattern.size(); ++j) d += pattern[j] != text[i + j] ? 1u : 0u;
    hd.push_back(d);
  }
  return hd;
}

// Uniform symbols in [offset, offset + sigma), offset lets tests use values near 2^32 - 1.
inline std::vector<Symbol> random_symbols(Rng& rng, std::size_t n, std::uint64_t sigma, std::uint64_t offset = 0) {
  std::vector<Symbol> v(n);
  for (auto& s : v) s = static_cast<Symbol>(offset + rng.uniform_below(sigma));
  return v;
}

// One algorithm through the public API.
inline std::vector<Distance> run(const std::string& algo, const std::vector<Symbol>& t, const std::vector<Symbol>& p,
                                 int threads = 1) {
  Options o;
  o.algorithm = algo;
  o.threads = threads;
  return distances(t, p, o);
}

inline std::vector<Symbol> from(const char* s) {
  std::vector<Symbol> v;
  for (; *s; ++s) v.push_back(static_cast<unsigned char>(*s));
  return v;
}

}  // namespace paperkit::hamming::test
