// paperkit::mec unit tests: the spec's exact values (mec_awrs.md section 6), edge cases, and one
// test per bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/mec.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;

constexpr double kMarginalTol = 1e-12;  // coupling marginals vs inputs (coupling.hpp)

void expect_marginals(const mec::Coupling& j, const std::vector<Marginal>& ps) {
  const auto got = mec::marginals_of(j);
  ASSERT_EQ(got.size(), ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i) {
    ASSERT_EQ(got[i].size(), ps[i].size());
    for (std::size_t t = 0; t < ps[i].size(); ++t) EXPECT_NEAR(got[i][t], ps[i][t], kMarginalTol) << i << "," << t;
  }
}

// Compton et al.'s reference values for the spec example: LB_maj 1.48548, greedy = OPT = 1.76096.
TEST(UnitMec, SpecExampleValues) {
  const std::vector<Marginal> ps = mec::prepare_marginals({{.5, .4, .1}, {.6, .2, .2}});
  EXPECT_NEAR(mec::meet_entropy(ps), 1.48548, 5e-6);
  const auto g = mec::greedy_coupling(ps);
  EXPECT_NEAR(mec::entropy_bits(g), 1.76096, 5e-6);
  const auto e = mec::exact_coupling(ps[0], ps[1]);
  EXPECT_NEAR(e.entropy, 1.76096, 5e-6);
  EXPECT_NEAR(mec::entropy_bits(e.coupling), e.entropy, 1e-15);
  expect_marginals(g, ps);
  expect_marginals(e.coupling, ps);
}

TEST(UnitMec, MeetOfSpecExample) {
  const auto a = mec::meet({{.5, .4, .1}, {.6, .2, .2}});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_NEAR(a[0], .5, 1e-15);
  EXPECT_NEAR(a[1], .3, 1e-15);
  EXPECT_NEAR(a[2], .2, 1e-15);
}

TEST(UnitMec, GreedyCellsOfSpecExampleAreTheDocumentedOnes) {
  // (0,0)=.5, then residual q0=.1; (1,1)=.2 by the tie-break (q1 = q2 = .2, lower index wins), ...
  const auto g = mec::greedy_coupling(mec::prepare_marginals({{.5, .4, .1}, {.6, .2, .2}}));
  ASSERT_GE(g.cells(), 3u);
  EXPECT_EQ(g.cell(0)[0], 0u);
  EXPECT_EQ(g.cell(0)[1], 0u);
  EXPECT_DOUBLE_EQ(g.mass[0], .5);
  EXPECT_EQ(g.cell(1)[0], 1u);
  EXPECT_EQ(g.cell(1)[1], 1u);
  EXPECT_LE(g.cells(), 3u + 3u - 2u + 1u);
}

TEST(UnitMec, EqualMarginalsGiveTheDiagonal) {
  const std::vector<Marginal> ps = {{.1, .2, .3, .4}, {.1, .2, .3, .4}};
  const auto g = mec::greedy_coupling(ps);
  EXPECT_EQ(g.cells(), 4u);
  for (std::size_t c = 0; c < g.cells(); ++c) EXPECT_EQ(g.cell(c)[0], g.cell(c)[1]);
  const double h = mec::entropy_bits(std::span<const double>(ps[0]));
  EXPECT_NEAR(mec::entropy_bits(g), h, 1e-15);
  EXPECT_NEAR(mec::exact_coupling(ps[0], ps[1]).entropy, h, 1e-15);
  EXPECT_NEAR(mec::meet_entropy(ps), h, 1e-15);
}

TEST(UnitMec, PointMassGivesTheOtherEntropy) {
  const std::vector<Marginal> ps = {{0, 1, 0}, {.25, .25, .5}};
  EXPECT_NEAR(mec::entropy_bits(mec::greedy_coupling(ps)), 1.5, 1e-15);
  EXPECT_NEAR(mec::exact_coupling(ps[0], ps[1]).entropy, 1.5, 1e-15);
  EXPECT_NEAR(mec::meet_entropy(ps), 1.5, 1e-15);
}

TEST(UnitMec, CoarseningOptimumIsTheFinerEntropy) {
  // p merges q's entries {0,3} and {1,2}: OPT = H(q) (spec section 6, item 3).
  const Marginal q = {.1, .2, .3, .4};
  const Marginal p = {.5, .5};
  EXPECT_NEAR(mec::exact_coupling(p, q).entropy, mec::entropy_bits(std::span<const double>(q)), 1e-14);
}

TEST(UnitMec, SizeOneMarginals) {
  const std::vector<Marginal> ps = {{1}, {1}, {1}};
  const auto g = mec::greedy_coupling(ps);
  ASSERT_EQ(g.cells(), 1u);
  EXPECT_EQ(g.mass[0], 1.0);
  EXPECT_EQ(mec::entropy_bits(g), 0.0);
}

