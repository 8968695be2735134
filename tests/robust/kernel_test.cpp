// The fast kernels of paperkit::robust against the simplest correct method, on the shapes where a
// blocked or tiled kernel goes wrong: every Gram register-tile shape (m = 1 .. 10, 13, 26), d on
// both sides of the vector width, the Gram block (128) and the nna pivot block (2048); n = 1; f = 0;
// exact ties (duplicate rows, repeated values, signed zeros). Float and double.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
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
std::vector<std::vector<T>> cloud(Rng& rng, std::size_t m, std::size_t d, double shift = 0) {
  std::vector<std::vector<T>> x(m, std::vector<T>(d));
  for (auto& r : x) {
    for (auto& v : r) v = static_cast<T>(shift + normal(rng));
  }
  return x;
}

template <class T>
struct Run {
  std::vector<T> out;
  std::vector<std::size_t> selected;
};

template <class T>
Run<T> run(robust::RuleOptions o, const std::vector<std::vector<T>>& x, std::size_t pivot = 0) {
  std::vector<const T*> rows;
  for (const auto& r : x) rows.push_back(r.data());
  Run<T> res;
  res.out.assign(x[0].size(), T(0));
  robust::Mixer<T> mixer(o);
  mixer.mix(rows, x[0].size(), pivot, res.out);
  res.selected = mixer.selected();
  return res;
}

// Direct squared distance in double, coordinate by coordinate.
template <class T>
double direct_distance(const std::vector<T>& a, const std::vector<T>& b) {
  double s = 0;
  for (std::size_t c = 0; c < a.size(); ++c) {
    const double diff = static_cast<double>(a[c]) - static_cast<double>(b[c]);
    s += diff * diff;
  }
  return s;
}

// The spec's NNA: stable-sort by distance to the pivot (ties: order of R), keep m - f, in row order.
template <class T>
std::vector<std::size_t> direct_nna_selection(const std::vector<std::vector<T>>& x, std::size_t pivot, std::size_t f) {
  std::vector<double> dist(x.size());
  for (std::size_t r = 0; r < x.size(); ++r) dist[r] = r == pivot ? 0.0 : direct_distance(x[r], x[pivot]);
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dist[a] < dist[b]; });
  order.resize(x.size() - f);
  std::sort(order.begin(), order.end());
  return order;
}

// nna's output against the exact mean (long double) of the rows it selected, with the error bound
// stated in algorithms/robust/aggregators.cpp (Mixer::nna): |out_c - mu_c| <= u |mu_c| +
// 3 (m + f + 4) u max_{r kept} ||r_B - p_B||, here with the whole-vector distance (>= the block's)
// and a factor 2 over that first-order bound. It holds for both of nna's paths (the subtracted sum
// and the direct sum), and a Byzantine magnitude that leaked into the subtraction would break it by
// orders of magnitude (e.g. 1e12 * 2^-53 = 1e-4 against ~1e-12 here).
template <class T>
void expect_nna_mean_within_bound(const std::vector<std::vector<T>>& x, std::size_t pivot, std::size_t f,
                                  const Run<T>& got, const std::string& what) {
  const double u = std::numeric_limits<T>::epsilon() / 2;
  const std::size_t m = x.size(), d = x[0].size(), k = got.selected.size();
  ASSERT_EQ(k, m - f) << what;
  double spread = 0;
  for (std::size_t r : got.selected) spread = std::max(spread, std::sqrt(direct_distance(x[r], x[pivot])));
  const double slack = 2 * 3 * static_cast<double>(m + f + 4) * u * spread;
  std::size_t bad = 0;
  double worst = 0;
  for (std::size_t c = 0; c < d; ++c) {
    long double sum = 0;
    for (std::size_t r : got.selected) sum += static_cast<long double>(x[r][c]);
    const double mu = static_cast<double>(sum / static_cast<long double>(k));
    const double err = std::abs(static_cast<double>(got.out[c]) - mu);
    const double tol = u * std::abs(mu) + slack;
    if (!(err <= tol)) ++bad;
    worst = std::max(worst, err / tol);
  }
  EXPECT_EQ(bad, 0u) << what << ": worst error / bound = " << worst;
}

