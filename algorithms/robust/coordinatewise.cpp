// Coordinate-wise rules (cwtm, cwmed, meamed): a block of kLanes coordinates of all m rows is
// copied into an m x kLanes scratch (NaN -> +inf), sorted per lane by Batcher's odd-even merge
// network (each compare-exchange is a lane-wise min/max, so it vectorises across coordinates),
// and reduced per lane. Cost O(m log^2 m) vector min/max per block instead of m scalar sorts.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <type_traits>
#include <utility>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "paperkit/robust/aggregators.hpp"
#include "paperkit/robust/detail/simd.hpp"

namespace paperkit::robust {

namespace {
constexpr std::size_t kLanes = 32;    // coordinates sorted together: a multiple of every Simd<T>::lanes
constexpr std::size_t kChunk = 1024;  // coordinates copied per row at a time (a multiple of kLanes)

// Register-resident fast path for cwtm, cwmed and (with AVX-512) meamed with m <= 32: the network is generated at
// compile time for each m, so one vector of coordinates per row (8 doubles or 16 floats) stays in registers through all
// compare-exchanges; rows are read directly (NaN -> +inf on load). Same comparators and the same per-lane sums as the
// general path, so the results are identical.
constexpr std::size_t kMaxFixed = 32;
constexpr std::size_t kPrefetchBytes = 512;  // measured 256-2048 on the dev machine: 512 best within noise

constexpr std::size_t batcher_count(std::size_t n) {
  std::size_t count = 0;
  for (std::size_t p = 1; p < n; p += p) {
    for (std::size_t k = p; k >= 1; k /= 2) {
      for (std::size_t j = k % p; j + k < n; j += 2 * k) {
        for (std::size_t i = 0; i < k && i + j + k < n; ++i) count += (i + j) / (2 * p) == (i + j + k) / (2 * p);
      }
    }
  }
  return count;
}

template <std::size_t N>
constexpr std::array<std::pair<unsigned, unsigned>, batcher_count(N)> batcher_pairs() {
  std::array<std::pair<unsigned, unsigned>, batcher_count(N)> net{};
  std::size_t at = 0;
  for (std::size_t p = 1; p < N; p += p) {
    for (std::size_t k = p; k >= 1; k /= 2) {
      for (std::size_t j = k % p; j + k < N; j += 2 * k) {
        for (std::size_t i = 0; i < k && i + j + k < N; ++i) {
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
            net[at++] = {static_cast<unsigned>(i + j), static_cast<unsigned>(i + j + k)};
          }
        }
      }
    }
  }
  return net;
}

template <class V>
inline void compare_exchange(V& a, V& b) {
  const auto lt = a < b;
  const V lo = lt ? a : b;
  const V hi = lt ? b : a;
  a = lo;
  b = hi;
}

#if defined(__AVX512F__)
// The same selection in two instructions instead of three (compare + two blends): vminps(a, b) is
// a < b ? a : b and vmaxps(b, a) is b > a ? b : a, bit for bit the generic version above (signed
// zeros included; NaN never reaches a network, it is mapped to +inf on load).
template <>
inline void compare_exchange(detail::Simd<float>::V& a, detail::Simd<float>::V& b) {
  using V = detail::Simd<float>::V;
  const __m512 x = reinterpret_cast<const __m512&>(a), y = reinterpret_cast<const __m512&>(b);
  // The masked forms name their pass-through operand (the unmasked ones read an "undefined" vector
  // that GCC 12 reports as uninitialised); with a full mask they are vminps / vmaxps.
  const __m512 lo = _mm512_mask_min_ps(x, __mmask16(0xffff), x, y), hi = _mm512_mask_max_ps(y, __mmask16(0xffff), y, x);
  a = reinterpret_cast<const V&>(lo);
  b = reinterpret_cast<const V&>(hi);
}
template <>
inline void compare_exchange(detail::Simd<double>::V& a, detail::Simd<double>::V& b) {
  using V = detail::Simd<double>::V;
  const __m512d x = reinterpret_cast<const __m512d&>(a), y = reinterpret_cast<const __m512d&>(b);
  const __m512d lo = _mm512_mask_min_pd(x, __mmask8(0xff), x, y), hi = _mm512_mask_max_pd(y, __mmask8(0xff), y, x);
  a = reinterpret_cast<const V&>(lo);
  b = reinterpret_cast<const V&>(hi);
}
#endif

template <class V, std::size_t M, std::size_t... I>
[[gnu::always_inline]] inline void sort_registers([[maybe_unused]] V* r, std::index_sequence<I...>) {
  [[maybe_unused]] static constexpr auto net = batcher_pairs<M>();
  (compare_exchange(r[net[I].first], r[net[I].second]), ...);
}

enum class Reduce { trimmed_mean, median, mean_around_median };

#if defined(__AVX512F__)
// meamed on one sorted register tile, every lane at once, bit-identical to the general path's
// scalar loop (grow the window [lo, hi) from the median h = m/2, the closer side first, the smaller
// value on a tie; sum the window in row order).
// That loop is a stable merge of the left distances med - r[h-1], med - r[h-2], ... with the right
// ones r[h] - med, r[h+1] - med, ...: it takes the first keep = m - f. Where med is finite, both
// sequences are non-decreasing (rounding is monotone; +-inf give +inf, never NaN), so the window
// starting at lo is that prefix exactly when the last taken element of each side comes before the
// first untaken one of the other:
//   left:  lo == 0, or no right taken, or r[hi-1] - med <  med - r[lo-1]
//   right: hi == m, or no left taken,  or med - r[lo]  <= r[hi] - med.
// Only lo in [max(0, h - keep), min(f, h)] is possible, so every candidate is tested at once,
// without the loop's chain of dependent steps (which, gathers and all, cost ~3x more). A tile
// with a non-finite median (NaN distances break the order), or where not exactly one candidate
// holds, runs the loop itself with per-lane indices and gathers. The sum starts at -0, which
// leaves the first added value unchanged (-0 + x = x for every x), and rows outside the window
// add -0, which leaves the sum unchanged: the same additions in the same order as the general path.
template <class T, std::size_t M>
typename detail::Simd<T>::V mean_around_median(const typename detail::Simd<T>::V* r, typename detail::Simd<T>::V med,
                                               std::size_t keep) {
  using S = detail::Simd<T>;
  using V = typename S::V;
  using Int = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  using I [[gnu::vector_size(64)]] = Int;
  constexpr std::size_t L = S::lanes, h = M / 2;
  static_assert(sizeof(I) == sizeof(V));
  const I zero = I{};
  const auto all = [](I v) {
    Int a = -1;
    for (std::size_t l = 0; l < L; ++l) a &= v[l];
    return a != 0;
  };
  const auto left = [&](std::size_t i) { return med - r[i]; };   // i < h
  const auto right = [&](std::size_t j) { return r[j] - med; };  // j >= h
  I lo = zero;
  bool merged = all((med - med) == S::splat(T(0)));  // med finite in every lane
  if (merged) {
    const std::size_t f = M - keep, first = h > keep ? h - keep : 0, last = std::min(f, h);
    I holds = zero;  // candidates that hold, per lane (as a negative count)
    for (std::size_t c = first; c <= last; ++c) {
      const std::size_t hi = c + keep;
      I ok = zero - 1;
      if (c > 0 && hi > h) ok &= right(hi - 1) < left(c - 1);
      if (hi < M && c < h) ok &= left(c) <= right(hi);
      lo = ok ? zero + static_cast<Int>(c) : lo;
      holds += ok;
    }
    merged = all(holds == -1);
  }
  if (!merged) {
    const T* tile = reinterpret_cast<const T*>(r);  // row i, lane l at tile[i * L + l]
    const auto gather = [&](I idx) {
      __m512i i;
      std::memcpy(&i, &idx, sizeof(i));
      V v;
      if constexpr (sizeof(T) == 4) {
        const __m512 g = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), __mmask16(0xffff), i, tile, 4);
        std::memcpy(&v, &g, sizeof(v));
      } else {
        const __m512d g = _mm512_mask_i64gather_pd(_mm512_setzero_pd(), __mmask8(0xff), i, tile, 8);
        std::memcpy(&v, &g, sizeof(v));
      }
      return v;
    };
    I lane = zero;
    for (std::size_t l = 0; l < L; ++l) lane[l] = static_cast<Int>(l);
    constexpr Int m = static_cast<Int>(M), width = static_cast<Int>(L);
    lo = zero + static_cast<Int>(h);
    I hi = lo;
    for (std::size_t taken = 0; taken < keep; ++taken) {
      const I below = lo - 1;
      const V next_left = gather((below < 0 ? zero : below) * width + lane);
      const V next_right = gather((hi < m ? hi : zero + (m - 1)) * width + lane);
      const I closer_left = (med - next_left) <= (next_right - med);
      const I take_left = (lo != 0) & ((hi == m) | closer_left);  // lanes: -1 (true) or 0
      lo += take_left;
      hi -= ~take_left;  // + 1 where the right side was taken
    }
  }
  const I hi = lo + static_cast<Int>(keep);
  const V negative_zero = S::splat(T(-0.0));
  V acc = negative_zero;
  for (std::size_t i = 0; i < M; ++i) {
    const Int row = static_cast<Int>(i);
    acc += (row >= lo) & (row < hi) ? r[i] : negative_zero;
  }
  return acc / S::splat(static_cast<T>(keep));
}
#endif

