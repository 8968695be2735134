// paperkit::hamming on the GPU: the host side of the bit-plane kernel (spec A8). Encodes on
// the CPU (detail/gpu_bitplanes.hpp), uploads the planes, launches one CTA per tile of shifts,
// and turns every CUDA error into a paperkit exception carrying cudaGetErrorString's text.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "../common/runtime.cuh"
#include "kernels.cuh"
#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/gpu.hpp"

namespace paperkit::hamming {
namespace {

namespace g = detail::gpu;

using cuda_runtime::check;
using cuda_runtime::DeviceBuffer;
using cuda_runtime::Event;

// Throws BackendUnavailable unless a device exists and can run this build's kernels.
void require_device() {
  cuda_runtime::require_device(cuda::bitplane_kernel<2>);
}

// An encoded problem resident on the device; launch() fills the device output.
class DeviceProblem {
 public:
  explicit DeviceProblem(const g::Encoded& e) : text_(e.text.size()), pattern_(e.pattern.size()), out_(e.n - e.m + 1) {
    text_.upload(e.text.data(), e.text.size());
    pattern_.upload(e.pattern.data(), e.pattern.size());
    params_ = g::make_params(e, text_.get(), pattern_.get(), out_.get());
    if (g::tiles(params_) > static_cast<std::uint64_t>(INT_MAX)) {
      throw InvalidParameter("text too long for one GPU launch (" + std::to_string(e.n) + " symbols)");
    }
  }

  int planes() const { return params_.planes; }

  void launch() {
    const auto blocks = static_cast<unsigned>(g::tiles(params_));
    const std::size_t smem = g::shared_bytes(params_.planes);
    g::dispatch_planes(params_.planes, [&](auto planes_tag) {
      constexpr int kPlanes = decltype(planes_tag)::value;
      const auto kernel = cuda::bitplane_kernel<kPlanes>;
      if (smem > 48 * 1024) {  // above the default limit: opt in (up to 32 planes = 68 KiB)
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)),
              "cudaFuncSetAttribute");
      }
      kernel<<<blocks, g::kThreads, smem>>>(params_);
    });
    check(cudaGetLastError(), "bit-plane kernel launch");
  }

  std::vector<Distance> result() const { return out_.download(); }  // waits for the kernel

 private:
  DeviceBuffer<g::Word> text_, pattern_;
  DeviceBuffer<Distance> out_;
  g::Params params_;
};

void require_pattern(std::span<const Symbol> pattern) {
  if (pattern.empty()) throw InvalidParameter("the pattern is empty (m must be >= 1)");
}

}  // namespace

bool gpu_available() noexcept {
  try {
    require_device();
    return true;
  } catch (...) {
    return false;
  }
}

std::string gpu_device_name() {
  require_device();
  return cuda_runtime::current_device_description();
}

std::vector<Distance> distances_gpu(std::span<const Symbol> text, std::span<const Symbol> pattern) {
  require_pattern(pattern);
  require_device();
  if (text.size() < pattern.size()) return {};
  DeviceProblem problem(g::encode(text, pattern));
  problem.launch();
  return problem.result();
}

GpuTiming bench_gpu(std::span<const Symbol> text, std::span<const Symbol> pattern, int reps) {
  if (reps < 1) throw InvalidParameter("bench_gpu: reps must be >= 1 (got " + std::to_string(reps) + ")");
  require_pattern(pattern);
  require_device();
  if (text.size() < pattern.size()) {
    throw InvalidParameter("bench_gpu: text shorter than pattern (n = " + std::to_string(text.size()) +
                           " < m = " + std::to_string(pattern.size()) + ")");
  }
  DeviceProblem problem(g::encode(text, pattern));
  problem.launch();  // warm-up: module load, first-touch of the buffers
  check(cudaDeviceSynchronize(), "warm-up kernel");
  GpuTiming t;
  t.reps = reps;
  t.planes = problem.planes();
  t.cells = static_cast<std::uint64_t>(text.size() - pattern.size() + 1) * pattern.size();
  // Back-to-back launches between two events: the GPU never idles waiting for the host, so
  // short kernels are not charged the launch latency.
  Event start, stop;
  start.record();
  for (int rep = 0; rep < reps; ++rep) problem.launch();
  stop.record();
  t.kernel_ms = stop.ms_since(start) / reps;
  t.distances = problem.result();
  return t;
}

PopcThroughput gpu_popc_throughput() {
  require_device();
  int device = 0, sms = 0, clock_khz = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device), "cudaDeviceGetAttribute");
  // Full occupancy in one wave: 8 CTAs of 256 threads per SM.
  const int threads = 256, blocks = sms * 8, iterations = 1 << 14;
  DeviceBuffer<std::uint32_t> out(static_cast<std::size_t>(blocks) * threads);
  cuda::popc_probe_kernel<<<blocks, threads>>>(1u, iterations / 16, out.get());  // warm-up
  check(cudaGetLastError(), "popc probe launch");
  check(cudaDeviceSynchronize(), "popc probe");
  Event start, stop;
  double best_ms = 0;
  for (int rep = 0; rep < 3; ++rep) {
    start.record();
    cuda::popc_probe_kernel<<<blocks, threads>>>(static_cast<std::uint32_t>(rep), iterations, out.get());
    stop.record();
    check(cudaGetLastError(), "popc probe launch");
    const double ms = stop.ms_since(start);
    best_ms = rep == 0 ? ms : std::min(best_ms, ms);
  }
  const double popcs = double(blocks) * threads * iterations * cuda::kPopcChains;
  PopcThroughput r;
  r.sms = sms;
  r.clock_ghz = clock_khz * 1e-6;
  r.popc_per_s = popcs / (best_ms * 1e-3);
  r.popc_per_clk_per_sm = r.clock_ghz > 0 ? r.popc_per_s / (r.clock_ghz * 1e9) / sms : 0;
  return r;
}

}  // namespace paperkit::hamming
