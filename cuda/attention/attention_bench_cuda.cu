// Benchmark drivers of paperkit::attention_cuda (gpu.hpp): the device-to-device copy ceiling and
// split-K decode timed as CUDA-graph replays over input sets that together exceed L2.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "attention_cuda_internal.cuh"
#include "paperkit/common/rng.hpp"

namespace paperkit::attention {

using cuda_runtime::check;
using cuda_runtime::DeviceBuffer;
using cuda_runtime::Event;
using namespace gpu_internal;

namespace {

// Uniform in [-amplitude, amplitude) from a counter hash (splitmix64 finalizer) of
// (seed, stream, index): reproducible and independent of the launch shape.
__global__ void fill_uniform_kernel(float* x, std::int64_t n, std::uint64_t seed, std::uint64_t stream,
                                    float amplitude) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  std::uint64_t z = seed ^ (stream * 0x9E3779B97F4A7C15ull) ^ (static_cast<std::uint64_t>(i) * 0xD1B54A32D192ED03ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // [0, 1), 24 bits
  x[i] = amplitude * (2.0f * u - 1.0f);
}

void fill_uniform(float* x, std::int64_t n, std::uint64_t seed, std::uint64_t stream, float amplitude) {
  const std::int64_t blocks = (n + 255) / 256;
  fill_uniform_kernel<<<static_cast<unsigned>(blocks), 256>>>(x, n, seed, stream, amplitude);
  check(cudaGetLastError(), "fill kernel launch");
}

// Contiguous [B, Hkv, L, d] -> page pool [pages, Hkv, page, d] through the block table.
__global__ void scatter_pages_kernel(const float* src, float* pool, const std::int32_t* table, std::int64_t batch,
                                     std::int64_t kv_heads, std::int64_t len, std::int64_t dim, std::int64_t page,
                                     std::int64_t pages_per_seq) {
  const std::int64_t x = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (x >= batch * kv_heads * len * dim) return;
  const std::int64_t c = x % dim, t = (x / dim) % len, h = (x / (dim * len)) % kv_heads, b = x / (dim * len * kv_heads);
  const std::int64_t p = table[b * pages_per_seq + t / page];
  pool[((p * kv_heads + h) * page + t % page) * dim + c] = src[x];
}

double median_of(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}
double quantile_of(std::vector<double> x, double q) {
  std::sort(x.begin(), x.end());
  return x[static_cast<std::size_t>(q * static_cast<double>(x.size() - 1))];
}

struct InputSet {
  DeviceBuffer<float> q, k, v;
  PartialSlots slots;
  DeviceBuffer<float> out, lse;
  cudaGraphExec_t graph = nullptr;
  InputSet(const Shape& shape, std::size_t kv_floats, std::int64_t splits)
      : q(shape.q_elements()),
        k(kv_floats),
        v(kv_floats),
        slots(shape, splits),
        out(shape.q_elements()),
        lse(shape.lse_elements()) {}
  ~InputSet() {
    if (graph != nullptr) (void)cudaGraphExecDestroy(graph);
  }
};

}  // namespace

double gpu_copy_bandwidth_gbs(std::size_t bytes, int reps) {
  if (bytes < 1024 || reps < 1) throw InvalidParameter("copy bandwidth needs bytes >= 1024 and reps >= 1");
  require_device();
  DeviceBuffer<char> a(bytes), b(bytes);
  check(cudaMemset(a.get(), 1, bytes), "cudaMemset");
  check(cudaMemcpy(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice), "warm-up copy");
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    Event start, stop;
    start.record();
    check(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice), "copy");
    stop.record();
    ms.push_back(stop.ms_since(start));
  }
  return 2.0 * static_cast<double>(bytes) / (median_of(ms) * 1e-3) / 1e9;
}