// The mean of sorted r[f .. M - f), summed in order, with f a compile-time constant in each branch:
// with a run-time f the sum indexed r[] at run time, which kept the whole tile in memory instead
// of registers. Where the count is a power of two the division is a multiplication by its exact
// reciprocal, which rounds the same exact quotient (a vector division costs 16 cycles here).
template <class T, std::size_t M, std::size_t F>
[[gnu::always_inline]] inline typename detail::Simd<T>::V trimmed_mean_fixed(const typename detail::Simd<T>::V* r) {
  using S = detail::Simd<T>;
  constexpr std::size_t count = M - 2 * F;
  auto acc = r[F];
#pragma GCC unroll 32
  for (std::size_t i = F + 1; i < M - F; ++i) acc += r[i];
  if constexpr ((count & (count - 1)) == 0) {
    return acc * S::splat(T(1) / static_cast<T>(count));
  } else {
    return acc / S::splat(static_cast<T>(count));
  }
}

template <class T, std::size_t M, std::size_t... F>
[[gnu::always_inline]] inline typename detail::Simd<T>::V trimmed_mean_of_sorted(const typename detail::Simd<T>::V* r,
                                                                                 std::size_t f,
                                                                                 std::index_sequence<F...>) {
  typename detail::Simd<T>::V result{};
  static_cast<void>(((f == F ? (result = trimmed_mean_fixed<T, M, F>(r), true) : false) || ...));
  return result;
}

