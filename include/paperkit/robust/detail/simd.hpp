// Fixed-width vectors through the GCC/Clang vector extension: element-wise arithmetic, comparison
// and selection on 64 (or 32) bytes, lowered to whatever the target has (2 x AVX2, 1 x AVX-512, 4 x SSE).
// Used where auto-vectorisation of a reduction would need -ffast-math (it would reorder sums):
// each lane keeps its own accumulator, so results are fixed for a given block size.
#pragma once

#include <cstddef>
#include <cstring>

namespace paperkit::robust::detail {

// Bytes = 64 by default; 32 (ymm) where a kernel is bound by multiply-adds: on the development
// machine (Xeon, AVX-512) 32-byte double FMAs measured 1.7x the throughput of 64-byte ones.
template <class T, std::size_t Bytes = 64>
struct Simd {
  using V [[gnu::vector_size(Bytes)]] = T;
  static constexpr std::size_t lanes = Bytes / sizeof(T);

  static V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof(V));
    return v;
  }
  static void store(T* p, V v) { std::memcpy(p, &v, sizeof(V)); }
  static V splat(T x) {
    V v;
    for (std::size_t l = 0; l < lanes; ++l) v[l] = x;
    return v;
  }
  static T sum(V v) {
    T s = 0;
    for (std::size_t l = 0; l < lanes; ++l) s += v[l];
    return s;
  }
};

}  // namespace paperkit::robust::detail
