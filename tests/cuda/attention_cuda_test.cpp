// paperkit::attention_cuda on a real device (suites CudaAttention*, label cuda): every kernel and
// layout against the fp64 oracle (relative error <= 1e-5, max-norm, fp32 accumulation), merge
// order independence, empty blocks, fully masked rows without NaN. Outputs are poisoned (NaN) on
// the device before each launch, so an element no kernel wrote fails all_finite. Every test skips
// where no CUDA device is usable; CudaAttentionSmall* are the cheap cases that
// tools/gpu-check.sh also runs under compute-sanitizer memcheck.
// UnitAttentionGpu* runs everywhere: the host-side checks that precede any device call.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "../attention/attention_test_support.hpp"
#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/detail/lse_merge.hpp"
#include "paperkit/attention/gpu.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::all_finite;
using test::lse_close;
using test::random_qkv;
using test::relative_error;

constexpr double kTol = 1e-5;

#define REQUIRE_GPU() \
  if (!gpu_available()) GTEST_SKIP() << "no CUDA device"

Mask causal(std::int64_t offset = 0, bool align = true) {
  return Mask{MaskKind::causal, offset, 0, align};
}
Mask window(std::int64_t w, bool align = true) {
  return Mask{MaskKind::window, 0, w, align};
}

// Checks (out, lse) of a GPU result against the fp64 oracle over the same keys.
void expect_matches(const Partial& got, const Reference& ref, const char* what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.out.size(), ref.out.size());
  EXPECT_TRUE(all_finite(got.out)) << "an output element is NaN/inf (unwritten or bad math)";
  EXPECT_LE(relative_error(got.out, ref.out), kTol);
  EXPECT_TRUE(lse_close(got.lse, ref.lse, kTol));
}

const GpuKernel kKernels[] = {GpuKernel::automatic, GpuKernel::generic};

TEST(CudaAttentionSmall, DeviceName) {
  REQUIRE_GPU();
  EXPECT_FALSE(gpu_device_name().empty());
}

TEST(CudaAttentionSmall, SplitKMatchesFp64AcrossShapesMasksAndKernels) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 700;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::vector<Shape> shapes = {
      {1, 1, 1, 1, 1, 64},    {2, 8, 2, 1, 300, 128}, {1, 4, 4, 3, 129, 64}, {2, 6, 3, 2, 77, 128},
      {1, 2, 1, 1, 513, 48},  {1, 2, 2, 2, 40, 200},  {3, 16, 1, 1, 64, 64}, {1, 32, 2, 1, 100, 128},
      {1, 4, 1, 5, 257, 128}, {2, 2, 2, 1, 31, 1},
  };
  const std::vector<Mask> masks = {Mask{}, causal(), window(17), causal(-3, false), window(5, false)};
  for (const Shape& shape : shapes) {
    const auto qkv = random_qkv(shape, seed + static_cast<std::uint64_t>(shape.kv_len));
    const float scale = static_cast<float>(default_scale(shape.head_dim));
    for (const Mask& mask : masks) {
      const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale);
      for (GpuKernel kernel : kKernels) {
        for (std::int64_t splits : {0, 1, 3, 64}) {
          GpuOptions options;
          options.num_splits = splits;
          options.granule = 16;
          options.kernel = kernel;
          SCOPED_TRACE(::testing::Message() << "shape b=" << shape.batch << " hq=" << shape.q_heads << " hkv="
                                            << shape.kv_heads << " m=" << shape.q_len << " n=" << shape.kv_len
                                            << " d=" << shape.head_dim << " mask=" << static_cast<int>(mask.kind)
                                            << " splits=" << splits << " kernel=" << static_cast<int>(kernel));
          expect_matches(split_k_attention_gpu(shape, qkv.q, qkv.k, qkv.v, mask, scale, options), ref, "split-k");
        }
      }
    }
  }
}