// One loop per rule and m: the reduction is a template argument so that each loop holds only its own
// code (with all three in one tile function, meamed's window code made it spill and the tile was
// not inlined into the loop).
template <class T, std::size_t M, Reduce R>
void fixed_coordinatewise(std::span<const T* const> rows, std::size_t d, std::size_t f, T* out) {
  using S = detail::Simd<T>;
  using V = typename S::V;
  constexpr std::size_t L = S::lanes;
  const V inf = S::splat(std::numeric_limits<T>::infinity());
  const auto tile = [&](const T* const* src, std::size_t c, T* dst, bool prefetch) {
    V r[M];
    // One vector per row per tile is too short a run for the hardware prefetcher with m streams
    // (the loads were latency-bound): fetch each row kPrefetchBytes ahead, into L1 (at most
    // 32 x 512 B = 16 KB in flight; measured faster than into L2 once the loops were unrolled).
    if (prefetch) {
#pragma GCC unroll 32
      for (std::size_t i = 0; i < M; ++i) __builtin_prefetch(src[i] + c + kPrefetchBytes / sizeof(T), 0, 3);
    }
#pragma GCC unroll 32
    for (std::size_t i = 0; i < M; ++i) {
      const V v = S::load(src[i] + c);
      r[i] = v == v ? v : inf;
    }
    sort_registers<V, M>(r, std::make_index_sequence<batcher_count(M)>{});
    V result;
    if constexpr (R != Reduce::trimmed_mean) {
      // Halving is a multiplication by 0.5: the same rounded quotient without a vector division.
      result = (M % 2 == 1) ? r[M / 2] : (r[M / 2 - 1] + r[M / 2]) * S::splat(T(0.5));
#if defined(__AVX512F__)
      if constexpr (R == Reduce::mean_around_median) result = mean_around_median<T, M>(r, result, M - f);
#endif
    } else {
      result = trimmed_mean_of_sorted<T, M>(r, f, std::make_index_sequence<(M + 1) / 2>{});
    }
    S::store(dst, result);
  };
  std::size_t c = 0;
  for (; c + L <= d; c += L) tile(rows.data(), c, out + c, c + kPrefetchBytes / sizeof(T) < d);
  if (c < d) {  // tail: copy into zero-padded vectors
    std::vector<T> pad(M * L, T(0));
    std::vector<const T*> ptrs(M);
    for (std::size_t i = 0; i < M; ++i) {
      std::copy(rows[i] + c, rows[i] + d, pad.data() + i * L);
      ptrs[i] = pad.data() + i * L;
    }
    T res[L];
    tile(ptrs.data(), 0, res, false);
    std::copy(res, res + (d - c), out + c);
  }
}

