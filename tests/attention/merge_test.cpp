// The LSE merge and split-K attention (spec B1, B2; oracle 8): any split count and merge order
// agree within 2e-6 relative (fp32), empty blocks are identities, blocks in which a row is fully
// masked give no NaN, and the merged result matches the fp64 oracle within 1e-5 relative.
#include <algorithm>
#include <limits>
#include <numeric>

#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "paperkit/attention/detail/lse_merge.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_qkv;
using test::relative_error;

constexpr double kFp32Tolerance = 1e-5;
constexpr double kMergeOrderTolerance = 2e-6;

TEST(UnitAttentionMergeMath, MergedLseIsLogOfSummedExponentials) {
  EXPECT_NEAR(detail::merged_lse(1.0, 2.0), std::log(std::exp(1.0) + std::exp(2.0)), 1e-15);
  EXPECT_EQ(detail::merged_lse(-std::numeric_limits<double>::infinity(), 0.5), 0.5);
  EXPECT_EQ(detail::merged_lse(0.5f, -std::numeric_limits<float>::infinity()), 0.5f);
  EXPECT_TRUE(detail::is_empty_lse(
      detail::merged_lse(-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity())));
}

TEST(UnitAttentionMergeMath, TwoEmptyRowsStayEmptyWithoutNan) {
  float o_a[2] = {0.0f, 0.0f};
  const float o_b[2] = {0.0f, 0.0f};
  float lse_a = -std::numeric_limits<float>::infinity();
  detail::merge_into(o_a, lse_a, o_b, -std::numeric_limits<float>::infinity(), 2);
  EXPECT_EQ(lse_a, -std::numeric_limits<float>::infinity());
  EXPECT_EQ(o_a[0], 0.0f);
  EXPECT_EQ(o_a[1], 0.0f);
}

TEST(UnitAttentionMergeMath, SplitChunksCoverTheKeysOnce) {
  for (std::int64_t len : {1, 15, 16, 17, 100}) {
    for (std::int64_t count : {1, 2, 3, 7, 40}) {
      for (std::int64_t granule : {1, 16}) {
        std::int64_t expected_begin = 0;
        for (std::int64_t s = 0; s < count; ++s) {
          const detail::KeyChunk c = detail::split_chunk(len, s, count, granule);
          EXPECT_EQ(c.begin, expected_begin);
          EXPECT_LE(c.begin, c.end);
          if (c.end < len) {
            EXPECT_EQ((c.end - c.begin) % granule, 0);
          }
          expected_begin = c.end;
        }
        EXPECT_EQ(expected_begin, len) << "len " << len << " count " << count << " granule " << granule;
      }
    }
  }
}

TEST(UnitAttentionMerge, EmptyBlockIsIdentityOnBothSides) {
  const Shape shape{2, 2, 1, 3, 21, 8};
  const auto qkv = random_qkv(shape, paperkit::test::base_seed());
  const Partial p = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, Mask{MaskKind::causal}, 0.3f);
  // An empty key range and an empty_partial() both act as the identity, bit for bit.
  const Partial empty_range = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{5, 5}, Mask{}, 0.3f);
  for (const Partial& empty : {empty_range, empty_partial(shape)}) {
    Partial left = empty;
    merge(left, p);
    EXPECT_EQ(left.out, p.out);
    EXPECT_EQ(left.lse, p.lse);
    Partial right = p;
    merge(right, empty);
    EXPECT_EQ(right.out, p.out);
    EXPECT_EQ(right.lse, p.lse);
  }
}

// Partials of `shape` over `blocks` equal chunks of the keys.
std::vector<Partial> block_partials(const Shape& shape, const test::Qkv& qkv, const Mask& mask, std::int64_t blocks) {
  std::vector<Partial> parts;
  for (std::int64_t s = 0; s < blocks; ++s) {
    const detail::KeyChunk c = detail::split_chunk(shape.kv_len, s, blocks, 1);
    parts.push_back(partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{c.begin, c.end}, mask, 0.25f));
  }
  return parts;
}

Partial merge_tree(const std::vector<Partial>& parts, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return parts[lo];
  const std::size_t mid = lo + (hi - lo) / 2;
  Partial left = merge_tree(parts, lo, mid);
  merge(left, merge_tree(parts, mid, hi));
  return left;
}

