// The tiled fp32 loop (algorithms/attention/attention_internal.hpp): key tiles of 32, row blocks of
// 16 rows padded to quads of 4, lane-blocked dot products. Checked against the fp64 oracle (1e-5
// relative, max norm) at tile and lane boundaries, with masks that cut tiles, key ranges that do not
// start on a tile, GQA groups that fill several quads and blocks, and q_len > 1; and bit for bit
// against itself where a row's arithmetic must not depend on its neighbours (other rows of its
// quad or block, GQA grouping, chunked vs one-shot prefill, page size, thread count).
#include <omp.h>

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "paperkit/attention/bandwidth.hpp"
#include "paperkit/common/errors.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_qkv;
using test::relative_error;

constexpr double kFp32Tolerance = 1e-5;

void expect_matches_oracle(const Shape& shape, const Mask& mask, KeyRange range, std::uint64_t seed,
                           const std::string& what) {
  const auto qkv = random_qkv(shape, seed);
  const double scale = default_scale(shape.head_dim);
  const Reference ref = partial_attention_fp64(shape, qkv.q, qkv.k, qkv.v, range, mask, scale);
  const Partial got = partial_attention(shape, qkv.q, qkv.k, qkv.v, range, mask, static_cast<float>(scale));
  EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance) << what;
  EXPECT_TRUE(test::lse_close(got.lse, ref.lse, kFp32Tolerance)) << what;
  if (range.begin == 0 && range.end < 0) {  // the whole sequence: the independent two-pass oracle too
    const Reference full = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale);
    EXPECT_LE(relative_error(got.out, full.out), kFp32Tolerance) << what;
  }
}

TEST(PropertyAttentionTiles, KeyCountsAndHeadDimsAroundTileAndLaneBoundaries) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (std::int64_t kv_len : {1, 31, 32, 33, 64, 65, 97}) {
    for (std::int64_t d : {1, 15, 16, 17, 40, 128}) {
      const Shape shape{1, 4, 2, 2, kv_len, d};
      expect_matches_oracle(shape, Mask{}, KeyRange{}, seed,
                            "kv_len " + std::to_string(kv_len) + " d " + std::to_string(d));
      expect_matches_oracle(shape, Mask{MaskKind::causal, 0, 0, true}, KeyRange{}, seed + 1,
                            "causal kv_len " + std::to_string(kv_len) + " d " + std::to_string(d));
    }
  }
}

TEST(PropertyAttentionTiles, MasksAndRangesThatCutTiles) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 6, 2, 7, 150, 24};  // 21 rows per kv head: a full block of 16, then 5
  const Mask masks[] = {Mask{MaskKind::causal, 0, 0, true},   Mask{MaskKind::causal, 40, 0, false},
                        Mask{MaskKind::causal, -5, 0, false}, Mask{MaskKind::window, 0, 33, true},
                        Mask{MaskKind::window, 70, 5, false}, Mask{MaskKind::window, 0, 1, true}};
  const KeyRange ranges[] = {KeyRange{}, KeyRange{5, 77}, KeyRange{31, 33}, KeyRange{64, 150}, KeyRange{40, 40}};
  int index = 0;
  for (const Mask& mask : masks) {
    for (const KeyRange range : ranges) {
      expect_matches_oracle(shape, mask, range, seed + static_cast<std::uint64_t>(index),
                            "mask " + std::to_string(index / 5) + " range [" + std::to_string(range.begin) + ", " +
                                std::to_string(range.end) + ")");
      ++index;
    }
  }
}

TEST(PropertyAttentionTiles, GqaGroupsFillingSeveralQuadsAndBlocks) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (std::int64_t group : {1, 3, 4, 5, 8, 16, 20}) {
    for (std::int64_t q_len : {1, 3}) {
      const Shape shape{2, 2 * group, 2, q_len, 70, 32};
      expect_matches_oracle(shape, Mask{MaskKind::causal, 0, 0, true}, KeyRange{}, seed,
                            "group " + std::to_string(group) + " q_len " + std::to_string(q_len));
    }
  }
}

