// Private to cuda/attention: the host-side pieces that attention_cuda.cu and the benchmark
// (attention_bench_cuda.cu) share.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../common/runtime.cuh"
#include "kernels.cuh"
#include "paperkit/attention/gpu.hpp"

namespace paperkit::attention::gpu_internal {

inline constexpr std::int64_t kMaxHeadDim = 256;

void check_size(const char* name, std::size_t got, std::size_t want);
int device_sms();
void require_device();

// Whether the tiled kernel handles the shape (fold_batch: every sequence's rows in one CTA).
bool tiled_applies(const Shape& shape, bool fold_batch);
// The kernel to run for an explicit or automatic choice; throws InvalidParameter when a requested
// tiled kernel does not apply or head_dim exceeds kMaxHeadDim.
bool use_tiled(const Shape& shape, GpuKernel kernel, bool fold_batch);
// The split count: options.num_splits when set; else spec B2's count, raised (at most 8x, never
// below one granule per chunk) to the smallest count that fills whole waves of resident CTAs
// within 2% of the best fill (tiled kernel; `tiled` false keeps spec B2's count).
std::int64_t resolve_splits(const Shape& shape, std::int64_t kv_len, const GpuOptions& options, bool tiled = false);
// log2(page_size) for a power of two, else -1.
int page_shift_of(std::int64_t page_size);
cuda::Params base_params(const Shape& shape, const Mask& mask, float scale);

void launch_partials(const cuda::Params& p, bool tiled, cudaStream_t stream);
void launch_merge(const float* o_part, const float* lse_part, std::int64_t splits, std::int64_t rows, std::int64_t dim,
                  float* out, float* lse, cudaStream_t stream);

// Partial slots on the device: o [count][rows][head_dim], lse [count][rows]; poisoned (NaN).
struct PartialSlots {
  PartialSlots(const Shape& shape, std::int64_t slots);
  std::int64_t rows;
  std::int64_t count;
  cuda_runtime::DeviceBuffer<float> o;
  cuda_runtime::DeviceBuffer<float> lse;
};

// Merges the slots in order into (O, lse) and downloads them.
Partial merge_to_host(const Shape& shape, const PartialSlots& slots);

}  // namespace paperkit::attention::gpu_internal