template <class T, std::size_t M>
void fixed_dispatch(std::span<const T* const> rows, std::size_t d, std::size_t f, Reduce reduce, T* out) {
  switch (reduce) {
    case Reduce::trimmed_mean:
      return fixed_coordinatewise<T, M, Reduce::trimmed_mean>(rows, d, f, out);
    case Reduce::median:
      return fixed_coordinatewise<T, M, Reduce::median>(rows, d, f, out);
    case Reduce::mean_around_median:
#if defined(__AVX512F__)
      return fixed_coordinatewise<T, M, Reduce::mean_around_median>(rows, d, f, out);
#else
      break;  // not reached: try_fixed keeps meamed on the general path without AVX-512
#endif
  }
}

template <class T, std::size_t... M>
constexpr auto fixed_table(std::index_sequence<M...>) {
  using Fn = void (*)(std::span<const T* const>, std::size_t, std::size_t, Reduce, T*);
  return std::array<Fn, sizeof...(M)>{&fixed_dispatch<T, M + 1>...};
}

// meamed takes the register path only where its window can be gathered (AVX-512).
template <class T>
bool try_fixed(std::span<const T* const> rows, std::size_t d, std::size_t f, Rule rule, T* out) {
#if defined(__AVX512F__)
  constexpr bool fixed_meamed = true;
#else
  constexpr bool fixed_meamed = false;
#endif
  const bool fits = rule == Rule::cwtm || rule == Rule::cwmed || (rule == Rule::meamed && fixed_meamed);
  if (!fits || rows.size() < 1 || rows.size() > kMaxFixed) return false;
  static constexpr auto table = fixed_table<T>(std::make_index_sequence<kMaxFixed>{});
  const Reduce reduce = rule == Rule::cwtm    ? Reduce::trimmed_mean
                        : rule == Rule::cwmed ? Reduce::median
                                              : Reduce::mean_around_median;
  table[rows.size() - 1](rows, d, f, reduce, out);
  return true;
}

}  // namespace

const std::vector<std::pair<unsigned, unsigned>>& sorting_network(std::size_t m) {
  static std::mutex mutex;
  static std::map<std::size_t, std::vector<std::pair<unsigned, unsigned>>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(m);
  if (it != cache.end()) return it->second;
  // Batcher's odd-even merge sort for the next power of two, keeping only comparators inside [0, m):
  // a dropped comparator would only touch padding that holds +inf, so it never moves anything.
  std::vector<std::pair<unsigned, unsigned>> net;
  const std::size_t n = m;
  for (std::size_t p = 1; p < n; p += p) {
    for (std::size_t k = p; k >= 1; k /= 2) {
      for (std::size_t j = k % p; j + k < n; j += 2 * k) {
        for (std::size_t i = 0; i < k && i + j + k < n; ++i) {
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
            net.emplace_back(static_cast<unsigned>(i + j), static_cast<unsigned>(i + j + k));
          }
        }
      }
    }
  }
  return cache.emplace(m, std::move(net)).first->second;
}

