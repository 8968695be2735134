// Fixed-width vectors through the GCC/Clang vector extension: element-wise arithmetic, comparison
// and selection on 64 (or 32) bytes, lowered to whatever the target has (2 x AVX2, 1 x AVX-512, 4 x SSE).
// Used where auto-vectorisation of a reduction would need -ffast-math (it would reorder sums):
// each lane keeps its own accumulator, so results are fixed for a given block size.
#pragma once

#include <cstddef>
#include <cstring>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

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

// Eight floats at p (unaligned) widened to a 64-byte vector of doubles (exact). GCC 12 lowers the
// generic __builtin_convertvector of 32 -> 64 bytes to 128-bit pieces and inserts (five instructions,
// two of them shuffles); with AVX-512 this is one vcvtps2pd from memory. The builtin with a zero
// pass-through (mask all ones) instead of _mm512_cvtps_pd avoids GCC 12's false
// -Wmaybe-uninitialized on _mm512_undefined_pd.
inline Simd<double>::V widen8(const float* p) {
#ifdef __AVX512F__
  return reinterpret_cast<Simd<double>::V>(__builtin_ia32_cvtps2pd512_mask(
      reinterpret_cast<__v8sf>(_mm256_loadu_ps(p)), reinterpret_cast<__v8df>(_mm512_setzero_pd()), __mmask8(0xFF),
      _MM_FROUND_CUR_DIRECTION));
#else
  using F [[gnu::vector_size(32)]] = float;
  F f;
  std::memcpy(&f, p, sizeof(F));
  return __builtin_convertvector(f, Simd<double>::V);
#endif
}

}  // namespace paperkit::robust::detail