template <class T>
void check_nna(std::uint64_t seed) {
  Rng rng(seed);
  for (std::size_t m : {1u, 2u, 5u, 26u}) {
    for (std::size_t d : {1u, 7u, 31u, 33u, 2047u, 2048u, 2049u, 4100u}) {
      const auto x = cloud<T>(rng, m, d, 3.0);
      for (std::size_t f : {std::size_t{0}, (m - 1) / 2}) {
        robust::RuleOptions o;
        o.rule = Rule::nna;
        o.f = f;
        for (std::size_t pivot : {std::size_t{0}, m - 1}) {
          const auto got = run<T>(o, x, pivot);
          const auto want = direct_nna_selection(x, pivot, f);
          ASSERT_EQ(got.selected, want) << "m=" << m << " d=" << d << " f=" << f << " pivot=" << pivot;
          expect_nna_mean_within_bound(x, pivot, f, got, "m=" + std::to_string(m) + " d=" + std::to_string(d));
        }
      }
    }
  }
}

TEST(PropertyRobustKernel, NnaSelectionMatchesDirectDistancesDouble) {
  const auto seed = paperkit::test::base_seed() + 20;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_nna<double>(seed);
}

TEST(PropertyRobustKernel, NnaSelectionMatchesDirectDistancesFloat) {
  const auto seed = paperkit::test::base_seed() + 21;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_nna<float>(seed);
}

TEST(PropertyRobustKernel, NnaExactTiesGoToTheLowerIndex) {
  // Rows 1 and 3 are the same vector, rows 2 and 4 another, all at the same distance from the pivot.
  for (std::size_t d : {3u, 37u, 2051u}) {
    std::vector<double> p(d, 0.0), a(d, 0.0), b(d, 0.0), far(d, 100.0);
    a[0] = 1.0;
    b[d - 1] = -1.0;
    const std::vector<std::vector<double>> x = {p, a, b, a, b, far};
    robust::RuleOptions o;
    o.rule = Rule::nna;
    o.f = 3;
    EXPECT_EQ(run<double>(o, x, 0).selected, (std::vector<std::size_t>{0, 1, 2})) << "d=" << d;
    o.f = 2;
    EXPECT_EQ(run<double>(o, x, 0).selected, (std::vector<std::size_t>{0, 1, 2, 3})) << "d=" << d;
  }
}

