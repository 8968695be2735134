// Statistical behaviour over seeded replications. Each test states its false-failure rate: the
// probability that it fails although the implementation meets the stated assumption.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "paperkit/bandits/algorithms.hpp"
#include "paperkit/bandits/instances.hpp"
#include "paperkit/bandits/schedules.hpp"
#include "support/seeds.hpp"

namespace {

using namespace paperkit::bandits;
using paperkit::Rng;

// epsilon-best success over 200 replications of clear-cut, K = 50, T = 1000 K^3 (the authors'
// T = alpha K^beta). Assumption: each replication fails with probability <= 1% (<= 5% for
// GoA); the test allows 10 (25) failures, so it fails falsely with probability < 7e-6 (< 1e-5)
// per algorithm (binomial tails). Measured: no failure for the five, 2/200 for GoA.
TEST(StatisticalBanditsAlgorithms, EpsilonBestSuccessRates) {
  const std::size_t K = 50;
  const std::uint64_t T = 1000 * K * K * K;
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (Algo algo : streaming_algos()) {
    int failures = 0;
    for (std::uint64_t r = 0; r < 200; ++r) {
      Rng inst = Rng::for_block(seed, 0, r);
      const auto means = clear_cut(K, inst);
      const auto res = run(algo, means, T, {}, Rng::for_block(seed, 1, r), Rng::for_block(seed, 2, r));
      failures += !res.epsilon_best;
    }
    EXPECT_LE(failures, algo == Algo::goa ? 25 : 10) << algo_name(algo);
  }
}

// Uniform exploration's regret against T at fixed K (mix-in, K = 20, 20 replications per T):
// the least-squares log-log slope must lie in [0.60, 0.72] (theory: 2/3 plus the
// (ln T)^(1/3) factor, about 0.69 here). Exploration regret is deterministic given the
// instance and only the rare wrong commit is random, so a false failure needs a wrong commit
// whose regret rivals the exploration cost: measured margin > 0.02 on both sides.
TEST(StatisticalBanditsAlgorithms, UniformRegretSlopeInT) {
  const std::size_t K = 20;
  const std::uint64_t seed = paperkit::test::base_seed() + 1;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::vector<double> x, y;
  for (double T : {1e6, 1e8, 1e10, 1e12}) {
    double sum = 0;
    for (std::uint64_t r = 0; r < 20; ++r) {
      Rng inst = Rng::for_block(seed, 0, r);
      const auto means = mix_in(K, inst);
      sum += run(Algo::uniform, means, static_cast<std::uint64_t>(T), {}, Rng::for_block(seed, 1, r),
                 Rng::for_block(seed, 2, r))
                 .regret;
    }
    x.push_back(std::log(T));
    y.push_back(std::log(sum / 20));
  }
  const double mx = (x[0] + x[1] + x[2] + x[3]) / 4, my = (y[0] + y[1] + y[2] + y[3]) / 4;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const double slope = sxy / sxx;
  EXPECT_GE(slope, 0.60);
  EXPECT_LE(slope, 0.72);
}

// naive / uniform regret ratio on clear-cut approximates ln K / (ln T)^(1/3) within 15% (spec
// section 6): both commit to the best arm almost always, so the ratio is that of the
// exploration costs. 10 replications at K = 1000, T = 1e12; a false failure needs several
// wrong commits (measured: none in 200).
TEST(StatisticalBanditsAlgorithms, NaiveOverUniformRatio) {
  const std::size_t K = 1000;
  const std::uint64_t T = 1000000000000ULL;
  const std::uint64_t seed = paperkit::test::base_seed() + 2;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  double naive = 0, uniform = 0;
  for (std::uint64_t r = 0; r < 10; ++r) {
    Rng inst = Rng::for_block(seed, 0, r);
    const auto means = clear_cut(K, inst);
    naive += run(Algo::naive, means, T, {}, Rng::for_block(seed, 1, r), Rng::for_block(seed, 2, r)).regret;
    uniform += run(Algo::uniform, means, T, {}, Rng::for_block(seed, 1, r), Rng::for_block(seed, 2, r)).regret;
  }
  const double expected = std::log(1000.0) / std::cbrt(std::log(1e12));
  EXPECT_NEAR(naive / uniform, expected, 0.15 * expected);
}

}  // namespace

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// --compat authors against the spec's reference ratios (section 4, measured with the authors'
// code): clear-cut, K = 1000, T = 1e12, median over 20 replications of regret / uniform's
// regret, as the authors charge it (Q1) and with Q1 fixed. Medians, because a rare failed
// replication dominates a mean. The log variant is left out: as the authors coded it (Q5, Q6)
// it fails in about half the replications, so even its median is unstable (spec: mean 20.4,
// median 0.38; here medians from 0.4 to 28 across base seeds). Tolerance
// 0.05; the medians moved by < 0.01 over five base seeds, so a false failure is far below 1e-6.
TEST(StatisticalBanditsAlgorithms, CompatAuthorsReproducesTheReferenceRatios) {
  const std::size_t K = 1000;
  const std::uint64_t T = 1000000000000ULL;
  const std::uint64_t seed = paperkit::test::base_seed() + 3;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Options o;
  o.compat_authors = true;
  o.pull_model = PullModel::authors_gauss;
  struct Reference {
    Algo algo;
    double authors, q1_fixed;  // q1_fixed < 0: not given by the spec
  };
  const Reference refs[] = {
      {Algo::naive, 2.29, -1}, {Algo::loglog, 0.35, 0.53}, {Algo::logstar, 0.58, 0.69}, {Algo::goa, 0.83, -1}};
  std::vector<std::vector<double>> authors(4), fixed(4);
  for (std::uint64_t r = 0; r < 20; ++r) {
    Rng inst = Rng::for_block(seed, 0, r);
    const auto means = clear_cut(K, inst);
    const auto u = run(Algo::uniform, means, T, o, Rng::for_block(seed, 1, r), Rng::for_block(seed, 2, r));
    for (std::size_t i = 0; i < 4; ++i) {
      const auto x = run(refs[i].algo, means, T, o, Rng::for_block(seed, 1, r), Rng::for_block(seed, 2, r));
      authors[i].push_back(x.regret_authors / u.regret_authors);
      fixed[i].push_back(x.regret / u.regret);
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(median(authors[i]), refs[i].authors, 0.05) << algo_name(refs[i].algo);
    if (refs[i].q1_fixed > 0) {
      EXPECT_NEAR(median(fixed[i]), refs[i].q1_fixed, 0.05) << algo_name(refs[i].algo);
    }
  }
}

}  // namespace