TEST(PropertyAttentionTiles, LongContextStaysWithinTolerance) {
  // 20000 keys: the two-level sums (within a tile, then across tiles) keep fp32 within 1e-5.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  expect_matches_oracle(Shape{1, 4, 1, 1, 20000, 16}, Mask{MaskKind::causal, 0, 0, true}, KeyRange{}, seed,
                        "20000 keys");
}

TEST(UnitAttentionTiles, RowsDoNotDependOnTheirNeighbours) {
  // Each row of a GQA group with q_len = 6 equals the same row computed alone (one head, one query,
  // causal offset = its position): bit for bit, whatever quad or block it shared.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::int64_t group = 5, q_len = 6, kv_len = 90, d = 20;
  const Shape shape{1, group, 1, q_len, kv_len, d};
  const auto qkv = random_qkv(shape, seed);
  const Mask mask{MaskKind::causal, kv_len - q_len, 0, false};
  const Partial all = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, mask, 0.3f);
  for (std::int64_t h = 0; h < group; ++h) {
    for (std::int64_t i = 0; i < q_len; ++i) {
      const auto row = static_cast<std::size_t>(h * q_len + i);
      const std::vector<float> q(qkv.q.begin() + static_cast<std::ptrdiff_t>(row * d),
                                 qkv.q.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
      const Shape one{1, 1, 1, 1, kv_len, d};
      const Partial alone = partial_attention(one, q, qkv.k, qkv.v, KeyRange{},
                                              Mask{MaskKind::causal, kv_len - q_len + i, 0, false}, 0.3f);
      const std::vector<float> slice(all.out.begin() + static_cast<std::ptrdiff_t>(row * d),
                                     all.out.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
      EXPECT_EQ(slice, alone.out) << "head " << h << " row " << i;
      EXPECT_EQ(all.lse[row], alone.lse[0]) << "head " << h << " row " << i;
    }
  }
}

TEST(UnitAttentionTiles, ChunkedPrefillEqualsOneShotBitForBit) {
  // Sarathi chunks [p, p + C) against keys [0, p + C) with causal delta = p reproduce one-shot
  // causal prefill exactly (what `paperkit-attention prefill` reports as max_abs_diff_vs_one_shot).
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::int64_t n = 75, d = 16, heads = 4, chunk = 20;
  const Shape full{1, heads, 2, n, n, d};
  const auto qkv = random_qkv(full, seed);
  const Partial one_shot = partial_attention(full, qkv.q, qkv.k, qkv.v, KeyRange{}, Mask{MaskKind::causal}, 0.25f);
  for (std::int64_t p = 0; p < n; p += chunk) {
    const std::int64_t c = std::min(chunk, n - p);
    Shape part = full;
    part.q_len = c;
    std::vector<float> q;
    for (std::int64_t h = 0; h < heads; ++h) {
      q.insert(q.end(), qkv.q.begin() + (h * n + p) * d, qkv.q.begin() + (h * n + p + c) * d);
    }
    const Partial got =
        partial_attention(part, q, qkv.k, qkv.v, KeyRange{0, p + c}, Mask{MaskKind::causal, p, 0, false}, 0.25f);
    for (std::int64_t h = 0; h < heads; ++h) {
      const std::vector<float> expected(one_shot.out.begin() + (h * n + p) * d,
                                        one_shot.out.begin() + (h * n + p + c) * d);
      const std::vector<float> chunk_rows(got.out.begin() + h * c * d, got.out.begin() + (h + 1) * c * d);
      EXPECT_EQ(chunk_rows, expected) << "chunk at " << p << " head " << h;
    }
  }
}

TEST(UnitAttentionTiles, PagedWithPagesOffTheTileGridEqualsContiguous) {
  // Page size 5 and 7: pages never line up with the 32-key tiles; head_dim 24 leaves a lane tail.
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 8, 2, 2, 101, 24};
  const auto qkv = random_qkv(shape, seed);
  const Mask decode{MaskKind::causal, 0, 0, true};
  for (std::int64_t page_size : {5, 7}) {
    const PagedStorage paged = to_paged(shape, qkv.k, qkv.v, std::vector<std::int64_t>{101, 101}, page_size, seed);
    for (std::int64_t splits : {1, 3}) {
      const SplitOptions options{splits, 1};
      const Partial contiguous = split_k_attention(shape, qkv.q, qkv.k, qkv.v, decode, 0.2f, options);
      const Partial through_table = split_k_attention_paged(shape, qkv.q, paged.view(), decode, 0.2f, options);
      EXPECT_EQ(contiguous.out, through_table.out) << "page " << page_size << " splits " << splits;
      EXPECT_EQ(contiguous.lse, through_table.lse) << "page " << page_size << " splits " << splits;
    }
  }
}

