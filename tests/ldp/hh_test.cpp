// Heavy hitters (heavy_hitters.hpp): PEM against the oracle it runs on, the privacy accounting
// (every user in exactly one group), thread determinism, TAP with one party against PEM, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/data.hpp"
#include "paperkit/ldp/detail/hh_groups.hpp"
#include "paperkit/ldp/heavy_hitters.hpp"
#include "paperkit/ldp/metrics.hpp"
#include "support/seeds.hpp"

namespace {

using namespace paperkit::ldp;

Population zipf(int bits, std::uint64_t users, std::uint64_t seed, std::size_t parties = 1) {
  ZipfOptions o;
  o.bits = bits;
  o.users = users;
  o.exponent = 1.3;
  auto p = zipf_population(o, seed);
  return parties > 1 ? dirichlet_split(p, parties, 1.0, seed + 1) : p;
}

HeavyHitterOptions options(std::size_t k, double eps, std::uint64_t seed) {
  HeavyHitterOptions o;
  o.k = k;
  o.epsilon = eps;
  o.seed = seed;
  return o;
}

double f1_of(const HeavyHitterResult& r, const Population& p, std::size_t k) {
  return evaluate_top_k(r.top, p.items, p.pooled_counts(), k).f1;
}

// spec §6 HH 2: PEM whose only level covers all 2^m items is the oracle's own top-k on the same users.
TEST(UnitLdpPem, SingleLevelEqualsOracleTopK) {
  const auto seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const auto pop = zipf(10, 3000, seed);
  for (const char* oracle : {"olh", "grr", "oue"}) {
    auto o = options(8, 2.0, seed);
    o.oracle = oracle;
    o.mode = SimulationMode::per_user;
    PemOptions po;
    po.start_bits = 10;
    const auto r = pem(pop, o, po);
    ASSERT_EQ(r.groups.size(), 1u);

    // The same users in the same order, straight through the oracle.
    detail::UserPool pool(pop, seed, true, false);
    const auto users = pool.take(0, pool.size(0), 0);
    std::vector<std::uint64_t> values;
    for (auto u : users) values.push_back(pop.items[u]);
    const auto fo = make_oracle(oracle, 2.0, 1024);
    const auto batch = fo.perturb_all(values, seed, detail::group_stream(0x9e11, 0, 0), 1);
    const auto est = fo.estimate(batch);
    std::vector<Item> all(1024);
    std::iota(all.begin(), all.end(), Item{0});
    const auto expect = top_k_estimates(all, est, 8);
    ASSERT_EQ(r.top.size(), expect.size()) << oracle;
    for (std::size_t i = 0; i < expect.size(); ++i) {
      EXPECT_EQ(r.top[i].item, expect[i].item) << oracle << " rank " << i;
      EXPECT_DOUBLE_EQ(r.top[i].count, expect[i].count) << oracle << " rank " << i;
    }
  }
}

// spec §6 HH 2, one extension (eta = m - gamma): two groups; the answer comes from the oracle's
// estimates of the top-k x {0,1}^eta candidates, so with a nearly noiseless oracle it is the true top-k.
TEST(UnitLdpPem, OneExtensionRecoversTopKWhenNoiseIsNegligible) {
  const auto pop = zipf(12, 200000, 77);
  auto o = options(4, 12.0, 78);  // GRR-like precision: noise sd << gap between the top counts
  PemOptions po;
  po.step_bits = 12 - 3;  // gamma = floor(log2 4) + 1 = 3
  const auto r = pem(pop, o, po);
  EXPECT_EQ(r.groups.size(), 2u);
  const auto m = evaluate_top_k(r.top, pop.items, pop.pooled_counts(), 4);
  EXPECT_EQ(m.f1, 1.0);
}

// spec §6 HH 3: users of all phases and parties are partitioned exactly once; the run is eps-LDP.
TEST(UnitLdpHH, EveryUserInExactlyOneGroup) {
  const auto pop = zipf(14, 6000, 11, 3);
  auto o = options(5, 3.0, 12);
  o.record_users = true;
  const std::vector<HeavyHitterResult> runs = {pem(pop, o), per_party_pem(pop, o), tap(pop, o), taps(pop, o)};
  for (const auto& r : runs) {
    SCOPED_TRACE(r.method);
    EXPECT_EQ(r.users_total, 6000u);
    EXPECT_EQ(r.users_assigned, 6000u);
    ASSERT_EQ(r.user_group.size(), 6000u);
    std::vector<std::uint64_t> per_group(r.groups.size(), 0);
    for (auto g : r.user_group) {
      ASSERT_GE(g, 0);
      ASSERT_LT(static_cast<std::size_t>(g), r.groups.size());
      ++per_group[static_cast<std::size_t>(g)];
    }
    for (std::size_t g = 0; g < r.groups.size(); ++g) EXPECT_EQ(per_group[g], r.groups[g].users) << "group " << g;
    EXPECT_EQ(r.epsilon_per_user, 3.0);
    for (const auto& g : r.groups) EXPECT_EQ(g.epsilon, 3.0);
  }
}

TEST(UnitLdpHH, IdenticalForOneAndTwoThreads) {
  const auto pop = zipf(12, 4000, 21, 2);
  for (auto mode : {SimulationMode::per_user, SimulationMode::aggregate}) {
    auto o1 = options(6, 2.0, 22);
    o1.mode = mode;
    auto o2 = o1;
    o2.threads = 2;
    const auto a = taps(pop, o1), b = taps(pop, o2);
    const auto c = pem(pop, o1), d = pem(pop, o2);
    ASSERT_EQ(a.top.size(), b.top.size());
    for (std::size_t i = 0; i < a.top.size(); ++i) {
      EXPECT_EQ(a.top[i].item, b.top[i].item);
      EXPECT_EQ(a.top[i].count, b.top[i].count);
    }
    ASSERT_EQ(c.top.size(), d.top.size());
    for (std::size_t i = 0; i < c.top.size(); ++i) EXPECT_EQ(c.top[i].count, d.top[i].count);
  }
}

TEST(UnitLdpHH, BadInputIsRejected) {
  const auto pop = zipf(8, 1000, 3);
  auto o = options(0, 1.0, 1);
  EXPECT_THROW(pem(pop, o), paperkit::InvalidParameter);
  o.k = 257;  // > 2^8 items
  EXPECT_THROW(tap(pop, o), paperkit::InvalidParameter);
  o.k = 4;
  o.epsilon = -1;
  EXPECT_THROW(taps(pop, o), paperkit::InvalidParameter);
  o.epsilon = std::nan("");
  EXPECT_THROW(per_party_pem(pop, o), paperkit::InvalidParameter);
  o.epsilon = 1;
  o.oracle = "nope";
  EXPECT_THROW(pem(pop, o), paperkit::InvalidParameter);
  o.oracle = "olh";
  Population empty = pop;
  for (auto& c : empty.counts[0]) c = 0;
  EXPECT_THROW(pem(empty, o), paperkit::InputError);
  PemOptions po;
  po.step_bits = 0;
  EXPECT_THROW(pem(pop, o, po), paperkit::InvalidParameter);
  TapOptions t;
  t.phase1_share = 1.0;
  EXPECT_THROW(tap(pop, o, t), paperkit::InvalidParameter);
  t = {};
  t.max_step_bits = 0;
  EXPECT_THROW(taps(pop, o, t), paperkit::InvalidParameter);
}

// pure-LDP's split variants: every user sends one fragment report and one whole-item report, eps/2 each.
TEST(UnitLdpSplit, TreeHistAndSfpAccountingAndAccuracy) {
  const auto pop = zipf(16, 50000, 31);
  auto o = options(10, 4.0, 32);
  o.record_users = true;
  for (const auto& r : {treehist(pop, o), sfp(pop, o)}) {
    SCOPED_TRACE(r.method);
    EXPECT_EQ(r.users_assigned, 50000u);
    EXPECT_EQ(r.epsilon_per_user, 4.0);
    for (auto g : r.user_group) ASSERT_GE(g, 0);
    ASSERT_FALSE(r.groups.empty());
    EXPECT_EQ(r.groups.back().phase, "whole-item");
    EXPECT_EQ(r.groups.back().users, 50000u);
    for (const auto& g : r.groups) EXPECT_EQ(g.epsilon, 2.0);
    // Zipf(1.3) at eps = 4 and n = 5e4: the measured F1 is 0.8-1.0 for both; 0.5 leaves room for noise.
    EXPECT_GE(evaluate_top_k(r.top, pop.items, pop.pooled_counts(), 10).f1, 0.5);
  }
  SplitOptions s;
  s.fragment_bits = 0;
  EXPECT_THROW(treehist(pop, o, s), paperkit::InvalidParameter);
  s = {};
  s.hash_bits = 16;
  EXPECT_THROW(sfp(pop, o, s), paperkit::InvalidParameter);
}

// TAP never leaves a Phase-II group empty when users are plentiful (a planning bug once did).
TEST(UnitLdpTap, NoEmptyGroups) {
  const auto pop = zipf(16, 100000, 12345);
  for (const auto& r : {tap(pop, options(10, 4.0, 12345)), taps(pop, options(10, 4.0, 12345))})
    for (const auto& g : r.groups) EXPECT_GT(g.users, 1000u) << r.method << " level " << g.level;
}

// spec §6 HH 4: TAP with one party behaves like PEM at equal n. Mean F1 over 20 seeds; the sd of one
// run's F1 is about 0.1 here, so the mean difference has sd about 0.03: |diff| <= 0.15 is ~5 sd
// (false-failure rate well under 1e-4 for fixed seeds it is deterministic).
TEST(StatisticalLdpTap, OnePartyMatchesPem) {
  const auto base = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(base));
  double f1_tap = 0, f1_pem = 0;
  const int seeds = 20;
  for (int s = 0; s < seeds; ++s) {
    const auto pop = zipf(16, 100000, base + static_cast<std::uint64_t>(s));
    const auto o = options(10, 4.0, base + 1000 + static_cast<std::uint64_t>(s));
    f1_tap += f1_of(tap(pop, o), pop, 10);
    f1_pem += f1_of(pem(pop, o), pop, 10);
  }
  f1_tap /= seeds;
  f1_pem /= seeds;
  EXPECT_NEAR(f1_tap, f1_pem, 0.15);
  EXPECT_GT(f1_pem, 0.5);
}

}  // namespace
