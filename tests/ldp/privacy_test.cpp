// Exact privacy (spec §6.1): enumerate P[y | v] for small domains and check
// max_{v, v', y} ln(P[y|v] / P[y|v']) <= eps + 1e-12, with equality where the mechanism is tight.
// Then check that the client sampler follows that law (chi-square style, per cell).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "paperkit/ldp/ldp.hpp"
#include "support/seeds.hpp"

namespace ldp = paperkit::ldp;
using ldp::FrequencyOracle;
using ldp::OracleKind;

namespace {

struct Audit {
  double max_log_ratio = 0;
  double worst_sum_error = 0;
};

Audit audit(const FrequencyOracle& o, std::uint64_t olh_seed = 0) {
  Audit a;
  const std::uint64_t d = o.domain(), outs = o.output_space_size();
  std::vector<std::vector<double>> p(d, std::vector<double>(outs));
  for (std::uint64_t v = 0; v < d; ++v) {
    double sum = 0;
    for (std::uint64_t y = 0; y < outs; ++y) sum += p[v][y] = o.output_probability(v, y, olh_seed);
    a.worst_sum_error = std::max(a.worst_sum_error, std::abs(sum - 1.0));
  }
  for (std::uint64_t y = 0; y < outs; ++y) {
    double lo = 1, hi = 0;
    for (std::uint64_t v = 0; v < d; ++v) {
      lo = std::min(lo, p[v][y]);
      hi = std::max(hi, p[v][y]);
    }
    a.max_log_ratio = std::max(a.max_log_ratio, std::log(hi / lo));
  }
  return a;
}

}  // namespace

TEST(StatisticalPrivacy, ExactRatioAtMostEpsilonAndTight) {
  for (double eps : {0.3, 1.0, 2.3, 5.0}) {
    for (std::uint64_t d = 1; d <= 6; ++d) {
      for (OracleKind k : {OracleKind::grr, OracleKind::sue, OracleKind::oue, OracleKind::hr}) {
        const FrequencyOracle o(k, eps, d);
        const Audit a = audit(o);
        EXPECT_LT(a.worst_sum_error, 1e-12) << o.description();
        EXPECT_LE(a.max_log_ratio, eps + 1e-12) << o.description() << " d " << d << " eps " << eps;
        if (d >= 2) {
          EXPECT_NEAR(a.max_log_ratio, eps, 1e-12) << o.description() << " d " << d;  // tight
        }
      }
      // OLH/BLH given the seed: tight whenever two items hash apart; never above eps.
      for (OracleKind k : {OracleKind::olh, OracleKind::blh}) {
        const FrequencyOracle o(k, eps, d);
        double tightest = 0;
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
          const Audit a = audit(o, seed * 0x9E3779B97F4A7C15ULL);
          EXPECT_LT(a.worst_sum_error, 1e-12);
          EXPECT_LE(a.max_log_ratio, eps + 1e-12) << o.description();
          tightest = std::max(tightest, a.max_log_ratio);
        }
        if (d >= 3) {
          EXPECT_NEAR(tightest, eps, 1e-12) << o.description() << " d " << d;
        }
      }
      // Wang's variant (keep 1/2): ratio ln floor(e^eps).
      if (eps > std::log(2.0) + 0.01) {
        ldp::OracleOptions w;
        w.olh_variant = ldp::OlhVariant::wang;
        const FrequencyOracle o(OracleKind::olh, eps, d, w);
        double tightest = 0;
        for (std::uint64_t seed = 0; seed < 20; ++seed)
          tightest = std::max(tightest, audit(o, seed * 7919).max_log_ratio);
        if (d >= 3) {
          EXPECT_NEAR(tightest, std::log(std::floor(std::exp(eps))), 1e-12);
        }
        EXPECT_LE(tightest, eps + 1e-12);
      }
    }
  }
}

// The sampler follows the enumerated law: 200k reports of item 2 (d = 4), every output cell's
// count within 5 standard deviations of n P[y|v]. False-failure rate: < 16 cells x 6e-7 ~ 1e-5.
TEST(StatisticalPrivacy, SamplerFollowsExactLaw) {
  const std::uint64_t d = 4, item = 2, n = 200000;
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (OracleKind k :
       {OracleKind::grr, OracleKind::sue, OracleKind::oue, OracleKind::hr, OracleKind::olh, OracleKind::blh}) {
    const FrequencyOracle o(k, 1.2, d);
    paperkit::Rng rng(seed);
    auto batch = o.empty_batch(n);
    for (std::uint64_t i = 0; i < n; ++i) o.perturb(item, rng, batch);
    const bool hashed = k == OracleKind::olh || k == OracleKind::blh;
    // OLH: condition on the hashed value x = h_seed(item): report == x w.p. keep, else uniform on the rest.
    std::vector<double> observed(o.output_space_size(), 0), expected(o.output_space_size(), 0);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint64_t y = 0;
      if (k == OracleKind::sue || k == OracleKind::oue) {
        for (std::uint64_t v = 0; v < d; ++v) y |= std::uint64_t{batch.row_bit(i, v)} << v;
      } else if (hashed) {
        const std::uint64_t x = o.olh_hash(item, batch.seeds[i]);
        y = (batch.values[i] + o.g() - x) % o.g();  // 0 = kept
      } else {
        y = batch.values[i];
      }
      observed[y] += 1;
    }
    for (std::uint64_t y = 0; y < expected.size(); ++y) {
      expected[y] = n * (hashed ? (y == 0 ? o.keep_probability() : (1 - o.keep_probability()) / double(o.g() - 1))
                                : o.output_probability(item, y));
      const double sd = std::sqrt(expected[y] * (1 - expected[y] / n));
      EXPECT_LE(std::abs(observed[y] - expected[y]), 5 * sd + 1e-9) << o.description() << " output " << y;
    }
    if (hashed) {  // the seeds' hashes of the item are close to uniform on [0, g)
      std::vector<double> hx(o.g(), 0);
      for (std::uint64_t i = 0; i < n; ++i) hx[o.olh_hash(item, batch.seeds[i])] += 1;
      const double cell = double(n) / double(o.g());
      for (double c : hx) EXPECT_LE(std::abs(c - cell), 5 * std::sqrt(cell));
    }
  }
}
