// Oracle parameters, theory values, bad input, determinism and decoder agreement.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/ldp.hpp"
#include "support/seeds.hpp"

namespace ldp = paperkit::ldp;
using ldp::FrequencyOracle;
using ldp::OracleKind;
using paperkit::InvalidParameter;

namespace {

const OracleKind kAll[] = {OracleKind::grr, OracleKind::sue, OracleKind::oue,
                           OracleKind::olh, OracleKind::blh, OracleKind::hr};

std::vector<std::uint64_t> zipf_items(std::size_t n, std::uint64_t d, std::uint64_t seed) {
  paperkit::Rng rng(seed);
  std::vector<std::uint64_t> items(n);
  for (auto& v : items) {
    // Mostly small items, some uniform: enough skew to make counts differ.
    v = rng.uniform01() < 0.5 ? rng.uniform_below(std::min<std::uint64_t>(d, 3)) : rng.uniform_below(d);
  }
  return items;
}

}  // namespace

// Variance per user at c_v = 0 against the spec §2.1 table ([M] values, 2-3 significant digits).
TEST(UnitOracle, VarianceTableFromSpec) {
  struct Row {
    OracleKind kind;
    double v1, v2, v4;
  };
  const Row rows[] = {{OracleKind::grr, 2.95, 0.33, 0.021},
                      {OracleKind::sue, 3.92, 0.92, 0.18},
                      {OracleKind::oue, 3.68, 0.72, 0.076},
                      {OracleKind::olh, 3.69, 0.72, 0.076},
                      {OracleKind::hr, 4.68, 1.72, 1.08}};
  for (const Row& r : rows) {
    const double want[] = {r.v1, r.v2, r.v4};
    const double eps[] = {1, 2, 4};
    for (int i = 0; i < 3; ++i) {
      const FrequencyOracle o(r.kind, eps[i], 8);
      EXPECT_NEAR(o.variance(1.0) / want[i], 1.0, 0.02) << o.description() << " eps " << eps[i];
    }
  }
  // BLH: ((e^eps+1)/(e^eps-1))^2.
  const double e = std::exp(1.0);
  EXPECT_NEAR(FrequencyOracle(OracleKind::blh, 1.0, 8).variance(1.0), std::pow((e + 1) / (e - 1), 2), 1e-12);
}

TEST(UnitOracle, Parameters) {
  const double e = std::exp(1.0);
  const FrequencyOracle grr(OracleKind::grr, 1.0, 6);
  EXPECT_DOUBLE_EQ(grr.p_star(), e / (e + 5));
  EXPECT_DOUBLE_EQ(grr.q_star(), 1 / (e + 5));
  const FrequencyOracle olh(OracleKind::olh, 1.0, 100);
  EXPECT_EQ(olh.g(), 4U);  // round(e) + 1
  EXPECT_DOUBLE_EQ(olh.q_star(), 0.25);
  ldp::OracleOptions wang;
  wang.olh_variant = ldp::OlhVariant::wang;
  const FrequencyOracle w(OracleKind::olh, 1.5, 100, wang);
  EXPECT_EQ(w.g(), 5U);  // floor(e^1.5 = 4.48) + 1
  EXPECT_DOUBLE_EQ(w.p_star(), 0.5);
  EXPECT_EQ(FrequencyOracle(OracleKind::olh, 1.5, 100).g(), 5U);  // round(4.48) + 1
  EXPECT_EQ(FrequencyOracle(OracleKind::olh, 1.7, 100).g(), 6U);  // round(5.47) + 1
  ldp::OracleOptions explicit_g;
  explicit_g.olh_g = 7;
  EXPECT_EQ(FrequencyOracle(OracleKind::olh, 1.0, 100, explicit_g).g(), 7U);
  EXPECT_EQ(FrequencyOracle(OracleKind::hr, 1.0, 7).hadamard_order(), 8U);
  EXPECT_EQ(FrequencyOracle(OracleKind::hr, 1.0, 8).hadamard_order(), 16U);
  EXPECT_EQ(FrequencyOracle(OracleKind::oue, 1.0, 8).description(), "oue");
  EXPECT_EQ(olh.description(), "olh(g=4)");
}

