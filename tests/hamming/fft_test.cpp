// fft, abrahamson and hybrid: block geometry, symbol pairing, the heavy/light split under
// every threshold and cost model, large patterns, and the exactness guard.
#define PAPERKIT_HAMMING_INTERNAL
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/detail/correlation.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "reference.hpp"
#include "support/run_tool.hpp"
#include "support/seeds.hpp"

namespace paperkit::hamming {
namespace {

using test::brute_force;
using test::random_symbols;

using test::run;

// A pattern cut from the text (so some shifts match well) on even calls, random on odd ones.
std::vector<Symbol> pattern_for(Rng& rng, const std::vector<Symbol>& text, std::size_t m, std::uint64_t sigma,
                                bool from_text, std::uint64_t offset = 0) {
  if (!from_text) return random_symbols(rng, m, sigma, offset);
  const std::size_t at = rng.uniform_below(text.size() - m + 1);
  return {text.begin() + static_cast<std::ptrdiff_t>(at), text.begin() + static_cast<std::ptrdiff_t>(at + m)};
}

// --- UnitFft -------------------------------------------------------------------------------

TEST(UnitFft, GeometryFollowsTheSpec) {
  const auto g1 = detail::fft_geometry(10, 1);
  EXPECT_EQ(g1.length, 2u);
  EXPECT_EQ(g1.step, 2u);
  EXPECT_EQ(g1.blocks, 5u);  // 10 shifts
  const auto g3 = detail::fft_geometry(100, 3);
  EXPECT_EQ(g3.length, 8u);  // 2^ceil(log2 6)
  EXPECT_EQ(g3.step, 6u);
  EXPECT_EQ(g3.blocks, 17u);  // ceil(98 / 6)
  const auto g = detail::fft_geometry(4'938'920, 16384);
  EXPECT_EQ(g.length, 32768u);
  EXPECT_EQ(g.step, 16385u);
  EXPECT_EQ(g.blocks, 301u);
  EXPECT_EQ(detail::fft_geometry(5, 5).blocks, 1u);
}

TEST(UnitFft, GuardMeasuresTheDistanceToAValidCount) {
  const std::vector<double> near{0.0, 1.1, 2.0, 2.95};
  EXPECT_NEAR(detail::max_rounding_error(near, 0, 5), 0.1, 1e-12);
  const std::vector<double> off{3.0, 0.7};
  EXPECT_NEAR(detail::max_rounding_error(off, 0, 5), 0.3, 1e-12);
  EXPECT_EQ(detail::max_rounding_error({}, 0, 5), 0.0);
  // Counts outside [0, m] are never valid, however close to an integer.
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> negative{-1.0};
  EXPECT_EQ(detail::max_rounding_error(negative, 0, 5), inf);
  const std::vector<double> too_large{6.0};
  EXPECT_EQ(detail::max_rounding_error(too_large, 0, 5), inf);
  const std::vector<double> nan{1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(detail::max_rounding_error(nan, 0, 5), inf);
}

TEST(UnitFft, GuardThrowsInternalErrorAtTheLimit) {
  EXPECT_NO_THROW(detail::check_exactness(0.0, 0, 1024));
  EXPECT_NO_THROW(detail::check_exactness(0.2499, 0, 1024));
  for (double bad : {0.25, 0.4, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    try {
      detail::check_exactness(bad, 7, 1024);
      ADD_FAILURE() << "no throw for " << bad;
    } catch (const InternalError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("exactness guard"), std::string::npos) << what;
      EXPECT_NE(what.find("block 7"), std::string::npos) << what;
    }
  }
}

TEST(UnitFft, SymbolTableTakesAny32BitSymbol) {
  // Symbols spread over the whole 32-bit range take the hash path; absent ones map to none().
  const std::vector<Symbol> pattern{0xffffffffu, 7u, 0x80000000u, 7u};
  const std::vector<Symbol> text{7u, 0xfffffffeu, 0xffffffffu, 0x80000000u, 0u};
  const auto table = detail::make_symbol_table(text, pattern, 1);
  EXPECT_EQ(table.symbols, (std::vector<Symbol>{7u, 0x80000000u, 0xffffffffu}));
  EXPECT_EQ(table.pattern_ids, (std::vector<detail::SymbolId>{2, 0, 1, 0}));
  EXPECT_EQ(table.text_ids, (std::vector<detail::SymbolId>{0, 3, 2, 1, 3}));
  EXPECT_EQ(table.pattern_counts, (std::vector<std::size_t>{2, 1, 1}));
  EXPECT_EQ(detail::text_counts(table), (std::vector<std::size_t>{1, 1, 1}));
}

TEST(UnitFft, OddAndEvenNumbersOfPatternSymbols) {
  // Pairs share one complex transform; an odd count leaves one symbol to a real transform.
  // Text symbols absent from P (sigma_text > sigma_P) must never count.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (std::uint64_t sigma_p : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u}) {
    Rng rng = Rng::for_block(seed, 11, sigma_p);
    auto text = random_symbols(rng, 3000, sigma_p + 2, 0xfffff000u);
    const auto pattern = random_symbols(rng, 150, sigma_p, 0xfffff000u);
    ASSERT_EQ(count_distinct(pattern), sigma_p);
    EXPECT_EQ(run("fft", text, pattern), brute_force(text, pattern)) << "sigma_P=" << sigma_p;
  }
}

TEST(UnitFft, SpectrumGroupsAddUpExactly) {
  // With few pairs per group, each group is inverted and rounded on its own; the sums must
  // still equal one pass over all symbols. Text alphabet 9 = P's (one symbol implied, shares
  // in [-m, m]) or 10 (no symbol implied).
  Rng rng(paperkit::test::base_seed());
  for (std::uint64_t sigma_text : {9u, 10u}) {
    const auto text = random_symbols(rng, 5000, sigma_text);
    const auto pattern = random_symbols(rng, 300, 9);
    const auto table = detail::make_symbol_table(text, pattern, 1);
    std::vector<detail::SymbolId> ids(table.sigma());
    for (std::size_t c = 0; c < ids.size(); ++c) ids[c] = static_cast<detail::SymbolId>(c);
    const auto expected = brute_force(text, pattern);
    for (std::size_t per_group : {1u, 2u, 3u, 100u}) {
      for (int threads : {1, 2}) {
        std::vector<Distance> match(text.size() - pattern.size() + 1, 0);
        detail::add_fft_matches(table, ids, threads, match, per_group);
        detail::matches_to_distances(match, pattern.size());
        EXPECT_EQ(match, expected) << "sigma_T " << sigma_text << ", pairs per group " << per_group << ", threads "
                                   << threads;
      }
    }
  }
}

TEST(UnitFft, ImpliedSymbolWhenTheTextUsesOnlyPatternSymbols) {
  // T over exactly P's symbols lets the last symbol be implied (1 minus the others); a single
  // extra text symbol, even at the very end, must switch that off.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (std::uint64_t sigma : {1u, 2u, 3u, 4u, 5u}) {
    Rng rng = Rng::for_block(seed, 17, sigma);
    auto text = random_symbols(rng, 4000, sigma, 1000);
    const auto pattern = pattern_for(rng, text, 257, sigma, sigma % 2 == 0, 1000);
    ASSERT_EQ(count_distinct(pattern), sigma);
    EXPECT_EQ(run("fft", text, pattern), brute_force(text, pattern)) << "sigma=" << sigma;
    text.back() = 7;  // not in P
    EXPECT_EQ(run("fft", text, pattern), brute_force(text, pattern)) << "sigma=" << sigma << ", extra symbol";
  }
}

TEST(UnitFft, LargePatternAgainstNaiveSimd) {
  // m = 2^16: L = 2^17 and 53-bit doubles must still round exactly. naive-simd is the oracle
  // here because brute force would take too long.
  Rng rng(paperkit::test::base_seed());
  const auto text = random_symbols(rng, std::size_t{1} << 17, 4);
  const std::vector<Symbol> pattern(text.begin() + 1234, text.begin() + 1234 + (1 << 16));
  const auto expected = run("naive-simd", text, pattern, 2);
  EXPECT_EQ(run("fft", text, pattern, 2), expected);
  EXPECT_EQ(run("hybrid", text, pattern, 2), expected);
  // abrahamson with a few light symbols so both halves see the large m.
  Options o;
  o.algorithm = "abrahamson";
  o.threads = 2;
  o.threshold = 16400;  // a_c ~ 16384 on sigma = 4: some symbols fall on each side
  EXPECT_EQ(distances(text, pattern, o), expected);
}

// --- PropertyFft ---------------------------------------------------------------------------

TEST(PropertyFft, BlockBoundarySizes) {
  // n - m + 1 = k*step and k*step +- 1: the last block full, one short, one shift over.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::uint64_t index = 0;
  for (std::size_t m : {1u, 2u, 3u, 5u, 31u, 64u, 100u, 257u, 700u}) {
    const std::size_t step = detail::fft_geometry(m, m).step;
    for (std::size_t k : {1u, 2u, 3u}) {
      for (std::size_t shifts : {k * step - 1, k * step, k * step + 1}) {
        if (shifts == 0) continue;
        for (std::uint64_t sigma : {3u, 26u}) {
          Rng rng = Rng::for_block(seed, 12, index++);
          const auto text = random_symbols(rng, m + shifts - 1, sigma);
          const auto pattern = pattern_for(rng, text, m, sigma, index % 2 == 0);
          const auto expected = brute_force(text, pattern);
          for (const char* algo : {"fft", "abrahamson", "hybrid"}) {
            ASSERT_EQ(run(algo, text, pattern), expected)
                << algo << " m=" << m << " shifts=" << shifts << " sigma=" << sigma;
          }
          ASSERT_EQ(run("fft", text, pattern, 3), expected) << "3 threads, m=" << m << " shifts=" << shifts;
        }
      }
    }
  }
}

TEST(PropertyFft, ManyBlocksAndThreads) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed + 13);
  for (std::uint64_t sigma : {2u, 20u, 1000u}) {
    const auto text = random_symbols(rng, 40000, sigma);
    const auto pattern = pattern_for(rng, text, 200, sigma, true);
    const auto expected = brute_force(text, pattern);
    for (const char* algo : {"fft", "abrahamson", "hybrid"}) {
      for (int threads : {1, 2, 5}) {
        ASSERT_EQ(run(algo, text, pattern, threads), expected) << algo << " sigma=" << sigma << " threads=" << threads;
      }
    }
  }
}

