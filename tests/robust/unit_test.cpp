// paperkit::robust aggregators: the spec's exact oracle values (§6, ByzFL parity), the sorting
// network, tie rules, bad parameters and non-finite Byzantine inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/robust/aggregators.hpp"

namespace {

namespace robust = paperkit::robust;
using robust::Rule;

template <class T>
std::vector<T> mix(Rule rule, std::size_t f, const std::vector<std::vector<T>>& x, std::size_t pivot = 0,
                   robust::RuleOptions o = {}) {
  o.rule = rule;
  o.f = f;
  std::vector<const T*> rows;
  for (const auto& r : x) rows.push_back(r.data());
  std::vector<T> out(x[0].size());
  robust::Mixer<T> mixer(o);
  mixer.mix(rows, x[0].size(), pivot, out);
  return out;
}

const std::vector<std::vector<double>> kX = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};

void expect_vec(const std::vector<double>& got, const std::vector<double>& want, double tol = 0) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (tol == 0) {
      EXPECT_EQ(got[i], want[i]) << "coordinate " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol * std::abs(want[i])) << "coordinate " << i;
    }
  }
}

TEST(UnitRobustOracle, NnaTieGoesToLowerIndex) {
  // ByzFL MoNNA(f=1, idx=1): rows 0 and 2 are equally far from row 1; the lower index is kept.
  expect_vec(mix<double>(Rule::nna, 1, kX, 1), {2.5, 3.5, 4.5});
}

TEST(UnitRobustOracle, TrimmedMeanMedianAverage) {
  expect_vec(mix<double>(Rule::cwtm, 1, kX), {4, 5, 6});
  expect_vec(mix<double>(Rule::cwmed, 1, kX), {4, 5, 6});
  expect_vec(mix<double>(Rule::average, 1, kX), {4, 5, 6});
}

TEST(UnitRobustOracle, GeometricMedianThreeIterationsFromZero) {
  expect_vec(mix<double>(Rule::gm, 1, kX), {3.787887641179713, 4.787887641179712, 5.787887641179712}, 1e-12);
}

TEST(UnitRobustOracle, KrumMultiKrumMeamed) {
  robust::RuleOptions byzfl;
  byzfl.krum_neighbors = 1;  // ByzFL: n - f - 1
  expect_vec(mix<double>(Rule::krum, 1, kX, 0, byzfl), {1, 2, 3});
  expect_vec(mix<double>(Rule::multikrum, 1, kX, 0, byzfl), {2.5, 3.5, 4.5});
  expect_vec(mix<double>(Rule::meamed, 1, kX), {2.5, 3.5, 4.5});
}

TEST(UnitRobustOracle, NnaDropsTheFarPoint) {
  const std::vector<std::vector<double>> x = {{0}, {1}, {2}, {100}};
  expect_vec(mix<double>(Rule::nna, 1, x, 0), {1});
}

TEST(UnitRobustOracle, FloatMatchesDoubleOnSpecExample) {
  const std::vector<std::vector<float>> xf = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
  const auto y = mix<float>(Rule::nna, 1, xf, 1);
  EXPECT_EQ(y, (std::vector<float>{2.5f, 3.5f, 4.5f}));
  const auto g = mix<float>(Rule::gm, 1, xf);
  EXPECT_NEAR(g[0], 3.787887641179713, 1e-5);
}

TEST(UnitRobustOracle, MedianOfEvenCountAveragesTheMiddle) {
  const std::vector<std::vector<double>> x = {{1}, {10}, {3}, {4}};
  expect_vec(mix<double>(Rule::cwmed, 1, x), {3.5});
  expect_vec(mix<double>(Rule::cwtm, 1, x), {3.5});
}

TEST(UnitRobustOracle, SccWithLargeTauIsRepeatedAveraging) {
  robust::RuleOptions o;
  o.scc_tau = 1e9;
  o.scc_iters = 1;
  expect_vec(mix<double>(Rule::scc, 1, kX, 0, o), {4, 5, 6}, 1e-15);
  o.scc_tau = 1.0;  // each difference clipped to norm 1: v = r0 + (0 + u + u)/3 with u the unit (1,1,1)/sqrt3
  const auto y = mix<double>(Rule::scc, 1, kX, 0, o);
  const double step = 2.0 / 3.0 / std::sqrt(3.0);
  expect_vec(y, {1 + step, 2 + step, 3 + step}, 1e-14);
}

