

// Private to algorithms/attention: input checks and the one fp32 partial-attention loop that the
// contiguous, paged and cascade layouts all instantiate (so they agree bit for bit).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/detail/lse_merge.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::attention::internal {

inline void check_size(const char* name, std::size_t got, std::size_t want) {
  if (got != want) {
    throw InputError(std::string(name) + " must hold " + std::to_string(want) + " values for this shape, got " +
                     std::to_string(got));
  }
}

inline void check_contiguous(const Shape& shape, std::span<const float> q, std::span<const float> k,
                             std::span<const float> v, const Mask& mask) {
  validate(shape);
  validate(mask);
  check_size("q", q.size(), shape.q_elements());
  check_size("k", k.size(), shape.kv_elements());
  check_size("v", v.size(), shape.kv_elements());
}

// Geometry of the loop below. Keys go in tiles of kKeyTile anchored at the range's first key, so
// a key lands in the same tile on every layout; query rows go in blocks of up to kRowBlock rows
// that share one kv head (the GQA group's heads and consecutive query positions), so each K/V row
// is read from memory once per block, i.e. once per (sequence, kv head) for decode. Inside a block
// the rows go through the micro-kernels kQuad at a time (one K or V load feeds kQuad rows).
inline constexpr std::int64_t kKeyTile = 32;
inline constexpr std::int64_t kRowBlock = 16;
inline constexpr std::int64_t kQuad = 4;
// Dot products keep kLanes partial sums: lane l adds the products c = l (mod kLanes) in order, then
// a pairwise tree adds the lanes. The lane loops vectorize without reassociation (no -ffast-math),
// and the order is fixed, so a row's score never depends on the machine's vector width or on the
// other rows of its quad.
inline constexpr std::int64_t kLanes = 16;
inline constexpr std::int64_t kLineFloats = 16;  // floats per 64-byte cache line (prefetch stride)

