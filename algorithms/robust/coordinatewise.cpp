// Coordinate-wise rules (cwtm, cwmed, meamed): a block of kLanes coordinates of all m rows is
// copied into an m x kLanes scratch (NaN -> +inf), sorted per lane by Batcher's odd-even merge
// network (each compare-exchange is a lane-wise min/max, so it vectorises across coordinates),
// and reduced per lane. Cost O(m log^2 m) vector min/max per block instead of m scalar sorts.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
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

// Register-resident fast path for cwtm and cwmed with m <= 32: the network is generated at compile
// time for each m, so one vector of coordinates per row (8 doubles or 16 floats) stays in registers
// through all compare-exchanges; rows are read directly (NaN -> +inf on load). Same comparators
// and the same per-lane sums as the general path, so the results are identical.
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
inline void sort_registers([[maybe_unused]] V* r, std::index_sequence<I...>) {
  [[maybe_unused]] static constexpr auto net = batcher_pairs<M>();
  (compare_exchange(r[net[I].first], r[net[I].second]), ...);
}

template <class T, std::size_t M>
void fixed_coordinatewise(std::span<const T* const> rows, std::size_t d, std::size_t f, bool median, T* out) {
  using S = detail::Simd<T>;
  using V = typename S::V;
  constexpr std::size_t L = S::lanes;
  const V inf = S::splat(std::numeric_limits<T>::infinity());
  const auto tile = [&](const T* const* src, std::size_t c, T* dst, bool prefetch) {
    V r[M];
    // One vector per row per tile is too short a run for the hardware prefetcher with m streams
    // (the loads were latency-bound): fetch each row kPrefetchBytes ahead into L2.
    if (prefetch) {
      for (std::size_t i = 0; i < M; ++i) __builtin_prefetch(src[i] + c + kPrefetchBytes / sizeof(T), 0, 2);
    }
    for (std::size_t i = 0; i < M; ++i) {
      const V v = S::load(src[i] + c);
      r[i] = v == v ? v : inf;
    }
    sort_registers<V, M>(r, std::make_index_sequence<batcher_count(M)>{});
    V result;
    if (median) {
      result = (M % 2 == 1) ? r[M / 2] : (r[M / 2 - 1] + r[M / 2]) / S::splat(T(2));
    } else {
      V acc = r[f];
      for (std::size_t i = f + 1; i < M - f; ++i) acc += r[i];
      result = acc / S::splat(static_cast<T>(M - 2 * f));
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

template <class T, std::size_t... M>
constexpr auto fixed_table(std::index_sequence<M...>) {
  using Fn = void (*)(std::span<const T* const>, std::size_t, std::size_t, bool, T*);
  return std::array<Fn, sizeof...(M)>{&fixed_coordinatewise<T, M + 1>...};
}

template <class T>
bool try_fixed(std::span<const T* const> rows, std::size_t d, std::size_t f, Rule rule, T* out) {
  if ((rule != Rule::cwtm && rule != Rule::cwmed) || rows.size() < 1 || rows.size() > kMaxFixed) return false;
  static constexpr auto table = fixed_table<T>(std::make_index_sequence<kMaxFixed>{});
  table[rows.size() - 1](rows, d, f, rule == Rule::cwmed, out);
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
