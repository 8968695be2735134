// The streaming environment: budget, ledger, regret charging, memory auditor, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "paperkit/bandits/environment.hpp"
#include "paperkit/common/errors.hpp"

namespace {

using paperkit::InternalError;
using paperkit::InvalidParameter;
using paperkit::Rng;
using paperkit::bandits::StreamEnv;

TEST(UnitBanditsEnvironment, ArmsArriveInOrderAndEnd) {
  const std::vector<double> means{0.1, 0.9, 0.5};
  StreamEnv env(means, 100, Rng(1));
  EXPECT_EQ(env.next(), 0u);
  EXPECT_EQ(env.next(), 1u);
  EXPECT_EQ(env.next(), 2u);
  EXPECT_FALSE(env.next().has_value());
  EXPECT_EQ(env.memory(), 3u);
  EXPECT_EQ(env.peak_memory(), 3u);
}

TEST(UnitBanditsEnvironment, PullsChargeTheLedgerAtThePulledArmsGap) {
  const std::vector<double> means{0.25, 1.0, 0.0};
  StreamEnv env(means, 1000, Rng(2));
  const auto a = *env.next();
  const auto b = *env.next();
  const auto c = *env.next();
  EXPECT_DOUBLE_EQ(env.pull(b, 30), 1.0);  // deterministic arms give exact means
  EXPECT_DOUBLE_EQ(env.pull(c, 20), 0.0);
  const double m = env.pull(a, 50);
  EXPECT_GE(m, 0.0);
  EXPECT_LE(m, 1.0);
  EXPECT_EQ(env.used(), 100u);
  EXPECT_DOUBLE_EQ(env.regret(), 20 * 1.0 + 50 * 0.75);
  EXPECT_EQ(env.ledger(), (std::vector<std::uint64_t>{50, 30, 20}));
  env.release(a);
  env.release(c);
  env.commit(b);
  EXPECT_EQ(env.used(), 1000u);
  EXPECT_EQ(env.pulls_commit(), 900u);
  EXPECT_DOUBLE_EQ(env.regret_commit(), 0.0);
  EXPECT_DOUBLE_EQ(env.ledger_regret(), env.regret());
  EXPECT_EQ(env.committed(), b);
}

TEST(UnitBanditsEnvironment, LastBatchIsCutAtTheHorizon) {
  const std::vector<double> means{0.5, 0.5};
  StreamEnv env(means, 10, Rng(3));
  const auto a = *env.next();
  env.pull(a, 7);
  env.pull(a, 7);  // only 3 remain
  EXPECT_EQ(env.used(), 10u);
  EXPECT_TRUE(env.exhausted());
  EXPECT_TRUE(std::isnan(env.pull(a, 5)));  // nothing left: NaN, no pull
  EXPECT_EQ(env.ledger()[0], 10u);
  env.commit(a);
  EXPECT_EQ(env.pulls_commit(), 0u);
}

TEST(UnitBanditsEnvironment, AuditorThrowsWhenADiscardedArmIsTouched) {
  const std::vector<double> means{0.5, 0.6};
  StreamEnv env(means, 100, Rng(4));
  const auto a = *env.next();
  const auto b = *env.next();
  env.release(a);
  EXPECT_EQ(env.memory(), 1u);
  EXPECT_EQ(env.peak_memory(), 2u);
  EXPECT_THROW(env.pull(a, 1), InternalError);
  EXPECT_THROW(env.release(a), InternalError);
  EXPECT_THROW(env.commit(a), InternalError);
  EXPECT_THROW(env.pull(7, 1), InternalError);  // never arrived
  env.commit(b);
  EXPECT_THROW(env.commit(b), InternalError);
  EXPECT_THROW(env.pull(b, 1), InternalError);
}

TEST(UnitBanditsEnvironment, OracleTopGap) {
  const std::vector<double> means{0.3, 0.9, 0.7, 0.1};
  StreamEnv env(means, 10, Rng(5));
  EXPECT_NEAR(env.oracle_top_gap(), 0.2, 1e-12);
}

TEST(UnitBanditsEnvironmentBadInput, NoArms) {
  EXPECT_THROW(StreamEnv(std::vector<double>{}, 10, Rng(1)), InvalidParameter);
}

TEST(UnitBanditsEnvironmentBadInput, HorizonBelowK) {
  EXPECT_THROW(StreamEnv(std::vector<double>{0.1, 0.2, 0.3}, 2, Rng(1)), InvalidParameter);
}

TEST(UnitBanditsEnvironmentBadInput, MeanAboveOne) {
  EXPECT_THROW(StreamEnv(std::vector<double>{0.1, 1.5}, 10, Rng(1)), InvalidParameter);
}

TEST(UnitBanditsEnvironmentBadInput, MeanBelowZero) {
  EXPECT_THROW(StreamEnv(std::vector<double>{-0.1}, 10, Rng(1)), InvalidParameter);
}

TEST(UnitBanditsEnvironmentBadInput, MeanNaN) {
  EXPECT_THROW(StreamEnv(std::vector<double>{std::numeric_limits<double>::quiet_NaN()}, 10, Rng(1)), InvalidParameter);
}

}  // namespace
