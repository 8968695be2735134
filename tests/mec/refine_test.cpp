// EBIM Theorem 3 refinement (spec A5) and the brute-force reference: the replay of
// Algorithm 1, the traced moves, and the refined encoder checked by independent formulas.
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

// I(X;T) = H(X) + H(T) - H(X,T) from the joint p(x) p(t|x), written out here on purpose
// (the library uses the sum of p log(p(t|x)/p(t)) and, in the trace, closed-form updates).
double mutual_information_by_entropies(const Marginal& p, const std::vector<std::vector<double>>& enc) {
  std::vector<double> joint, pt(enc.front().size(), 0.0);
  for (std::size_t x = 0; x < p.size(); ++x) {
    for (std::size_t t = 0; t < enc[x].size(); ++t) {
      joint.push_back(p[x] * enc[x][t]);
      pt[t] += p[x] * enc[x][t];
    }
  }
  return mec::entropy_bits(std::span<const double>(p)) + mec::entropy_bits(std::span<const double>(pt)) -
         mec::entropy_bits(std::span<const double>(joint));
}

void expect_valid(const Marginal& p, double rate, const mec::EbimRefineResult& r) {
  ASSERT_GE(r.mutual_information, r.deterministic.mutual_information);
  ASSERT_LE(r.h_t, rate + 1e-12);
  ASSERT_LE(r.mutual_information, r.h_t + 1e-12);  // I(X;T) <= H(T)
  ASSERT_EQ(r.encoder.size(), p.size());
  for (const auto& row : r.encoder) {
    double s = 0;
    for (double v : row) {
      ASSERT_GE(v, 0.0);
      s += v;
    }
    ASSERT_NEAR(s, 1.0, 1e-12);
  }
  ASSERT_NEAR(mutual_information_by_entropies(p, r.encoder), r.mutual_information, 1e-9);
  ASSERT_NEAR(mec::encoder_mutual_information(p, r.encoder), r.mutual_information, 1e-9);
  ASSERT_NEAR(mec::encoder_code_entropy(p, r.encoder), r.h_t, 1e-9);
  double total = 0;
  for (double v : r.p_t) total += v;
  ASSERT_NEAR(total, 1.0, 1e-12);
}

TEST(PropertyEbimRefine, ReplayEndsAtAlgorithm1) {
  const std::uint64_t seed = base_seed() + 50;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(14);
    Marginal raw = mec::dirichlet(n, trial % 2 ? 1.0 : 0.3, rng);
    if (trial % 5 == 0) std::fill(raw.begin(), raw.end(), 1.0);  // all ties
    const Marginal p = mec::prepare_marginal(raw, {0, true});
    const double rate = 1.1 * mec::entropy_bits(std::span<const double>(p)) * rng.uniform01();
    const auto maps = mec::ebim_visited_maps(p, rate);
    ASSERT_EQ(maps.back(), mec::ebim_deterministic(p, rate).cells) << trial;
  }
}

TEST(PropertyEbimRefine, ValidAndAtLeastAlgorithm1) {
  const std::uint64_t seed = base_seed() + 51;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  int improved = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 2 + rng.uniform_below(10);
    const Marginal p = mec::prepare_marginal(mec::dirichlet(n, trial % 2 ? 1.0 : 0.3, rng));
    const double hx = mec::entropy_bits(std::span<const double>(p));
    const double rate = hx * rng.uniform01();
    const auto r = mec::ebim_refine(p, rate, {64, trial % 4 != 0});
    expect_valid(p, rate, r);
    if (r.mutual_information > r.deterministic.mutual_information + 1e-6) ++improved;
  }
  EXPECT_GT(improved, 50);  // the refinement must do something on most random instances
}

TEST(UnitEbimRefine, SpecPointImproves) {
  const Marginal p = {0.7, 0.2, 0.1};
  const auto r = mec::ebim_refine(p, 0.8);
  expect_valid(p, 0.8, r);
  EXPECT_NEAR(r.deterministic.mutual_information, 0.4690, 5e-5);
  EXPECT_GT(r.mutual_information, 0.55);  // a stochastic encoder at H(T) = 0.8 does better
  EXPECT_NEAR(r.h_t, 0.8, 1e-9);          // the crossing is found by bisection
  // R >= H(X): the identity, nothing to refine.
  const auto id = mec::ebim_refine(p, 2.0);
  EXPECT_NEAR(id.mutual_information, mec::entropy_bits(std::span<const double>(p)), 1e-12);
  // R = 0: only the constant code.
  EXPECT_NEAR(mec::ebim_refine(p, 0.0).mutual_information, 0.0, 1e-12);
}

