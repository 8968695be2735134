// Every algorithm through one interface: exact budget, ledger regret, memory bounds,
// deterministic instances, degenerate cases, bad parameters, and statistical behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "paperkit/bandits/algorithms.hpp"
#include "paperkit/bandits/instances.hpp"
#include "paperkit/common/errors.hpp"
#include "support/seeds.hpp"

namespace {

using namespace paperkit::bandits;
using paperkit::InvalidParameter;
using paperkit::Rng;

std::vector<Algo> all_algos() {
  auto a = streaming_algos();
  a.push_back(Algo::ucb);
  return a;
}

RunResult run_seeded(Algo algo, const std::vector<double>& means, std::uint64_t T, std::uint64_t seed,
                     const Options& options = {}) {
  return run(algo, means, T, options, Rng::for_block(seed, 1, 0), Rng::for_block(seed, 2, 0));
}

std::size_t bound_for(Algo algo, std::size_t K, std::uint64_t T) {
  return make_algorithm(algo, K, T, {})->memory_bound(K);
}

class PropertyBanditsAlgorithms : public ::testing::TestWithParam<Algo> {};

// On random instances: sum of pulls = T, regret = sum n_a gap_a from the ledger, the memory
// bound holds, and the per-phase split adds up.
TEST_P(PropertyBanditsAlgorithms, ExactBudgetLedgerRegretAndMemory) {
  const Algo algo = GetParam();
  for (std::uint64_t i = 0; i < 12; ++i) {
    const std::uint64_t seed = paperkit::test::base_seed() + i;
    SCOPED_TRACE(algo_name(algo) + " " + paperkit::test::seed_note(seed));
    Rng inst(seed);
    const std::size_t K = 1 + inst.uniform_below(300);
    const auto means = i % 2 ? clear_cut(K, inst) : mix_in(K, inst);
    const std::uint64_t T = K + inst.uniform_below(1000) * K * (1 + inst.uniform_below(20000));
    const auto r = run_seeded(algo, means, T, seed);
    EXPECT_EQ(r.pulls, T);
    EXPECT_EQ(r.pulls_explore + r.pulls_commit, T);
    EXPECT_NEAR(r.regret, r.ledger_regret, 1e-9 * std::max(1.0, r.regret));
    EXPECT_NEAR(r.regret_explore + r.regret_commit, r.regret, 1e-9 * std::max(1.0, r.regret));
    EXPECT_LE(r.peak_memory, r.memory_bound);
    EXPECT_LT(r.committed_arm, K);
  }
}

// Means 0 or 1: every comparison is exact, so the algorithm commits to a mean-1 arm and its
// regret is exactly the pulls spent on mean-0 arms.
TEST_P(PropertyBanditsAlgorithms, DeterministicArmsCommitToAMeanOneArm) {
  const Algo algo = GetParam();
  for (std::uint64_t i = 0; i < 10; ++i) {
    const std::uint64_t seed = paperkit::test::base_seed() + 100 + i;
    SCOPED_TRACE(algo_name(algo) + " " + paperkit::test::seed_note(seed));
    Rng inst(seed);
    const std::size_t K = 2 + inst.uniform_below(200);
    std::vector<double> means(K, 0.0);
    for (auto& m : means) m = inst.uniform_below(4) == 0 ? 1.0 : 0.0;
    means[inst.uniform_below(K)] = 1.0;
    const std::uint64_t T = 1000 * K * K;
    const auto r = run_seeded(algo, means, T, seed);
    EXPECT_EQ(r.committed_mean, 1.0);
    EXPECT_TRUE(r.epsilon_best);
    EXPECT_EQ(r.regret_commit, 0.0);
    EXPECT_EQ(r.regret, r.ledger_regret);
  }
}

TEST_P(PropertyBanditsAlgorithms, OneArmAndEqualMeansGiveZeroRegret) {
  const Algo algo = GetParam();
  auto r = run_seeded(algo, {0.3}, 1000000, 1);
  EXPECT_EQ(r.regret, 0.0);
  EXPECT_EQ(r.pulls, 1000000u);
  EXPECT_EQ(r.committed_arm, 0u);
  r = run_seeded(algo, std::vector<double>(500, 0.6), 1250000000ULL, 2);
  EXPECT_EQ(r.regret, 0.0);
  EXPECT_EQ(r.pulls, 1250000000ULL);
  r = run_seeded(algo, {0.1, 0.9}, 2, 3);  // T = K: one pull each at most
  EXPECT_EQ(r.pulls, 2u);
}

TEST_P(PropertyBanditsAlgorithms, SameSeedSameResult) {
  Rng inst(9);
  const auto means = clear_cut(200, inst);
  const auto a = run_seeded(GetParam(), means, 8000000000ULL, 4);
  const auto b = run_seeded(GetParam(), means, 8000000000ULL, 4);
  EXPECT_EQ(a.regret, b.regret);
  EXPECT_EQ(a.committed_arm, b.committed_arm);
}

INSTANTIATE_TEST_SUITE_P(All, PropertyBanditsAlgorithms, ::testing::ValuesIn(all_algos()),
                         [](const auto& p) { return algo_name(p.param); });

TEST(UnitBanditsAlgorithms, MemoryBoundsPerAlgorithm) {
  const std::size_t K = 1000;
  const std::uint64_t T = 1000000000000ULL;
  EXPECT_EQ(bound_for(Algo::uniform, K, T), 2u);
  EXPECT_EQ(bound_for(Algo::naive, K, T), 2u);
  EXPECT_EQ(bound_for(Algo::goa, K, T), 3u);
  EXPECT_EQ(bound_for(Algo::log, K, T), 12u);     // 2L, L = 6
  EXPECT_EQ(bound_for(Algo::loglog, K, T), 4u);   // L = 2
  EXPECT_EQ(bound_for(Algo::logstar, K, T), 8u);  // L = 4
  Rng inst(5);
  const auto means = clear_cut(K, inst);
  for (Algo algo : streaming_algos()) {
    const auto r = run_seeded(algo, means, T, 6);
    EXPECT_LE(r.peak_memory, r.memory_bound) << algo_name(algo);
    EXPECT_GE(r.peak_memory, 1u);
  }
}

TEST(UnitBanditsAlgorithms, NamesRoundTrip) {
  for (Algo a : all_algos()) EXPECT_EQ(parse_algo(algo_name(a)), a);
  EXPECT_THROW(parse_algo("best"), InvalidParameter);
  EXPECT_FALSE(reconstructed_notes(Algo::goa).empty());
  EXPECT_TRUE(reconstructed_notes(Algo::uniform).empty());
}

TEST(UnitBanditsAlgorithms, GoaOracleGapIsAnOption) {
  Rng inst(7);
  const auto means = clear_cut(300, inst);
  Options o;
  o.goa.oracle_gap = true;
  const auto r = run_seeded(Algo::goa, means, 300ULL * 300 * 300 * 1000, 8, o);
  EXPECT_EQ(r.pulls, 300ULL * 300 * 300 * 1000);
}

TEST(UnitBanditsAlgorithms, AuthorsGaussPullModelKeepsTheBudget) {
  Rng inst(8);
  const auto means = clear_cut(100, inst);
  Options o;
  o.pull_model = PullModel::authors_gauss;
  for (Algo algo : streaming_algos()) {
    const auto r = run_seeded(algo, means, 1000000000ULL, 9, o);
    EXPECT_EQ(r.pulls, 1000000000ULL) << algo_name(algo);
  }
}

TEST(UnitBanditsAlgorithmsBadInput, EpsilonZeroIsTheDefaultButOutsideOpenUnitIsRejected) {
  for (double eps : {-0.1, 1.0, 1.5, std::nan("")}) {
    Options o;
    o.epsilon = eps;
    EXPECT_THROW(make_algorithm(Algo::naive, 10, 1000, o), InvalidParameter) << eps;
  }
}

TEST(UnitBanditsAlgorithmsBadInput, DeltaOutsideOpenUnit) {
  for (double d : {-0.5, 1.0, 2.0}) {
    Options o;
    o.delta = d;
    EXPECT_THROW(make_algorithm(Algo::ucb, 10, 1000, o), InvalidParameter) << d;
  }
}

TEST(UnitBanditsAlgorithmsBadInput, NonPositiveConstant) {
  Options o;
  o.levels.log_cap = 0;
  EXPECT_THROW(make_algorithm(Algo::log, 10, 1000, o), InvalidParameter);
  Options g;
  g.goa.king_init = -1;
  EXPECT_THROW(make_algorithm(Algo::goa, 10, 1000, g), InvalidParameter);
}

TEST(UnitBanditsAlgorithmsBadInput, RunRejectsKZeroAndTBelowK) {
  EXPECT_THROW(run_seeded(Algo::uniform, {}, 10, 1), InvalidParameter);
  EXPECT_THROW(run_seeded(Algo::uniform, {0.1, 0.2, 0.3}, 2, 1), InvalidParameter);
  EXPECT_THROW(run_seeded(Algo::uniform, {0.1, 1.2}, 20, 1), InvalidParameter);
}

}  // namespace