// Fixed-width SIMD through GCC/Clang vector extensions: 32-byte vectors of T (8 floats or 4
// doubles), loaded from fp32 storage. Lanes are independent, so this is the same arithmetic as
// the scalar lane loops, only issued as vector instructions (any width gives the same bits).
// 32 rather than 64 bytes: on the AVX-512 dev Xeon a 64-byte FMA issues at about a third of the
// rate of a 32-byte one (bench/README.md, robust), and the fp32 decode loop ran 5-10% faster.
template <typename T>
struct Simd {
  static constexpr std::int64_t bytes = 32;
  static constexpr std::int64_t width = bytes / static_cast<std::int64_t>(sizeof(T));
  static constexpr std::int64_t per_lanes = kLanes / width;  // vectors per kLanes partial sums
  typedef T vec __attribute__((vector_size(bytes)));
  typedef float stored __attribute__((vector_size(width * sizeof(float))));
  static vec load(const float* from) {
    stored x;
    std::memcpy(&x, from, sizeof x);
    return __builtin_convertvector(x, vec);
  }
  static vec splat(T x) { return splat_impl(x, std::make_index_sequence<static_cast<std::size_t>(width)>{}); }
  template <std::size_t... I>
  static vec splat_impl(T x, std::index_sequence<I...>) {
    return vec{((void)I, x)...};  // one broadcast instruction
  }
  // reduce_lanes (below) of the kLanes partial sums held in per_lanes vectors, as vector adds and
  // shuffles: the same additions in the same order (the pairwise tree), without a trip through memory.
  static T reduce(const vec* part) {
    vec v[per_lanes];
    for (std::int64_t j = 0; j < per_lanes; ++j) v[j] = part[j];
    for (std::int64_t count = per_lanes; count > 1; count /= 2) {
      for (std::int64_t j = 0; j < count / 2; ++j) v[j] += v[j + count / 2];
    }
    vec x = v[0];
    if constexpr (width == 16) {
      x += __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
      x += __builtin_shufflevector(x, x, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7);
      x += __builtin_shufflevector(x, x, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
      x += __builtin_shufflevector(x, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    } else if constexpr (width == 8) {
      x += __builtin_shufflevector(x, x, 4, 5, 6, 7, 4, 5, 6, 7);
      x += __builtin_shufflevector(x, x, 2, 3, 2, 3, 2, 3, 2, 3);
      x += __builtin_shufflevector(x, x, 1, 1, 1, 1, 1, 1, 1, 1);
    } else {
      static_assert(width == 4, "Simd<T>: 4, 8 or 16 lanes per vector");
      x += __builtin_shufflevector(x, x, 2, 3, 2, 3);
      x += __builtin_shufflevector(x, x, 1, 1, 1, 1);
    }
    return x[0];
  }
};

template <typename T>
inline T reduce_lanes(T* part) {
  for (std::int64_t width = kLanes / 2; width >= 1; width /= 2) {
    for (std::int64_t l = 0; l < width; ++l) part[l] += part[l + width];
  }
  return part[0];
}

// out[u] = q[u] . k for the kQuad query rows q[u] (kLanes partial sums per row, one K load per
// kQuad rows).
template <typename T>
inline void dot_quad(const float* const* q, const float* k, std::int64_t d, T* out) {
  using S = Simd<T>;
  using V = typename S::vec;
  V part[kQuad][S::per_lanes] = {};
  std::int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    V kc[S::per_lanes];
#pragma GCC unroll 8
    for (std::int64_t j = 0; j < S::per_lanes; ++j) kc[j] = S::load(k + c + j * S::width);
#pragma GCC unroll 8
    for (std::int64_t u = 0; u < kQuad; ++u) {
#pragma GCC unroll 8
      for (std::int64_t j = 0; j < S::per_lanes; ++j) part[u][j] += S::load(q[u] + c + j * S::width) * kc[j];
    }
  }
  for (std::int64_t u = 0; u < kQuad; ++u) {
    if (c == d) {
      out[u] = S::reduce(part[u]);
      continue;
    }
    T lanes[kLanes];  // head_dim not a multiple of kLanes: the tail goes into the first lanes
    std::memcpy(lanes, part[u], sizeof lanes);
    for (std::int64_t l = 0; c + l < d; ++l)
      lanes[l] = std::fma(static_cast<T>(q[u][c + l]), static_cast<T>(k[c + l]), lanes[l]);
    out[u] = reduce_lanes(lanes);
  }
}

// Simd<T>::reduce of eight rows of 16 lane sums (two vectors of eight each) at once: the same
// pairwise tree per row (vector halves, then lanes +4, +2, +1), with the rows transposed into
// shared vectors so each shuffle and add serves several rows (29 vector operations instead of 64).
template <typename V, typename T>
inline void reduce_eight(const V (*part0)[2], const V (*part1)[2], T* out0, T* out1) {
  V x[8];
  for (int u = 0; u < 4; ++u) {
    x[u] = part0[u][0] + part0[u][1];
    x[4 + u] = part1[u][0] + part1[u][1];
  }
  // lanes l += l + 4: y[i] = [x[2i] lanes 0-3 | x[2i+1] lanes 0-3] + [x[2i] lanes 4-7 | x[2i+1] lanes 4-7]
  V y[4];
  for (int i = 0; i < 4; ++i) {
    y[i] = __builtin_shufflevector(x[2 * i], x[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11) +
           __builtin_shufflevector(x[2 * i], x[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15);
  }
  // lanes l += l + 2: z[i] = [a0 a1 c0 c1 | b0 b1 d0 d1] for y[2i] = [a | b], y[2i+1] = [c | d]
  V z[2];
  for (int i = 0; i < 2; ++i) {
    z[i] = __builtin_shufflevector(y[2 * i], y[2 * i + 1], 0, 1, 8, 9, 4, 5, 12, 13) +
           __builtin_shufflevector(y[2 * i], y[2 * i + 1], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  // lanes l += l + 1: w = [x0 x2 x4 x6 | x1 x3 x5 x7], one finished row per lane
  const V w = __builtin_shufflevector(z[0], z[1], 0, 2, 8, 10, 4, 6, 12, 14) +
              __builtin_shufflevector(z[0], z[1], 1, 3, 9, 11, 5, 7, 13, 15);
  out0[0] = w[0];
  out0[2] = w[1];
  out1[0] = w[2];
  out1[2] = w[3];
  out0[1] = w[4];
  out0[3] = w[5];
  out1[1] = w[6];
  out1[3] = w[7];
}

// dot_quad for two keys at once: each query load feeds both keys (per key the same lane sums in
// the same order, so the scores equal dot_quad's bit for bit).
template <typename T>
inline void dot_quad_pair(const float* const* q, const float* k0, const float* k1, std::int64_t d, T* out0, T* out1) {
  using S = Simd<T>;
  using V = typename S::vec;
  V part0[kQuad][S::per_lanes] = {};
  V part1[kQuad][S::per_lanes] = {};
  std::int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    V kc0[S::per_lanes];
    V kc1[S::per_lanes];
#pragma GCC unroll 8
    for (std::int64_t j = 0; j < S::per_lanes; ++j) {
      kc0[j] = S::load(k0 + c + j * S::width);
      kc1[j] = S::load(k1 + c + j * S::width);
    }
#pragma GCC unroll 8
    for (std::int64_t u = 0; u < kQuad; ++u) {
#pragma GCC unroll 8
      for (std::int64_t j = 0; j < S::per_lanes; ++j) {
        const V qc = S::load(q[u] + c + j * S::width);
        part0[u][j] += qc * kc0[j];
        part1[u][j] += qc * kc1[j];
      }
    }
  }
  if (c != d) {  // head_dim not a multiple of kLanes: the rare path, key by key
    dot_quad(q, k0, d, out0);
    dot_quad(q, k1, d, out1);
    return;
  }
  if constexpr (S::width == 8 && S::per_lanes == 2 && kQuad == 4) {
    reduce_eight(part0, part1, out0, out1);
  } else {
    for (std::int64_t u = 0; u < kQuad; ++u) {
      out0[u] = S::reduce(part0[u]);
      out1[u] = S::reduce(part1[u]);
    }
  }
}

// out[u][c] = sum_t p[u][t] v[t][c] over the tile's keys in order t = 0, 1, ... (the kQuad rows'
// column sums stay in registers across the tile; one V load feeds kQuad rows).
template <typename T>
inline void pv_quad(const T* const* p, const float* const* v, std::int64_t n_keys, std::int64_t d, T* const* out) {
  using S = Simd<T>;
  using V = typename S::vec;
  std::int64_t c = 0;
  // Two column blocks per pass where they fit: each broadcast of p[u][t] then feeds twice the
  // multiply-adds (per column the same sum in the same order as the one-block pass below).
  constexpr std::int64_t kWide = 2 * S::per_lanes;
  for (; c + 2 * kLanes <= d; c += 2 * kLanes) {
    V sum[kQuad][kWide] = {};
    for (std::int64_t t = 0; t < n_keys; ++t) {
      V vc[kWide];
#pragma GCC unroll 8
      for (std::int64_t j = 0; j < kWide; ++j) vc[j] = S::load(v[t] + c + j * S::width);
#pragma GCC unroll 8
      for (std::int64_t u = 0; u < kQuad; ++u) {
        const V pu = S::splat(p[u][t]);
#pragma GCC unroll 8
        for (std::int64_t j = 0; j < kWide; ++j) sum[u][j] += pu * vc[j];
      }
    }
    for (std::int64_t u = 0; u < kQuad; ++u) std::memcpy(out[u] + c, sum[u], sizeof sum[u]);
  }
  for (; c + kLanes <= d; c += kLanes) {
    V sum[kQuad][S::per_lanes] = {};
    for (std::int64_t t = 0; t < n_keys; ++t) {
      V vc[S::per_lanes];
#pragma GCC unroll 8
      for (std::int64_t j = 0; j < S::per_lanes; ++j) vc[j] = S::load(v[t] + c + j * S::width);
#pragma GCC unroll 8
      for (std::int64_t u = 0; u < kQuad; ++u) {
        const V pu = S::splat(p[u][t]);
#pragma GCC unroll 8
        for (std::int64_t j = 0; j < S::per_lanes; ++j) sum[u][j] += pu * vc[j];
      }
    }
    for (std::int64_t u = 0; u < kQuad; ++u) std::memcpy(out[u] + c, sum[u], sizeof sum[u]);
  }
  for (; c < d; ++c) {
    for (std::int64_t u = 0; u < kQuad; ++u) {
      T sum = T(0);
      // std::fma, not a * b + c: GCC may vectorize an in-order sum over t with separate multiplies
      // and finish with contracted scalar steps, which would make the rounding depend on n_keys.
      for (std::int64_t t = 0; t < n_keys; ++t) sum = std::fma(p[u][t], static_cast<T>(v[t][c]), sum);
      out[u][c] = sum;
    }
  }
}

// exp(x - shift) for the kKeyTile floats of p, eight lanes at a time: the fp32 decode loop spent
// about a quarter of its time in scalar expf calls. Cody-Waite reduction x = n ln2 + r with
// |r| <= ln2 / 2, exp(r) by its Taylor polynomial of degree 7 (truncation < 6e-9 relative, below
// half an fp32 ulp), then 2^n through the exponent bits: within 2 ulp of expf. Arguments are
// <= 0 here (scores minus their running max); below -87.33 (where 2^n would leave the normal
// range) the result is 0, as it is for masked keys (-inf); a NaN argument gives NaN.
inline void exp_shifted_tile(float* p, float shift) {
  typedef float v8f __attribute__((vector_size(32)));
  typedef std::int32_t v8i __attribute__((vector_size(32)));
  const auto splat = [](float x) { return v8f{x, x, x, x, x, x, x, x}; };
  static_assert(kKeyTile % 8 == 0, "whole vectors per tile");
  for (std::int64_t t = 0; t < kKeyTile; t += 8) {
    v8f x;
    std::memcpy(&x, p + t, sizeof x);
    x -= splat(shift);
    // n = round(x / ln2) by adding 1.5 * 2^23, which leaves the rounded value in the low bits.
    const v8f shifted = x * splat(1.44269504088896341f) + splat(12582912.0f);
    const v8f n = shifted - splat(12582912.0f);
    const v8f r = (x - n * splat(0.693359375f)) - n * splat(-2.12194440e-4f);  // ln2 split: hi exact
    v8f poly = splat(1.0f / 5040.0f);
    poly = poly * r + splat(1.0f / 720.0f);
    poly = poly * r + splat(1.0f / 120.0f);
    poly = poly * r + splat(1.0f / 24.0f);
    poly = poly * r + splat(1.0f / 6.0f);
    poly = poly * r + splat(0.5f);
    poly = poly * r + splat(1.0f);
    poly = poly * r + splat(1.0f);
    v8i bits;
    std::memcpy(&bits, &shifted, sizeof bits);
    const v8i exponent =
        (bits - v8i{0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000} +
         127)
        << 23;  // n + 127 in the exponent field: 2^n
    v8f scale;
    std::memcpy(&scale, &exponent, sizeof scale);
    v8f y = poly * scale;
    y = x < splat(-87.33f) ? splat(0.0f) : y;  // NaN < c is false: NaN stays NaN
    std::memcpy(p + t, &y, sizeof y);
  }
}

// Sum of the kKeyTile floats of p in a fixed pairwise order (eight lane sums, then a tree).
inline float sum_tile(const float* p) {
  typedef float v8f __attribute__((vector_size(32)));
  v8f part[kKeyTile / 8];
  std::memcpy(part, p, sizeof part);
  for (std::int64_t count = kKeyTile / 8; count > 1; count /= 2) {
    for (std::int64_t j = 0; j < count / 2; ++j) part[j] += part[j + count / 2];
  }
  v8f x = part[0];
  x += __builtin_shufflevector(x, x, 4, 5, 6, 7, 4, 5, 6, 7);
  x += __builtin_shufflevector(x, x, 2, 3, 2, 3, 2, 3, 2, 3);
  x += __builtin_shufflevector(x, x, 1, 1, 1, 1, 1, 1, 1, 1);
  return x[0];
}

// One tile of the online softmax for one row (detail::row_add applied to a block of keys):
// `p` (kKeyTile entries, the first n of them this tile's scores, -inf = masked) is overwritten with
// exp(s - new max), 0 past n; returns the factor exp(old max - new max) by which the row's
// accumulator must be scaled, 1 when the max did not move, and leaves state updated with the
// tile's exponential sum (summed within the tile first, then added: a two-level sum that stays
// accurate at 64k keys). A tile with no visible key changes nothing and returns 1 with p all 0.
template <typename T>
inline T tile_softmax(detail::RowState<T>& state, T* p, std::int64_t n) {
  T tile_max = detail::negative_infinity<T>();
  bool any_visible = false;  // a NaN score is not a masked key: it reaches the sums (as in row_add)
  for (std::int64_t t = 0; t < n; ++t) {
    any_visible = any_visible || p[t] != detail::negative_infinity<T>();
    tile_max = p[t] > tile_max ? p[t] : tile_max;
  }
  if (!any_visible) {
    std::fill_n(p, kKeyTile, T(0));
    return T(1);
  }
  T alpha = T(1);
  if (tile_max > state.max_score) {
    alpha = detail::exp_of(state.max_score - tile_max);  // 0 on the first visible key
    state.max_score = tile_max;
  }
  std::fill(p + n, p + kKeyTile, detail::negative_infinity<T>());
  T tile_sum = T(0);
  if constexpr (std::is_same_v<T, float>) {
    exp_shifted_tile(p, state.max_score);
    tile_sum = sum_tile(p);
  } else {
    for (std::int64_t t = 0; t < kKeyTile; ++t) {
      p[t] = detail::exp_of(p[t] - state.max_score);  // exp(-inf) = 0 for masked keys
      tile_sum += p[t];
    }
  }
  state.sum_exp = state.sum_exp * alpha + tile_sum;
  return alpha;
}

// Runs the online softmax (accumulating, and writing, in T = float or double) of every (batch, q head, query row) over
// keys [range(b).begin, range(b).end). kv(b, kv_head, j, &k_row, &v_row) locates key j; kv_len(b) is the sequence's
// length (for align_to_end masks). Writes O and lse into `out`.
//
// Work items are (sequence, kv head, row block); each is computed by one thread. A row's arithmetic depends only on
// its own query, the keys and the tile grid, never on the other rows of its block, the block split or the thread
// count. Per tile: the rows' scores (dot_quad), one rescale per row (tile_softmax), P V of the tile (pv_quad) into a
// per-row tile accumulator, folded in as acc = acc * alpha + tile_acc. K and V must be finite: a key masked for one
// row but seen by another row of its quad is multiplied by p = 0 for the first.
template <typename T, typename KvAt, typename RangeOf, typename LenOf>
void partial_rows(const Shape& shape, std::span<const float> q, KvAt kv, RangeOf range_of, LenOf kv_len_of,
                  const Mask& mask, T scale, Result<T>& out) {
  const std::int64_t d = shape.head_dim;
  const std::int64_t group = shape.group();
  const std::int64_t rows_per_head = group * shape.q_len;  // rows of one (sequence, kv head), ordered (i, g)
  const std::int64_t blocks = (rows_per_head + kRowBlock - 1) / kRowBlock;
  const std::int64_t items = shape.batch * shape.kv_heads * blocks;
  const auto ud = static_cast<std::size_t>(d);
  out.out.assign(shape.q_elements(), T(0));
  out.lse.assign(shape.lse_elements(), detail::negative_infinity<T>());

#pragma omp parallel
  {
    std::vector<T> tile_acc(static_cast<std::size_t>(kRowBlock) * ud);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < items; ++item) {
      const std::int64_t b = item / (shape.kv_heads * blocks);
      const std::int64_t hk = (item / blocks) % shape.kv_heads;
      const std::int64_t r0 = (item % blocks) * kRowBlock;
      const std::int64_t n_rows = std::min(kRowBlock, rows_per_head - r0);
      const std::int64_t n_quads = (n_rows + kQuad - 1) / kQuad;
      const detail::KeyChunk range = range_of(b);
      const std::int64_t delta = detail::effective_offset(mask, shape.q_len, kv_len_of(b));

      // Rows past n_rows (padding of the last quad) repeat row 0's query; their results are discarded.
      detail::RowState<T> state[kRowBlock];
      const float* q_row[kRowBlock];
      std::int64_t q_pos[kRowBlock];
      std::size_t out_row[kRowBlock];
      T* tile_out[kRowBlock];
      for (std::int64_t r = 0; r < n_quads * kQuad; ++r) {
        const std::int64_t rr = r < n_rows ? r0 + r : r0;
        const std::int64_t i = rr / group;
        const std::int64_t h = hk * group + rr % group;
        out_row[r] = static_cast<std::size_t>((b * shape.q_heads + h) * shape.q_len + i);
        q_pos[r] = i;
        q_row[r] = q.data() + out_row[r] * ud;
        tile_out[r] = tile_acc.data() + static_cast<std::size_t>(r) * ud;
      }
      for (std::int64_t r = 0; r < n_rows; ++r) detail::row_init(state[r], out.out.data() + out_row[r] * ud, d);

      // Keys no row of the block can see are skipped: for such a key every row's p is 0, so the
      // rows' sums are the same with or without it.
      std::int64_t lo = range.begin;
      std::int64_t hi = range.end;
      if (mask.kind != MaskKind::none) {
        hi = std::min(hi, q_pos[n_rows - 1] + delta + 1);
        if (mask.kind == MaskKind::window) lo = std::max(lo, q_pos[0] + delta - mask.window + 1);
      }

      T p[kRowBlock][kKeyTile];
      const T* p_row[kRowBlock];
      for (std::int64_t r = 0; r < kRowBlock; ++r) p_row[r] = p[r];
      const float* k_row[kKeyTile];
      const float* v_row[kKeyTile];
      for (std::int64_t tile = range.begin + ((lo - range.begin) / kKeyTile) * kKeyTile; tile < hi; tile += kKeyTile) {
        const std::int64_t first = std::max(tile, lo);
        const std::int64_t n_keys = std::min(tile + kKeyTile, hi) - first;
        for (std::int64_t t = 0; t < n_keys; ++t) kv(b, hk, first + t, k_row[t], v_row[t]);
        // Locate the K/V rows kKeyTile keys past the next tile; their lines are requested one key
        // at a time inside the score loop below, so the requests overlap this tile's arithmetic
        // instead of arriving in one burst that fills the line-fill buffers and stalls the core (a
        // paged cache jumps between pages, where the hardware prefetcher loses the stream). On the
        // 2-core dev Xeon, decode at 1k-64k keys went from 51-53% of read bandwidth without
        // prefetch and 54% with a burst one tile ahead to 62-63% spread one tile ahead and 64-65%
        // spread two tiles ahead.
        const std::int64_t ahead = first + n_keys + kKeyTile;
        const std::int64_t next_keys = std::max<std::int64_t>(0, std::min(ahead + kKeyTile, hi) - ahead);
        const float* next_k[kKeyTile];
        const float* next_v[kKeyTile];
        for (std::int64_t t = 0; t < next_keys; ++t) kv(b, hk, ahead + t, next_k[t], next_v[t]);
        for (std::int64_t quad = 0; quad < n_quads; ++quad) {
          for (std::int64_t t = 0; t < n_keys; t += 2) {
            const std::int64_t pair = std::min<std::int64_t>(2, n_keys - t);
            if (quad == 0) {
              for (std::int64_t tt = t; tt < std::min(t + pair, next_keys); ++tt) {
                for (std::int64_t c = 0; c < d; c += kLineFloats) {
                  __builtin_prefetch(next_k[tt] + c);
                  __builtin_prefetch(next_v[tt] + c);
                }
              }
            }
            T score[2][kQuad];
            if (pair == 2) {
              dot_quad_pair(q_row + quad * kQuad, k_row[t], k_row[t + 1], d, score[0], score[1]);
            } else {
              dot_quad(q_row + quad * kQuad, k_row[t], d, score[0]);
            }
            for (std::int64_t e = 0; e < pair; ++e) {
              for (std::int64_t u = 0; u < kQuad; ++u) {
                const std::int64_t r = quad * kQuad + u;
                p[r][t + e] = detail::key_visible(mask, delta, q_pos[r], first + t + e)
                                  ? score[e][u] * scale
                                  : detail::negative_infinity<T>();
              }
            }
          }
        }
        T alpha[kRowBlock];
        for (std::int64_t r = 0; r < n_quads * kQuad; ++r) {
          if (r < n_rows) {
            alpha[r] = tile_softmax(state[r], p[r], n_keys);
          } else {
            std::fill_n(p[r], n_keys, T(0));
          }
        }
        for (std::int64_t quad = 0; quad < n_quads; ++quad) {
          pv_quad(p_row + quad * kQuad, v_row, n_keys, d, tile_out + quad * kQuad);
        }
        for (std::int64_t r = 0; r < n_rows; ++r) {
          const T* ta = tile_out[r];
          T* a = out.out.data() + out_row[r] * ud;
          const T scale_old = alpha[r];
          for (std::int64_t c = 0; c < d; ++c) a[c] = a[c] * scale_old + ta[c];
        }
      }
      for (std::int64_t r = 0; r < n_rows; ++r) {
        out.lse[out_row[r]] = detail::row_finish(state[r], out.out.data() + out_row[r] * ud, d);
      }
    }
  }
}

}  // namespace paperkit::attention::internal
