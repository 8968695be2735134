// fp32 partial attention and the fp64 oracle: tolerance 1e-5 relative (max norm) on O and on lse,
// for every mask kind and grouped-query heads (spec B1, oracle 7's fp32 bound).
#include <omp.h>

#include <cmath>
#include <limits>
#include <ostream>

#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_qkv;
using test::relative_error;

constexpr double kFp32Tolerance = 1e-5;

TEST(UnitAttentionReference, HandComputedTwoKeys) {
  // One query, two keys, d = 1: scores 1*1 = 1 and 1*(-1) = -1 with scale 1.
  const Shape shape{1, 1, 1, 1, 2, 1};
  const std::vector<float> q{1.0f}, k{1.0f, -1.0f}, v{3.0f, 5.0f};
  const Reference ref = reference_attention(shape, q, k, v, Mask{}, 1.0);
  const double e1 = std::exp(1.0), em1 = std::exp(-1.0);
  EXPECT_NEAR(ref.out[0], (3.0 * e1 + 5.0 * em1) / (e1 + em1), 1e-14);
  EXPECT_NEAR(ref.lse[0], std::log(e1 + em1), 1e-14);
}

struct MaskCase {
  const char* name;
  Mask mask;
};

// Lets gtest print the case by name instead of as raw bytes.
void PrintTo(const MaskCase& mask_case, std::ostream* os) {
  *os << mask_case.name;
}

class PropertyAttentionPartial : public ::testing::TestWithParam<MaskCase> {};

TEST_P(PropertyAttentionPartial, MatchesFp64ReferenceWithGqa) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 4, 2, 5, 37, 16};  // group of 2 query heads per kv head
  const auto qkv = random_qkv(shape, seed);
  const Mask mask = GetParam().mask;
  const double scale = default_scale(shape.head_dim);
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale);
  const Partial got = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, mask, static_cast<float>(scale));
  EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance);
  EXPECT_TRUE(test::lse_close(got.lse, ref.lse, kFp32Tolerance));
}

INSTANTIATE_TEST_SUITE_P(Masks, PropertyAttentionPartial,
                         ::testing::Values(MaskCase{"none", Mask{}},
                                           MaskCase{"causal_bottom_right", Mask{MaskKind::causal, 0, 0, true}},
                                           MaskCase{"causal_offset_3", Mask{MaskKind::causal, 3, 0, false}},
                                           MaskCase{"window_8", Mask{MaskKind::window, 0, 8, true}},
                                           MaskCase{"window_1", Mask{MaskKind::window, 10, 1, false}}),
                         [](const ::testing::TestParamInfo<MaskCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(UnitAttentionPartial, GqaHeadsShareTheirKvHead) {
  // Two query heads with equal queries in one group must give equal outputs.
  const Shape shape{1, 2, 1, 3, 20, 8};
  auto qkv = random_qkv(shape, paperkit::test::base_seed());
  std::copy_n(qkv.q.begin(), 24, qkv.q.begin() + 24);
  const Partial got = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, Mask{}, 0.3f);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(got.out[i], got.out[24 + i]);
}

TEST(UnitAttentionPartial, FullyMaskedRowsGiveZeroAndMinusInfinity) {
  // Causal with offset -3: query rows 0..2 see no key.
  const Shape shape{1, 2, 2, 6, 10, 8};
  const auto qkv = random_qkv(shape, paperkit::test::base_seed());
  const Mask mask{MaskKind::causal, -3, 0, false};
  const Partial got = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, mask, 0.25f);
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, 0.25);
  ASSERT_TRUE(test::all_finite(got.out));
  for (std::int64_t h = 0; h < 2; ++h) {
    for (std::int64_t i = 0; i < 3; ++i) {
      const auto row = static_cast<std::size_t>(h * 6 + i);
      EXPECT_EQ(got.lse[row], -std::numeric_limits<float>::infinity());
      EXPECT_EQ(ref.lse[row], -std::numeric_limits<double>::infinity());
      for (std::size_t c = 0; c < 8; ++c) EXPECT_EQ(got.out[row * 8 + c], 0.0f);
    }
  }
  EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance);
}

TEST(UnitAttentionPartial, ChunkedPrefillEqualsRowsOfFullPrefill) {
  // Sarathi: queries [p, p + C) against KV [0, p + C), causal with delta = p, equal the same
  // rows of one causal prefill over all N tokens.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::int64_t n = 40, d = 16, p = 24, c = 9;
  const Shape full{1, 2, 1, n, n, d};
  const auto qkv = random_qkv(full, seed);
  const Reference ref = reference_attention(full, qkv.q, qkv.k, qkv.v, Mask{MaskKind::causal}, 0.25);
  // Build the chunk's Q [1, 2, c, d] and KV [1, 1, p + c, d].
  const Shape chunk{1, 2, 1, c, p + c, d};
  std::vector<float> q(chunk.q_elements());
  for (std::int64_t h = 0; h < 2; ++h) {
    std::copy_n(qkv.q.begin() + (h * n + p) * d, c * d, q.begin() + h * c * d);
  }
  const std::vector<float> k(qkv.k.begin(), qkv.k.begin() + (p + c) * d);
  const std::vector<float> v(qkv.v.begin(), qkv.v.begin() + (p + c) * d);
  const Partial got = partial_attention(chunk, q, k, v, KeyRange{}, Mask{MaskKind::causal, p, 0, false}, 0.25f);
  std::vector<double> expected;
  for (std::int64_t h = 0; h < 2; ++h) {
    expected.insert(expected.end(), ref.out.begin() + (h * n + p) * d, ref.out.begin() + (h * n + p + c) * d);
  }
  EXPECT_LE(relative_error(got.out, expected), kFp32Tolerance);
}

TEST(UnitAttentionPartial, ResultDoesNotDependOnThreadCount) {
  const Shape shape{3, 4, 4, 4, 33, 8};
  const auto qkv = random_qkv(shape, paperkit::test::base_seed());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Partial one = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, Mask{MaskKind::causal}, 0.3f);
  omp_set_num_threads(3);
  const Partial three = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, Mask{MaskKind::causal}, 0.3f);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.out, three.out);
  EXPECT_EQ(one.lse, three.lse);
}

}  // namespace
}  // namespace paperkit::attention
