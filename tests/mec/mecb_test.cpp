// MEC-B composition (spec A6): the spec's regression values (section 6, item 6), its invariants
// and exact marginals on seeded random instances, for both encoders.
#include <gtest/gtest.h>

#include <cmath>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

const Marginal spec_px = {.4, .25, .15, .1, .06, .04};
const Marginal spec_py = {.35, .25, .2, .12, .08};

void expect_marginals(const mec::MecbResult& r, const Marginal& px, const Marginal& py) {
  const auto m = mec::marginals_of(r.joint);
  ASSERT_EQ(m.size(), 2u);
  for (std::size_t x = 0; x < px.size(); ++x) EXPECT_NEAR(m[0][x], px[x], 1e-12) << "x = " << x;
  for (std::size_t y = 0; y < py.size(); ++y) EXPECT_NEAR(m[1][y], py[y], 1e-12) << "y = " << y;
}

TEST(UnitMecb, SpecRegression) {
  const double rates[] = {0.5, 1.0, 1.5, 2.0, 2.5};
  const double h_t[] = {0.4690, 0.9219, 1.4789, 1.5760, 2.2008};
  const double i_xy[] = {0.3910, 0.8439, 1.2386, 1.2708, 1.8956};
  const Marginal px = mec::prepare_marginal(spec_px), py = mec::prepare_marginal(spec_py);
  for (std::size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE("R = " + std::to_string(rates[i]));
    const auto r = mec::mecb(px, py, rates[i]);
    EXPECT_NEAR(r.h_t, h_t[i], 1e-4);
    EXPECT_NEAR(r.i_xy, i_xy[i], 1e-4);
    EXPECT_DOUBLE_EQ(r.i_xt, r.h_t);
    expect_marginals(r, px, py);
  }
}

TEST(UnitMecb, FullRateIsPlainGreedy) {
  const Marginal px = mec::prepare_marginal(spec_px), py = mec::prepare_marginal(spec_py);
  const auto r = mec::mecb(px, py, 2.5);
  EXPECT_NEAR(r.h_xy, 2.4582, 1e-4);
  const auto plain = mec::greedy_coupling({px, py});
  EXPECT_NEAR(r.h_xy, mec::entropy_bits(plain), 1e-12);
  EXPECT_EQ(r.encoder.cells.size(), px.size());
}

TEST(UnitMecb, UniformEncoder) {
  const Marginal px = mec::prepare_marginal(spec_px), py = mec::prepare_marginal(spec_py);
  // R = 1: two blocks {0,1,2}, {3,4,5}: p_T = (0.8, 0.2).
  const auto r = mec::mecb(px, py, 1.0, mec::MecbEncoder::uniform);
  ASSERT_EQ(r.encoder.cells.size(), 2u);
  EXPECT_NEAR(r.h_t, mec::entropy_bits(std::vector<double>{0.8, 0.2}), 1e-12);
  EXPECT_LE(r.i_xy, r.h_t + 1e-12);
  expect_marginals(r, px, py);
}

TEST(UnitMecb, RateZeroIsIndependent) {
  const Marginal px = mec::prepare_marginal(spec_px), py = mec::prepare_marginal(spec_py);
  for (auto enc : {mec::MecbEncoder::greedy, mec::MecbEncoder::uniform}) {
    const auto r = mec::mecb(px, py, 0.0, enc);
    EXPECT_EQ(r.h_t, 0.0);
    EXPECT_NEAR(r.i_xy, 0.0, 1e-12);
  }
}

TEST(UnitMecbBadInput, BadRate) {
  EXPECT_THROW(mec::mecb({0.5, 0.5}, {1.0}, -1), paperkit::InvalidParameter);
  EXPECT_THROW(mec::mecb({0.5, 0.5}, {1.0}, std::nan(""), mec::MecbEncoder::uniform), paperkit::InvalidParameter);
}

TEST(PropertyMecb, SpecInvariantsAndMarginals) {
  const std::uint64_t seed = base_seed() + 12;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(30), m = 1 + rng.uniform_below(30);
    const double alpha = trial % 3 == 0 ? 0.1 : 1.0;
    const Marginal px = mec::prepare_marginal(mec::dirichlet(n, alpha, rng));
    const Marginal py = mec::prepare_marginal(mec::dirichlet(m, alpha, rng));
    const double rate = 1.2 * mec::entropy_bits(std::span<const double>(px)) * rng.uniform01();
    const auto enc = trial % 2 == 0 ? mec::MecbEncoder::greedy : mec::MecbEncoder::uniform;
    const auto r = mec::mecb(px, py, rate, enc);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_LE(r.h_t, rate + 1e-12);
    ASSERT_LE(r.i_xy, r.h_t + 1e-9);
    ASSERT_GE(r.i_xy, r.i_xt + r.i_ty - r.h_t - 1e-9);
    expect_marginals(r, px, py);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
