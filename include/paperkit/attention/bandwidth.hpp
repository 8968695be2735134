// Measured host memory bandwidth, the ceiling that CPU decode attention is judged against (issue 7:
// "decode attention reaches >= 50% of measured memory bandwidth"; spec section 8: about 10-20 GB/s
// on 2 cores). STREAM-like kernels over a buffer several times the last-level cache, one fixed
// slice per OpenMP thread, best of `repeats` passes (STREAM reports the best too).
#pragma once

#include <cstddef>
#include <cstdint>

namespace paperkit::attention {

struct Bandwidth {
  double read_gbs = 0.0;  // sum of a float array: bytes read / second (10^9 bytes)
  double copy_gbs = 0.0;  // a = b: bytes read + bytes written / second (STREAM "Copy" counts both)
  // The same bytes over the process CPU time per thread (best pass): what the kernels reach while
  // their threads run. On a shared machine wall time also counts time spent descheduled; compare
  // like with like (decode wall time with read_gbs, decode CPU time with read_gbs_cpu).
  double read_gbs_cpu = 0.0;
  std::size_t bytes = 0;  // buffer size used by each kernel
  int threads = 1;
};

// Process CPU time in seconds (all threads), for the *_cpu figures.
double process_cpu_seconds();

// Runs with `threads` OpenMP threads over buffers of `bytes` each (rounded down to whole floats;
// at least 1 MiB). Throws InvalidParameter for threads < 1 or repeats < 1.
Bandwidth measure_bandwidth(int threads, std::size_t bytes = std::size_t{256} << 20, int repeats = 5);

// Bytes a decode step must move at least once: K and V of every (sequence, kv head, token), fp32.
double decode_kv_bytes(std::int64_t batch, std::int64_t kv_heads, std::int64_t kv_len, std::int64_t head_dim);

}  // namespace paperkit::attention
