// paperkit-attention's --device cpu|gpu: one place that maps a tool call to the CPU library or,
// in builds with CUDA (PAPERKIT_ATTENTION_GPU), to paperkit::attention_cuda. Without CUDA support
// a gpu request throws BackendUnavailable (exit code 4) naming what is missing.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "paperkit/attention/attention.hpp"

namespace paperkit::attention_app {

enum class Device { cpu, gpu };

// "cpu" or "gpu"; anything else is InvalidParameter naming --device.
Device parse_device(const std::string& text);

// Throws BackendUnavailable unless the build has CUDA support and a usable device.
void require_gpu();

// "cpu (N threads)" or the GPU's name.
std::string device_description(Device device, int threads);

// splits = 0 on the GPU: spec B2's automatic count (the CPU needs splits >= 1).
attention::Partial split_k(Device device, const attention::Shape& shape, std::span<const float> q,
                           std::span<const float> k, std::span<const float> v, const attention::Mask& mask, float scale,
                           std::int64_t splits, std::int64_t granule);
attention::Partial split_k_paged(Device device, const attention::Shape& shape, std::span<const float> q,
                                 const attention::PagedKv& kv, const attention::Mask& mask, float scale,
                                 std::int64_t splits, std::int64_t granule);
attention::Partial partial(Device device, const attention::Shape& shape, std::span<const float> q,
                           std::span<const float> k, std::span<const float> v, attention::KeyRange range,
                           const attention::Mask& mask, float scale);

// GPU decode benchmark row (bench --device gpu): CUDA-graph replays over input sets > 3x L2.
struct GpuDecodeTiming {
  std::string kernel;
  std::int64_t splits = 0;
  int sets = 0;
  double median_ms = 0, q1_ms = 0, q3_ms = 0, bytes = 0, gbs = 0, max_rel_err = 0;
};
double gpu_copy_bandwidth_gbs();
GpuDecodeTiming gpu_decode_timing(const attention::Shape& shape, bool paged, const attention::Mask& mask,
                                  std::int64_t splits, int reps, std::uint64_t seed);

}  // namespace paperkit::attention_app
