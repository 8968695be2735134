// xxh32 against known vectors. Expected values were computed with python-xxhash 4.1.0 (which
// wraps the reference C xxHash); the "", "a", "abc" and spammish vectors are also the xxHash
// project's published examples.
#include <gtest/gtest.h>

#include <string>

#include "paperkit/ldp/frequency_oracle.hpp"

namespace ldp = paperkit::ldp;

namespace {

std::uint32_t h(const std::string& s, std::uint32_t seed) {
  return ldp::xxh32(s.data(), s.size(), seed);
}

}  // namespace

TEST(UnitXxh32, KnownVectors) {
  EXPECT_EQ(h("", 0), 0x02cc5d05U);
  EXPECT_EQ(h("a", 0), 0x550d7456U);
  EXPECT_EQ(h("abc", 0), 0x32d153ffU);
  EXPECT_EQ(h("abcd", 0), 0xa3643705U);
  EXPECT_EQ(h("Nobody inspects the spammish repetition", 0), 0xe2293b2fU);
  EXPECT_EQ(h("0", 7), 0xc5a9b330U);
  EXPECT_EQ(h("12345", 2654435761U), 0x5344d579U);
  EXPECT_EQ(h("1234567890123456", 1), 0x606913c4U);  // exactly one 16-byte stripe
  EXPECT_EQ(h("12345678901234567890", 123456789), 0x909ae22fU);
  EXPECT_EQ(h(std::string(33, 'x'), 0xffffffffU), 0xc2818e3eU);
}

TEST(UnitXxh32, DecimalMatchesString) {
  for (std::uint64_t v : {0ULL, 1ULL, 9ULL, 10ULL, 99ULL, 12345ULL, 4294967296ULL, 999999999999999ULL,
                          1000000000000000ULL, 18446744073709551615ULL}) {
    for (std::uint32_t seed : {0U, 1U, 0xdeadbeefU}) {
      EXPECT_EQ(ldp::xxh32_decimal(v, seed), h(std::to_string(v), seed)) << v << " " << seed;
    }
  }
}