// nna's subtracted mean (sum of all rows minus the excluded ones, aggregators.cpp) on inputs made to
// break it: Byzantine rows of magnitude 1e12 everywhere, or only in a short spike inside one block
// (elsewhere they are as close as the honest rows, so the subtraction is taken there), Byzantine rows
// just beyond the honest ones (ALIE-like: subtraction everywhere), and honest rows equal to the pivot
// in some blocks (a per-block consensus: returned exactly). Sizes straddle the vector width, the
// 512-coordinate float chunk and the 1024/2048-coordinate blocks; f from 1 to m - 1.
template <class T>
void check_nna_adversarial(std::uint64_t seed) {
  Rng rng(seed);
  for (std::size_t m : {2u, 3u, 7u, 26u}) {
    for (std::size_t d : {1u, 15u, 17u, 65u, 513u, 1023u, 1025u, 2047u, 2049u, 5000u}) {
      for (std::size_t f : {std::size_t{1}, (m - 1) / 2, m - 1}) {
        if (f == 0) continue;
        for (int kind = 0; kind < 4; ++kind) {
          auto x = cloud<T>(rng, m, d, 3.0);
          const std::size_t honest = m - f;
          for (std::size_t r = honest; r < m; ++r) {
            for (std::size_t c = 0; c < d; ++c) {
              if (kind == 0) x[r][c] = static_cast<T>((r % 2 ? -1e12 : 1e12) * (1 + 0.1 * normal(rng)));
              if (kind == 1) x[r][c] = static_cast<T>(3 + 1.5 * normal(rng));  // close, a little farther
              if (kind == 2 && c % 1024 < 40 && (c / 1024) % 2 == 0) x[r][c] = static_cast<T>(1e12);
            }
          }
          if (kind == 3) {  // honest rows equal to the pivot (row 0) on every other 1024-coordinate run
            for (std::size_t r = 1; r < honest; ++r) {
              for (std::size_t c = 0; c < d; ++c) {
                if ((c / 1024) % 2 == 0) x[r][c] = x[0][c];
              }
            }
            for (std::size_t r = honest; r < m; ++r) {
              for (std::size_t c = 0; c < d; ++c) x[r][c] = static_cast<T>(x[r][c] + 50);
            }
          }
          robust::RuleOptions o;
          o.rule = Rule::nna;
          o.f = f;
          for (std::size_t pivot : {std::size_t{0}, honest - 1}) {
            const auto got = run<T>(o, x, pivot);
            const std::string what = "kind=" + std::to_string(kind) + " m=" + std::to_string(m) +
                                     " d=" + std::to_string(d) + " f=" + std::to_string(f) +
                                     " pivot=" + std::to_string(pivot);
            if (kind != 1) {  // the Byzantine rows are the farthest: exactly the honest ones are kept
              std::vector<std::size_t> honest_rows(honest);
              std::iota(honest_rows.begin(), honest_rows.end(), std::size_t{0});
              ASSERT_EQ(got.selected, honest_rows) << what;
            }
            expect_nna_mean_within_bound(x, pivot, f, got, what);
            if (kind == 3 && honest > 1) {
              for (std::size_t c = 0; c < d; ++c) {
                if ((c / 1024) % 2 == 0) {
                  ASSERT_EQ(got.out[c], x[0][c]) << what << " c=" << c;
                }
              }
            }
            // Deterministic: a second mixer on the same input gives the same bits.
            EXPECT_EQ(run<T>(o, x, pivot).out, got.out) << what;
          }
        }
      }
    }
  }
}

TEST(PropertyRobustKernel, NnaSubtractedMeanWithinBoundOnAdversarialInputsDouble) {
  const auto seed = paperkit::test::base_seed() + 25;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_nna_adversarial<double>(seed);
}

TEST(PropertyRobustKernel, NnaSubtractedMeanWithinBoundOnAdversarialInputsFloat) {
  const auto seed = paperkit::test::base_seed() + 26;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_nna_adversarial<float>(seed);
}

// Direct smoothed Weiszfeld in double, as the spec writes it (z = 0; T iterations).
template <class T>
std::vector<double> direct_gm(const std::vector<std::vector<T>>& x, double nu, int iters) {
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
      for (std::size_t c = 0; c < d; ++c) next[c] += w * static_cast<double>(x[r][c]);
    }
    for (std::size_t c = 0; c < d; ++c) z[c] = next[c] / total;
  }
  return z;
}

// Index of the smallest Krum score (sum of the k smallest squared distances; ties: lower index).
template <class T>
std::size_t direct_krum(const std::vector<std::vector<T>>& x, std::size_t k) {
  const std::size_t m = x.size();
  std::size_t best = 0;
  double best_score = 0;
  for (std::size_t i = 0; i < m; ++i) {
    std::vector<double> ds;
    for (std::size_t j = 0; j < m; ++j) {
      if (j != i) ds.push_back(direct_distance(x[i], x[j]));
    }
    std::sort(ds.begin(), ds.end());
    const double s = std::accumulate(ds.begin(), ds.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    if (i == 0 || s < best_score) best = i, best_score = s;
  }
  return best;
}

// Gram-based gm and krum for every register-tile shape (m mod 4 = 0..3, one tile to seven) and d on
// both sides of the vector width and of the 128-coordinate Gram block. gm: the Gram distances carry
// an absolute error of about m * 1e-16 * max ||r||^2 (aggregators.hpp), so 1e-10 relative on the
// output for double; float outputs are rounded once per weighted row: 1e-5 relative.
template <class T>
void check_gram_rules(std::uint64_t seed) {
  Rng rng(seed);
  const double tol = sizeof(T) == 8 ? 1e-10 : 1e-5;
  for (std::size_t m : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 13u, 26u}) {
    for (std::size_t d : {1u, 3u, 5u, 127u, 128u, 129u, 300u}) {
      const auto x = cloud<T>(rng, m, d, 2.0);
      robust::RuleOptions o;
      o.rule = Rule::gm;
      const auto got = run<T>(o, x).out;
      const auto want = direct_gm(x, o.gm_nu, o.gm_iters);
      for (std::size_t c = 0; c < d; ++c) {
        EXPECT_NEAR(static_cast<double>(got[c]), want[c], tol * (1 + std::abs(want[c]))) << "m=" << m << " d=" << d;
      }
      if (m < 2) continue;
      o.rule = Rule::krum;
      o.f = (m - 1) / 3;
      const std::size_t k = robust::krum_k(o, m);
      EXPECT_EQ(run<T>(o, x).out, x[direct_krum(x, k)]) << "m=" << m << " d=" << d;
    }
  }
}