TEST(PropertyAttentionMerge, AnyOrderAndTreeAgree) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  // Causal prefill: early query rows are fully masked in the later blocks (no NaN may appear).
  const Shape shape{1, 4, 2, 24, 24, 16};
  const auto qkv = random_qkv(shape, seed);
  const Mask mask{MaskKind::causal};
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, 0.25);
  const std::vector<Partial> parts = block_partials(shape, qkv, mask, 6);

  Partial in_order = empty_partial(shape);
  for (const Partial& p : parts) merge(in_order, p);
  ASSERT_TRUE(test::all_finite(in_order.out));
  ASSERT_TRUE(test::all_finite(in_order.lse));
  EXPECT_LE(relative_error(in_order.out, ref.out), kFp32Tolerance);
  EXPECT_TRUE(test::lse_close(in_order.lse, ref.lse, kFp32Tolerance));

  const Partial tree = merge_tree(parts, 0, parts.size());
  EXPECT_LE(relative_error(tree.out, in_order.out), kMergeOrderTolerance);
  EXPECT_TRUE(test::lse_close(tree.lse, in_order.lse, kMergeOrderTolerance));

  std::vector<std::size_t> order(parts.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng = Rng::for_block(seed, 11, 0);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(order.begin(), order.end(), rng);
    Partial shuffled = empty_partial(shape);
    for (std::size_t i : order) merge(shuffled, parts[i]);
    EXPECT_LE(relative_error(shuffled.out, in_order.out), kMergeOrderTolerance) << "trial " << trial;
    EXPECT_TRUE(test::lse_close(shuffled.lse, in_order.lse, kMergeOrderTolerance)) << "trial " << trial;
  }
}

TEST(PropertyAttentionMerge, Fp64BlocksMergeToTheTwoPassOracle) {
  // fp64 online softmax + merge vs the fp64 two-pass oracle: only rounding differs (1e-12).
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{1, 4, 1, 9, 40, 16};
  const auto qkv = random_qkv(shape, seed);
  const Mask mask{MaskKind::window, 0, 12, true};
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, 0.25);
  Reference merged = partial_attention_fp64(shape, qkv.q, qkv.k, qkv.v, KeyRange{0, 0}, mask, 0.25);
  for (std::int64_t s = 0; s < 5; ++s) {
    const detail::KeyChunk c = detail::split_chunk(shape.kv_len, s, 5, 1);
    merge(merged, partial_attention_fp64(shape, qkv.q, qkv.k, qkv.v, KeyRange{c.begin, c.end}, mask, 0.25));
  }
  EXPECT_LE(relative_error(merged.out, ref.out), 1e-12);
  EXPECT_TRUE(test::lse_close(merged.lse, ref.lse, 1e-12));
}

TEST(PropertyAttentionSplitK, MatchesFp64ReferenceForEverySplitCount) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 8, 2, 1, 150, 32};  // decode, group of 4
  const auto qkv = random_qkv(shape, seed);
  const Mask decode{MaskKind::causal, 0, 0, true};
  const double scale = default_scale(shape.head_dim);
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, decode, scale);
  for (std::int64_t splits : {1, 2, 3, 8, 20}) {  // 20 chunks of 16 keys: 10 are empty
    for (std::int64_t granule : {1, 16}) {
      const Partial got = split_k_attention(shape, qkv.q, qkv.k, qkv.v, decode, static_cast<float>(scale),
                                            SplitOptions{splits, granule});
      EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance) << "splits " << splits << " granule " << granule;
      EXPECT_TRUE(test::lse_close(got.lse, ref.lse, kFp32Tolerance)) << "splits " << splits;
    }
  }
}

TEST(PropertyAttentionSplitK, SlidingWindowPrefillWithSplits) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{1, 2, 2, 30, 30, 16};
  const auto qkv = random_qkv(shape, seed);
  const Mask window{MaskKind::window, 0, 5, false};  // every row is fully masked in most chunks
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, window, 0.25);
  const Partial got = split_k_attention(shape, qkv.q, qkv.k, qkv.v, window, 0.25f, SplitOptions{6, 1});
  ASSERT_TRUE(test::all_finite(got.out));
  EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance);
  EXPECT_TRUE(test::lse_close(got.lse, ref.lse, kFp32Tolerance));
}

}  // namespace
}  // namespace paperkit::attention