TEST(UnitAttentionGpuValidation, TiledKernelIsChosenWhereItApplies) {
  EXPECT_TRUE(tiled_kernel_applies(Shape{16, 32, 8, 1, 32768, 128}));
  EXPECT_TRUE(tiled_kernel_applies(Shape{1, 16, 1, 1, 10, 64}));
  EXPECT_FALSE(tiled_kernel_applies(Shape{1, 32, 1, 1, 10, 64}));  // 32 rows
  EXPECT_FALSE(tiled_kernel_applies(Shape{1, 8, 8, 1, 10, 96}));
}

TEST(CudaAttentionSmall, PartialOverKeyRangesAndEmptyBlocks) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 701;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 4, 2, 2, 200, 128};
  const auto qkv = random_qkv(shape, seed);
  const float scale = static_cast<float>(default_scale(shape.head_dim));
  for (const Mask& mask : {Mask{}, causal(), window(9)}) {
    for (KeyRange range : {KeyRange{0, 200}, KeyRange{37, 150}, KeyRange{199, 200}, KeyRange{50, 50}}) {
      for (GpuKernel kernel : kKernels) {
        GpuOptions options;
        options.kernel = kernel;
        options.granule = 16;
        const Partial got = partial_attention_gpu(shape, qkv.q, qkv.k, qkv.v, range, mask, scale, options);
        const Reference ref = partial_attention_fp64(shape, qkv.q, qkv.k, qkv.v, range, mask, scale);
        expect_matches(got, ref, "partial over a key range");
      }
    }
  }
  // An empty range is the identity of merge: O = 0, lse = -inf on every row.
  const Partial empty = partial_attention_gpu(shape, qkv.q, qkv.k, qkv.v, KeyRange{10, 10}, Mask{}, scale);
  EXPECT_TRUE(std::all_of(empty.out.begin(), empty.out.end(), [](float x) { return x == 0.0f; }));
  EXPECT_TRUE(std::all_of(empty.lse.begin(), empty.lse.end(), [](float x) { return std::isinf(x) && x < 0; }));
}

TEST(CudaAttentionSmall, FullyMaskedRowsGiveZeroAndMinusInfinity) {
  REQUIRE_GPU();
  const Shape shape{1, 4, 2, 4, 64, 64};
  const auto qkv = random_qkv(shape, paperkit::test::base_seed() + 702);
  // Causal with offset -2, not aligned: rows 0 and 1 see no key at all.
  const Mask mask = causal(-2, false);
  const float scale = 0.125f;
  for (GpuKernel kernel : kKernels) {
    GpuOptions options;
    options.kernel = kernel;
    options.num_splits = 4;
    options.granule = 16;
    const Partial got = split_k_attention_gpu(shape, qkv.q, qkv.k, qkv.v, mask, scale, options);
    expect_matches(got, reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale), "masked rows");
    EXPECT_TRUE(std::isinf(got.lse[0]) && got.lse[0] < 0);
    EXPECT_TRUE(std::isinf(got.lse[1]) && got.lse[1] < 0);
    EXPECT_EQ(got.out[0], 0.0f);
  }
}