TEST(PropertyRobustKernel, GramRulesMatchDirectForEveryTileShapeDouble) {
  const auto seed = paperkit::test::base_seed() + 22;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_gram_rules<double>(seed);
}

TEST(PropertyRobustKernel, GramRulesMatchDirectForEveryTileShapeFloat) {
  const auto seed = paperkit::test::base_seed() + 23;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_gram_rules<float>(seed);
}

// gm on float input takes the float Gram matrix of r_0 and r_i - r_0 (aggregators.cpp, gram_float).
// Rows clustered tightly far from 0 (spread 1 at distance 1000): a float Gram of the rows themselves
// would carry errors of ~1e-6 * ||r||^2 = the squared distances themselves, so its weights, and the
// output, would be off by ~0.1; the base-relative one keeps them to ~1e-6 of the spread. The bound:
// the float output's own rounding (about 30 float ulps of 1000 over the weighted sum) plus 1e-5 of the
// spread. Row 0 a far outlier (the base then makes the float Gram inaccurate) and a NaN row (a
// non-finite Gram entry) must take the double fallback: the direct values to 1e-5 relative, as above.
TEST(PropertyRobustKernel, GmFloatGramOfBaseRelativeRowsAndFallback) {
  const auto seed = paperkit::test::base_seed() + 27;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  const double uf = std::numeric_limits<float>::epsilon() / 2;
  for (std::size_t m : {5u, 26u}) {
    for (std::size_t d : {129u, 300u, 1000u}) {
      robust::RuleOptions o;
      o.rule = Rule::gm;
      auto x = cloud<float>(rng, m, d, 1000.0);
      auto got = run<float>(o, x).out;
      auto want = direct_gm(x, o.gm_nu, o.gm_iters);
      for (std::size_t c = 0; c < d; ++c) {
        ASSERT_NEAR(static_cast<double>(got[c]), want[c], 30 * uf * std::abs(want[c]) + 1e-5)
            << "clustered m=" << m << " d=" << d << " c=" << c;
      }
      for (int kind = 0; kind < 2; ++kind) {
        x = cloud<float>(rng, m, d, 2.0);
        if (kind == 0) {
          for (auto& v : x[0]) v += 1e4f;  // the base row far away
        } else {
          x[m - 1][d / 2] = std::numeric_limits<float>::quiet_NaN();
        }
        got = run<float>(o, x).out;
        // A non-finite row gets weight 0 and is left out of every sum (direct_gm's 1/m factor for
        // the m - 1 rows it sees cancels in the normalised mean).
        auto clean = x;
        if (kind == 1) clean.pop_back();
        want = direct_gm(clean, o.gm_nu, o.gm_iters);
        for (std::size_t c = 0; c < d; ++c) {
          ASSERT_NEAR(static_cast<double>(got[c]), want[c], 1e-5 * (1 + std::abs(want[c])))
              << "kind=" << kind << " m=" << m << " d=" << d << " c=" << c;
        }
      }
    }
  }
}