namespace {

// The authors' Q1: a challenger charged at the king's gap. With the best arm first and every
// other arm at 0, the leveled challengers cost (1 - 0) each in truth but 0 as the authors
// charge them; without --compat the two tallies agree.
TEST(UnitBanditsCompat, LeveledChargesChallengersAtTheKingsGapOnlyInCompat) {
  std::vector<double> means(60, 0.0);
  means[0] = 1.0;
  const std::uint64_t T = 1000ULL * 60 * 60 * 60;
  for (Algo algo : {Algo::log, Algo::loglog, Algo::logstar}) {
    Options o;
    auto r = run(algo, means, T, o, Rng(1), Rng(2));
    EXPECT_EQ(r.regret_authors, r.regret) << algo_name(algo);
    o.compat_authors = true;
    r = run(algo, means, T, o, Rng(1), Rng(2));
    EXPECT_LT(r.regret_authors, r.regret) << algo_name(algo);
    EXPECT_EQ(r.pulls, T);
    EXPECT_EQ(r.committed_mean, 1.0);
  }
}

// Q3: the authors keep 0 as the first arm's mean, so any later arm with a positive mean
// replaces it; the corrected loop keeps the better first arm.
TEST(UnitBanditsCompat, FirstArmMeanIsZeroInCompat) {
  const std::vector<double> means{1.0, 0.5};
  Options o;
  EXPECT_EQ(run(Algo::uniform, means, 1000000, o, Rng(1), Rng(2)).committed_arm, 0u);
  o.compat_authors = true;
  EXPECT_EQ(run(Algo::uniform, means, 1000000, o, Rng(1), Rng(2)).committed_arm, 1u);
}

}  // namespace
