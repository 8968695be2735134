// paperkit::attention on a CUDA GPU (library paperkit::attention_cuda, built where nvcc exists).
//
// The same operations as attention.hpp, computed on the current device from host arrays (upload,
// kernels, download), with the same layouts, masks and fp32 accumulation. Two kernels:
//   tiled   split-K decode (flash-decoding, spec B2): one CTA per (split, kv head, sequence) reads
//           its key chunk once through shared memory (cp.async, two stages) for all query rows of
//           the GQA group; head_dim 64 or 128 and group * q_len <= 16;
//   generic one warp per query row, any head_dim <= 256 and any q_len (prefill, cascade passes).
// Both write per-split (O, lse) partials that a merge kernel combines in split order with
// detail::merge_into, the function the CPU path calls. Every result matches the fp64 oracle
// within 1e-5 relative (max-norm; tests/cuda/attention_cuda_test.cpp).
// This header carries no CUDA types, so callers compile it with any C++20 compiler.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "paperkit/attention/attention.hpp"

namespace paperkit::attention {

// True iff a CUDA device is present and can run this library's kernels. Never throws.
bool gpu_available() noexcept;

// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 50 MB L2)"; throws BackendUnavailable without a device.
std::string gpu_device_name();

enum class GpuKernel { automatic, tiled, generic };

struct GpuOptions {
  std::int64_t num_splits = 0;              // 0: spec B2's ceil(2 * SMs / (batch * kv_heads)), at most one per granule
  std::int64_t granule = 128;               // chunk sizes are rounded up to a multiple of this (spec B2)
  GpuKernel kernel = GpuKernel::automatic;  // tiled where it applies, else generic
};

// Spec B2's split count for `sms` multiprocessors, capped so that no chunk is smaller than one
// granule: max(1, min(ceil(2 sms / (batch kv_heads)), ceil(kv_len / granule))).
std::int64_t auto_num_splits(const Shape& shape, std::int64_t kv_len, std::int64_t granule, std::int64_t sms);

// Whether the tiled decode kernel handles this shape (head_dim 64 or 128, group * q_len <= 16).
bool tiled_kernel_applies(const Shape& shape);

// Errors, in this order: the CPU functions' InvalidParameter / InputError for bad shapes, masks,
// sizes and page tables (checked on the host before any device call); InvalidParameter for
// head_dim > 256 or an explicitly requested kernel that does not apply; BackendUnavailable when
// no device is usable (or device memory runs out); InternalError for any other CUDA failure.

// Attention over keys [range.begin, range.end) of every sequence (the partial of spec B1).
Partial partial_attention_gpu(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, KeyRange range, const Mask& mask, float scale,
                              const GpuOptions& options = {});

// Split-K decode over the contiguous layout, then the merge kernel.
Partial split_k_attention_gpu(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, const Mask& mask, float scale, const GpuOptions& options = {});

// Split-K decode over a paged cache (block table, any page size; vLLM uses 16).
Partial split_k_attention_paged_gpu(const Shape& shape, std::span<const float> q, const PagedKv& kv, const Mask& mask,
                                    float scale, const GpuOptions& options = {});

// Cascade decoding over a shared prefix, as cascade_attention: one pass of every request's
// queries over the prefix KV (stored once), one over each request's suffix, merged on the device.
Partial cascade_attention_gpu(const Shape& shape, std::int64_t prefix_len, std::span<const float> q,
                              std::span<const float> prefix_k, std::span<const float> prefix_v,
                              std::span<const float> suffix_k, std::span<const float> suffix_v, const Mask& mask,
                              float scale, const GpuOptions& options = {});

// Merges the partials in the given order with the merge kernel (all of one shape); an empty list
// is an error. Exposed so tests can check order independence on the device.
Partial merge_partials_gpu(const Shape& shape, std::span<const Partial> parts);

// ---- benchmarks ------------------------------------------------------------------------------

// Device-to-device copy bandwidth: cudaMemcpyAsync of `bytes`, median of `reps` timed copies,
// counting bytes read plus bytes written (the ceiling for memory-bound kernels).
double gpu_copy_bandwidth_gbs(std::size_t bytes, int reps = 10);

struct DecodeBenchConfig {
  Shape shape{16, 32, 8, 1, 32768, 128};
  bool paged = false;
  std::int64_t page_size = kDefaultPageSize;
  GpuOptions options;
  Mask mask{};  // decode: none, or causal aligned to the end (the same work)
  int warmup = 20;
  int reps = 100;
  std::uint64_t seed = 1;
  // Input sets rotated between replays so repeated runs do not hit in L2: enough sets that
  // together they exceed 3x the device's L2 (at least 2, at most 8).
};

struct DecodeBenchResult {
  std::string kernel;  // "tiled" or "generic"
  std::int64_t num_splits = 0;
  int sets = 0;
  double median_ms = 0, q1_ms = 0, q3_ms = 0;  // one CUDA-graph replay: split kernel + merge
  double repeat_median_ms = 0;                 // the same measurement taken a second time
  double bytes = 0;                            // K + V + Q + partials + O, each moved once
  double gbs = 0;                              // bytes / median
  double max_rel_err = 0;                      // first set's output vs the CPU split_k path (fp32, same splits)
};

// Uploads seeded random inputs, captures one CUDA graph per input set, replays them in rotation
// (timed with events) and checks the first set's output against the CPU. Throws like the rest.
DecodeBenchResult bench_split_k_decode_gpu(const DecodeBenchConfig& config);

}  // namespace paperkit::attention