TEST(UnitAttentionTiles, ManyBlocksDoNotDependOnThreadCount) {
  const Shape shape{2, 12, 3, 9, 130, 40};  // 36 rows per kv head: three blocks each
  const auto qkv = random_qkv(shape, paperkit::test::base_seed());
  const Mask mask{MaskKind::window, 0, 45, true};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Partial one = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, mask, 0.2f);
  omp_set_num_threads(4);
  const Partial four = partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{}, mask, 0.2f);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.out, four.out);
  EXPECT_EQ(one.lse, four.lse);
}

TEST(UnitAttentionTiles, NanQueryLeavesTheOtherRowsOfItsQuadUnchanged) {
  // Head 1's query holds a NaN; heads 0, 2, 3 share its quad and must equal a run without it.
  const Shape shape{1, 4, 1, 1, 40, 8};
  const auto clean = random_qkv(shape, paperkit::test::base_seed());
  auto poisoned = clean;
  poisoned.q[8] = std::numeric_limits<float>::quiet_NaN();
  const Partial a = partial_attention(shape, clean.q, clean.k, clean.v, KeyRange{}, Mask{}, 0.3f);
  const Partial b = partial_attention(shape, poisoned.q, poisoned.k, poisoned.v, KeyRange{}, Mask{}, 0.3f);
  for (std::size_t i = 0; i < a.out.size(); ++i) {
    if (i / 8 == 1) continue;
    EXPECT_EQ(a.out[i], b.out[i]) << i;
  }
  EXPECT_EQ(a.lse[0], b.lse[0]);
  EXPECT_EQ(a.lse[2], b.lse[2]);
  EXPECT_EQ(a.lse[3], b.lse[3]);
}

TEST(UnitAttentionBandwidth, DecodeBytesAndMeasurementAreSane) {
  EXPECT_EQ(decode_kv_bytes(4, 8, 65536, 128), 2.0 * 4 * 8 * 65536 * 128 * 4);
  const Bandwidth bw = measure_bandwidth(2, std::size_t{2} << 20, 1);  // a small buffer: fast, cache-resident
  EXPECT_GT(bw.read_gbs, 0.0);
  EXPECT_GT(bw.copy_gbs, 0.0);
  EXPECT_GT(bw.read_gbs_cpu, 0.0);
  EXPECT_EQ(bw.bytes, std::size_t{2} << 20);
  EXPECT_EQ(bw.threads, 2);
  EXPECT_EQ(measure_bandwidth(1, 10, 1).bytes, std::size_t{1} << 20);  // at least 1 MiB
  EXPECT_THROW(measure_bandwidth(0), InvalidParameter);
  EXPECT_THROW(measure_bandwidth(1, std::size_t{1} << 20, 0), InvalidParameter);
}

}  // namespace
}  // namespace paperkit::attention