TEST(UnitOracle, BadParametersThrow) {
  const double bad_eps[] = {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity(), 30.5, 1e300};
  for (OracleKind k : kAll) {
    for (double eps : bad_eps) EXPECT_THROW(FrequencyOracle(k, eps, 8), InvalidParameter) << eps;
    EXPECT_THROW(FrequencyOracle(k, 1.0, 0), InvalidParameter);
  }
  EXPECT_THROW(FrequencyOracle(OracleKind::oue, 1.0, ldp::kMaxDenseDomain + 1), InvalidParameter);
  EXPECT_THROW(FrequencyOracle(OracleKind::hr, 1.0, ldp::kMaxDenseDomain + 1), InvalidParameter);
  EXPECT_NO_THROW(FrequencyOracle(OracleKind::olh, 1.0, std::uint64_t{1} << 48));
  EXPECT_NO_THROW(FrequencyOracle(OracleKind::grr, 30.0, std::uint64_t{1} << 48));
  // OLH at eps = 30: g = round(e^30)+1 ~ 1e13 would overflow xxh32's range: rejected, not capped.
  EXPECT_THROW(FrequencyOracle(OracleKind::olh, 30.0, 8), InvalidParameter);
  ldp::OracleOptions g1;
  g1.olh_g = 1;
  EXPECT_THROW(FrequencyOracle(OracleKind::olh, 1.0, 8, g1), InvalidParameter);
  EXPECT_THROW(FrequencyOracle(OracleKind::grr, 1.0, 8, ldp::OracleOptions{ldp::OlhVariant::pure_ldp, 5}),
               InvalidParameter);
  ldp::OracleOptions wang;
  wang.olh_variant = ldp::OlhVariant::wang;
  EXPECT_THROW(FrequencyOracle(OracleKind::olh, 0.5, 8, wang), InvalidParameter);  // floor(e^0.5)+1 = 2
  EXPECT_THROW(ldp::parse_oracle_kind("xyz"), InvalidParameter);
  EXPECT_THROW(ldp::make_oracle("auto", -1.0, 8), InvalidParameter);
}