// --- UnitAbrahamson ------------------------------------------------------------------------

TEST(UnitAbrahamson, DefaultThreshold) {
  EXPECT_EQ(detail::abrahamson_threshold(1, 0), 1.0);  // log2 1 = 0 would make t = 0
  EXPECT_EQ(detail::abrahamson_threshold(2, 0), 2.0);  // ceil(sqrt(2))
  EXPECT_EQ(detail::abrahamson_threshold(1024, 0), 102.0);
  EXPECT_EQ(detail::abrahamson_threshold(16384, 0), 479.0);
  EXPECT_EQ(detail::abrahamson_threshold(16384, 250), 250.0);
}

TEST(UnitAbrahamson, EveryThresholdGivesTheSameOutput) {
  // t tiny: every symbol heavy (pure FFT); t huge: every symbol light (pure pairs).
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed + 14);
  for (std::uint64_t sigma : {1u, 2u, 5u, 26u, 300u}) {
    const auto text = random_symbols(rng, 6000, sigma);
    const auto pattern = pattern_for(rng, text, 400, sigma, sigma % 2 == 0);
    const auto expected = brute_force(text, pattern);
    for (double t : {0.0, 0.5, 1.0, 3.0, 20.0, 1e9}) {
      for (int threads : {1, 2}) {
        Options o;
        o.algorithm = "abrahamson";
        o.threshold = t;
        o.threads = threads;
        ASSERT_EQ(distances(text, pattern, o), expected) << "sigma=" << sigma << " t=" << t << " threads=" << threads;
      }
    }
  }
}

