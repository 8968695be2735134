// Every algorithm against the brute-force oracle on seeded random inputs, and the spec's
// invariants (relabelling, reversal, pattern splitting, total-matches checksum, threads).
#include <gtest/gtest.h>

#include <algorithm>

#include "paperkit/hamming/generate.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "reference.hpp"
#include "support/seeds.hpp"

namespace paperkit::hamming {
namespace {

using test::brute_force;
using test::random_symbols;

using test::run;

struct Case {
  std::size_t n, m;
  std::uint64_t sigma;
  std::uint64_t offset;
};

// Sizes around the block boundaries of every method: word size 64 (bitpar), FFT block
// steps L - m + 1 with L = 2^ceil(log2 2m), the 2048-shift block of naive-simd and its u16
// partial sums flushed every 65535 pattern symbols.
std::vector<Case> cases() {
  std::vector<Case> v;
  for (std::uint64_t sigma : {1ULL, 2ULL, 4ULL, 26ULL, 256ULL, 1ULL << 20}) {
    for (std::size_t m : {1u, 2u, 3u, 63u, 64u, 65u, 127u, 128u, 129u, 300u}) {
      const std::size_t L = std::bit_ceil(2 * m);
      for (std::size_t shifts :
           {1ul, 2ul, 63ul, 64ul, 65ul, L - m, L - m + 1, L - m + 2, 3 * (L - m + 1) + 1, 1000ul}) {
        if (shifts == 0) continue;
        v.push_back({m + shifts - 1, m, sigma, 0});
      }
    }
  }
  v.push_back({2048 + 99, 100, 4, 0});  // naive-simd: one whole block of shifts
  v.push_back({2049 + 99, 100, 4, 0});
  v.push_back({8192 + 99, 100, 4, 0});
  v.push_back({70000 + 99, 70000, 2, 0});  // m > 65535: u16 partial sums must be flushed
  v.push_back({20000, 1000, 3, 0});
  v.push_back({20000, 1000, 26, 0});
  v.push_back({5000, 700, 4, 0xfffffff0ULL});  // symbols near 2^32 - 1
  return v;
}

class PropertyEveryAlgorithm : public ::testing::TestWithParam<std::string> {};

TEST_P(PropertyEveryAlgorithm, EqualsBruteForceOnRandomInputs) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::uint64_t index = 0;
  for (const Case& c : cases()) {
    Rng rng = Rng::for_block(seed, 1, index++);
    const auto text = random_symbols(rng, c.n, c.sigma, c.offset);
    // Half the patterns are copied from the text (so some shifts match well), half random.
    std::vector<Symbol> pattern;
    if (index % 2 == 0) {
      const std::size_t at = rng.uniform_below(c.n - c.m + 1);
      pattern.assign(text.begin() + static_cast<std::ptrdiff_t>(at),
                     text.begin() + static_cast<std::ptrdiff_t>(at + c.m));
    } else {
      pattern = random_symbols(rng, c.m, c.sigma, c.offset);
    }
    ASSERT_EQ(run(GetParam(), text, pattern), brute_force(text, pattern))
        << "n=" << c.n << " m=" << c.m << " sigma=" << c.sigma << " case " << index;
  }
}

TEST_P(PropertyEveryAlgorithm, EqualsBruteForceOnStructuredTexts) {
  for (auto kind : {GenKind::periodic, GenKind::fibonacci}) {
    GenSpec spec;
    spec.kind = kind;
    spec.n = 4000;
    spec.sigma = 4;
    spec.period = 37;
    spec.seed = paperkit::test::base_seed();
    const auto text = generate(spec);
    for (std::size_t m : {1u, 64u, 377u, 1000u}) {
      const std::vector<Symbol> pattern(text.begin() + 17, text.begin() + 17 + static_cast<std::ptrdiff_t>(m));
      ASSERT_EQ(run(GetParam(), text, pattern), brute_force(text, pattern)) << "m=" << m;
    }
  }
}

TEST_P(PropertyEveryAlgorithm, IdenticalForOneAndTwoThreads) {
  Rng rng(paperkit::test::base_seed());
  const auto text = random_symbols(rng, 50000, 4);
  const std::vector<Symbol> pattern(text.begin() + 100, text.begin() + 1100);
  EXPECT_EQ(run(GetParam(), text, pattern, 1), run(GetParam(), text, pattern, 2));
  EXPECT_EQ(run(GetParam(), text, pattern, 1), run(GetParam(), text, pattern, 3));
}

TEST_P(PropertyEveryAlgorithm, Invariants) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed + 7);
  for (std::uint64_t sigma : {2ULL, 4ULL, 26ULL, 256ULL}) {
    const auto text = random_symbols(rng, 3000, sigma);
    const auto pattern = random_symbols(rng, 200, sigma);
    const auto hd = run(GetParam(), text, pattern);
    // 0 <= HD <= m
    EXPECT_TRUE(std::all_of(hd.begin(), hd.end(), [&](Distance d) { return d <= pattern.size(); }));
    // Total-matches checksum from per-symbol counts.
    EXPECT_EQ(sum_matches(hd, pattern.size()), total_matches_by_counting(text, pattern));
    // A bijective relabelling (onto values near 2^32 - 1) leaves HD unchanged.
    auto relabel = [](std::vector<Symbol> v) {
      for (auto& s : v) s = 0xffffffffu - s * 2654435761u % 1000003u;
      return v;
    };
    EXPECT_EQ(run(GetParam(), relabel(text), relabel(pattern)), hd);
    // Reversing both P and T reverses HD.
    auto rt = text, rp = pattern;
    std::reverse(rt.begin(), rt.end());
    std::reverse(rp.begin(), rp.end());
    auto reversed = run(GetParam(), rt, rp);
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(reversed, hd);
    // Split additivity: HD_{P1 P2}[i] = HD_{P1}[i] + HD_{P2}[i + |P1|].
    const std::size_t cut = 77;
    const std::vector<Symbol> p1(pattern.begin(), pattern.begin() + cut), p2(pattern.begin() + cut, pattern.end());
    const auto h1 = run(GetParam(), text, p1), h2 = run(GetParam(), text, p2);
    for (std::size_t i = 0; i < hd.size(); ++i) ASSERT_EQ(hd[i], h1[i] + h2[i + cut]) << "i=" << i;
  }
}

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names{"auto"};
  for (const auto& a : algorithms()) names.push_back(a.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(All, PropertyEveryAlgorithm, ::testing::ValuesIn(algorithm_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string s = param_info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

}  // namespace
}  // namespace paperkit::hamming