TEST(UnitOracle, BadInputThrowsAndNeverNaN) {
  for (OracleKind k : kAll) {
    const FrequencyOracle o(k, 1.0, 5);
    auto empty = o.empty_batch();
    EXPECT_THROW(o.estimate(empty), InvalidParameter) << o.description();
    paperkit::Rng rng(1);
    EXPECT_THROW(o.perturb(5, rng, empty), InvalidParameter);
    const std::vector<std::uint64_t> zeros(5, 0);
    EXPECT_THROW(o.simulate_aggregate(zeros, rng), InvalidParameter);
    const std::vector<std::uint64_t> wrong_size(4, 1);
    EXPECT_THROW(o.simulate_aggregate(wrong_size, rng), InvalidParameter);
    const std::vector<std::uint64_t> cand = {1, 1}, cc = {1, 1};
    EXPECT_THROW(o.simulate_aggregate(10, cand, cc, rng), InvalidParameter);  // listed twice
    const std::vector<std::uint64_t> cand2 = {1, 2}, too_many = {8, 8};
    EXPECT_THROW(o.simulate_aggregate(10, cand2, too_many, rng), InvalidParameter);
    const std::vector<std::uint64_t> outside = {7};
    o.perturb(1, rng, empty);
    EXPECT_THROW(o.estimate(empty, outside), InvalidParameter);
    const FrequencyOracle other(k == OracleKind::grr ? OracleKind::hr : OracleKind::grr, 1.0, 5);
    EXPECT_THROW(other.estimate(empty), InvalidParameter);
    for (double v : o.estimate(empty)) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(UnitOracle, EdgeDomainsAndEpsilons) {
  for (OracleKind k : kAll) {
    for (std::uint64_t d : {1ULL, 2ULL, 65ULL}) {
      for (double eps : {0.01, 1.0, 8.0}) {
        if (k == OracleKind::olh && eps > 13) continue;
        const FrequencyOracle o(k, eps, d);
        const auto items = zipf_items(300, d, 3);
        const auto batch = o.perturb_all(items, 7);
        const auto est = o.estimate(batch);
        ASSERT_EQ(est.size(), d);
        for (double v : est) EXPECT_TRUE(std::isfinite(v)) << o.description();
        paperkit::Rng rng(5);
        std::vector<std::uint64_t> counts(d, 0);
        for (auto v : items) ++counts[v];
        for (double v : o.simulate_aggregate(counts, rng)) EXPECT_TRUE(std::isfinite(v));
        if (d == 1 && k == OracleKind::grr) {
          EXPECT_NEAR(est[0], 300.0, 1e-9);  // one item: GRR always reports it, so the estimate is exact
        }
      }
    }
  }
  // GRR at eps = 30 (e^30 ~ 1e13) stays finite and, with overwhelming probability, exact.
  const FrequencyOracle g30(OracleKind::grr, 30.0, 4);
  const std::vector<std::uint64_t> items = {0, 1, 1, 3};
  const auto est = g30.estimate(g30.perturb_all(items, 1));
  EXPECT_NEAR(est[1], 2.0, 1e-6);
}

TEST(UnitOracle, AutoChoosesSmallestVariance) {
  EXPECT_EQ(ldp::choose_auto(1.0, 2), OracleKind::grr);
  EXPECT_EQ(ldp::choose_auto(1.0, 8), OracleKind::grr);
  EXPECT_EQ(ldp::choose_auto(4.0, 50), OracleKind::grr);  // 3e^eps + 2 = 165.8 > 50
  EXPECT_NE(ldp::choose_auto(1.0, 1024), OracleKind::grr);
  for (std::uint64_t d : {2ULL, 10ULL, 100ULL, 10000ULL}) {
    const OracleKind k = ldp::choose_auto(2.0, d);
    const double v = FrequencyOracle(k, 2.0, d).variance(1);
    for (OracleKind other : {OracleKind::grr, OracleKind::oue, OracleKind::olh}) {
      EXPECT_LE(v, FrequencyOracle(other, 2.0, d).variance(1) * (1 + 1e-12));
    }
  }
  EXPECT_EQ(ldp::make_oracle("auto", 30.0, std::uint64_t{1} << 40).kind(), OracleKind::grr);
}

// Same seed: identical reports and counts for 1 and 3 threads (randomness split by block).
TEST(UnitOracle, IdenticalForAnyThreadCount) {
  const auto items = zipf_items(3 * FrequencyOracle::kBlockUsers + 17, 40, 11);
  for (OracleKind k : kAll) {
    const FrequencyOracle o(k, 1.0, 40);
    const auto a = o.perturb_all(items, 99, 0, 1);
    const auto b = o.perturb_all(items, 99, 0, 3);
    EXPECT_EQ(a.values, b.values);
    EXPECT_EQ(a.seeds, b.seeds);
    EXPECT_EQ(a.bits, b.bits);
    EXPECT_EQ(o.support_counts(a, 1), o.support_counts(a, 3)) << o.description();
  }
}

// Every fast decoder equals the simplest one: sum over reports of output_probability-style support.
TEST(UnitOracle, FastDecodersMatchNaive) {
  const std::uint64_t d = 130;  // not a multiple of 64; HR K = 256
  const auto items = zipf_items(2000, d, paperkit::test::base_seed());
  for (OracleKind k : kAll) {
    for (double eps : {1.0, 1.5}) {  // olh g = 4 (power of two) and 5
      const FrequencyOracle o(k, eps, d);
      const auto batch = o.perturb_all(items, 5);
      std::vector<std::uint64_t> naive(d, 0);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        for (std::uint64_t v = 0; v < d; ++v) {
          bool s = false;
          switch (k) {
            case OracleKind::grr:
              s = batch.values[i] == v;
              break;
            case OracleKind::sue:
            case OracleKind::oue:
              s = batch.row_bit(i, v);
              break;
            case OracleKind::olh:
            case OracleKind::blh:
              s = o.olh_hash(v, batch.seeds[i]) == batch.values[i];
              break;
            case OracleKind::hr:
              s = __builtin_parityll((v + 1) & batch.values[i]) == 0;
              break;
          }
          naive[v] += s;
        }
      }
      EXPECT_EQ(o.support_counts(batch, 2), naive) << o.description();
      std::vector<std::uint64_t> cand = {129, 0, 64, 63, 7};
      const auto sub = o.support_counts(batch, cand);
      for (std::size_t j = 0; j < cand.size(); ++j) EXPECT_EQ(sub[j], naive[cand[j]]) << o.description();
      const auto est = o.estimate(batch, cand);
      for (std::size_t j = 0; j < cand.size(); ++j) {
        EXPECT_NEAR(est[j], o.unbias(static_cast<double>(naive[cand[j]]), 2000.0), 1e-9);  // FMA contraction may differ
      }
    }
  }
}

// OLH on a huge domain (48-bit items, decimal strings >= 16 digits take xxh32's stripe path).
TEST(UnitOracle, OlhHugeDomainCandidates) {
  const std::uint64_t d = std::uint64_t{1} << 60;
  const FrequencyOracle o(OracleKind::olh, 2.0, d);
  const std::vector<std::uint64_t> items = {d - 1, d - 1, 12345678901234567ULL, 5};
  const auto batch = o.perturb_all(items, 3);
  const std::vector<std::uint64_t> cand = {d - 1, 12345678901234567ULL, 5, 6};
  const auto sup = o.support_counts(batch, cand);
  for (std::size_t j = 0; j < cand.size(); ++j) {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) s += o.olh_hash(cand[j], batch.seeds[i]) == batch.values[i];
    EXPECT_EQ(sup[j], s);
  }
  EXPECT_THROW(o.support_counts(batch), InvalidParameter);  // full domain of 2^60: refused
}
