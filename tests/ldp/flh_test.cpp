// FLH (OLH with a fixed pool of hash seeds; heuristic, frequency_oracle.hpp): pool and client,
// exact privacy, seed-binned decoding against a brute-force per-report decode, unbiasedness and
// the extra variance over pool draws, per-user vs aggregate law given one pool, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/ldp.hpp"
#include "support/run_tool.hpp"
#include "support/seeds.hpp"

namespace ldp = paperkit::ldp;
using ldp::FrequencyOracle;
using ldp::OracleKind;

namespace {

const std::string tool = PAPERKIT_LDP_TOOL;

FrequencyOracle flh(double eps, std::uint64_t d, std::uint64_t pool, std::uint64_t pool_seed) {
  ldp::OracleOptions o;
  o.flh_pool = pool;
  o.flh_pool_seed = pool_seed;
  return ldp::make_oracle("flh", eps, d, o);
}

std::vector<std::uint64_t> items_of(const std::vector<std::uint64_t>& counts) {
  std::vector<std::uint64_t> items;
  for (std::uint64_t v = 0; v < counts.size(); ++v) items.insert(items.end(), counts[v], v);
  return items;
}

TEST(UnitFlh, PoolIsDistinctFixedBySeedAndUsedByTheClient) {
  const auto a = flh(1.0, 20, 50, 7), b = flh(1.0, 20, 50, 7), c = flh(1.0, 20, 50, 8);
  ASSERT_TRUE(a.is_flh());
  EXPECT_EQ(a.kind(), OracleKind::olh);
  EXPECT_EQ(a.name(), "flh");
  EXPECT_EQ(a.description(), "flh(g=4,pool=50)");
  const std::set<std::uint32_t> pool(a.flh_seeds().begin(), a.flh_seeds().end());
  EXPECT_EQ(pool.size(), 50u);
  EXPECT_TRUE(std::equal(a.flh_seeds().begin(), a.flh_seeds().end(), b.flh_seeds().begin()));
  EXPECT_FALSE(std::equal(a.flh_seeds().begin(), a.flh_seeds().end(), c.flh_seeds().begin()));
  const std::vector<std::uint64_t> items(5000, 3);
  const auto batch = a.perturb_all(items, paperkit::test::base_seed());
  std::set<std::uint64_t> used;
  for (const std::uint64_t s : batch.seeds) {
    EXPECT_TRUE(pool.count(static_cast<std::uint32_t>(s))) << s;
    used.insert(s);
  }
  EXPECT_EQ(used.size(), 50u);  // 5000 uniform draws miss a given seed w.p. (49/50)^5000 ~ 1e-44
  EXPECT_FALSE(ldp::FrequencyOracle(OracleKind::olh, 1.0, 20).is_flh());
}

// Exact privacy (spec §6.1): the output is (seed, y); P = (1/k_s) P_OLH[y | v, seed]. The seed is
// independent of the item, so the worst-case ratio is OLH's: <= e^eps, tight when some pool seed
// separates two items.
TEST(PropertyFlh, EnumeratedOutputLawIsEpsLdpAndTight) {
  for (const double eps : {0.5, 1.0, 2.0, 4.0}) {
    for (const std::uint64_t d : {2u, 5u, 8u}) {
      const auto o = flh(eps, d, 6, 11);
      const double ks = static_cast<double>(o.flh_seeds().size());
      double worst = 0;
      for (const std::uint32_t s : o.flh_seeds()) {
        for (std::uint64_t y = 0; y < o.g(); ++y) {
          double lo = 1, hi = 0;
          for (std::uint64_t v = 0; v < d; ++v) {
            const double p = o.output_probability(v, y, s) / ks;
            lo = std::min(lo, p);
            hi = std::max(hi, p);
          }
          worst = std::max(worst, std::log(hi / lo));
        }
      }
      EXPECT_LE(worst, eps + 1e-12) << "eps " << eps << " d " << d;
      EXPECT_NEAR(worst, eps, 1e-9) << "eps " << eps << " d " << d;  // pool seeds separate some pair of items
    }
  }
}

// The client's empirical law of (seed index, y) for one item against the enumerated law: 3 seeds x g = 4
// values = 12 cells, n = 120000 reports, every |z| < 5 (false failure < 12 * 5.8e-7).
TEST(StatisticalFlh, ClientLawMatchesTheEnumeratedLaw) {
  const auto o = flh(1.0, 6, 3, 5);
  const std::size_t n = 120000;
  const std::vector<std::uint64_t> items(n, 2);
  const auto batch = o.perturb_all(items, paperkit::test::base_seed(), 1);
  const auto pool = o.flh_seeds();
  std::vector<double> hits(pool.size() * o.g(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto j = static_cast<std::size_t>(std::find(pool.begin(), pool.end(), batch.seeds[i]) - pool.begin());
    hits[j * o.g() + batch.values[i]] += 1;
  }
  for (std::size_t j = 0; j < pool.size(); ++j) {
    for (std::uint64_t y = 0; y < o.g(); ++y) {
      const double p = o.output_probability(2, y, pool[j]) / static_cast<double>(pool.size());
      const double z = (hits[j * o.g() + y] - n * p) / std::sqrt(n * p * (1 - p));
      EXPECT_LT(std::abs(z), 5.0) << "seed " << j << " y " << y;
    }
  }
}

// Seed-binned decoding (FLH, and plain OLH reports whose seeds repeat) gives exactly the support
// counts of a brute-force per-report decode, and of the per-report path (fewer than 8 candidates).
TEST(UnitFlh, BinnedDecodeEqualsBruteForcePerReportDecode) {
  const std::vector<std::uint64_t> counts = {300, 10, 0, 45, 700, 3, 90, 1, 250, 60, 12, 400};
  const auto items = items_of(counts);
  for (const double eps : {1.0, 4.0}) {
    const auto o = flh(eps, counts.size(), 7, 3);
    const auto batch = o.perturb_all(items, paperkit::test::base_seed(), 2);
    std::vector<std::uint64_t> brute(counts.size(), 0);
    for (std::size_t i = 0; i < batch.users; ++i)
      for (std::uint64_t v = 0; v < counts.size(); ++v) brute[v] += o.olh_hash(v, batch.seeds[i]) == batch.values[i];
    EXPECT_EQ(o.support_counts(batch), brute);
    const FrequencyOracle plain(OracleKind::olh, eps, counts.size());
    EXPECT_EQ(plain.support_counts(batch), brute);  // plain OLH: the sample of repeated seeds picks binning
    for (std::uint64_t v = 0; v < counts.size(); v += 4) {
      std::vector<std::uint64_t> few;
      for (std::uint64_t u = v; u < std::min<std::uint64_t>(v + 4, counts.size()); ++u) few.push_back(u);
      const auto part = plain.support_counts(batch, few);  // < 8 candidates: per-report path
      for (std::size_t j = 0; j < few.size(); ++j) EXPECT_EQ(part[j], brute[few[j]]);
    }
    // Huge domain (2^40 prefixes), candidate subset: binned vs brute force.
    const auto big = flh(eps, std::uint64_t{1} << 40, 5, 9);
    std::vector<std::uint64_t> values(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) values[i] = items[i] * 1000003ULL + (std::uint64_t{1} << 39);
    const auto bb = big.perturb_all(values, paperkit::test::base_seed(), 3);
    std::vector<std::uint64_t> cand;
    for (std::uint64_t v = 0; v < 20; ++v) cand.push_back(v * 1000003ULL + (std::uint64_t{1} << 39));
    const auto got = big.support_counts(bb, cand);
    for (std::size_t j = 0; j < cand.size(); ++j) {
      std::uint64_t s = 0;
      for (std::size_t i = 0; i < bb.users; ++i) s += big.olh_hash(cand[j], bb.seeds[i]) == bb.values[i];
      EXPECT_EQ(got[j], s) << j;
    }
  }
}

// Over pool draws the estimates are unbiased, with variance Var_OLH + sum_{u!=v} c_u^2/(k_s (g-1))
// (frequency_oracle.hpp). R = 3000 runs, each with a fresh pool (k_s = 4) and the exact aggregate
// law given that pool: every |z| < 4.5 (false failure about 8 * 6.8e-6) and every variance ratio in
// [0.8, 1.25] (the formula drops O(c_u / k_s) terms; the ratio's sd is about 0.03-0.05 at R = 3000,
// so a false failure needs > 4 sd, while dropping the c_u^2 term (>= 0.6x OLH's variance) fails).
TEST(StatisticalFlh, UnbiasedOverPoolDrawsWithTheStatedExtraVariance) {
  const std::vector<std::uint64_t> counts = {400, 200, 150, 100, 80, 50, 20, 0};
  const double n = 1000;
  double sum_sq = 0;
  for (auto c : counts) sum_sq += static_cast<double>(c) * static_cast<double>(c);
  const int repeats = 3000;
  const std::size_t d = counts.size();
  std::vector<double> s1(d, 0), s2(d, 0);
  paperkit::Rng rng(paperkit::test::base_seed());
  for (int r = 0; r < repeats; ++r) {
    const auto o = flh(1.0, d, 4, paperkit::test::base_seed() * 7919 + static_cast<std::uint64_t>(r));
    const auto est = o.simulate_aggregate(counts, rng);
    for (std::size_t v = 0; v < d; ++v) {
      s1[v] += est[v];
      s2[v] += est[v] * est[v];
    }
  }
  const auto o = flh(1.0, d, 4, 0);
  for (std::size_t v = 0; v < d; ++v) {
    const double c = static_cast<double>(counts[v]);
    const double theory = o.variance(n, c) + o.flh_extra_variance(sum_sq - c * c);
    const double mean = s1[v] / repeats, var = (s2[v] - repeats * mean * mean) / (repeats - 1);
    EXPECT_LT(std::abs(mean - c) / std::sqrt(theory / repeats), 4.5) << "item " << v;
    EXPECT_GT(var / theory, 0.8) << "item " << v;
    EXPECT_LT(var / theory, 1.25) << "item " << v;
    // The pool term is large here, so dropping it would fail the variance bounds.
    EXPECT_GT(o.flh_extra_variance(sum_sq - c * c), 0.6 * o.variance(n, c)) << "item " << v;
  }
}

// Given one pool, per-user reports and the aggregate law agree: means and variances of 600 runs
// each; |z| of the mean difference < 4.5 (false failure ~ 8 * 6.8e-6), variance ratio in [0.75, 1.33]
// (F(599, 599) two-sided tail beyond that is < 1e-3 per item).
TEST(StatisticalFlh, PerUserAndAggregateAgreeGivenOnePool) {
  const std::vector<std::uint64_t> counts = {400, 200, 150, 100, 80, 50, 20, 0};
  const auto items = items_of(counts);
  const auto o = flh(1.0, counts.size(), 4, 77);
  const int repeats = 600;
  const std::size_t d = counts.size();
  std::vector<double> a1(d, 0), a2(d, 0), b1(d, 0), b2(d, 0);
  paperkit::Rng rng(paperkit::test::base_seed() + 1);
  for (int r = 0; r < repeats; ++r) {
    const auto pu = o.estimate(o.perturb_all(items, paperkit::test::base_seed(), static_cast<std::uint64_t>(r)));
    const auto ag = o.simulate_aggregate(counts, rng);
    for (std::size_t v = 0; v < d; ++v) {
      a1[v] += pu[v];
      a2[v] += pu[v] * pu[v];
      b1[v] += ag[v];
      b2[v] += ag[v] * ag[v];
    }
  }
  for (std::size_t v = 0; v < d; ++v) {
    const double ma = a1[v] / repeats, mb = b1[v] / repeats;
    const double va = (a2[v] - repeats * ma * ma) / (repeats - 1), vb = (b2[v] - repeats * mb * mb) / (repeats - 1);
    EXPECT_LT(std::abs(ma - mb) / std::sqrt((va + vb) / repeats), 4.5) << "item " << v;
    EXPECT_GT(va / vb, 0.75) << "item " << v;
    EXPECT_LT(va / vb, 1.33) << "item " << v;
  }
}

TEST(UnitFlh, BadInputIsRejected) {
  EXPECT_THROW(flh(1.0, 10, 0, 1), paperkit::InvalidParameter);
  EXPECT_THROW(flh(1.0, 10, ldp::kMaxFlhPool + 1, 1), paperkit::InvalidParameter);
  ldp::OracleOptions pool;
  pool.flh_pool = 5;
  EXPECT_THROW(ldp::make_oracle("olh", 1.0, 10, pool), paperkit::InvalidParameter);
  EXPECT_THROW(FrequencyOracle(OracleKind::grr, 1.0, 10, pool), paperkit::InvalidParameter);
  EXPECT_THROW(flh(0.0, 10, 5, 1), paperkit::InvalidParameter);
  EXPECT_THROW(flh(1.0, 0, 5, 1), paperkit::InvalidParameter);
  const auto o = flh(1.0, 10, 5, 1);
  paperkit::Rng rng(1);
  const std::vector<std::uint64_t> cand = {1, 2}, cc = {3, 4};
  EXPECT_THROW(o.simulate_aggregate(100, cand, cc, rng), paperkit::InvalidParameter);
  const std::vector<std::uint64_t> zeros(10, 0);
  EXPECT_THROW(o.simulate_aggregate(zeros, rng), paperkit::InvalidParameter);
}

TEST(CliFlh, FoAndHhNameTheHeuristicAndRejectBadPools) {
  using paperkit::test::run_tool;
  auto r = run_tool(tool +
                    " fo simulate --oracle flh --flh-pool 20 --epsilon 2 --domain 64 --users 20000 "
                    "--mode per-user --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["oracle"], "flh");
  EXPECT_EQ(j["params"]["flh_pool"], 20);
  EXPECT_EQ(j["fidelity"].get<std::string>().rfind("heuristic", 0), 0u);
  r = run_tool(tool + " fo simulate --oracle flh --flh-pool 0 --epsilon 2 --domain 64 --users 100");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--flh-pool"), std::string::npos) << r.err;
  r = run_tool(tool + " fo simulate --oracle olh --flh-pool 5 --epsilon 2 --domain 64 --users 100");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--flh-pool"), std::string::npos) << r.err;
  for (const std::string mode : {"per-user", "aggregate"}) {
    r = run_tool(tool + " hh pem,taps --bits 16 --users 8000 --parties 2 --k 4 --eps 4 --fo flh --flh-pool 30 --mode " +
                 mode + " --format json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_NE(j["fidelity"].get<std::string>().find("heuristic oracle (flh)"), std::string::npos);
    EXPECT_EQ(j["params"]["flh_pool"], 30);
    EXPECT_TRUE(j.contains("oracle_note"));
    for (const auto& run : j["runs"]) {
      EXPECT_EQ(run["privacy"]["users_assigned"], 8000);
      EXPECT_EQ(run["privacy"]["per_user_eps"], 4.0);
      for (const auto& g : run["privacy"]["groups"])
        EXPECT_EQ(g["oracle"].get<std::string>().rfind("flh(", 0), 0u) << g.dump();
    }
  }
  // Same seed, same output for 1 and 2 threads (binned decode sums integers per candidate).
  const std::string hh = tool + " hh pem --bits 16 --users 20000 --k 4 --eps 4 --fo flh --mode per-user --seed 5";
  auto one = nlohmann::json::parse(run_tool(hh + " --threads 1 --format json").out);
  auto two = nlohmann::json::parse(run_tool(hh + " --threads 2 --format json").out);
  for (auto* doc : {&one, &two}) {
    doc->erase("timing");
    for (auto& run : (*doc)["runs"]) run.erase("seconds");
    (*doc)["params"].erase("threads");
  }
  EXPECT_EQ(one["runs"], two["runs"]);
  r = run_tool(tool + " fo variance --oracle flh --eps 1 --domain 10 --n 100");
  EXPECT_EQ(r.exit_code, 2);  // flh's variance needs every count: fo simulate gives it
  r = run_tool(tool + " hh pem --bits 16 --users 1000 --k 4 --eps 4 --fo flh --flh-pool 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--flh-pool"), std::string::npos) << r.err;
  r = run_tool(tool + " hh pem --bits 16 --users 1000 --k 4 --eps 4 --fo oue --flh-pool 10");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