TEST(CudaAttentionSmall, PagedEqualsFp64WithRaggedLengths) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 703;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (const Shape& shape : {Shape{3, 8, 2, 1, 300, 128}, Shape{2, 4, 4, 2, 97, 64}, Shape{2, 2, 1, 1, 50, 40}}) {
    const auto qkv = random_qkv(shape, seed + static_cast<std::uint64_t>(shape.head_dim));
    const float scale = static_cast<float>(default_scale(shape.head_dim));
    std::vector<std::int64_t> lens(static_cast<std::size_t>(shape.batch));
    for (std::size_t b = 0; b < lens.size(); ++b) lens[b] = shape.kv_len - static_cast<std::int64_t>(b * 13 % 41);
    for (std::int64_t page_size : {16, 5}) {
      const PagedStorage paged = to_paged(shape, qkv.k, qkv.v, lens, page_size, seed);
      for (const Mask& mask : {Mask{}, causal(), window(20)}) {
        // The fp64 oracle per sequence, over its own length.
        Reference ref;
        ref.out.assign(shape.q_elements(), 0.0);
        ref.lse.assign(shape.lse_elements(), 0.0);
        for (std::int64_t b = 0; b < shape.batch; ++b) {
          Shape one = shape;
          one.batch = 1;
          const std::size_t qn = one.q_elements(), kn = one.kv_elements();
          std::vector<float> q1(qkv.q.begin() + static_cast<std::ptrdiff_t>(b * qn),
                                qkv.q.begin() + static_cast<std::ptrdiff_t>((b + 1) * qn));
          std::vector<float> k1(qkv.k.begin() + static_cast<std::ptrdiff_t>(b * kn),
                                qkv.k.begin() + static_cast<std::ptrdiff_t>((b + 1) * kn));
          std::vector<float> v1(qkv.v.begin() + static_cast<std::ptrdiff_t>(b * kn),
                                qkv.v.begin() + static_cast<std::ptrdiff_t>((b + 1) * kn));
          // Trim each (kv head) to the sequence's length.
          one.kv_len = lens[static_cast<std::size_t>(b)];
          std::vector<float> kt, vt;
          for (std::int64_t h = 0; h < shape.kv_heads; ++h) {
            const auto from = static_cast<std::ptrdiff_t>(h * shape.kv_len * shape.head_dim);
            const auto count = static_cast<std::ptrdiff_t>(one.kv_len * shape.head_dim);
            kt.insert(kt.end(), k1.begin() + from, k1.begin() + from + count);
            vt.insert(vt.end(), v1.begin() + from, v1.begin() + from + count);
          }
          const Reference r = reference_attention(one, q1, kt, vt, mask, scale);
          std::copy(r.out.begin(), r.out.end(), ref.out.begin() + static_cast<std::ptrdiff_t>(b * qn));
          std::copy(r.lse.begin(), r.lse.end(), ref.lse.begin() + static_cast<std::ptrdiff_t>(b * one.lse_elements()));
        }
        for (GpuKernel kernel : kKernels) {
          GpuOptions options;
          options.kernel = kernel;
          options.granule = 16;
          for (std::int64_t splits : {0, 1, 7}) {
            options.num_splits = splits;
            expect_matches(split_k_attention_paged_gpu(shape, qkv.q, paged.view(), mask, scale, options), ref, "paged");
          }
        }
      }
    }
  }
}

TEST(CudaAttentionSmall, CascadeEqualsAttentionOverTheConcatenatedCache) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 704;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  // batch * group * q_len = 4 * 2 * 1 fits one CTA (the folded prefix pass); the second does not.
  for (const Shape& shape : {Shape{4, 4, 2, 1, 33, 128}, Shape{3, 8, 2, 2, 20, 64}}) {
    const std::int64_t prefix_len = 150;
    const float scale = static_cast<float>(default_scale(shape.head_dim));
    Shape prefix_shape = shape;
    prefix_shape.batch = 1;
    prefix_shape.kv_len = prefix_len;
    const auto qkv = random_qkv(shape, seed);
    const auto prefix = random_qkv(prefix_shape, seed + 1);
    // The oracle: each request's concatenated KV [prefix | suffix].
    Shape full = shape;
    full.kv_len = prefix_len + shape.kv_len;
    std::vector<float> k(full.kv_elements()), v(full.kv_elements());
    const std::int64_t d = shape.head_dim;
    for (std::int64_t b = 0; b < shape.batch; ++b) {
      for (std::int64_t h = 0; h < shape.kv_heads; ++h) {
        for (std::int64_t j = 0; j < full.kv_len; ++j) {
          const bool in_prefix = j < prefix_len;
          const std::size_t src =
              in_prefix ? static_cast<std::size_t>((h * prefix_len + j) * d)
                        : static_cast<std::size_t>(((b * shape.kv_heads + h) * shape.kv_len + (j - prefix_len)) * d);
          const std::size_t dst = static_cast<std::size_t>(((b * shape.kv_heads + h) * full.kv_len + j) * d);
          for (std::int64_t c = 0; c < d; ++c) {
            k[dst + c] = in_prefix ? prefix.k[src + c] : qkv.k[src + c];
            v[dst + c] = in_prefix ? prefix.v[src + c] : qkv.v[src + c];
          }
        }
      }
    }
    for (const Mask& mask : {Mask{}, causal(), window(40)}) {
      const Reference ref = reference_attention(full, qkv.q, k, v, mask, scale);
      for (GpuKernel kernel : kKernels) {
        GpuOptions options;
        options.kernel = kernel;
        options.granule = 16;
        expect_matches(
            cascade_attention_gpu(shape, prefix_len, qkv.q, prefix.k, prefix.v, qkv.k, qkv.v, mask, scale, options),
            ref, "cascade");
      }
    }
  }
}