TEST(PropertyRobustKernel, KrumTieGoesToTheLowerIndex) {
  // Rows 0 and 2 are the same vector: equal scores, row 0 wins; d spans two Gram blocks.
  std::vector<double> a(200, 1.0), b(200, 1.5), c(200, 9.0);
  robust::RuleOptions o;
  o.rule = Rule::krum;
  o.krum_neighbors = 1;
  const auto got = run<double>(o, {a, b, a, c});
  EXPECT_EQ(got.selected, (std::vector<std::size_t>{0}));
}

// Coordinate-wise rules on values with many exact ties and signed zeros, for every m that the
// register network handles (1 .. 32) and two that take the general path (33, 40); d is not a
// multiple of the vector width. The reference sorts each coordinate with std::sort.
template <class T>
void check_coordinatewise_ties() {
  const T vals[] = {T(-1), T(-0.0), T(0), T(0.5), T(2), T(2)};
  for (std::size_t m = 1; m <= 40; m += (m < 32 ? 1 : 7)) {
    const std::size_t d = 37;
    std::vector<std::vector<T>> x(m, std::vector<T>(d));
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t c = 0; c < d; ++c) x[r][c] = vals[(r * 7 + c * 3 + r * c) % 6];
    }
    for (Rule rule : {Rule::cwtm, Rule::cwmed}) {
      for (std::size_t f : {std::size_t{0}, (m - 1) / 2}) {
        robust::RuleOptions o;
        o.rule = rule;
        o.f = f;
        const auto got = run<T>(o, x).out;
        for (std::size_t c = 0; c < d; ++c) {
          std::vector<T> col(m);
          for (std::size_t r = 0; r < m; ++r) col[r] = x[r][c];
          std::sort(col.begin(), col.end());
          T want;
          if (rule == Rule::cwmed) {
            want = m % 2 ? col[m / 2] : (col[m / 2 - 1] + col[m / 2]) / T(2);
          } else {
            T s = col[f];
            for (std::size_t r = f + 1; r < m - f; ++r) s += col[r];
            want = s / static_cast<T>(m - 2 * f);
          }
          // Values are small dyadic rationals: every partial sum is exact, so the results are equal
          // (== treats -0 and +0 alike; their order among ties is unspecified on both sides).
          EXPECT_EQ(got[c], want) << robust::rule_name(rule) << " m=" << m << " f=" << f << " c=" << c;
        }
      }
    }
  }
}

// cwtm for every trim f the rule accepts, bit for bit against sort-then-sum-in-order: the register
// path picks a compile-time trim per f and multiplies by 1/count where count is a power of two, so a
// wrong branch, a wrong reciprocal or a sum out of order shows here. m = 1 .. 32 is the register
// path, 33 and 40 the general one; d = 37 covers whole tiles and the padded tail. Gaussian values
// have no ties, so the sorted order (hence every partial sum) is unique; a few rows carry +-inf and
// NaN (NaN sorts as +inf), and then the result may be NaN on both sides.
template <class T>
void check_cwtm_every_trim(std::uint64_t seed) {
  Rng rng(seed);
  const T inf = std::numeric_limits<T>::infinity();
  for (std::size_t m = 1; m <= 40; m += (m < 32 ? 1 : 7)) {
    const std::size_t d = 37;
    auto x = cloud<T>(rng, m, d, 0.25);
    if (m >= 5) {
      x[1][3] = inf;
      x[2][3] = -inf;
      x[m - 1][5] = std::numeric_limits<T>::quiet_NaN();
      x[0][6] = T(1e30);
    }
    for (std::size_t f = 0; 2 * f < m; ++f) {
      robust::RuleOptions o;
      o.rule = Rule::cwtm;
      o.f = f;
      const auto got = run<T>(o, x).out;
      for (std::size_t c = 0; c < d; ++c) {
        std::vector<T> col(m);
        for (std::size_t r = 0; r < m; ++r) col[r] = std::isnan(x[r][c]) ? inf : x[r][c];
        std::sort(col.begin(), col.end());
        T s = col[f];
        for (std::size_t r = f + 1; r < m - f; ++r) s += col[r];
        const T want = s / static_cast<T>(m - 2 * f);
        if (std::isnan(want)) {
          EXPECT_TRUE(std::isnan(got[c])) << "m=" << m << " f=" << f << " c=" << c;
        } else {
          EXPECT_EQ(std::memcmp(&got[c], &want, sizeof(T)), 0)
              << "m=" << m << " f=" << f << " c=" << c << ": " << got[c] << " vs " << want;
        }
      }
    }
  }
}