TEST(UnitAbrahamson, LightPartAcrossChunkEdges) {
  // The pair loop works on chunks of max(2^16, 4m) shifts; a text position near a chunk edge
  // contributes to both sides.
  Rng rng(paperkit::test::base_seed() + 15);
  for (std::size_t m : {1u, 50u, 20000u}) {
    const auto text = random_symbols(rng, 200'000, 26);
    const auto pattern = pattern_for(rng, text, m, 26, true);
    Options o;
    o.algorithm = "abrahamson";
    o.threshold = 1e9;  // all light
    o.threads = 2;
    EXPECT_EQ(distances(text, pattern, o), run("naive-simd", text, pattern, 2)) << "m=" << m;
  }
}

TEST(UnitAbrahamson, BadThresholdIsRejectedBeforeWork) {
  Options o;
  o.algorithm = "abrahamson";
  for (double t : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    o.threshold = t;
    EXPECT_THROW(distances(test::from("abcabc"), test::from("abc"), o), InvalidParameter) << t;
  }
}

// --- UnitHybrid ----------------------------------------------------------------------------

TEST(UnitHybrid, ExtremeCostModelsGiveTheSameOutput) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed + 16);
  const CostModel all_fft{1e12, 1e-12}, all_pairs{1e-12, 1e12};
  for (std::uint64_t sigma : {1u, 3u, 26u, 500u}) {
    const auto text = random_symbols(rng, 8000, sigma);
    const auto pattern = pattern_for(rng, text, 333, sigma, sigma % 2 == 1);
    const auto expected = brute_force(text, pattern);
    for (const CostModel& cost : {all_fft, all_pairs, CostModel{}}) {
      Options o;
      o.algorithm = "hybrid";
      o.cost = cost;
      for (int threads : {1, 3}) {
        o.threads = threads;
        ASSERT_EQ(distances(text, pattern, o), expected)
            << "sigma=" << sigma << " alpha=" << cost.alpha_ns_per_pair << " threads=" << threads;
      }
    }
  }
}