TEST(CudaAttentionSmall, ChunkedPrefillEqualsOneShotCausal) {
  REQUIRE_GPU();
  // Sarathi: queries [p, p + C) against keys [0, p + C), causal with delta = p.
  const std::uint64_t seed = paperkit::test::base_seed() + 705;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const std::int64_t prompt = 96, chunk = 32;
  const Shape full{1, 4, 2, prompt, prompt, 64};
  const auto qkv = random_qkv(full, seed);
  const float scale = 0.125f;
  const Reference ref = reference_attention(full, qkv.q, qkv.k, qkv.v, causal(0, false), scale);
  for (std::int64_t p = 0; p < prompt; p += chunk) {
    Shape part = full;
    part.q_len = chunk;
    std::vector<float> q(part.q_elements());
    for (std::int64_t h = 0; h < full.q_heads; ++h) {
      std::copy_n(qkv.q.begin() + static_cast<std::ptrdiff_t>((h * prompt + p) * full.head_dim), chunk * full.head_dim,
                  q.begin() + static_cast<std::ptrdiff_t>(h * chunk * full.head_dim));
    }
    const Partial got = partial_attention_gpu(part, q, qkv.k, qkv.v, KeyRange{0, p + chunk}, causal(p, false), scale);
    ASSERT_TRUE(all_finite(got.out));
    for (std::int64_t h = 0; h < full.q_heads; ++h) {
      std::vector<double> want(ref.out.begin() + static_cast<std::ptrdiff_t>((h * prompt + p) * full.head_dim),
                               ref.out.begin() + static_cast<std::ptrdiff_t>((h * prompt + p + chunk) * full.head_dim));
      std::vector<float> have(got.out.begin() + static_cast<std::ptrdiff_t>(h * chunk * full.head_dim),
                              got.out.begin() + static_cast<std::ptrdiff_t>((h + 1) * chunk * full.head_dim));
      EXPECT_LE(relative_error(have, want), kTol) << "chunk at " << p << " head " << h;
    }
  }
}

TEST(CudaAttentionSmall, MergeIsOrderIndependentAndEmptyIsIdentity) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 706;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  const Shape shape{2, 4, 2, 3, 240, 64};
  const auto qkv = random_qkv(shape, seed);
  const float scale = 0.125f;
  std::vector<Partial> parts;
  for (std::int64_t begin = 0; begin < shape.kv_len; begin += 48) {
    parts.push_back(partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{begin, begin + 48}, causal(), scale));
  }
  parts.push_back(empty_partial(shape));
  const Partial in_order = merge_partials_gpu(shape, parts);
  expect_matches(in_order, reference_attention(shape, qkv.q, qkv.k, qkv.v, causal(), scale), "merge in order");
  Rng rng(seed);
  for (int trial = 0; trial < 5; ++trial) {
    for (std::size_t i = parts.size(); i > 1; --i) std::swap(parts[i - 1], parts[rng.uniform_below(i)]);
    const Partial shuffled = merge_partials_gpu(shape, parts);
    EXPECT_LE(relative_error(shuffled.out, in_order.out), 2e-6);  // spec oracle 8
    EXPECT_TRUE(lse_close(shuffled.lse, in_order.lse, 2e-6));
  }
  const std::vector<Partial> only_empty = {empty_partial(shape), empty_partial(shape)};
  const Partial nothing = merge_partials_gpu(shape, only_empty);
  EXPECT_TRUE(all_finite(nothing.out));
  EXPECT_TRUE(std::all_of(nothing.lse.begin(), nothing.lse.end(), [](float x) { return std::isinf(x) && x < 0; }));
}