TEST(PropertyRobustKernel, CwtmEveryTrimEqualsTheSortedSumBitwiseDouble) {
  const auto seed = paperkit::test::base_seed() + 40;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_cwtm_every_trim<double>(seed);
}
TEST(PropertyRobustKernel, CwtmEveryTrimEqualsTheSortedSumBitwiseFloat) {
  const auto seed = paperkit::test::base_seed() + 41;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_cwtm_every_trim<float>(seed);
}

// meamed as the spec's loop writes it, one coordinate at a time: sort (NaN as +inf), grow the window
// [lo, hi) from the median, the closer side first and the smaller value on a tie, sum it in order.
template <class T>
T reference_meamed(std::vector<T> col, std::size_t f) {
  const std::size_t m = col.size(), keep = m - f, h = m / 2;
  for (T& v : col) v = std::isnan(v) ? std::numeric_limits<T>::infinity() : v;
  std::sort(col.begin(), col.end());
  const T med = m % 2 ? col[h] : (col[h - 1] + col[h]) / T(2);
  std::size_t lo = h, hi = h;
  for (std::size_t taken = 0; taken < keep; ++taken) {
    if (lo > 0 && (hi == m || med - col[lo - 1] <= col[hi] - med)) {
      --lo;
    } else {
      ++hi;
    }
  }
  T s = col[lo];
  for (std::size_t r = lo + 1; r < hi; ++r) s += col[r];
  return s / static_cast<T>(keep);
}

// meamed against that loop, exactly (same additions in the same order), for every m of the
// register path (1 .. 32, vectorised with AVX-512) and two of the general path; values with ties,
// signed zeros, infinities and NaN among random ones, d not a multiple of the vector width.
template <class T>
void check_meamed_exact(std::uint64_t seed) {
  Rng rng(seed);
  const T special[] = {T(-1),
                       T(-0.0),
                       T(0),
                       T(0.5),
                       T(2),
                       T(2),
                       std::numeric_limits<T>::infinity(),
                       -std::numeric_limits<T>::infinity(),
                       std::numeric_limits<T>::quiet_NaN()};
  for (std::size_t m = 1; m <= 40; m += (m < 32 ? 1 : 7)) {
    const std::size_t d = 37;
    std::vector<std::vector<T>> x(m, std::vector<T>(d));
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t c = 0; c < d; ++c) {
        // Columns 0-11: small dyadic ties only; 12-23: random; 24-36: random, 40% specials.
        const double u = rng.uniform01();
        x[r][c] = c < 12              ? special[(r * 7 + c * 3 + r * c) % 6]
                  : c < 24 || u > 0.4 ? static_cast<T>(2 * rng.uniform01() - 1)
                                      : special[rng.uniform_below(9)];
      }
    }
    for (std::size_t f : {std::size_t{0}, (m - 1) / 2}) {
      robust::RuleOptions o;
      o.rule = Rule::meamed;
      o.f = f;
      const auto got = run<T>(o, x).out;
      for (std::size_t c = 0; c < d; ++c) {
        std::vector<T> col(m);
        for (std::size_t r = 0; r < m; ++r) col[r] = x[r][c];
        const T want = reference_meamed(col, f);
        // == treats -0 and +0 alike (their order among ties is unspecified on both sides).
        EXPECT_TRUE(got[c] == want || (std::isnan(got[c]) && std::isnan(want)))
            << "m=" << m << " f=" << f << " c=" << c << " got " << got[c] << " want " << want;
      }
    }
  }
}

