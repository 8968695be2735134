// EBIM deterministic search (spec A4): the spec's regression values (section 6, item 5), its
// invariants on seeded random instances, and brute force over all set partitions for n <= 7.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

using Cells = std::vector<std::vector<std::uint32_t>>;

TEST(UnitEbim, SpecValuesRate08) {
  const auto r = mec::ebim_deterministic({0.7, 0.2, 0.1}, 0.8);
  EXPECT_EQ(r.cells, (Cells{{0, 1}, {2}}));
  EXPECT_NEAR(r.mutual_information, 0.4690, 5e-5);
}

TEST(UnitEbim, SpecValuesRate09) {
  const auto r = mec::ebim_deterministic({0.7, 0.2, 0.1}, 0.9);
  EXPECT_EQ(r.cells, (Cells{{0}, {1, 2}}));
  EXPECT_NEAR(r.mutual_information, 0.8813, 5e-5);
}

TEST(UnitEbim, RateAboveEntropyGivesIdentity) {
  const Marginal p = {0.5, 0.25, 0, 0.25};
  const auto r = mec::ebim_deterministic(p, 1.5);
  EXPECT_EQ(r.cells, (Cells{{0}, {1}, {3}}));
  EXPECT_DOUBLE_EQ(r.mutual_information, 1.5);
}

TEST(UnitEbim, RateZeroGivesOneCell) {
  const auto r = mec::ebim_deterministic({0.4, 0.3, 0.2, 0.1}, 0.0);
  EXPECT_EQ(r.cells, (Cells{{0, 1, 2, 3}}));
  EXPECT_EQ(r.mutual_information, 0.0);
}

TEST(UnitEbim, GapBound) {
  EXPECT_NEAR(mec::ebim_gap_bound({0.7, 0.2, 0.1}), 0.7219280948873623, 1e-15);
  EXPECT_EQ(mec::ebim_gap_bound({1.0}), 0.0);
}

TEST(UnitEbimBadInput, NegativeRate) {
  EXPECT_THROW(mec::ebim_deterministic({0.5, 0.5}, -0.1), paperkit::InvalidParameter);
}

TEST(UnitEbimBadInput, NaNRate) {
  EXPECT_THROW(mec::ebim_deterministic({0.5, 0.5}, std::nan("")), paperkit::InvalidParameter);
}

TEST(UnitEbimBadInput, NoMass) {
  EXPECT_THROW(mec::ebim_deterministic({0.0, 0.0}, 1), paperkit::InputError);
}

// ---- uniform quantization baseline (spec B3) ---------------------------------------------

TEST(UnitEbimUniform, BlocksAndCellCount) {
  // R = 1.5: m = floor(2^1.5) = 2, block = ceil(5 / 2) = 3 -> {0,1,2}, {3,4}.
  const Marginal p = {0.3, 0.25, 0.2, 0.15, 0.1};
  const auto r = mec::uniform_quantization(p, 1.5);
  EXPECT_EQ(r.cells, (Cells{{0, 1, 2}, {3, 4}}));
  EXPECT_NEAR(r.masses[0], 0.75, 1e-15);
  EXPECT_NEAR(r.mutual_information, mec::entropy_bits(std::vector<double>{0.75, 0.25}), 1e-15);
  // R = 2: m = 4, block = 2 -> 3 cells (fewer than m: H(T) <= log2 3 < R).
  EXPECT_EQ(mec::uniform_quantization(p, 2.0).cells, (Cells{{0, 1}, {2, 3}, {4}}));
  EXPECT_EQ(mec::uniform_quantization(p, 0.0).cells, (Cells{{0, 1, 2, 3, 4}}));
  EXPECT_EQ(mec::uniform_quantization(p, 0.0).mutual_information, 0.0);
}

TEST(UnitEbimUniform, RateAtLeastLog2nGivesIdentity) {
  const Marginal p = {0.4, 0.3, 0.2, 0.1};
  EXPECT_EQ(mec::uniform_quantization(p, 2.0).cells, (Cells{{0}, {1}, {2}, {3}}));
  EXPECT_EQ(mec::uniform_quantization(p, 1e300).cells, (Cells{{0}, {1}, {2}, {3}}));
  EXPECT_EQ(mec::uniform_quantization(p, 1.99).cells, (Cells{{0, 1}, {2, 3}}));
}

// exp2(log2 n) rounds below n for n = 5, 9, 10, ...: R = log2 n must still give one symbol per cell.
TEST(UnitUniformQuantization, RateLog2NGivesSingletonsForEveryN) {
  for (std::size_t n = 1; n <= 600; ++n) {
    const mec::Marginal p(n, 1.0 / static_cast<double>(n));
    const auto r = mec::uniform_quantization(p, std::log2(static_cast<double>(n)));
    ASSERT_EQ(r.cells.size(), n) << "n = " << n;
  }
}

