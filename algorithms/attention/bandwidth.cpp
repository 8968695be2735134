// STREAM-like read and copy bandwidth (include/paperkit/attention/bandwidth.hpp).
#include "paperkit/attention/bandwidth.hpp"

#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"

namespace paperkit::attention {
namespace {

constexpr std::size_t kLanes = 16;  // independent partial sums: the read loop vectorizes and is not latency bound

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Thread t owns the fixed slice [t n / threads, (t + 1) n / threads) in every pass, so pages touched
// first by a thread are read by that thread (first touch places them on its node).
struct Slice {
  std::size_t begin, end;
};
Slice slice_of(std::size_t n, int thread, int threads) {
  const auto t = static_cast<std::size_t>(thread);
  const auto p = static_cast<std::size_t>(threads);
  return Slice{n * t / p, n * (t + 1) / p};
}

}  // namespace

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double decode_kv_bytes(std::int64_t batch, std::int64_t kv_heads, std::int64_t kv_len, std::int64_t head_dim) {
  return 2.0 * static_cast<double>(batch) * static_cast<double>(kv_heads) * static_cast<double>(kv_len) *
         static_cast<double>(head_dim) * static_cast<double>(sizeof(float));
}

Bandwidth measure_bandwidth(int threads, std::size_t bytes, int repeats) {
  if (threads < 1) throw InvalidParameter("threads must be >= 1, got " + std::to_string(threads));
  if (repeats < 1) throw InvalidParameter("repeats must be >= 1, got " + std::to_string(repeats));
  const std::size_t n = std::max<std::size_t>(bytes, std::size_t{1} << 20) / sizeof(float) / kLanes * kLanes;
  std::vector<float> a(n), b(n);
#pragma omp parallel num_threads(threads)
  {
    const Slice s = slice_of(n, omp_get_thread_num(), omp_get_num_threads());
    for (std::size_t i = s.begin; i < s.end; ++i) {
      a[i] = 1.0f;
      b[i] = 0.0f;
    }
  }
  double best_read = 1e300;
  double best_read_cpu = 1e300;
  double best_copy = 1e300;
  float sink = 0.0f;
  for (int rep = 0; rep < repeats; ++rep) {
    auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    float total = 0.0f;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const Slice s = slice_of(n / kLanes, omp_get_thread_num(), omp_get_num_threads());
      float part[kLanes] = {};
      for (std::size_t blk = s.begin; blk < s.end; ++blk) {
        const float* x = a.data() + blk * kLanes;
        for (std::size_t l = 0; l < kLanes; ++l) part[l] += x[l];
      }
      for (std::size_t l = 0; l < kLanes; ++l) total += part[l];
    }
    best_read = std::min(best_read, seconds_since(start));
    best_read_cpu = std::min(best_read_cpu, (process_cpu_seconds() - cpu_start) / threads);
    sink += total;

    start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const Slice s = slice_of(n, omp_get_thread_num(), omp_get_num_threads());
      std::copy(a.data() + s.begin, a.data() + s.end, b.data() + s.begin);
    }
    best_copy = std::min(best_copy, seconds_since(start));
    sink += b[n / 2];
  }
  if (sink < 0.0f) throw InternalError("bandwidth kernel read negative data");  // keeps the reads alive
  const double moved = static_cast<double>(n * sizeof(float));
  return Bandwidth{moved / best_read / 1e9, 2.0 * moved / best_copy / 1e9, moved / best_read_cpu / 1e9,
                   n * sizeof(float), threads};
}

}  // namespace paperkit::attention