TEST(UnitEbimRefine, TraceEndpoints) {
  const Marginal p = {0.5, 0.3, 0.2};
  const mec::Partition map = {{0}, {1, 2}};
  const auto pts = mec::ebim_trace(p, map, 8);
  ASSERT_EQ(pts.size(), 18u);  // both moves, 9 points each
  const double hg = mec::entropy_bits(std::vector<double>{0.5, 0.5});
  // delta = 0 is the map itself.
  EXPECT_NEAR(pts[0].h_t, hg, 1e-15);
  EXPECT_NEAR(pts[0].i_xt, hg, 1e-15);
  // +eps: smallest p(x|t) is x = 2 in cell 1 (0.2 / 0.5); at delta = p(2) it is relabelled
  // to a new column: the map {0},{1},{2}, I = H(T) = H(X).
  EXPECT_EQ(pts[0].kind, '+');
  EXPECT_EQ(pts[0].x, 2u);
  EXPECT_NEAR(pts[8].i_xt, mec::entropy_bits(std::span<const double>(p)), 1e-12);
  // -eps: smallest column ties (0.5, 0.5) -> cell 0, its only symbol 0 moves to cell 1.
  EXPECT_EQ(pts[9].kind, '-');
  EXPECT_EQ(pts[9].from, 0u);
  EXPECT_EQ(pts[9].to, 1u);
  EXPECT_NEAR(pts[17].h_t, 0.0, 1e-12);
}

TEST(UnitEbimRefine, AllMapsAreSetPartitions) {
  const std::size_t bell[] = {1, 1, 2, 5, 15, 52, 203};
  for (std::size_t n = 1; n <= 6; ++n) {
    const auto maps = mec::ebim_all_maps(Marginal(n, 1.0 / static_cast<double>(n)));
    ASSERT_EQ(maps.size(), bell[n]);
    for (const auto& m : maps) {
      std::vector<int> seen(n, 0);
      for (std::size_t t = 0; t < m.size(); ++t) {
        ASSERT_FALSE(m[t].empty());
        if (t > 0) {
          ASSERT_LT(m[t - 1].front(), m[t].front());
        }
        for (auto x : m[t]) ++seen[x];
      }
      for (int c : seen) ASSERT_EQ(c, 1);
    }
  }
  // Zero-mass symbols are left out.
  EXPECT_EQ(mec::ebim_all_maps({0.5, 0.0, 0.5}).size(), 2u);
  EXPECT_THROW(mec::ebim_all_maps(Marginal(11, 1.0 / 11)), paperkit::InvalidParameter);
}

TEST(PropertyEbimRefine, AllMapsAtLeastVisitedMaps) {
  const std::uint64_t seed = base_seed() + 53;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 2 + rng.uniform_below(4);
    const Marginal p = mec::prepare_marginal(mec::dirichlet(n, 1.0, rng));
    const double rate = mec::entropy_bits(std::span<const double>(p)) * rng.uniform01();
    const auto visited = mec::ebim_refine(p, rate, {32, true, false});
    const auto all = mec::ebim_refine(p, rate, {32, true, true});
    expect_valid(p, rate, all);
    ASSERT_GE(all.mutual_information, visited.mutual_information) << trial;
  }
}

TEST(UnitEbimBrute, DeterministicMapsOnTheGrid) {
  const Marginal p = {0.7, 0.2, 0.1};
  const std::vector<double> rates = {0.0, 0.5, 0.8, 0.9, 1.2, 1.5};
  paperkit::Rng rng(base_seed() + 52);
  mec::EbimBruteOptions o;
  o.steps = 12;
  o.polish = 2000;
  const auto b = mec::ebim_brute_force(p, rates, rng, o);
  const double hx = mec::entropy_bits(std::span<const double>(p));
  for (std::size_t i = 0; i < rates.size(); ++i) {
    EXPECT_LE(b[i], std::min(rates[i], hx) + 1e-12) << rates[i];
    EXPECT_GE(b[i], mec::ebim_deterministic(p, rates[i]).mutual_information - 1e-12) << rates[i];
  }
  EXPECT_NEAR(b[5], hx, 1e-12);
  EXPECT_THROW(mec::ebim_brute_force(p, rates, rng, {3, 200, 0, 1000}), paperkit::InvalidParameter);
}

TEST(UnitEbimRefineBadInput, Rejected) {
  EXPECT_THROW(mec::ebim_refine({0.5, 0.5}, -1), paperkit::InvalidParameter);
  EXPECT_THROW(mec::ebim_refine({0.5, 0.5}, 0.5, {0, true}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::ebim_visited_maps({0.0, 0.0}, 0.5), paperkit::InputError);
}

}  // namespace
