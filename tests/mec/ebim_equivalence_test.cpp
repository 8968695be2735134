// EBIM Algorithm 1 with heaps (algorithms/mec/ebim.cpp, O(n log n)) against the first O(n^2)
// list version kept in ebim_reference.cpp: identical cells, masses and I(X;T), bit for bit, on
// seeded random marginals with ties and zeros, at random rates and at rates placed exactly on
// the values the search compares against (the decision boundary). Exact comparisons.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "greedy_reference.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

void expect_identical(const Marginal& p, double rate) {
  const mec::EbimResult fast = mec::ebim_deterministic(p, rate);
  const mec::EbimResult ref = mec::test::ebim_deterministic_reference(p, rate);
  ASSERT_EQ(fast.cells, ref.cells) << "rate " << rate;
  ASSERT_EQ(fast.masses.size(), ref.masses.size());
  ASSERT_EQ(std::memcmp(fast.masses.data(), ref.masses.data(), fast.masses.size() * sizeof(double)), 0);
  ASSERT_EQ(std::memcmp(&fast.mutual_information, &ref.mutual_information, sizeof(double)), 0) << "rate " << rate;
}

Marginal random_marginal(paperkit::Rng& rng, std::size_t n, std::uint64_t shape) {
  Marginal p(n);
  if (shape == 0) return mec::dirichlet(n, 1.0, rng);
  if (shape == 1) return mec::dirichlet(n, 0.1, rng);
  for (double& x : p) x = static_cast<double>(rng.uniform_below(shape == 2 ? 4 : 2) + (shape == 2 ? 1 : 0));
  if (std::all_of(p.begin(), p.end(), [](double x) { return x == 0; })) p[0] = 1;
  return p;
}

TEST(UnitEbimEquivalence, MatchesListVersionBitForBit) {
  const std::uint64_t seed = base_seed();
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(trial % 10 == 0 ? 300 : 80);
    const Marginal p = mec::prepare_marginal(random_marginal(rng, n, rng.uniform_below(4)), normalize);
    const double h = mec::entropy_bits(std::span<const double>(p));
    SCOPED_TRACE("trial " + std::to_string(trial) + " n " + std::to_string(n));
    for (int r = 0; r < 4; ++r) {
      const double rate = h * rng.uniform01();
      expect_identical(p, rate);
      // On the boundary: the I(X;T) the search returned is an H(T) it compared with the rate.
      expect_identical(p, mec::test::ebim_deterministic_reference(p, rate).mutual_information);
    }
    expect_identical(p, 0.0);
    expect_identical(p, h);
  }
}

}  // namespace
