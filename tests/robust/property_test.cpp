// paperkit::robust property tests: every fast rule against the simplest correct method on seeded
// random inputs (sizes not a multiple of the blocks, float and double), and the NNA invariants of
// the spec (§6): translation and rotation equivariance, consensus is a fixed point whatever the
// Byzantine vectors, f = 0 is the mean bitwise, and ||NNA - p|| <= max pivot-to-honest distance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/robust/aggregators.hpp"
#include "support/seeds.hpp"

namespace {

namespace robust = paperkit::robust;
using paperkit::Rng;
using robust::Rule;

double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform01(), u2 = rng.uniform01();
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

template <class T>
std::vector<std::vector<T>> cloud(Rng& rng, std::size_t m, std::size_t d, double spread = 1.0) {
  std::vector<std::vector<T>> x(m, std::vector<T>(d));
  for (auto& r : x) {
    for (auto& v : r) v = static_cast<T>(spread * normal(rng));
  }
  return x;
}

template <class T>
std::vector<T> run(robust::RuleOptions o, const std::vector<std::vector<T>>& x, std::size_t pivot = 0) {
  std::vector<const T*> rows;
  for (const auto& r : x) rows.push_back(r.data());
  std::vector<T> out(x[0].size());
  robust::Mixer<T> mixer(o);
  mixer.mix(rows, x[0].size(), pivot, out);
  return out;
}

// Reference coordinate-wise rules: sort each coordinate with std::sort.
template <class T>
std::vector<T> reference_coordinatewise(Rule rule, std::size_t f, const std::vector<std::vector<T>>& x) {
  const std::size_t m = x.size(), d = x[0].size();
  std::vector<T> out(d), col(m);
  for (std::size_t c = 0; c < d; ++c) {
    for (std::size_t r = 0; r < m; ++r) col[r] = x[r][c];
    std::sort(col.begin(), col.end());
    const T med = m % 2 ? col[m / 2] : (col[m / 2 - 1] + col[m / 2]) / T(2);
    if (rule == Rule::cwmed) {
      out[c] = med;
    } else if (rule == Rule::cwtm) {
      T s = col[f];
      for (std::size_t r = f + 1; r < m - f; ++r) s += col[r];
      out[c] = s / static_cast<T>(m - 2 * f);
    } else {  // meamed: the m - f closest to the median, ties to the smaller value
      std::vector<std::size_t> idx(m);
      std::iota(idx.begin(), idx.end(), std::size_t{0});
      std::stable_sort(idx.begin(), idx.end(),
                       [&](std::size_t a, std::size_t b) { return std::abs(col[a] - med) < std::abs(col[b] - med); });
      std::sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(m - f));
      T s = col[idx[0]];
      for (std::size_t q = 1; q < m - f; ++q) s += col[idx[q]];
      out[c] = s / static_cast<T>(m - f);
    }
  }
  return out;
}

template <class T>
void check_coordinatewise(std::uint64_t seed) {
  Rng rng(seed);
  for (std::size_t m : {3u, 5u, 8u, 13u, 26u}) {
    for (std::size_t d : {1u, 31u, 33u, 100u}) {
      const auto x = cloud<T>(rng, m, d);
      for (Rule r : {Rule::cwtm, Rule::cwmed, Rule::meamed}) {
        robust::RuleOptions o;
        o.rule = r;
        o.f = (m - 1) / 2 / (r == Rule::cwtm ? 1 : 1);
        if (r == Rule::cwtm) o.f = (m - 1) / 2;
        const auto got = run<T>(o, x);
        const auto want = reference_coordinatewise<T>(r, o.f, x);
        for (std::size_t c = 0; c < d; ++c) {
          // cwtm and meamed sum the same values in a possibly different order: a few ulps.
          EXPECT_NEAR(got[c], want[c], 8 * std::numeric_limits<T>::epsilon() * (1 + std::abs(want[c])))
              << robust::rule_name(r) << " m=" << m << " d=" << d << " c=" << c;
        }
      }
    }
  }
}

TEST(PropertyRobust, CoordinatewiseMatchesSortingDouble) {
  const auto seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_coordinatewise<double>(seed);
}

TEST(PropertyRobust, CoordinatewiseMatchesSortingFloat) {
  const auto seed = paperkit::test::base_seed() + 1;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_coordinatewise<float>(seed);
}

// Direct smoothed Weiszfeld and direct Krum scores, as the spec writes them.
std::vector<double> reference_gm(const std::vector<std::vector<double>>& x, double nu, int iters) {
  const std::size_t m = x.size(), d = x[0].size();
  std::vector<double> z(d, 0.0);
  for (int it = 0; it < iters; ++it) {
    std::vector<double> next(d, 0.0);
    double total = 0;
    for (std::size_t r = 0; r < m; ++r) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += (z[c] - x[r][c]) * (z[c] - x[r][c]);
      const double w = (1.0 / static_cast<double>(m)) / std::max(std::sqrt(s), nu);
      total += w;
      for (std::size_t c = 0; c < d; ++c) next[c] += w * x[r][c];
    }
    for (std::size_t c = 0; c < d; ++c) z[c] = next[c] / total;
  }
  return z;
}