TEST(UnitEbimUniform, ZeroMassBlockDropped) {
  // Blocks are positional: {0,1} keeps its zero, the all-zero block {2,3} is no cell.
  const auto r = mec::uniform_quantization({0.5, 0, 0, 0, 0.5}, 1.6);
  EXPECT_EQ(r.cells, (Cells{{0, 1}, {4}}));
  EXPECT_DOUBLE_EQ(r.mutual_information, 1.0);
}

TEST(UnitEbimUniformBadInput, BadRate) {
  EXPECT_THROW(mec::uniform_quantization({0.5, 0.5}, -0.1), paperkit::InvalidParameter);
  EXPECT_THROW(mec::uniform_quantization({0.5, 0.5}, std::nan("")), paperkit::InvalidParameter);
  EXPECT_THROW(mec::uniform_quantization({0.5, 0.5}, INFINITY), paperkit::InvalidParameter);
  EXPECT_THROW(mec::uniform_quantization({0.0, 0.0}, 1), paperkit::InputError);
}

TEST(PropertyEbimUniform, EntropyAtMostRate) {
  const std::uint64_t seed = base_seed() + 11;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(40);
    const Marginal p = mec::prepare_marginal(mec::dirichlet(n, trial % 2 == 0 ? 1.0 : 0.2, rng));
    const double rate = 6 * rng.uniform01();
    const auto r = mec::uniform_quantization(p, rate);
    const double m = std::floor(std::exp2(rate));
    ASSERT_LE(static_cast<double>(r.cells.size()), m) << trial;
    ASSERT_LE(r.mutual_information, std::log2(m) + 1e-12) << trial;
    ASSERT_LE(r.mutual_information, rate + 1e-12) << trial;
    // Contiguous blocks covering every symbol whose block has mass.
    double total = 0;
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      for (std::size_t i = 1; i < r.cells[c].size(); ++i) ASSERT_EQ(r.cells[c][i], r.cells[c][i - 1] + 1) << trial;
      total += r.masses[c];
    }
    ASSERT_NEAR(total, 1.0, 1e-12) << trial;
  }
}

// Best H(T) <= R over all deterministic maps (set partitions), by restricted growth strings.
double best_deterministic(const Marginal& p, double rate) {
  const std::size_t n = p.size();
  std::vector<std::size_t> label(n, 0), max_before(n, 0);
  double best = 0;
  for (;;) {
    std::vector<double> mass(n, 0.0);
    for (std::size_t x = 0; x < n; ++x) mass[label[x]] += p[x];
    const double h = mec::entropy_bits(std::span<const double>(mass));
    if (h <= rate) best = std::max(best, h);
    // Next restricted growth string: label[x] <= 1 + max(label[0..x-1]).
    std::size_t x = n;
    while (x-- > 1) {
      if (label[x] <= max_before[x]) {
        ++label[x];
        for (std::size_t y = x + 1; y < n; ++y) {
          label[y] = 0;
          max_before[y] = std::max(max_before[y - 1], label[y - 1]);
        }
        break;
      }
    }
    if (x == 0 || x == static_cast<std::size_t>(-1)) break;
  }
  return best;
}

TEST(PropertyEbim, SpecInvariantsAndBruteForce) {
  const std::uint64_t seed = base_seed() + 10;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + rng.uniform_below(6);
    const Marginal p = mec::prepare_marginal(mec::dirichlet(n, trial % 2 == 0 ? 1.0 : 0.5, rng));
    const double hx = mec::entropy_bits(std::span<const double>(p));
    const double rate = hx * rng.uniform01();
    const auto r = mec::ebim_deterministic(p, rate);
    const double gap = mec::ebim_gap_bound(p);
    ASSERT_LE(r.mutual_information, rate + 1e-12) << trial;
    ASSERT_GE(r.mutual_information, rate - gap - 1e-9) << trial;
    ASSERT_GE(r.mutual_information, best_deterministic(p, rate) - gap - 1e-9) << trial;
    // The cells partition the support and their masses are p_T.
    std::vector<int> seen(n, 0);
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      double m = 0;
      for (auto x : r.cells[c]) {
        ++seen[x];
        m += p[x];
      }
      ASSERT_NEAR(m, r.masses[c], 1e-15) << trial;
    }
    for (std::size_t x = 0; x < n; ++x) ASSERT_EQ(seen[x], p[x] > 0 ? 1 : 0) << trial;
  }
}

}  // namespace