TEST(UnitHybrid, CalibrationGivesPositiveFiniteConstants) {
  const CostModel model = calibrate_cost_model(1);
  EXPECT_TRUE(std::isfinite(model.alpha_ns_per_pair) && model.alpha_ns_per_pair > 0) << model.alpha_ns_per_pair;
  EXPECT_TRUE(std::isfinite(model.beta_ns_per_fft_unit) && model.beta_ns_per_fft_unit > 0)
      << model.beta_ns_per_fft_unit;
  Options o;
  o.cost = model;
  EXPECT_NO_THROW(validate(o));
}

TEST(UnitHybrid, CalibrationRejectsBadThreads) {
  EXPECT_THROW(calibrate_cost_model(0), InvalidParameter);
  EXPECT_THROW(calibrate_cost_model(-1), InvalidParameter);
}

// --- CliHybrid -----------------------------------------------------------------------------

TEST(CliHybrid, BenchCalibratePrintsTheCostModel) {
  const std::string tool = PAPERKIT_HAMMING_TOOL;
  const auto r = paperkit::test::run_tool(tool + " bench --calibrate --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["threads"], 1);
  EXPECT_GT(rows[0]["alpha_ns_per_pair"].get<double>(), 0.0);
  EXPECT_GT(rows[0]["beta_ns_per_fft_unit"].get<double>(), 0.0);
  // Usage errors still come first.
  EXPECT_EQ(paperkit::test::run_tool(tool + " bench --calibrate --threads 0").exit_code, 2);
}

}  // namespace
}  // namespace paperkit::hamming