TEST(CudaAttention, LongContextDecodeMatchesFp64) {
  REQUIRE_GPU();
  const std::uint64_t seed = paperkit::test::base_seed() + 707;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (const Shape& shape : {Shape{2, 32, 8, 1, 8192, 128}, Shape{1, 16, 1, 1, 20000, 64}}) {
    const auto qkv = random_qkv(shape, seed);
    const float scale = static_cast<float>(default_scale(shape.head_dim));
    const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, causal(), scale);
    for (GpuKernel kernel : {GpuKernel::tiled, GpuKernel::generic}) {
      GpuOptions options;
      options.kernel = kernel;
      expect_matches(split_k_attention_gpu(shape, qkv.q, qkv.k, qkv.v, causal(), scale, options), ref, "long decode");
    }
  }
}

// The kernels' softmax math, run on the CPU (no GPU needed): the generic kernel's per-key
// softmax_step and the tiled kernel's per-tile softmax_rescale + tile_weight must give what
// row_add / row_finish give (the CPU path), including masked keys and fully masked tiles.
TEST(UnitAttentionGpuMath, TiledAndPerKeySoftmaxMatchRowAdd) {
  const std::uint64_t seed = paperkit::test::base_seed() + 710;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  constexpr int kD = 8;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + static_cast<int>(rng.uniform_below(200));
    const int tile = 1 + static_cast<int>(rng.uniform_below(40));
    const double masked = rng.uniform01();  // fraction of keys masked, up to all of them
    std::vector<float> score(static_cast<std::size_t>(n)), v(static_cast<std::size_t>(n * kD));
    for (int j = 0; j < n; ++j) {
      score[j] = rng.uniform01() < masked ? -INFINITY : static_cast<float>(20.0 * rng.uniform01() - 10.0);
      for (int c = 0; c < kD; ++c) v[j * kD + c] = static_cast<float>(2.0 * rng.uniform01() - 1.0);
    }
    // The CPU path.
    detail::RowState<float> ref_state;
    float ref[kD];
    detail::row_init(ref_state, ref, kD);
    for (int j = 0; j < n; ++j) detail::row_add(ref_state, ref, score[j], &v[j * kD], kD);
    const float ref_lse = detail::row_finish(ref_state, ref, kD);
    // Per key (generic kernel).
    detail::RowState<float> st{-INFINITY, 0.0f};
    float acc[kD] = {};
    for (int j = 0; j < n; ++j) {
      const auto w = detail::softmax_step(st, score[j]);
      for (int c = 0; c < kD; ++c) acc[c] = w.alpha * acc[c] + w.p * v[j * kD + c];
    }
    for (int c = 0; c < kD; ++c) EXPECT_EQ(acc[c] * detail::row_normalizer(st), ref[c]);
    EXPECT_EQ(detail::row_lse(st), ref_lse);
    // Per tile (tiled kernel).
    detail::RowState<float> ts{-INFINITY, 0.0f};
    float tacc[kD] = {};
    for (int first = 0; first < n; first += tile) {
      const int last = std::min(n, first + tile);
      float tile_max = -INFINITY;
      for (int j = first; j < last; ++j) tile_max = std::max(tile_max, score[j]);
      const float alpha = detail::softmax_rescale(ts, tile_max);
      float sum = 0.0f;
      for (int c = 0; c < kD; ++c) tacc[c] *= alpha;
      for (int j = first; j < last; ++j) {
        const float w = detail::tile_weight(ts, score[j]);
        sum += w;
        for (int c = 0; c < kD; ++c) tacc[c] += w * v[j * kD + c];
      }
      ts.sum_exp += sum;
    }
    const float tlse = detail::row_lse(ts);
    if (std::isinf(ref_lse)) {
      EXPECT_TRUE(std::isinf(tlse) && tlse < 0);
      for (int c = 0; c < kD; ++c) EXPECT_EQ(tacc[c] * detail::row_normalizer(ts), 0.0f);
    } else {
      EXPECT_NEAR(tlse, ref_lse, 1e-5 * std::max(1.0f, std::abs(ref_lse)));
      for (int c = 0; c < kD; ++c) EXPECT_NEAR(tacc[c] * detail::row_normalizer(ts), ref[c], 1e-5);
    }
  }
}