TEST(PropertyRobust, GramWeiszfeldMatchesDirect) {
  const auto seed = paperkit::test::base_seed() + 2;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::size_t m : {3u, 7u, 26u}) {
    for (std::size_t d : {1u, 65u, 300u}) {
      auto x = cloud<double>(rng, m, d, 3.0);
      for (auto& v : x[0]) v += 5.0;  // an outlier
      robust::RuleOptions o;
      o.rule = Rule::gm;
      o.gm_iters = 5;
      const auto got = run<double>(o, x);
      const auto want = reference_gm(x, 0.1, 5);
      for (std::size_t c = 0; c < d; ++c) EXPECT_NEAR(got[c], want[c], 1e-11 * (1 + std::abs(want[c])));
    }
  }
}

TEST(PropertyRobust, KrumPicksTheDirectScoreMinimiser) {
  const auto seed = paperkit::test::base_seed() + 3;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t m = 6 + static_cast<std::size_t>(rng.uniform_below(20)), d = 37, f = (m - 3) / 2;
    const auto x = cloud<double>(rng, m, d);
    std::vector<double> score(m);
    const std::size_t k = m - f - 2;
    for (std::size_t i = 0; i < m; ++i) {
      std::vector<double> ds;
      for (std::size_t j = 0; j < m; ++j) {
        if (j == i) continue;
        double s = 0;
        for (std::size_t c = 0; c < d; ++c) s += (x[i][c] - x[j][c]) * (x[i][c] - x[j][c]);
        ds.push_back(s);
      }
      std::sort(ds.begin(), ds.end());
      score[i] = std::accumulate(ds.begin(), ds.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    }
    const auto best = static_cast<std::size_t>(std::min_element(score.begin(), score.end()) - score.begin());
    robust::RuleOptions o;
    o.rule = Rule::krum;
    o.f = f;
    EXPECT_EQ(run<double>(o, x), x[best]);
  }
}

TEST(PropertyRobustNna, FZeroIsTheMeanBitwise) {
  const auto seed = paperkit::test::base_seed() + 4;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  const auto x = cloud<float>(rng, 21, 1500);
  robust::RuleOptions nna, avg;
  nna.rule = Rule::nna;
  avg.rule = Rule::average;
  for (std::size_t p : {0u, 7u, 20u}) EXPECT_EQ(run<float>(nna, x, p), run<float>(avg, x, p));
}

TEST(PropertyRobustNna, TranslationAndRotationEquivariant) {
  const auto seed = paperkit::test::base_seed() + 5;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  const std::size_t m = 11, d = 6, f = 3;
  const auto x = cloud<double>(rng, m, d);
  // Random orthogonal Q by Gram-Schmidt, and a shift c.
  std::vector<std::vector<double>> q(d, std::vector<double>(d));
  for (std::size_t i = 0; i < d; ++i) {
    for (auto& v : q[i]) v = normal(rng);
    for (std::size_t j = 0; j < i; ++j) {
      double dot = 0;
      for (std::size_t c = 0; c < d; ++c) dot += q[i][c] * q[j][c];
      for (std::size_t c = 0; c < d; ++c) q[i][c] -= dot * q[j][c];
    }
    double n = 0;
    for (double v : q[i]) n += v * v;
    for (double& v : q[i]) v /= std::sqrt(n);
  }
  std::vector<double> shift(d);
  for (auto& v : shift) v = 10 * normal(rng);
  auto moved = x;
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t i = 0; i < d; ++i) {
      double s = shift[i];
      for (std::size_t c = 0; c < d; ++c) s += q[i][c] * x[r][c];
      moved[r][i] = s;
    }
  }
  robust::RuleOptions o;
  o.rule = Rule::nna;
  o.f = f;
  for (std::size_t p = 0; p < m; ++p) {
    const auto y = run<double>(o, x, p);
    const auto ym = run<double>(o, moved, p);
    for (std::size_t i = 0; i < d; ++i) {
      double s = shift[i];
      for (std::size_t c = 0; c < d; ++c) s += q[i][c] * y[c];
      EXPECT_NEAR(ym[i], s, 1e-11) << "pivot " << p;
    }
  }
}

TEST(PropertyRobustNna, ConsensusIsAFixedPointAndOutputStaysNearPivot) {
  const auto seed = paperkit::test::base_seed() + 6;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  const std::size_t honest = 16, f = 5;
  for (int trial = 0; trial < 10; ++trial) {
    const auto byz = cloud<double>(rng, f, 40, trial % 2 ? 1e-3 : 1e3);  // near or far Byzantine vectors
    std::vector<double> x(40);
    for (auto& v : x) v = normal(rng);
    std::vector<std::vector<double>> r(honest, x);
    r.insert(r.end(), byz.begin(), byz.end());
    robust::RuleOptions o;
    o.rule = Rule::nna;
    o.f = f;
    for (std::size_t p : {0u, 9u}) EXPECT_EQ(run<double>(o, r, p), x) << "trial " << trial;
    // Spread-out honest models: ||NNA - p|| <= max over honest h of ||h - p||.
    auto spread = cloud<double>(rng, honest, 40);
    spread.insert(spread.end(), byz.begin(), byz.end());
    for (std::size_t p = 0; p < honest; ++p) {
      const auto y = run<double>(o, spread, p);
      double bound = 0, dist = 0;
      for (std::size_t h = 0; h < honest; ++h) {
        bound = std::max(bound, robust::squared_distance(spread[h].data(), spread[p].data(), 40));
      }
      dist = robust::squared_distance(y.data(), spread[p].data(), 40);
      EXPECT_LE(std::sqrt(dist), std::sqrt(bound) * (1 + 1e-12));
    }
  }
}

}  // namespace
