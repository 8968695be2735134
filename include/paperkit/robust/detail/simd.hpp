// Fixed-width vectors through the GCC/Clang vector extension: element-wise arithmetic, comparison
// and selection on 64 bytes, lowered to whatever the target has (2 x AVX2, 1 x AVX-512, 4 x SSE).
// Used where auto-vectorisation of a reduction would need -ffast-math (it would reorder sums):
// each lane keeps its own accumulator, so results are fixed for a given block size.
#pragma once

#include <cstddef>
#include <cstring>

namespace paperkit::robust::detail {

template <class T>
struct Simd {
  using V [[gnu::vector_size(64)]] = T;
  static constexpr std::size_t lanes = 64 / sizeof(T);

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