DecodeBenchResult bench_split_k_decode_gpu(const DecodeBenchConfig& config) {
  const Shape& shape = config.shape;
  validate(shape);
  validate(config.mask);
  if (config.warmup < 0 || config.reps < 1) throw InvalidParameter("warmup must be >= 0 and reps >= 1");
  if (config.paged && config.page_size < 1) throw InvalidParameter("page_size must be >= 1");
  const bool tiled = use_tiled(shape, config.options.kernel, false);
  require_device();
  const std::int64_t splits = resolve_splits(shape, shape.kv_len, config.options, tiled);
  const std::int64_t d = shape.head_dim;
  const std::int64_t pages_per_seq = (shape.kv_len + config.page_size - 1) / config.page_size;
  const std::int64_t num_pages = shape.batch * pages_per_seq;
  const std::size_t kv_floats =
      config.paged ? static_cast<std::size_t>(num_pages * shape.kv_heads * config.page_size * d) : shape.kv_elements();

  int device = 0, l2 = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device), "cudaDeviceGetAttribute");
  const double set_bytes = 2.0 * static_cast<double>(kv_floats) * sizeof(float);
  const int sets = static_cast<int>(std::clamp(std::ceil(3.0 * l2 / set_bytes), 2.0, 8.0));

  // Block table: every sequence's pages in a seeded random order over the pool.
  std::vector<std::int32_t> table(static_cast<std::size_t>(num_pages));
  std::iota(table.begin(), table.end(), 0);
  Rng rng = Rng::for_block(config.seed, 3, 0);
  for (std::size_t i = table.size(); i > 1; --i) std::swap(table[i - 1], table[rng.uniform_below(i)]);
  DeviceBuffer<std::int32_t> device_table(config.paged ? table.data() : nullptr, config.paged ? table.size() : 0);

  std::vector<std::unique_ptr<InputSet>> inputs;
  std::vector<float> q0, k0, v0;  // sequence 0 of set 0, for the check
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  struct StreamGuard {
    cudaStream_t s;
    ~StreamGuard() { (void)cudaStreamDestroy(s); }
  } guard{stream};

  for (int set = 0; set < sets; ++set) {
    auto in = std::make_unique<InputSet>(shape, kv_floats, splits);
    const std::uint64_t stream_id = static_cast<std::uint64_t>(set) * 3;
    fill_uniform(in->q.get(), static_cast<std::int64_t>(shape.q_elements()), config.seed, stream_id, 2.0f);
    const std::size_t one_seq = static_cast<std::size_t>(shape.kv_heads * shape.kv_len * d);
    if (config.paged) {
      DeviceBuffer<float> contiguous(shape.kv_elements());
      for (int which = 0; which < 2; ++which) {
        fill_uniform(contiguous.get(), static_cast<std::int64_t>(shape.kv_elements()), config.seed,
                     stream_id + 1 + static_cast<std::uint64_t>(which), 1.0f);
        const std::int64_t n = static_cast<std::int64_t>(shape.kv_elements());
        scatter_pages_kernel<<<static_cast<unsigned>((n + 255) / 256), 256>>>(
            contiguous.get(), which == 0 ? in->k.get() : in->v.get(), device_table.get(), shape.batch, shape.kv_heads,
            shape.kv_len, d, config.page_size, pages_per_seq);
        check(cudaGetLastError(), "scatter kernel launch");
        if (set == 0) {
          std::vector<float>& host = which == 0 ? k0 : v0;
          host.resize(one_seq);
          check(cudaMemcpy(host.data(), contiguous.get(), one_seq * sizeof(float), cudaMemcpyDeviceToHost),
                "copy to host");
        }
      }
    } else {
      fill_uniform(in->k.get(), static_cast<std::int64_t>(kv_floats), config.seed, stream_id + 1, 1.0f);
      fill_uniform(in->v.get(), static_cast<std::int64_t>(kv_floats), config.seed, stream_id + 2, 1.0f);
      if (set == 0) {
        k0.resize(one_seq);
        v0.resize(one_seq);
        check(cudaMemcpy(k0.data(), in->k.get(), one_seq * sizeof(float), cudaMemcpyDeviceToHost), "copy to host");
        check(cudaMemcpy(v0.data(), in->v.get(), one_seq * sizeof(float), cudaMemcpyDeviceToHost), "copy to host");
      }
    }
    if (set == 0) {
      q0.resize(static_cast<std::size_t>(shape.q_heads * shape.q_len * d));
      check(cudaMemcpy(q0.data(), in->q.get(), q0.size() * sizeof(float), cudaMemcpyDeviceToHost), "copy to host");
    }

    cuda::Params p = base_params(shape, config.mask, static_cast<float>(default_scale(d)));
    p.q = in->q.get();
    p.o_part = in->slots.o.get();
    p.lse_part = in->slots.lse.get();
    p.kv.k = in->k.get();
    p.kv.v = in->v.get();
    p.kv.tokens = shape.kv_len;
    p.uniform_len = shape.kv_len;
    p.num_splits = splits;
    p.granule = config.options.granule;
    if (config.paged) {
      p.kv.block_table = device_table.get();
      p.kv.page_size = config.page_size;
      p.kv.page_shift = page_shift_of(config.page_size);
      p.kv.pages_per_seq = pages_per_seq;
    }
    // One plain launch first (it also sets the kernel's shared-memory limit outside the capture).
    launch_partials(p, tiled, stream);
    launch_merge(in->slots.o.get(), in->slots.lse.get(), splits, in->slots.rows, d, in->out.get(), in->lse.get(),
                 stream);
    check(cudaStreamSynchronize(stream), "first launch");
    cudaGraph_t graph = nullptr;
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    launch_partials(p, tiled, stream);
    launch_merge(in->slots.o.get(), in->slots.lse.get(), splits, in->slots.rows, d, in->out.get(), in->lse.get(),
                 stream);
    check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
    const cudaError_t instantiated = cudaGraphInstantiate(&in->graph, graph, 0);
    (void)cudaGraphDestroy(graph);
    check(instantiated, "cudaGraphInstantiate");
    inputs.push_back(std::move(in));
  }
  check(cudaDeviceSynchronize(), "input setup");

  DecodeBenchResult result;
  result.kernel = tiled ? "tiled" : "generic";
  result.num_splits = splits;
  result.sets = sets;

  // The check: sequence 0 of set 0 against the fp64 oracle.
  {
    Shape one = shape;
    one.batch = 1;
    const Reference ref = reference_attention(one, q0, k0, v0, config.mask, default_scale(d));
    std::vector<float> got(one.q_elements());
    check(cudaMemcpy(got.data(), inputs[0]->out.get(), got.size() * sizeof(float), cudaMemcpyDeviceToHost),
          "copy to host");
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double e = std::abs(static_cast<double>(got[i]) - ref.out[i]);
      diff = std::isfinite(e) ? std::max(diff, e) : INFINITY;
      norm = std::max(norm, std::abs(ref.out[i]));
    }
    result.max_rel_err = norm > 0 ? diff / norm : diff;
  }

  const auto measure = [&]() {
    for (int r = 0; r < config.warmup; ++r) {
      check(cudaGraphLaunch(inputs[static_cast<std::size_t>(r % sets)]->graph, stream), "cudaGraphLaunch");
    }
    check(cudaStreamSynchronize(stream), "warm-up");
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(config.reps));
    Event start, stop;
    for (int r = 0; r < config.reps; ++r) {
      start.record(stream);
      check(cudaGraphLaunch(inputs[static_cast<std::size_t>(r % sets)]->graph, stream), "cudaGraphLaunch");
      stop.record(stream);
      ms.push_back(stop.ms_since(start));
    }
    return ms;
  };
  const std::vector<double> first = measure();
  const std::vector<double> second = measure();
  result.median_ms = median_of(first);
  result.q1_ms = quantile_of(first, 0.25);
  result.q3_ms = quantile_of(first, 0.75);
  result.repeat_median_ms = median_of(second);

  const double f = sizeof(float);
  const double rows = static_cast<double>(shape.batch * shape.q_heads * shape.q_len);
  result.bytes = set_bytes + f * 2.0 * rows * static_cast<double>(d)                          // Q read, O written
                 + f * 2.0 * rows * static_cast<double>(splits) * static_cast<double>(d + 1)  // partials out + in
                 + (config.paged ? 4.0 * static_cast<double>(num_pages) : 0.0);
  result.gbs = result.bytes / (result.median_ms * 1e-3) / 1e9;
  return result;
}

}  // namespace paperkit::attention
