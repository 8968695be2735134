// bitpar-specific edge cases: the choice between the two-plane layout (<= 4 symbols) and the
// general one, word boundaries of the pattern (m = 64k, 64k +- 1), block boundaries of the
// shifts (n - m + 1 not a multiple of 64 or of the 4096-shift block), long patterns with few
// shifts. Every case is compared with the brute force of reference.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "paperkit/hamming/hamming.hpp"
#include "reference.hpp"
#include "support/seeds.hpp"

namespace paperkit::hamming {
namespace {

using test::brute_force;
using test::from;
using test::random_symbols;

std::vector<Distance> bitpar(const std::vector<Symbol>& t, const std::vector<Symbol>& p, int threads = 1) {
  Options o;
  o.algorithm = "bitpar";
  o.threads = threads;
  return distances(t, p, o);
}

// Symbols drawn from `alphabet` (any values, so tests can use values near 2^32 - 1).
std::vector<Symbol> draw(Rng& rng, std::size_t n, const std::vector<Symbol>& alphabet) {
  std::vector<Symbol> v(n);
  for (auto& s : v) s = alphabet[rng.uniform_below(alphabet.size())];
  return v;
}

TEST(UnitBitpar, IsRegistered) {
  EXPECT_TRUE(is_algorithm("bitpar"));
}

TEST(UnitBitpar, SmallDnaCases) {
  EXPECT_EQ(bitpar(from("ACGTACGT"), from("ACGT")), (std::vector<Distance>{0, 4, 4, 4, 0}));
  EXPECT_EQ(bitpar(from("AAAAAAAA"), from("TT")), (std::vector<Distance>(7, 2)));
  EXPECT_EQ(bitpar(from("GATTACA"), from("GATTACA")), (std::vector<Distance>{0}));
}

TEST(UnitBitpar, TextWithMoreSymbolsThanPattern) {
  // The pattern uses 1..3 symbols, the text 4: one code is free for the text-only symbol.
  EXPECT_EQ(bitpar(from("ACGTTGCA"), from("A")), brute_force(from("ACGTTGCA"), from("A")));
  EXPECT_EQ(bitpar(from("ACGTTGCAAC"), from("AC")), brute_force(from("ACGTTGCAAC"), from("AC")));
  EXPECT_EQ(bitpar(from("ACGTTGCAACG"), from("ACG")), brute_force(from("ACGTTGCAACG"), from("ACG")));
  // A 5th symbol in the text (N): with 4 pattern symbols there is no free code left.
  EXPECT_EQ(bitpar(from("ACGTNACGTN"), from("ACGT")), (std::vector<Distance>{0, 4, 4, 4, 4, 0, 4}));
  EXPECT_EQ(bitpar(from("NNNNACGT"), from("TGCA")), brute_force(from("NNNNACGT"), from("TGCA")));
  // Many foreign symbols, pattern with 2 symbols.
  EXPECT_EQ(bitpar(from("the quick brown fox"), from("oo")), brute_force(from("the quick brown fox"), from("oo")));
}

TEST(UnitBitpar, PatternSymbolAbsentFromText) {
  EXPECT_EQ(bitpar(from("AAAAAA"), from("AZ")), (std::vector<Distance>(5, 1)));
  EXPECT_EQ(bitpar(from("AAAAAA"), from("ZZZ")), (std::vector<Distance>(4, 3)));
  EXPECT_EQ(bitpar(from("abcdef"), from("xyzw")), (std::vector<Distance>(3, 4)));  // 4 symbols, none in T
}

TEST(UnitBitpar, ExtremeSymbolValues) {
  const Symbol top = 0xffffffffu;
  const std::vector<Symbol> text{top, 0, top, top - 1, 0, top, 3, 1u << 31};
  for (const auto& pattern :
       {std::vector<Symbol>{top}, std::vector<Symbol>{top, 0}, std::vector<Symbol>{0, top, top - 1},
        std::vector<Symbol>{top, top - 1, 0, 3}, std::vector<Symbol>{top, 3, 1u << 31, 0, 7}}) {
    EXPECT_EQ(bitpar(text, pattern), brute_force(text, pattern)) << "m=" << pattern.size();
  }
}

struct Alphabet {
  std::string name;
  std::vector<Symbol> text, pattern;  // symbols each side draws from
};

// Alphabet pairs that reach every layout: two planes with and without a free code, the
// general layout for a 5th text symbol, for 5 pattern symbols and for a large alphabet.
std::vector<Alphabet> alphabets() {
  const Symbol top = 0xffffffffu;
  std::vector<Symbol> large;
  for (Symbol s = 0; s < 300; ++s) large.push_back(top - s * 7919u);
  return {
      {"dna", {'A', 'C', 'G', 'T'}, {'A', 'C', 'G', 'T'}},
      {"dna_pattern_3", {'A', 'C', 'G', 'T'}, {'A', 'C', 'G'}},
      {"dna_pattern_1", {'A', 'C', 'G', 'T'}, {'G'}},
      {"binary_near_top", {top, top - 1}, {top, top - 1}},
      {"text_has_5th", {'A', 'C', 'G', 'T', 'N'}, {'A', 'C', 'G', 'T'}},
      {"text_has_many_more", {'A', 'C', 'G', 'T', 'N', 'R', 'Y', 0, top}, {'A', 'C'}},
      {"pattern_5", {'A', 'C', 'G', 'T', 'N'}, {'A', 'C', 'G', 'T', 'N'}},
      {"large", large, large},
  };
}

// Pattern copied from the text at a random place, then some positions redrawn, so that shifts
// near the copy have small distances and the rest are random.
std::vector<Symbol> pattern_from(Rng& rng, const std::vector<Symbol>& text, std::size_t m, const Alphabet& a) {
  const std::size_t at = rng.uniform_below(text.size() - m + 1);
  std::vector<Symbol> p(text.begin() + static_cast<std::ptrdiff_t>(at),
                        text.begin() + static_cast<std::ptrdiff_t>(at + m));
  for (auto& s : p)
    if (rng.uniform_below(4) == 0 || std::find(a.pattern.begin(), a.pattern.end(), s) == a.pattern.end())
      s = a.pattern[rng.uniform_below(a.pattern.size())];
  return p;
}

class PropertyBitpar : public ::testing::TestWithParam<Alphabet> {};

TEST_P(PropertyBitpar, WordBoundariesOfThePattern) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::uint64_t index = 0;
  for (std::size_t m : {1u, 63u, 64u, 65u, 127u, 128u, 129u, 191u, 192u, 193u, 1023u, 1024u, 1025u}) {
    for (std::size_t shifts : {1u, 2u, 63u, 64u, 65u, 100u, 1000u}) {
      Rng rng = Rng::for_block(seed, 21, index++);
      const auto text = draw(rng, m + shifts - 1, GetParam().text);
      const auto pattern = index % 2 ? pattern_from(rng, text, m, GetParam()) : draw(rng, m, GetParam().pattern);
      ASSERT_EQ(bitpar(text, pattern), brute_force(text, pattern)) << "m=" << m << " shifts=" << shifts;
    }
  }
}

// bitpar cuts the shifts into blocks of 64 words (4096 shifts).
TEST_P(PropertyBitpar, BlockBoundariesOfTheShifts) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::uint64_t index = 0;
  for (std::size_t m : {1u, 64u, 129u}) {
    for (std::size_t shifts : {4095u, 4096u, 4097u, 4161u, 8191u, 8193u}) {
      Rng rng = Rng::for_block(seed, 24, index++);
      const auto text = draw(rng, m + shifts - 1, GetParam().text);
      const auto pattern = pattern_from(rng, text, m, GetParam());
      ASSERT_EQ(bitpar(text, pattern), brute_force(text, pattern)) << "m=" << m << " shifts=" << shifts;
    }
  }
}

