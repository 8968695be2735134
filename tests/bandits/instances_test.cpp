// Instances: the authors' clear-cut and mix-in settings, the needle-jackpot family, CSV means.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "paperkit/bandits/instances.hpp"
#include "paperkit/common/errors.hpp"

namespace {

using namespace paperkit::bandits;
using paperkit::InputError;
using paperkit::InvalidParameter;
using paperkit::Rng;

TEST(UnitBanditsInstances, ClearCutShape) {
  Rng rng(1);
  const auto m = clear_cut(5000, rng);
  ASSERT_EQ(m.size(), 5000u);
  EXPECT_EQ(std::count(m.begin(), m.end(), 0.82), 1);
  EXPECT_NE(m.back(), 0.82);  // shuffled (fails with probability 1/5000 for this fixed seed: checked once)
  for (double x : m) {
    if (x != 0.82) {
      EXPECT_GE(x, 0.0);
      EXPECT_LE(x, 0.8);
    }
  }
  double mean = 0;
  for (double x : m) mean += x;
  EXPECT_NEAR(mean / 5000, 0.5, 0.01);  // truncated N(0.5, 0.1) is symmetric enough here
}

TEST(UnitBanditsInstances, MixInInUnitInterval) {
  Rng rng(2);
  const auto m = mix_in(1000, rng);
  ASSERT_EQ(m.size(), 1000u);
  for (double x : m) {
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(UnitBanditsInstances, NeedleJackpot) {
  Rng rng(3);
  int jackpots = 0;
  for (int i = 0; i < 200; ++i) {
    const auto m = needle_jackpot(50, 0.1, 0.5, rng);
    EXPECT_EQ(std::count(m.begin(), m.end(), 0.6), 1);
    if (m.size() == 51) {
      EXPECT_EQ(m.back(), 1.0);
      ++jackpots;
    } else {
      EXPECT_EQ(m.size(), 50u);
    }
  }
  EXPECT_GT(jackpots, 60);  // Binomial(200, 1/2): below 60 has probability < 1e-8
  EXPECT_LT(jackpots, 140);
  EXPECT_EQ(needle_jackpot(10, 0.1, 0.0, rng).size(), 10u);
  EXPECT_EQ(needle_jackpot(10, 0.1, 1.0, rng).size(), 11u);
}

TEST(UnitBanditsInstancesBadInput, ZeroArms) {
  Rng rng(1);
  EXPECT_THROW(clear_cut(0, rng), InvalidParameter);
  EXPECT_THROW(mix_in(0, rng), InvalidParameter);
  EXPECT_THROW(needle_jackpot(0, 0.1, 0.5, rng), InvalidParameter);
}

TEST(UnitBanditsInstancesBadInput, NeedleParameters) {
  Rng rng(1);
  EXPECT_THROW(needle_jackpot(10, 0.0, 0.5, rng), InvalidParameter);
  EXPECT_THROW(needle_jackpot(10, 0.7, 0.5, rng), InvalidParameter);
  EXPECT_THROW(needle_jackpot(10, 0.1, 1.5, rng), InvalidParameter);
}

TEST(UnitBanditsCsv, ParsesHeaderCommentsAndColumns) {
  std::istringstream in("mean\n# a comment\n0.5\n\n1,extra\n0\n 0.25 \n");
  EXPECT_EQ(parse_means_csv(in, "x"), (std::vector<double>{0.5, 1, 0, 0.25}));
}

TEST(UnitBanditsCsvBadInput, NotANumber) {
  std::istringstream in("0.5\nabc\n");
  try {
    parse_means_csv(in, "m.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("m.csv:2"), std::string::npos) << e.what();
  }
}

TEST(UnitBanditsCsvBadInput, TrailingGarbage) {
  std::istringstream in("0.5x\n");
  EXPECT_THROW(parse_means_csv(in, "m"), InputError);
}

TEST(UnitBanditsCsvBadInput, MeanOutsideUnitInterval) {
  std::istringstream a("0.5\n1.01\n"), b("-0.2\n"), c("nan\n");
  EXPECT_THROW(parse_means_csv(a, "m"), InputError);
  EXPECT_THROW(parse_means_csv(b, "m"), InputError);
  EXPECT_THROW(parse_means_csv(c, "m"), InputError);
}

TEST(UnitBanditsCsvBadInput, Empty) {
  std::istringstream in("mean\n\n");
  EXPECT_THROW(parse_means_csv(in, "m"), InputError);
}

TEST(UnitBanditsCsvBadInput, MissingFile) {
  EXPECT_THROW(read_means_csv("/nonexistent/means.csv"), InputError);
}

}  // namespace
