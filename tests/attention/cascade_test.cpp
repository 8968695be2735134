// Cascade decoding over a shared prefix equals attention over each request's concatenated KV
// (prefix then suffix) within the fp32 tolerance 1e-5 relative of the fp64 oracle.
#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "paperkit/common/errors.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_tensor;

void check_cascade(const Mask& mask, std::int64_t q_len) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::int64_t requests = 3, q_heads = 4, kv_heads = 2, prefix = 37, suffix = 11, d = 16;
  const Shape own{requests, q_heads, kv_heads, q_len, suffix, d};
  const auto q = random_tensor(own.q_elements(), seed, 0, 2.0);
  const auto prefix_k = random_tensor(static_cast<std::size_t>(kv_heads * prefix * d), seed, 1, 1.0);
  const auto prefix_v = random_tensor(prefix_k.size(), seed, 2, 1.0);
  const auto suffix_k = random_tensor(own.kv_elements(), seed, 3, 1.0);
  const auto suffix_v = random_tensor(own.kv_elements(), seed, 4, 1.0);
  const Partial got = cascade_attention(own, prefix, q, prefix_k, prefix_v, suffix_k, suffix_v, mask, 0.25f);

  // The oracle sees each request's KV written out in full: prefix then suffix.
  const Shape full{requests, q_heads, kv_heads, q_len, prefix + suffix, d};
  std::vector<float> k, v;
  for (std::int64_t b = 0; b < requests; ++b) {
    for (std::int64_t hk = 0; hk < kv_heads; ++hk) {
      const auto p0 = static_cast<std::ptrdiff_t>(hk * prefix * d);
      const auto s0 = static_cast<std::ptrdiff_t>((b * kv_heads + hk) * suffix * d);
      k.insert(k.end(), prefix_k.begin() + p0, prefix_k.begin() + p0 + prefix * d);
      k.insert(k.end(), suffix_k.begin() + s0, suffix_k.begin() + s0 + suffix * d);
      v.insert(v.end(), prefix_v.begin() + p0, prefix_v.begin() + p0 + prefix * d);
      v.insert(v.end(), suffix_v.begin() + s0, suffix_v.begin() + s0 + suffix * d);
    }
  }
  const Reference ref = reference_attention(full, q, k, v, mask, 0.25);
  EXPECT_LE(test::relative_error(got.out, ref.out), 1e-5);
  EXPECT_TRUE(test::lse_close(got.lse, ref.lse, 1e-5));
}

TEST(UnitAttentionCascade, DecodeEqualsConcatenatedKv) {
  check_cascade(Mask{MaskKind::causal, 0, 0, true}, 1);
}

TEST(UnitAttentionCascade, CausalRowsAndWindowEqualConcatenatedKv) {
  check_cascade(Mask{MaskKind::causal, 0, 0, true}, 5);
  check_cascade(Mask{MaskKind::window, 0, 8, true}, 4);  // the window never reaches the prefix
  check_cascade(Mask{}, 2);
}

TEST(UnitAttentionCascade, RejectsBadPrefix) {
  const Shape own{1, 1, 1, 1, 4, 4};
  const std::vector<float> q(4), kv(16), prefix(8);
  EXPECT_THROW(cascade_attention(own, 0, q, prefix, prefix, kv, kv, Mask{}, 1.0f), InvalidParameter);
  EXPECT_THROW(cascade_attention(own, 3, q, prefix, prefix, kv, kv, Mask{}, 1.0f), InputError);
}

}  // namespace
}  // namespace paperkit::attention
