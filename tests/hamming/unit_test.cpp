// Exact small cases, the API's contracts and parameter validation.
#include <gtest/gtest.h>

#include <limits>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "reference.hpp"

namespace paperkit::hamming {
namespace {

using test::from;

std::vector<std::string> every_algorithm() {
  std::vector<std::string> names{"auto"};
  for (const auto& a : algorithms()) names.push_back(a.name);
  return names;
}

std::vector<Distance> run(const std::string& algo, const std::vector<Symbol>& t, const std::vector<Symbol>& p) {
  Options o;
  o.algorithm = algo;
  return distances(t, p, o);
}

TEST(UnitHamming, SpecSmallCasesForEveryAlgorithm) {
  for (const auto& algo : every_algorithm()) {
    SCOPED_TRACE(algo);
    EXPECT_EQ(run(algo, from("abcabc"), from("abc")), (std::vector<Distance>{0, 3, 3, 0}));
    EXPECT_EQ(run(algo, from("aaaabaaaa"), from("aaaa")), (std::vector<Distance>{0, 1, 1, 1, 1, 0}));
    EXPECT_EQ(run(algo, from("abcd"), from("abce")), (std::vector<Distance>{1}));        // m = n: one value
    EXPECT_EQ(run(algo, from("abca"), from("a")), (std::vector<Distance>{0, 1, 1, 0}));  // m = 1
    EXPECT_TRUE(run(algo, from("ab"), from("abc")).empty());                             // n < m
    EXPECT_EQ(run(algo, from("x"), from("x")), (std::vector<Distance>{0}));
  }
}

TEST(UnitHamming, AllMismatchesPastTheU16Limit) {
  // Every cell a mismatch with m > 65535: counters narrower than 32 bits must not wrap.
  const std::vector<Symbol> text(70010, 7), pattern(70000, 9);
  for (const auto& algo : every_algorithm()) {
    EXPECT_EQ(run(algo, text, pattern), std::vector<Distance>(11, 70000)) << algo;
  }
}

TEST(UnitHamming, EmptyPatternIsAnError) {
  for (const auto& algo : every_algorithm()) {
    EXPECT_THROW(run(algo, from("abc"), {}), InvalidParameter) << algo;
  }
}

TEST(UnitHamming, EmptyTextGivesEmptyResult) {
  EXPECT_TRUE(run("auto", {}, from("a")).empty());
}

TEST(UnitHamming, UnknownAlgorithmIsRejected) {
  Options o;
  o.algorithm = "quantum";
  EXPECT_THROW(validate(o), InvalidParameter);
  EXPECT_THROW(distances(from("ab"), from("a"), o), InvalidParameter);
  EXPECT_FALSE(is_algorithm("quantum"));
  EXPECT_TRUE(is_algorithm("auto"));
}

TEST(UnitHamming, BadThreadsRejected) {
  Options o;
  for (int t : {0, -1}) {
    o.threads = t;
    EXPECT_THROW(validate(o), InvalidParameter) << t;
  }
}

TEST(UnitHamming, BadThresholdRejected) {
  Options o;
  for (double t : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    o.threshold = t;
    EXPECT_THROW(validate(o), InvalidParameter) << t;
  }
}

TEST(UnitHamming, BadCostModelRejected) {
  for (double v : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    Options a;
    a.cost.alpha_ns_per_pair = v;
    EXPECT_THROW(validate(a), InvalidParameter) << v;
    Options b;
    b.cost.beta_ns_per_fft_unit = v;
    EXPECT_THROW(validate(b), InvalidParameter) << v;
  }
}

TEST(UnitHamming, AutoNeverChoosesAuto) {
  for (std::size_t m : {1u, 64u, 1024u, 16384u, 65536u}) {
    for (std::size_t sigma : {1u, 4u, 73u, 1000u}) {
      const auto name = choose_algorithm(5'000'000, m, sigma, sigma <= 4);
      EXPECT_TRUE(is_algorithm(name));
      EXPECT_NE(name, "auto");
    }
  }
}

TEST(UnitHamming, ChecksumIsFnv1aOverLittleEndianBytes) {
  // FNV-1a 64 of the empty input is the offset basis; of the bytes 01 00 00 00 it is fixed.
  EXPECT_EQ(checksum_fnv1a64({}), 0xcbf29ce484222325ULL);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned byte : {1u, 0u, 0u, 0u}) {
    h ^= byte;
    h *= 0x100000001b3ULL;
  }
  const std::vector<Distance> one{1};
  EXPECT_EQ(checksum_fnv1a64(one), h);
}

TEST(UnitHamming, TotalMatchesByCountingOnSmallCase) {
  const auto t = from("abcabc"), p = from("abc");
  EXPECT_EQ(total_matches_by_counting(t, p), 6u);  // shifts 0 and 3 match fully
  EXPECT_EQ(sum_matches(run("naive", t, p), 3), 6u);
  EXPECT_EQ(count_distinct(from("abca")), 3u);
}

}  // namespace
}  // namespace paperkit::hamming
