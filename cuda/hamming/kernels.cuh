// CUDA kernels of paperkit::hamming_cuda. The arithmetic lives in
// paperkit/hamming/detail/gpu_bitplanes.hpp (PAPERKIT_HOST_DEVICE), where the CPU emulation
// runs it too; the kernels here only add the CTA loop and the barriers.
#pragma once

#include <cstdint>

#define PAPERKIT_HAMMING_INTERNAL
#include "paperkit/hamming/detail/gpu_bitplanes.hpp"

namespace paperkit::hamming::cuda {

namespace g = paperkit::hamming::detail::gpu;

// One CTA per tile of kTileShifts shifts; launch with kThreads threads and
// g::shared_bytes(p.planes) bytes of dynamic shared memory.
template <int kPlanes>
__global__ void __launch_bounds__(g::kThreads) bitplane_kernel(g::Params p) {
  extern __shared__ uint4 shared_raw[];  // uint4: the 16-byte alignment load_words relies on
  g::Word* smem = reinterpret_cast<g::Word*>(shared_raw);
  g::Word acc[g::kShiftsPerThread] = {};
  for (std::uint64_t c0 = 0; c0 < p.pattern_words; c0 += g::kChunkWords) {
    if (c0 > 0) __syncthreads();  // every thread is done reading the previous chunk
    g::stage_chunk(p, blockIdx.x, c0, smem, threadIdx.x, blockDim.x);
    __syncthreads();
    g::compute_chunk<kPlanes>(p, c0, smem, threadIdx.x, acc);
  }
  g::write_tile(p, blockIdx.x, threadIdx.x, acc);
}

// POPC throughput probe: kChains independent dependency chains x = popc(x) per thread, so the
// loop body is nothing but POPC instructions (the compiler cannot fold popc(popc(x))).
inline constexpr int kPopcChains = 8;
__global__ void popc_probe_kernel(std::uint32_t seed, int iterations, std::uint32_t* out) {
  const std::uint32_t tid = blockIdx.x * blockDim.x + threadIdx.x;
  std::uint32_t x[kPopcChains];
#pragma unroll
  for (int j = 0; j < kPopcChains; ++j) x[j] = (tid + seed) * 2654435761u + static_cast<std::uint32_t>(j);
#pragma unroll 8
  for (int it = 0; it < iterations; ++it) {
#pragma unroll
    for (int j = 0; j < kPopcChains; ++j) x[j] = static_cast<std::uint32_t>(__popc(x[j]));
  }
  std::uint32_t sum = 0;
#pragma unroll
  for (int j = 0; j < kPopcChains; ++j) sum += x[j];
  out[tid] = sum;
}

}  // namespace paperkit::hamming::cuda