template <class T>
void Mixer<T>::coordinatewise(std::span<const T* const> rows, std::size_t d, std::span<T> out) {
  using S = detail::Simd<T>;
  constexpr std::size_t kVecs = kLanes / S::lanes;
  const std::size_t m = rows.size();
  const std::size_t f = options_.f;
  if (try_fixed<T>(rows, d, f, options_.rule, out.data())) return;
  const auto& net = sorting_network(m);
  lanes_.resize(m * kChunk);
  const T inf = std::numeric_limits<T>::infinity();
  for (std::size_t c0 = 0; c0 < d; c0 += kChunk) {
    // Copy a chunk of every row in long contiguous reads (the hardware prefetcher needs them; 32-value
    // runs from 26 rows left the copy latency-bound), padding the tail with zeros.
    const std::size_t len = std::min(kChunk, d - c0);
    // Layout [sub-block][row][lane]: each sub-block is a contiguous m x kLanes tile (a row stride of
    // kChunk would put all m rows in the same L1 sets).
    for (std::size_t r = 0; r < m; ++r) {
      const T* src = rows[r] + c0;
      for (std::size_t s0 = 0; s0 < kChunk; s0 += kLanes) {
        T* dst = lanes_.data() + (s0 / kLanes * m + r) * kLanes;
        const std::size_t n = s0 < len ? std::min(kLanes, len - s0) : 0;
        for (std::size_t l = 0; l < n; ++l) dst[l] = std::isnan(src[s0 + l]) ? inf : src[s0 + l];
        for (std::size_t l = n; l < kLanes; ++l) dst[l] = T(0);
      }
    }
    for (std::size_t s0 = 0; s0 < len; s0 += kLanes) {
      T* buf = lanes_.data() + s0 / kLanes * m * kLanes;  // row r of this tile: buf + r * kLanes
      for (const auto& [i, j] : net) {
        T* a = buf + i * kLanes;
        T* b = buf + j * kLanes;
        for (std::size_t q = 0; q < kVecs; ++q) {
          const typename S::V x = S::load(a + q * S::lanes), y = S::load(b + q * S::lanes);
          const auto lt = x < y;
          S::store(a + q * S::lanes, lt ? x : y);
          S::store(b + q * S::lanes, lt ? y : x);
        }
      }
      const std::size_t n_out = std::min(kLanes, len - s0);
      T* o = out.data() + c0 + s0;
      const auto at = [&](std::size_t r, std::size_t l) { return buf[r * kLanes + l]; };
      switch (options_.rule) {
        case Rule::cwtm: {
          T acc[kLanes];
          for (std::size_t l = 0; l < kLanes; ++l) acc[l] = at(f, l);
          for (std::size_t r = f + 1; r < m - f; ++r) {
            for (std::size_t l = 0; l < kLanes; ++l) acc[l] += at(r, l);
          }
          const T count = static_cast<T>(m - 2 * f);
          for (std::size_t l = 0; l < n_out; ++l) o[l] = acc[l] / count;
          break;
        }
        case Rule::cwmed: {
          const std::size_t h = m / 2;
          for (std::size_t l = 0; l < n_out; ++l) {
            o[l] = (m % 2 == 1) ? at(h, l) : (at(h - 1, l) + at(h, l)) / T(2);
          }
          break;
        }
        default: {  // meamed: grow a window around the median, the closer side first, ties to the smaller
          const std::size_t keep = m - f;
          const std::size_t h = m / 2;
          for (std::size_t l = 0; l < n_out; ++l) {
            const T med = (m % 2 == 1) ? at(h, l) : (at(h - 1, l) + at(h, l)) / T(2);
            std::size_t lo = h, hi = h;  // window [lo, hi)
            for (std::size_t taken = 0; taken < keep; ++taken) {
              if (lo == 0) {
                ++hi;
              } else if (hi == m) {
                --lo;
              } else if (med - at(lo - 1, l) <= at(hi, l) - med) {
                --lo;
              } else {
                ++hi;
              }
            }
            T acc = at(lo, l);
            for (std::size_t r = lo + 1; r < hi; ++r) acc += at(r, l);
            o[l] = acc / static_cast<T>(keep);
          }
          break;
        }
      }
    }
  }
}

template void Mixer<float>::coordinatewise(std::span<const float* const>, std::size_t, std::span<float>);
template void Mixer<double>::coordinatewise(std::span<const double* const>, std::size_t, std::span<double>);

}  // namespace paperkit::robust
