// The spec's exact parameter values (../shared/specs/bandits.md 2A), to 1e-6 relative.
#include <gtest/gtest.h>

#include <cmath>

#include "paperkit/bandits/schedules.hpp"

namespace {

using namespace paperkit::bandits;

void expect_rel(double actual, double expected, double tol = 1e-6) {
  EXPECT_NEAR(actual, expected, tol * std::abs(expected)) << actual << " vs " << expected;
}

TEST(UnitBanditsSchedule, K1000T1e12) {
  const double eps = default_epsilon(1000, 1e12);
  expect_rel(eps, 1e-3);
  expect_rel(uniform_samples(1000, 1e12), 3.02319e6);
  expect_rel(naive_samples(1000, eps), 6.90776e6);
  EXPECT_EQ(log_schedule(1000, eps).levels(), 6u);
  EXPECT_EQ(loglog_schedule(1000, eps).levels(), 2u);
  const auto ls = logstar_schedule(1000, eps);
  ASSERT_EQ(ls.levels(), 4u);
  const auto r = logstar_r(4);
  EXPECT_EQ(r, (std::vector<double>{2, 4, 16, 65536}));
  const double s[] = {1e6, 4e6, 1.6e7, 6.5536e10};
  for (std::size_t l = 0; l < 4; ++l) expect_rel(ls.samples[l], s[l]);
}

TEST(UnitBanditsSchedule, K5e4T1_25e17) {
  const double eps = default_epsilon(50000, 1.25e17);
  expect_rel(eps, 7.36806e-5);
  expect_rel(uniform_samples(50000, 1.25e17), 6.2662e8, 1e-5);  // the spec gives 5 digits
  expect_rel(naive_samples(50000, eps), 1.99302e9);
}

TEST(UnitBanditsSchedule, LevelFormulas) {
  const double eps = 1e-3;
  const auto log = log_schedule(1000, eps);
  for (std::size_t l = 0; l < log.levels(); ++l) {
    expect_rel(log.samples[l], std::ceil(std::pow(1.2, static_cast<double>(l)) * 1e6));
    expect_rel(log.caps[l], std::ceil(6 * log.samples[l]));
  }
  const auto ll = loglog_schedule(1000, eps);
  expect_rel(ll.samples[0], 1e6);
  expect_rel(ll.caps[0], 1e7);
  expect_rel(ll.samples[1], std::log(1000.0) * 1e6);
  expect_rel(ll.caps[1], std::ceil(1000 * ll.samples[1]));
  const auto ls = logstar_schedule(1000, eps);
  expect_rel(ls.caps[0], 4e6);
  expect_rel(ls.caps[1], 4 * 4e6);                               // 2^4 / 2^2
  expect_rel(ls.caps[2], 4096 * 1.6e7);                          // 2^16 / 2^4
  expect_rel(ls.caps[3], 1e10 * 6.5536e10);                      // 2^65536 overflows
  const auto big = logstar_schedule(std::size_t{1} << 40, eps);  // reaches r = 2^65536: s capped
  expect_rel(big.samples.back(), 1e20);
}

TEST(UnitBanditsSchedule, SmallKClampsLevelsAndCounts) {
  EXPECT_EQ(log_schedule(1, 0.5).levels(), 1u);
  EXPECT_EQ(loglog_schedule(2, 0.5).levels(), 1u);
  EXPECT_EQ(logstar_schedule(1, 0.5).levels(), 2u);
  EXPECT_EQ(to_count(0), 1u);
  EXPECT_EQ(to_count(2.0000001), 3u);
  EXPECT_EQ(to_count(1e20), std::uint64_t{1} << 63);
}

}  // namespace
