// The fp32 micro-kernels of the tiled loop (algorithms/attention/attention_internal.hpp), each
// against the simplest correct method: the vector exp against std::exp in fp64 (within 3 fp32
// ulp over the whole argument range it sees, exact 0 for masked keys and below the normal range,
// NaN kept), the fixed-order tile sum against an fp64 sum, and the two-key dot product and its
// transposed eight-row reduction bit for bit against the one-key dot product.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "attention_internal.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention::internal {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// exp(x - shift) in fp64, then the kernel's rule below the normal range.
double expected_exp(float x, float shift) {
  return std::exp(static_cast<double>(x - shift));
}

void expect_exp_close(float x, float shift, float got) {
  const double want = expected_exp(x, shift);
  if (x - shift < -87.33f) {
    EXPECT_EQ(got, 0.0f) << "x - shift = " << x - shift;
    return;
  }
  // 3 ulp of the result (fp32 ulp = 2^-23 relative, at most), and the fp32 subtraction x - shift
  // is exact in the kernel as in want: both see the same rounded argument.
  EXPECT_LE(std::abs(static_cast<double>(got) - want), 3.0 * want * 0x1p-23) << "x - shift = " << x - shift;
}

TEST(UnitAttentionKernels, VectorExpMatchesExpOverTheScoreRange) {
  std::vector<float> args;
  for (float x = -90.0f; x <= 0.0f; x += 0.001953125f) args.push_back(x);  // every 1/512 step
  for (float x : {0.0f, -0.0f, -1e-30f, -1e-7f, -0.34657359f, -0.6931472f, -87.0f, -87.33f, -87.3365f, -88.0f, -103.0f,
                  -1e30f, -std::numeric_limits<float>::denorm_min()}) {
    args.push_back(x);
  }
  std::mt19937_64 gen(test::base_seed());
  std::uniform_real_distribution<float> below(-100.0f, 0.0f);
  for (int i = 0; i < 20000; ++i) args.push_back(below(gen));
  args.resize((args.size() + kKeyTile - 1) / kKeyTile * kKeyTile, -1.0f);
  for (float shift : {0.0f, 3.5f, -12.25f}) {
    for (std::size_t at = 0; at < args.size(); at += kKeyTile) {
      float tile[kKeyTile];
      for (std::int64_t t = 0; t < kKeyTile; ++t) tile[t] = args[at + static_cast<std::size_t>(t)] + shift;
      float in[kKeyTile];
      std::copy(tile, tile + kKeyTile, in);
      exp_shifted_tile(tile, shift);
      for (std::int64_t t = 0; t < kKeyTile; ++t) expect_exp_close(in[t], shift, tile[t]);
    }
  }
}

TEST(UnitAttentionKernels, VectorExpOfMaskedAndNanScores) {
  float tile[kKeyTile];
  for (std::int64_t t = 0; t < kKeyTile; ++t) tile[t] = t % 3 == 0 ? -kInf : -0.5f * static_cast<float>(t);
  tile[5] = std::numeric_limits<float>::quiet_NaN();
  float in[kKeyTile];
  std::copy(tile, tile + kKeyTile, in);
  exp_shifted_tile(tile, 0.0f);
  for (std::int64_t t = 0; t < kKeyTile; ++t) {
    if (t == 5) {
      EXPECT_TRUE(std::isnan(tile[t]));
    } else if (t % 3 == 0) {
      EXPECT_EQ(tile[t], 0.0f) << t;
    } else {
      expect_exp_close(in[t], 0.0f, tile[t]);
    }
  }
}

TEST(UnitAttentionKernels, TileSumMatchesFp64Sum) {
  std::mt19937_64 gen(test::base_seed() + 1);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int round = 0; round < 200; ++round) {
    float tile[kKeyTile];
    double want = 0.0;
    for (float& x : tile) {
      x = unit(gen);
      want += x;
    }
    // 32 positive terms in a pairwise tree of depth 5: at most 5 roundings of 2^-24 each, relative.
    EXPECT_LE(std::abs(static_cast<double>(sum_tile(tile)) - want), 5.0 * 0x1p-24 * want);
  }
}

TEST(UnitAttentionKernels, TwoKeyDotEqualsOneKeyDotBitForBit) {
  std::mt19937_64 gen(test::base_seed() + 2);
  std::normal_distribution<float> normal;
  for (std::int64_t d : {16, 32, 64, 128, 256, 20, 48, 100, 1, 7}) {
    std::vector<float> q(static_cast<std::size_t>(kQuad * d)), k0(static_cast<std::size_t>(d)),
        k1(static_cast<std::size_t>(d));
    for (float& x : q) x = normal(gen);
    for (float& x : k0) x = normal(gen);
    for (float& x : k1) x = normal(gen);
    const float* rows[kQuad];
    for (std::int64_t u = 0; u < kQuad; ++u) rows[u] = q.data() + u * d;
    float one0[kQuad], one1[kQuad], two0[kQuad], two1[kQuad];
    dot_quad(rows, k0.data(), d, one0);
    dot_quad(rows, k1.data(), d, one1);
    dot_quad_pair(rows, k0.data(), k1.data(), d, two0, two1);
    double dq[kQuad], dq0[kQuad], dq1[kQuad];  // the double instantiation takes the generic reduction
    dot_quad(rows, k0.data(), d, dq);
    dot_quad_pair(rows, k0.data(), k1.data(), d, dq0, dq1);
    for (std::int64_t u = 0; u < kQuad; ++u) {
      EXPECT_EQ(one0[u], two0[u]) << "d " << d << " row " << u;
      EXPECT_EQ(one1[u], two1[u]) << "d " << d << " row " << u;
      EXPECT_EQ(dq[u], dq0[u]) << "d " << d << " row " << u;
      double want = 0.0;
      for (std::int64_t c = 0; c < d; ++c) want += static_cast<double>(rows[u][c]) * k1[static_cast<std::size_t>(c)];
      EXPECT_NEAR(one1[u], want, 1e-5 * (1.0 + std::sqrt(static_cast<double>(d)))) << "d " << d;
      (void)dq1;
    }
  }
}

}  // namespace
}  // namespace paperkit::attention::internal
