// paperkit::hamming on a CUDA GPU (library paperkit::hamming_cuda, built where nvcc exists).
//
// The bit-plane popcount kernel of spec A8: symbols are re-coded into B bit planes
// (B = 2 for DNA, at most bit_width(m) for any alphabet) and each 32-cell word costs B
// funnel shifts and XORs, one POPC and one add. Exact for every input: the output equals the
// CPU `naive` algorithm's. This header carries no CUDA types (the FAISS rule), so callers
// compile it with any C++20 compiler; link paperkit::hamming_cuda.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming {

// True iff a CUDA device is present and can run this library's kernels. Never throws.
bool gpu_available() noexcept;

// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 50 MB L2)" for the current device; throws BackendUnavailable
// when there is none.
std::string gpu_device_name();

// HD for every shift, computed on the current device. Throws InvalidParameter for an empty
// pattern, then BackendUnavailable when no device is usable (or device memory runs out), then
// returns an empty vector when n < m. CUDA failures become InternalError carrying
// cudaGetErrorString's text.
std::vector<Distance> distances_gpu(std::span<const Symbol> text, std::span<const Symbol> pattern);

// Kernel-only timing for benchmarks: encodes and uploads once, runs one warm-up launch, then
// times `reps` back-to-back launches with CUDA events (no transfers, no encoding).
struct GpuTiming {
  double kernel_ms = 0;  // mean per launch
  int reps = 0;
  int planes = 0;                   // bit planes the kernel ran with
  std::uint64_t cells = 0;          // (n - m + 1) * m
  std::vector<Distance> distances;  // the output of the last launch
};
// Throws like distances_gpu, and InvalidParameter when reps < 1 or n < m.
GpuTiming bench_gpu(std::span<const Symbol> text, std::span<const Symbol> pattern, int reps);

// Throughput of the POPC instruction, measured by a microbenchmark kernel of independent
// __popc chains (the spec's 16/clk/SM for sm_90 is unverified). Throws like distances_gpu.
struct PopcThroughput {
  double popc_per_s = 0;
  double popc_per_clk_per_sm = 0;  // at the device's reported peak clock
  int sms = 0;
  double clock_ghz = 0;  // cudaDevAttrClockRate: the peak clock, not a measured one
};
PopcThroughput gpu_popc_throughput();

}  // namespace paperkit::hamming
