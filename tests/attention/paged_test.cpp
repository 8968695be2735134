// Paged KV (block table, page size 16, spec B2): split-K through the block table equals the
// contiguous path bit for bit (same arithmetic, same order), for equal and per-sequence lengths,
// and matches the fp64 oracle within 1e-5 relative.
#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_qkv;

TEST(UnitAttentionPaged, EqualsContiguousBitForBit) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{3, 4, 2, 1, 70, 16};  // 70 tokens: the last page is partly used
  const auto qkv = random_qkv(shape, seed);
  const std::vector<std::int64_t> lens(3, shape.kv_len);
  const PagedStorage paged = to_paged(shape, qkv.k, qkv.v, lens, kDefaultPageSize, seed);
  const Mask decode{MaskKind::causal, 0, 0, true};
  for (std::int64_t splits : {1, 3, 8}) {
    const SplitOptions options{splits, 16};
    const Partial contiguous = split_k_attention(shape, qkv.q, qkv.k, qkv.v, decode, 0.25f, options);
    const Partial through_table = split_k_attention_paged(shape, qkv.q, paged.view(), decode, 0.25f, options);
    EXPECT_EQ(contiguous.out, through_table.out) << "splits " << splits;
    EXPECT_EQ(contiguous.lse, through_table.lse) << "splits " << splits;
  }
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, decode, 0.25);
  const Partial got = split_k_attention_paged(shape, qkv.q, paged.view(), decode, 0.25f, SplitOptions{4, 16});
  EXPECT_LE(test::relative_error(got.out, ref.out), 1e-5);
}

TEST(UnitAttentionPaged, PerSequenceLengthsEqualEachSequenceAlone) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{3, 2, 1, 2, 50, 8};  // two query rows per sequence (speculative decode)
  const auto qkv = random_qkv(shape, seed);
  const std::vector<std::int64_t> lens{50, 1, 33};
  const PagedStorage paged = to_paged(shape, qkv.k, qkv.v, lens, kDefaultPageSize, seed + 1);
  EXPECT_EQ(paged.num_pages, 4 + 1 + 3);
  const Mask decode{MaskKind::causal, 0, 0, true};
  const SplitOptions options{3, 16};
  const Partial all = split_k_attention_paged(shape, qkv.q, paged.view(), decode, 0.3f, options);
  for (std::int64_t b = 0; b < 3; ++b) {
    const auto len = lens[static_cast<std::size_t>(b)];
    const Shape one{1, 2, 1, 2, len, 8};
    const std::size_t q_rows = one.q_elements();
    const std::vector<float> q(qkv.q.begin() + static_cast<std::ptrdiff_t>(b * q_rows),
                               qkv.q.begin() + static_cast<std::ptrdiff_t>((b + 1) * q_rows));
    const auto kv_begin = static_cast<std::ptrdiff_t>(b * 50 * 8);
    const std::vector<float> k(qkv.k.begin() + kv_begin, qkv.k.begin() + kv_begin + len * 8);
    const std::vector<float> v(qkv.v.begin() + kv_begin, qkv.v.begin() + kv_begin + len * 8);
    const Partial alone = split_k_attention(one, q, k, v, decode, 0.3f, options);
    const std::vector<float> slice(all.out.begin() + static_cast<std::ptrdiff_t>(b * q_rows),
                                   all.out.begin() + static_cast<std::ptrdiff_t>((b + 1) * q_rows));
    EXPECT_EQ(alone.out, slice) << "sequence " << b;
    const Reference ref = reference_attention(one, q, k, v, decode, 0.3);
    EXPECT_LE(test::relative_error(slice, ref.out), 1e-5) << "sequence " << b;
  }
}

TEST(UnitAttentionPaged, PagesAreScatteredThroughTheTable) {
  const Shape shape{2, 1, 1, 1, 64, 4};
  const auto qkv = random_qkv(shape, 3);
  const PagedStorage paged = to_paged(shape, qkv.k, qkv.v, std::vector<std::int64_t>{64, 64}, 16, 3);
  std::vector<std::int32_t> sorted = paged.block_table;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], static_cast<std::int32_t>(i));
  EXPECT_NE(sorted, paged.block_table) << "the seeded shuffle should not leave pages in order";
}

}  // namespace
}  // namespace paperkit::attention
