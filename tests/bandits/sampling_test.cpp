// The exact binomial sampler: edge cases, both branches, chunking, and goodness of fit.
// Statistical checks use fixed seeds; each threshold is stated with its false-failure rate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "paperkit/bandits/sampling.hpp"
#include "stats.hpp"
#include "support/seeds.hpp"

namespace {

using paperkit::Rng;
using paperkit::bandits::binomial;
using namespace paperkit::bandits::test;

TEST(UnitBanditsBinomial, EdgeCases) {
  Rng rng(1);
  EXPECT_EQ(binomial(rng, 0, 0.5), 0u);
  EXPECT_EQ(binomial(rng, 1000, 0.0), 0u);
  EXPECT_EQ(binomial(rng, 1000, 1.0), 1000u);
  const std::uint64_t huge = std::uint64_t{1} << 62;
  EXPECT_EQ(binomial(rng, huge, 1.0), huge);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LE(binomial(rng, 7, 0.5), 7u);
    EXPECT_LE(binomial(rng, 100, 0.97), 100u);
  }
}

TEST(UnitBanditsBinomial, SameSeedSameDraws) {
  Rng a(5), b(5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(binomial(a, 1000000, 0.3), binomial(b, 1000000, 0.3));
}

// Chi-square goodness of fit against the exact pmf, bins pooled to an expectation >= 5. Each case
// fails with probability about 1e-4 when the sampler is exact (critical value at 1e-4).
void expect_fits_pmf(int n, double p, std::uint64_t seed) {
  SCOPED_TRACE("n=" + std::to_string(n) + " p=" + std::to_string(p) + " " + paperkit::test::seed_note(seed));
  Rng rng(seed);
  const int draws = 50000;
  std::vector<double> counts(static_cast<std::size_t>(n) + 1, 0);
  for (int i = 0; i < draws; ++i) counts[binomial(rng, static_cast<std::uint64_t>(n), p)] += 1;
  // Bins pooled left to right until each expects >= 5; a short tail joins the last bin.
  std::vector<double> obs, exp;
  double observed = 0, expected = 0;
  for (int k = 0; k <= n; ++k) {
    observed += counts[static_cast<std::size_t>(k)];
    expected += draws * binomial_pmf(n, k, p);
    if (expected >= 5) {
      obs.push_back(observed);
      exp.push_back(expected);
      observed = expected = 0;
    }
  }
  obs.back() += observed;
  exp.back() += expected;
  double chi2 = 0;
  for (std::size_t b = 0; b < obs.size(); ++b) chi2 += (obs[b] - exp[b]) * (obs[b] - exp[b]) / exp[b];
  const int bins = static_cast<int>(obs.size());
  EXPECT_LT(chi2, chi2_critical_1e4(bins - 1)) << "bins " << bins;
}

TEST(StatisticalBanditsBinomial, InversionBranchFitsPmf) {
  expect_fits_pmf(20, 0.2, paperkit::test::base_seed());  // n p = 4 < 10
  expect_fits_pmf(1000, 0.003, paperkit::test::base_seed() + 1);
}

TEST(StatisticalBanditsBinomial, BtrsBranchFitsPmf) {
  expect_fits_pmf(50, 0.4, paperkit::test::base_seed() + 2);   // n p = 20
  expect_fits_pmf(200, 0.9, paperkit::test::base_seed() + 3);  // flipped: n (1-p) = 20
  expect_fits_pmf(2000, 0.5, paperkit::test::base_seed() + 4);
}

// Mean and variance for large n, including above the 2^50 chunk; 4.5 standard errors, a false
// failure rate of about 7e-6 per moment.
void expect_moments(std::uint64_t n, double p, int draws, std::uint64_t seed) {
  SCOPED_TRACE("n=" + std::to_string(n) + " p=" + std::to_string(p) + " " + paperkit::test::seed_note(seed));
  Rng rng(seed);
  std::vector<double> x;
  const double dn = static_cast<double>(n);
  const double sd = std::sqrt(dn * p * (1 - p));
  for (int i = 0; i < draws; ++i) x.push_back((static_cast<double>(binomial(rng, n, p)) - dn * p) / sd);
  const auto m = moments(x);  // standardised: mean 0, variance 1
  EXPECT_LT(std::abs(m.mean), 4.5 / std::sqrt(draws));
  EXPECT_LT(std::abs(m.variance - 1), 4.5 * std::sqrt(2.0 / draws));
}

TEST(StatisticalBanditsBinomial, LargeNMoments) {
  expect_moments(1000000000ULL, 0.82, 20000, paperkit::test::base_seed() + 5);
  expect_moments((std::uint64_t{1} << 52) + 12345, 0.3, 4000, paperkit::test::base_seed() + 6);
  expect_moments(125000000000000000ULL, 0.5, 2000, paperkit::test::base_seed() + 7);
}

TEST(StatisticalBanditsNormal, Moments) {
  Rng rng(paperkit::test::base_seed() + 8);
  std::vector<double> x;
  for (int i = 0; i < 40000; ++i) x.push_back(paperkit::bandits::standard_normal(rng));
  const auto m = moments(x);
  EXPECT_LT(std::abs(m.mean), 4.5 / std::sqrt(40000.0));
  EXPECT_LT(std::abs(m.variance - 1), 4.5 * std::sqrt(2.0 / 40000));
}

}  // namespace
