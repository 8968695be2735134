// Heavy-hitter workloads (data.hpp) and top-k metrics (metrics.hpp): generators, readers, bad input,
// and F1 / NCR on hand-computed cases (spec ldp.md §6 heavy hitters 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/data.hpp"
#include "paperkit/ldp/metrics.hpp"
#include "support/seeds.hpp"

namespace {

using namespace paperkit::ldp;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("paperkit_ldp_hh_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

const std::string aol_path = std::string(PAPERKIT_SOURCE_DIR) + "/../shared/data/aol_query_6bytes_sorted.txt.gz";

TEST(UnitLdpData, BytesRoundTripBigEndian) {
  EXPECT_EQ(bytes_to_item("google", 6), 0x676f6f676c65ULL);
  EXPECT_EQ(item_to_bytes(0x676f6f676c65ULL, 6), "google");
  EXPECT_EQ(item_to_bytes(bytes_to_item("ab", 4), 4), "ab  ");      // space padded like the AOL file
  EXPECT_EQ(bytes_to_item("abcdefgh", 2), bytes_to_item("ab", 2));  // truncated
  EXPECT_EQ(escape_bytes(std::string("a\tb\\", 4)), "a\\x09b\\x5c");
  EXPECT_THROW(bytes_to_item("a", 9), paperkit::InvalidParameter);
  EXPECT_THROW(item_to_bytes(1, 0), paperkit::InvalidParameter);
}

TEST(UnitLdpData, ZipfIsSeededValidAndSkewed) {
  const auto seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  ZipfOptions o;
  o.bits = 16;
  o.users = 20000;
  const auto a = zipf_population(o, seed);
  const auto b = zipf_population(o, seed);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_NO_THROW(validate_population(a, "zipf"));
  EXPECT_EQ(a.users(), 20000u);
  EXPECT_EQ(a.parties(), 1u);
  // Rank 1 holds 1/zeta-ish of the mass (about 0.33 at s = 1.3 over 65536 items): far above rank 2.
  auto c = a.counts[0];
  std::sort(c.rbegin(), c.rend());
  EXPECT_GT(c[0], 5000u);
  EXPECT_GT(c[0], c[1]);
  o.bits = 40;
  o.support = 1000;
  const auto wide = zipf_population(o, seed);
  EXPECT_NO_THROW(validate_population(wide, "zipf40"));
  EXPECT_LE(wide.items.size(), 1000u);
}

TEST(UnitLdpData, ZipfRejectsBadParameters) {
  ZipfOptions o;
  o.users = 0;
  EXPECT_THROW(zipf_population(o, 1), paperkit::InvalidParameter);
  o = {};
  o.exponent = 0;
  EXPECT_THROW(zipf_population(o, 1), paperkit::InvalidParameter);
  o = {};
  o.bits = 0;
  EXPECT_THROW(zipf_population(o, 1), paperkit::InvalidParameter);
  o = {};
  o.bits = 8;
  o.support = 257;
  EXPECT_THROW(zipf_population(o, 1), paperkit::InvalidParameter);
}

TEST(UnitLdpData, DirichletSplitKeepsEveryUser) {
  ZipfOptions o;
  o.bits = 12;
  o.users = 5000;
  const auto pooled = zipf_population(o, 7);
  const auto fed = dirichlet_split(pooled, 4, 0.5, 8);
  ASSERT_EQ(fed.parties(), 4u);
  EXPECT_EQ(fed.pooled_counts(), pooled.counts[0]);
  EXPECT_EQ(fed.users(), pooled.users());
  for (std::size_t j = 0; j < 4; ++j) EXPECT_GT(fed.users(j), 0u);
  const auto again = dirichlet_split(pooled, 4, 0.5, 8);
  EXPECT_EQ(again.counts, fed.counts);
  EXPECT_THROW(dirichlet_split(pooled, 0, 1.0, 1), paperkit::InvalidParameter);
  EXPECT_THROW(dirichlet_split(pooled, 2, -1.0, 1), paperkit::InvalidParameter);
}

TEST(UnitLdpData, CsvRoundTrip) {
  ZipfOptions o;
  o.bits = 10;
  o.users = 800;
  const auto fed = dirichlet_split(zipf_population(o, 3), 3, 1.0, 4);
  std::ostringstream csv;
  write_population_csv(csv, fed);
  const auto path = scratch("pop.csv");
  write_text(path, csv.str());
  const auto back = read_population_csv(path.string());
  EXPECT_EQ(back.bits, 10);
  EXPECT_EQ(back.users(), fed.users());
  for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(back.users(j), fed.users(j));
}

TEST(UnitLdpData, MalformedItemFilesAreInputErrors) {
  const std::vector<std::string> bad = {
      "",                                      // empty
      "item,count\n1,2\n",                     // wrong header
      "item,party,count\n",                    // no rows
      "item,party,count\n1,0\n",               // two fields
      "item,party,count\nx,0,1\n",             // not a number
      "item,party,count\n1,0,-3\n",            // negative
      "item,party,count\n1,0,0\n",             // zero users
      "# bits=4\nitem,party,count\n16,0,1\n",  // item does not fit
      "# bits=99\nitem,party,count\n1,0,1\n",  // bits out of range
      "item,party,count\n1,0,1,4\n",           // four fields
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto path = scratch("bad" + std::to_string(i) + ".csv");
    write_text(path, bad[i]);
    EXPECT_THROW(read_population_csv(path.string()), paperkit::InputError) << "case " << i;
  }
  EXPECT_THROW(read_population_csv(scratch("missing.csv").string() + ".nope"), paperkit::InputError);
  const auto aol_bad = scratch("aol_bad.txt");
  write_text(aol_bad, "google 12\n");
  EXPECT_THROW(read_aol(aol_bad.string()), paperkit::InputError);
  write_text(aol_bad, "toolongitem\t3\n");
  EXPECT_THROW(read_aol(aol_bad.string()), paperkit::InputError);
  write_text(aol_bad, "abc\t\n");
  EXPECT_THROW(read_aol(aol_bad.string()), paperkit::InputError);
  const auto words = scratch("words_empty.txt");
  write_text(words, "\n\n");
  EXPECT_THROW(read_word_list(words.string()), paperkit::InputError);
}

TEST(UnitLdpData, AolFileMatchesItsPublishedCounts) {
  if (!fs::exists(aol_path)) GTEST_SKIP() << "AOL file absent: " << aol_path;
  const auto p = read_aol(aol_path);
  EXPECT_EQ(p.bits, 48);
  EXPECT_EQ(p.items.size(), 120978u);
  EXPECT_EQ(p.users(), 657427u);
  const auto top = true_top_k(p.items, p.counts[0], 128);
  EXPECT_EQ(item_to_bytes(top[0].item, 6), "-     ");
  EXPECT_EQ(top[0].count, 18720);
  EXPECT_EQ(item_to_bytes(top[1].item, 6), "google");
  EXPECT_EQ(top[1].count, 12292);
  EXPECT_EQ(top[31].count, 1243);
  EXPECT_EQ(top[63].count, 865);
  EXPECT_EQ(top[127].count, 510);
}

TEST(UnitLdpData, WordListWithZipfCounts) {
  const std::string dict = "/usr/share/dict/words";
  if (!fs::exists(dict)) GTEST_SKIP() << dict << " absent (Debian package wamerican)";
  const auto words = read_word_list(dict);
  WordOptions o;
  o.users = 10000;
  const auto p = word_population(words, o, 5);
  EXPECT_EQ(p.bits, 48);
  EXPECT_EQ(p.users(), 10000u);
  EXPECT_NO_THROW(validate_population(p, "words"));
  const auto q = word_population(words, o, 5);
  EXPECT_EQ(p.items, q.items);
}

// ---- metrics: hand cases ----
const std::vector<Item> kItems = {1, 2, 3, 4, 5};
const std::vector<std::uint64_t> kCounts = {50, 40, 30, 20, 10};

TEST(UnitLdpMetrics, PerfectAnswer) {
  const auto m = evaluate_top_k({{1, 50}, {2, 40}, {3, 30}}, kItems, kCounts, 3);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.f1, 1.0);
  EXPECT_DOUBLE_EQ(m.ncr, 1.0);
  EXPECT_DOUBLE_EQ(m.count_mae, 0.0);
}

TEST(UnitLdpMetrics, PartialAnswers) {
  // T = {1, 2, 3} with ranks 1, 2, 3; NCR weights k - rank + 1 = 3, 2, 1 over k(k+1)/2 = 6.
  auto m = evaluate_top_k({{3, 33}, {4, 20}}, kItems, kCounts, 3);
  EXPECT_EQ(m.hits, 1u);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.f1, 0.4);
  EXPECT_DOUBLE_EQ(m.ncr, 1.0 / 6);
  EXPECT_DOUBLE_EQ(m.count_mae, 1.5);  // |33-30| and |20-20|
  m = evaluate_top_k({{2, 40}, {1, 50}, {9, 7}}, kItems, kCounts, 3);
  EXPECT_EQ(m.hits, 2u);
  EXPECT_DOUBLE_EQ(m.ncr, 5.0 / 6);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.count_mean_rel, 7.0 / 3);  // item 9 has no user: |7 - 0| / max(0, 1)
  m = evaluate_top_k({}, kItems, kCounts, 3);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_EQ(m.ncr, 0.0);
  EXPECT_THROW(evaluate_top_k({}, kItems, kCounts, 0), paperkit::InvalidParameter);
}

TEST(UnitLdpMetrics, TiesInTruthGoToTheSmallerItem) {
  const auto top = true_top_k({7, 3, 5}, {10, 10, 10}, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].item, 3u);
  EXPECT_EQ(top[1].item, 5u);
}

}  // namespace