TEST(UnitMec, ZeroEntriesMakeNoCells) {
  const std::vector<Marginal> ps = {{0, .5, 0, .5}, {.5, 0, .5}};
  const auto g = mec::greedy_coupling(ps);
  for (double m : g.mass) EXPECT_GT(m, 0);
  expect_marginals(g, ps);
  const auto e = mec::exact_coupling(ps[0], ps[1]);
  EXPECT_NEAR(e.entropy, 1.0, 1e-15);
  expect_marginals(e.coupling, ps);
}

TEST(UnitMec, IndependentCouplingEntropyIsTheSum) {
  const std::vector<Marginal> ps = {{.5, .5}, {.25, .75}, {.1, 0, .9}};
  const auto j = mec::independent_coupling(ps);
  EXPECT_EQ(j.cells(), 2u * 2u * 2u);
  expect_marginals(j, ps);
  EXPECT_NEAR(mec::entropy_bits(j), mec::independent_entropy(ps), 1e-14);
  EXPECT_THROW(mec::independent_coupling(ps, 7), paperkit::InvalidParameter);
}

TEST(UnitMec, EntropyBitsConventions) {
  EXPECT_EQ(mec::entropy_bits(std::vector<double>{1.0}), 0.0);
  EXPECT_EQ(mec::entropy_bits(std::vector<double>{0.0, 1.0}), 0.0);
  EXPECT_DOUBLE_EQ(mec::entropy_bits(std::vector<double>{.5, .5}), 1.0);
  EXPECT_DOUBLE_EQ(mec::entropy_bits(std::vector<double>(8, .125)), 3.0);
}

TEST(UnitMec, TiesGiveBitIdenticalOutput) {
  const std::vector<Marginal> ps = {{.25, .25, .25, .25}, {.5, .25, .25}, {.25, .25, .25, .25}};
  const auto a = mec::greedy_coupling(ps), b = mec::greedy_coupling(ps);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.mass, b.mass);
  // The lowest index wins each tie: the first cell is (0, 0, 0).
  EXPECT_EQ(a.cell(0)[0], 0u);
  EXPECT_EQ(a.cell(0)[1], 0u);
  EXPECT_EQ(a.cell(0)[2], 0u);
}

TEST(UnitMec, NormalizeRescales) {
  mec::MarginalOptions o;
  o.normalize = true;
  const auto p = mec::prepare_marginal(std::vector<double>{2, 6}, o);
  EXPECT_DOUBLE_EQ(p[0], .25);
  EXPECT_DOUBLE_EQ(p[1], .75);
}

TEST(UnitMec, SumWithinToleranceIsAccepted) {
  EXPECT_NO_THROW(mec::prepare_marginal(std::vector<double>{.5, .5 + 5e-10}));
}

// ---- one test per bad input --------------------------------------------------------------

TEST(UnitMecBadInput, NegativeProbability) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{1.2, -.2}), paperkit::InputError);
}

TEST(UnitMecBadInput, NaNProbability) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{std::nan(""), 1}), paperkit::InputError);
}

TEST(UnitMecBadInput, InfiniteProbability) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{std::numeric_limits<double>::infinity()}),
               paperkit::InputError);
}

TEST(UnitMecBadInput, SumBelowOne) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{.5, .4}), paperkit::InputError);
}

TEST(UnitMecBadInput, SumAboveOneBeyondTolerance) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{.5, .5 + 2e-9}), paperkit::InputError);
}

TEST(UnitMecBadInput, AllZeroEvenWithNormalize) {
  mec::MarginalOptions o;
  o.normalize = true;
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{0, 0}, o), paperkit::InputError);
}

TEST(UnitMecBadInput, EmptyMarginal) {
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{}), paperkit::InputError);
  EXPECT_THROW(mec::prepare_marginals({{1}, {}}), paperkit::InputError);
}

TEST(UnitMecBadInput, NegativeTolerance) {
  mec::MarginalOptions o;
  o.sum_tolerance = -1;
  EXPECT_THROW(mec::prepare_marginal(std::vector<double>{1}, o), paperkit::InvalidParameter);
}

TEST(UnitMecBadInput, FewerThanTwoMarginals) {
  EXPECT_THROW(mec::prepare_marginals({{1}}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::greedy_coupling({{1}}), paperkit::InvalidParameter);
}

TEST(UnitMecBadInput, GreedyUnequalSums) {
  // Unvalidated marginals whose sums differ: an error, never a coupling with wrong marginals.
  EXPECT_THROW(mec::greedy_coupling({{.5, .4}, {1}}), paperkit::InvalidParameter);
}

TEST(UnitMecBadInput, ExactTooLarge) {
  const Marginal u(7, 1.0 / 7);
  EXPECT_THROW(mec::exact_coupling(u, u), paperkit::InvalidParameter);
}

TEST(UnitMecBadInput, DirichletParameters) {
  paperkit::Rng rng(1);
  EXPECT_THROW(mec::dirichlet(0, 1, rng), paperkit::InvalidParameter);
  EXPECT_THROW(mec::dirichlet(3, 0, rng), paperkit::InvalidParameter);
  EXPECT_THROW(mec::dirichlet(3, std::nan(""), rng), paperkit::InvalidParameter);
}

}  // namespace