TEST(UnitAttentionGpuValidation, BadInputIsRejectedBeforeAnyDeviceCall) {
  const Shape shape{1, 4, 2, 1, 16, 64};
  std::vector<float> q(shape.q_elements()), kv(shape.kv_elements());
  Shape bad = shape;
  bad.q_heads = 3;  // not a multiple of kv_heads
  EXPECT_THROW(split_k_attention_gpu(bad, q, kv, kv, Mask{}, 1.0f), InvalidParameter);
  bad = shape;
  bad.kv_len = 0;
  EXPECT_THROW(split_k_attention_gpu(bad, q, kv, kv, Mask{}, 1.0f), InvalidParameter);
  EXPECT_THROW(split_k_attention_gpu(shape, q, std::vector<float>(3), kv, Mask{}, 1.0f), InputError);
  EXPECT_THROW(partial_attention_gpu(shape, q, kv, kv, KeyRange{5, 3}, Mask{}, 1.0f), InvalidParameter);
  EXPECT_THROW(split_k_attention_gpu(shape, q, kv, kv, Mask{MaskKind::window, 0, 0, true}, 1.0f), InvalidParameter);
  GpuOptions tiled;
  tiled.kernel = GpuKernel::tiled;
  Shape odd = shape;
  odd.head_dim = 96;
  std::vector<float> q96(odd.q_elements()), kv96(odd.kv_elements());
  EXPECT_THROW(split_k_attention_gpu(odd, q96, kv96, kv96, Mask{}, 1.0f, tiled), InvalidParameter);
  Shape huge = shape;
  huge.head_dim = 512;
  std::vector<float> q512(huge.q_elements()), kv512(huge.kv_elements());
  EXPECT_THROW(split_k_attention_gpu(huge, q512, kv512, kv512, Mask{}, 1.0f), InvalidParameter);
  GpuOptions negative;
  negative.num_splits = -1;
  if (gpu_available()) {
    EXPECT_THROW(split_k_attention_gpu(shape, q, kv, kv, Mask{}, 1.0f, negative), InvalidParameter);
  }
  // Page table entries out of range: InputError naming the entry.
  PagedStorage paged = to_paged(shape, kv, kv, std::vector<std::int64_t>{16}, 16, 1);
  paged.block_table[0] = 7;
  EXPECT_THROW(split_k_attention_paged_gpu(shape, q, paged.view(), Mask{}, 1.0f), InputError);
  EXPECT_THROW(merge_partials_gpu(shape, std::span<const Partial>{}), InvalidParameter);
}

TEST(UnitAttentionGpuValidation, AutoSplitsFollowSpecB2) {
  // ceil(2 * 132 / (16 * 8)) = 3 on an H100 for the spec's worked example.
  EXPECT_EQ(auto_num_splits(Shape{16, 32, 8, 1, 32768, 128}, 32768, 128, 132), 3);
  EXPECT_EQ(auto_num_splits(Shape{1, 32, 8, 1, 32768, 128}, 32768, 128, 132), 33);
  EXPECT_EQ(auto_num_splits(Shape{1, 32, 8, 1, 200, 128}, 200, 128, 132), 2);  // at most one per granule
  EXPECT_EQ(auto_num_splits(Shape{64, 32, 8, 1, 8, 128}, 8, 128, 132), 1);
}

}  // namespace
}  // namespace paperkit::attention