TEST(PropertyRobustKernel, MeamedEqualsTheScalarWindowLoopDouble) {
  const auto seed = paperkit::test::base_seed() + 25;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_meamed_exact<double>(seed);
}
TEST(PropertyRobustKernel, MeamedEqualsTheScalarWindowLoopFloat) {
  const auto seed = paperkit::test::base_seed() + 26;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_meamed_exact<float>(seed);
}

// Krum, multi-Krum and gm's double Gram reading a SharedGram computed over a larger set of rows in
// another order (as the simulator shares one per step): the same output bits and selection as
// computing their own, for received lists with repeated rows (the f copies of b) and at several
// sizes; a list with a row outside the set computes its own Gram.
template <class T>
void check_shared_gram(std::uint64_t seed) {
  Rng rng(seed);
  for (std::size_t d : {1u, 37u, 300u}) {
    const auto pool = cloud<T>(rng, 23, d, 2.0);
    std::vector<const T*> all;
    for (std::size_t r = pool.size(); r-- > 0;) all.push_back(pool[r].data());  // reversed order
    robust::SharedGram<T> shared;
    shared.compute(all, d);
    const auto outsider = cloud<T>(rng, 1, d, 2.0);
    for (std::size_t trial = 0; trial < 6; ++trial) {
      std::vector<const T*> rows;
      const std::size_t honest = 5 + rng.uniform_below(12), copies = rng.uniform_below(6);
      for (std::size_t k = 0; k < honest; ++k) rows.push_back(pool[rng.uniform_below(22)].data());
      for (std::size_t k = 0; k < copies; ++k) rows.push_back(pool[22].data());
      if (trial == 5) rows.push_back(outsider[0].data());
      for (Rule rule : {Rule::krum, Rule::multikrum, Rule::gm}) {
        robust::RuleOptions o;
        o.rule = rule;
        o.f = rule == Rule::gm ? 0 : (rows.size() - 3) / 2;
        robust::Mixer<T> own(o), lent(o);
        lent.share_gram(&shared);
        std::vector<T> a(d), b(d);
        own.mix(rows, d, 0, a);
        lent.mix(rows, d, 0, b);
        EXPECT_EQ(std::memcmp(a.data(), b.data(), d * sizeof(T)), 0)
            << robust::rule_name(rule) << " d=" << d << " trial " << trial;
        EXPECT_EQ(own.selected(), lent.selected()) << robust::rule_name(rule);
      }
    }
  }
}

TEST(PropertyRobustKernel, SharedGramGivesTheSameBitsDouble) {
  const auto seed = paperkit::test::base_seed() + 27;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_shared_gram<double>(seed);
}
TEST(PropertyRobustKernel, SharedGramGivesTheSameBitsFloat) {
  const auto seed = paperkit::test::base_seed() + 28;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_shared_gram<float>(seed);
}

TEST(PropertyRobustKernel, CoordinatewiseTiesAndSignedZerosDouble) {
  check_coordinatewise_ties<double>();
}
TEST(PropertyRobustKernel, CoordinatewiseTiesAndSignedZerosFloat) {
  check_coordinatewise_ties<float>();
}

TEST(PropertyRobustKernel, OneInputIsReturnedExactly) {
  const auto seed = paperkit::test::base_seed() + 24;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::size_t d : {1u, 33u, 129u, 2049u}) {
    const auto x = cloud<double>(rng, 1, d, 1.0);
    for (Rule rule : {Rule::average, Rule::nna, Rule::cwtm, Rule::cwmed, Rule::meamed, Rule::scc}) {
      robust::RuleOptions o;
      o.rule = rule;
      EXPECT_EQ(run<double>(o, x).out, x[0]) << robust::rule_name(rule) << " d=" << d;
    }
    // gm with one row: z = (w r) / w, one rounding of a product by the coefficient 1.
    robust::RuleOptions o;
    o.rule = Rule::gm;
    const auto got = run<double>(o, x).out;
    for (std::size_t c = 0; c < d; ++c) EXPECT_DOUBLE_EQ(got[c], x[0][c]);
  }
}

}  // namespace