TEST_P(PropertyBitpar, LongPatternFewShifts) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  std::uint64_t index = 0;
  for (std::size_t m : {4999u, 5000u, 5001u, 5120u}) {
    for (std::size_t shifts : {1u, 2u, 3u, 64u, 65u, 200u}) {
      Rng rng = Rng::for_block(seed, 22, index++);
      const auto text = draw(rng, m + shifts - 1, GetParam().text);
      const auto pattern = pattern_from(rng, text, m, GetParam());
      ASSERT_EQ(bitpar(text, pattern), brute_force(text, pattern)) << "m=" << m << " shifts=" << shifts;
    }
  }
}

TEST_P(PropertyBitpar, IdenticalForAnyThreadCount) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng = Rng::for_block(seed, 23, 0);
  // 3 blocks of 4096 shifts and a partial fourth.
  const auto text = draw(rng, 3 * 4096 + 1000 + 299, GetParam().text);
  const auto pattern = pattern_from(rng, text, 300, GetParam());
  const auto one = bitpar(text, pattern, 1);
  EXPECT_EQ(one, brute_force(text, pattern));
  EXPECT_EQ(bitpar(text, pattern, 2), one);
  EXPECT_EQ(bitpar(text, pattern, 3), one);
  EXPECT_EQ(bitpar(text, pattern, 5), one);
}

INSTANTIATE_TEST_SUITE_P(Alphabets, PropertyBitpar, ::testing::ValuesIn(alphabets()),
                         [](const ::testing::TestParamInfo<Alphabet>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace paperkit::hamming
