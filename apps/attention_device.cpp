// --device dispatch of paperkit-attention (see attention_device.hpp).
#include "attention_device.hpp"

#include "paperkit/common/errors.hpp"
#if PAPERKIT_ATTENTION_GPU
#include "paperkit/attention/gpu.hpp"
#endif

namespace paperkit::attention_app {

namespace attn = paperkit::attention;

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu;
  if (text == "gpu") return Device::gpu;
  throw InvalidParameter("--device must be cpu|gpu, got '" + text + "'");
}

void require_gpu() {
#if PAPERKIT_ATTENTION_GPU
  if (attn::gpu_available()) return;
  try {
    (void)attn::gpu_device_name();  // throws BackendUnavailable with the reason
  } catch (const Error& e) {
    throw BackendUnavailable(std::string("--device gpu: ") + e.what());
  }
#else
  throw BackendUnavailable(
      "--device gpu: this build has no CUDA support (configure with PAPERKIT_CUDA=ON where nvcc exists)");
#endif
}

std::string device_description(Device device, int threads) {
  if (device == Device::cpu) return "cpu (" + std::to_string(threads) + " threads)";
#if PAPERKIT_ATTENTION_GPU
  return attn::gpu_device_name();
#else
  require_gpu();
  return "";
#endif
}

#if PAPERKIT_ATTENTION_GPU
namespace {
attn::GpuOptions gpu_options(std::int64_t splits, std::int64_t granule) {
  attn::GpuOptions options;
  options.num_splits = splits;
  options.granule = granule;
  return options;
}
}  // namespace
#endif

attn::Partial split_k(Device device, const attn::Shape& shape, std::span<const float> q, std::span<const float> k,
                      std::span<const float> v, const attn::Mask& mask, float scale, std::int64_t splits,
                      std::int64_t granule) {
  if (device == Device::cpu) return attn::split_k_attention(shape, q, k, v, mask, scale, {splits, granule});
  require_gpu();
#if PAPERKIT_ATTENTION_GPU
  return attn::split_k_attention_gpu(shape, q, k, v, mask, scale, gpu_options(splits, granule));
#else
  return {};
#endif
}

attn::Partial split_k_paged(Device device, const attn::Shape& shape, std::span<const float> q, const attn::PagedKv& kv,
                            const attn::Mask& mask, float scale, std::int64_t splits, std::int64_t granule) {
  if (device == Device::cpu) return attn::split_k_attention_paged(shape, q, kv, mask, scale, {splits, granule});
  require_gpu();
#if PAPERKIT_ATTENTION_GPU
  return attn::split_k_attention_paged_gpu(shape, q, kv, mask, scale, gpu_options(splits, granule));
#else
  return {};
#endif
}

attn::Partial partial(Device device, const attn::Shape& shape, std::span<const float> q, std::span<const float> k,
                      std::span<const float> v, attn::KeyRange range, const attn::Mask& mask, float scale) {
  if (device == Device::cpu) return attn::partial_attention(shape, q, k, v, range, mask, scale);
  require_gpu();
#if PAPERKIT_ATTENTION_GPU
  return attn::partial_attention_gpu(shape, q, k, v, range, mask, scale);
#else
  return {};
#endif
}

double gpu_copy_bandwidth_gbs() {
  require_gpu();
#if PAPERKIT_ATTENTION_GPU
  return attn::gpu_copy_bandwidth_gbs(std::size_t{2} << 30);
#else
  return 0;
#endif
}

GpuDecodeTiming gpu_decode_timing(const attn::Shape& shape, bool paged, const attn::Mask& mask, std::int64_t splits,
                                  int reps, std::uint64_t seed) {
  require_gpu();
  GpuDecodeTiming t;
#if PAPERKIT_ATTENTION_GPU
  attn::DecodeBenchConfig config;
  config.shape = shape;
  config.paged = paged;
  config.mask = mask;
  config.options.num_splits = splits;
  config.reps = reps;
  config.seed = seed;
  const attn::DecodeBenchResult r = attn::bench_split_k_decode_gpu(config);
  t.kernel = r.kernel;
  t.splits = r.num_splits;
  t.sets = r.sets;
  t.median_ms = r.median_ms;
  t.q1_ms = r.q1_ms;
  t.q3_ms = r.q3_ms;
  t.bytes = r.bytes;
  t.gbs = r.gbs;
  t.max_rel_err = r.max_rel_err;
#else
  (void)shape, (void)paged, (void)mask, (void)splits, (void)reps, (void)seed;
#endif
  return t;
}

}  // namespace paperkit::attention_app