TEST(UnitRobustNetwork, SortsEveryZeroOneInputUpTo14) {
  // 0-1 principle: a comparator network sorts everything iff it sorts every 0-1 sequence.
  for (std::size_t m = 1; m <= 14; ++m) {
    const auto& net = robust::sorting_network(m);
    for (unsigned bits = 0; bits < (1u << m); ++bits) {
      std::vector<int> v(m);
      for (std::size_t i = 0; i < m; ++i) v[i] = (bits >> i) & 1;
      for (const auto& [a, b] : net) {
        if (v[a] > v[b]) std::swap(v[a], v[b]);
      }
      ASSERT_TRUE(std::is_sorted(v.begin(), v.end())) << "m = " << m << " bits = " << bits;
    }
  }
}

TEST(UnitRobustBadInput, CountsAndOptionsRejected) {
  robust::RuleOptions o;
  o.rule = Rule::cwtm;
  o.f = 2;
  EXPECT_THROW(robust::validate_count(o, 4), paperkit::InvalidParameter);  // m <= 2f
  EXPECT_NO_THROW(robust::validate_count(o, 5));
  o.rule = Rule::nna;
  EXPECT_THROW(robust::validate_count(o, 2), paperkit::InvalidParameter);
  EXPECT_THROW(robust::parse_rule("bulyan"), paperkit::InvalidParameter);
  EXPECT_EQ(robust::parse_rule("multikrum"), Rule::multikrum);
  robust::RuleOptions bad;
  bad.gm_nu = 0;
  EXPECT_THROW(robust::Mixer<double>{bad}, paperkit::InvalidParameter);
  bad = {};
  bad.gm_nu = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(robust::Mixer<double>{bad}, paperkit::InvalidParameter);
  bad = {};
  bad.scc_tau = -1;
  EXPECT_THROW(robust::Mixer<double>{bad}, paperkit::InvalidParameter);
  bad = {};
  bad.gm_iters = 0;
  EXPECT_THROW(robust::Mixer<double>{bad}, paperkit::InvalidParameter);
  bad = {};
  bad.krum_neighbors = -2;
  EXPECT_THROW(robust::Mixer<double>{bad}, paperkit::InvalidParameter);
  robust::RuleOptions k;
  k.rule = Rule::krum;
  k.krum_neighbors = 3;
  EXPECT_THROW(robust::validate_count(k, 3), paperkit::InvalidParameter);      // k > m - 1
  EXPECT_THROW(mix<double>(Rule::nna, 1, kX, 3), paperkit::InvalidParameter);  // pivot out of range
}

class UnitRobustNonFinite : public ::testing::TestWithParam<double> {};

TEST_P(UnitRobustNonFinite, ByzantineValuesNeverPropagate) {
  const double bad = GetParam();
  // 5 honest vectors near (1, 2, 3, 4) and 2 Byzantine vectors holding `bad`, f = 2.
  std::vector<std::vector<double>> x;
  for (int i = 0; i < 5; ++i) x.push_back({1 + 0.1 * i, 2 - 0.05 * i, 3, 4 + 0.01 * i * i});
  x.push_back({bad, 0, bad, 1});
  x.push_back({bad, bad, bad, bad});
  robust::RuleOptions o;
  o.scc_tau = 0.5;
  for (Rule r : {Rule::nna, Rule::cwtm, Rule::cwmed, Rule::meamed, Rule::gm, Rule::krum, Rule::multikrum, Rule::scc}) {
    const auto y = mix<double>(r, 2, x, 0, o);
    for (double v : y) EXPECT_TRUE(std::isfinite(v)) << robust::rule_name(r) << " bad = " << bad;
    for (std::size_t c = 0; c < y.size(); ++c) {
      double lo = 1e300, hi = -1e300;
      for (int i = 0; i < 5; ++i) lo = std::min(lo, x[i][c]), hi = std::max(hi, x[i][c]);
      EXPECT_GE(y[c], lo - 1e-9) << robust::rule_name(r);
      EXPECT_LE(y[c], hi + 1e-9) << robust::rule_name(r);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Values, UnitRobustNonFinite,
                         ::testing::Values(std::numeric_limits<double>::quiet_NaN(),
                                           std::numeric_limits<double>::infinity(),
                                           -std::numeric_limits<double>::infinity(), 1e300, -1e308));

}  // namespace
