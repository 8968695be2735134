// Online softmax and log-sum-exp (LSE) merge math (spec B1), written once as PAPERKIT_HOST_DEVICE
// code: the CPU reference in algorithms/attention/ and the CUDA kernels (cuda/attention/) call
// these very functions, so CPU tests check the kernels' arithmetic.
//
// Rules kept by every function here (nvcc compatible): no exceptions, no std:: containers, no
// allocation; values are plain pointers + lengths; T is float or double.
//
// Conventions (spec B1): a partial result over a key block is (O, lse) with O normalized and
// lse = log sum_j exp(s_j). A block in which a row sees no key (empty block, or every key masked)
// gives lse = -inf and O = 0; that is the identity of merge().
#pragma once

#include <math.h>  // C math: expf/exp, logf/log, log1pf/log1p exist on host and device alike

#include <cstdint>

#include "paperkit/common/host_device.hpp"

namespace paperkit::attention::detail {

// Math overloads that resolve to the C functions on host and device (std:: overloads are not
// guaranteed in device code).
PAPERKIT_HOST_DEVICE inline float exp_of(float x) {
  return expf(x);
}
PAPERKIT_HOST_DEVICE inline double exp_of(double x) {
  return exp(x);
}
PAPERKIT_HOST_DEVICE inline float log_of(float x) {
  return logf(x);
}
PAPERKIT_HOST_DEVICE inline double log_of(double x) {
  return log(x);
}
PAPERKIT_HOST_DEVICE inline float log1p_of(float x) {
  return log1pf(x);
}
PAPERKIT_HOST_DEVICE inline double log1p_of(double x) {
  return log1p(x);
}

template <typename T>
PAPERKIT_HOST_DEVICE inline T negative_infinity() {
  return -static_cast<T>(INFINITY);
}

// True for -inf (the "no key seen" lse); written without isinf so it behaves the same under
// fast-math-free host and device builds.
template <typename T>
PAPERKIT_HOST_DEVICE inline bool is_empty_lse(T lse) {
  return lse == negative_infinity<T>();
}

// Running state of one query row's online softmax: max score seen and sum of exp(s - max).
// The unnormalized output accumulator lives beside it (acc[0..d)).
template <typename T>
struct RowState {
  T max_score;
  T sum_exp;
};

template <typename T>
PAPERKIT_HOST_DEVICE inline void row_init(RowState<T>& state, T* acc, std::int64_t d) {
  state.max_score = negative_infinity<T>();
  state.sum_exp = T(0);
  for (std::int64_t c = 0; c < d; ++c) acc[c] = T(0);
}

// Adds one key with score `score` and value row v[0..d). A score of -inf (masked key) is skipped.
// V is read as type TV (float storage with double accumulation is allowed).
template <typename T, typename TV>
PAPERKIT_HOST_DEVICE inline void row_add(RowState<T>& state, T* acc, T score, const TV* v, std::int64_t d) {
  if (score == negative_infinity<T>()) return;
  if (score > state.max_score) {
    // Rescale what was accumulated under the old max; exp(-inf) = 0 on the first key.
    const T alpha = exp_of(state.max_score - score);
    state.sum_exp *= alpha;
    for (std::int64_t c = 0; c < d; ++c) acc[c] *= alpha;
    state.max_score = score;
  }
  const T p = exp_of(score - state.max_score);
  state.sum_exp += p;
  for (std::int64_t c = 0; c < d; ++c) acc[c] += p * static_cast<T>(v[c]);
}

// Normalizes acc in place into O and returns the row's lse; a row that saw no key gets O = 0 and
// lse = -inf.
template <typename T>
PAPERKIT_HOST_DEVICE inline T row_finish(const RowState<T>& state, T* acc, std::int64_t d) {
  if (!(state.sum_exp > T(0))) {
    for (std::int64_t c = 0; c < d; ++c) acc[c] = T(0);
    return negative_infinity<T>();
  }
  const T inv = T(1) / state.sum_exp;
  for (std::int64_t c = 0; c < d; ++c) acc[c] *= inv;
  return state.max_score + log_of(state.sum_exp);
}

// lse of the union of two key sets: max + log1p(exp(-|a - b|)); exact for -inf operands.
template <typename T>
PAPERKIT_HOST_DEVICE inline T merged_lse(T lse_a, T lse_b) {
  if (is_empty_lse(lse_a)) return lse_b;
  if (is_empty_lse(lse_b)) return lse_a;
  const T hi = lse_a > lse_b ? lse_a : lse_b;
  const T gap = lse_a > lse_b ? lse_a - lse_b : lse_b - lse_a;
  return hi + log1p_of(exp_of(-gap));
}

// Merges partial (o_b, lse_b) into (o_a, lse_a) in place (spec B1). Commutative and associative
// up to rounding; a block with lse = -inf is the identity on either side, and two empty blocks
// give an empty block (O = 0, lse = -inf), never NaN.
template <typename T>
PAPERKIT_HOST_DEVICE inline void merge_into(T* o_a, T& lse_a, const T* o_b, T lse_b, std::int64_t d) {
  if (is_empty_lse(lse_b)) return;
  if (is_empty_lse(lse_a)) {
    for (std::int64_t c = 0; c < d; ++c) o_a[c] = o_b[c];
    lse_a = lse_b;
    return;
  }
  const T lse = merged_lse(lse_a, lse_b);
  const T wa = exp_of(lse_a - lse);
  const T wb = exp_of(lse_b - lse);
  for (std::int64_t c = 0; c < d; ++c) o_a[c] = wa * o_a[c] + wb * o_b[c];
  lse_a = lse;
}

// Split-K chunking (spec B2): keys [0, len) cut into `count` chunks of equal size rounded up to a
// multiple of `granule` (the GPU uses 128, a page size also works); trailing chunks may be empty.
struct KeyChunk {
  std::int64_t begin;
  std::int64_t end;
};

PAPERKIT_HOST_DEVICE inline KeyChunk split_chunk(std::int64_t len, std::int64_t index, std::int64_t count,
                                                 std::int64_t granule) {
  std::int64_t chunk = (len + count - 1) / count;
  chunk = ((chunk + granule - 1) / granule) * granule;
  std::int64_t begin = index * chunk;
  if (begin > len) begin = len;
  std::int64_t end = begin + chunk;
  if (end > len) end = len;
  return KeyChunk{begin, end};
}

}  // namespace paperkit::attention::detail

namespace paperkit::attention::detail {

// The online-softmax update of row_add, split from the accumulator so that a GPU warp (each lane
// owning a slice of acc) applies it: after `softmax_step(state, score)`, acc = alpha * acc + p * v
// keeps acc = sum_j exp(s_j - max) v_j. A masked key (score -inf) gives alpha = 1, p = 0.
template <typename T>
struct SoftmaxWeights {
  T alpha;
  T p;
};

template <typename T>
PAPERKIT_HOST_DEVICE inline SoftmaxWeights<T> softmax_step(RowState<T>& state, T score) {
  if (score == negative_infinity<T>()) return {T(1), T(0)};
  T alpha = T(1);
  if (score > state.max_score) {
    alpha = exp_of(state.max_score - score);
    state.sum_exp *= alpha;
    state.max_score = score;
  }
  const T p = exp_of(score - state.max_score);
  state.sum_exp += p;
  return {alpha, p};
}

// The block form used by the tiled GPU kernel: a tile of keys whose largest score is tile_max
// raises the running max first; returns the factor for what was accumulated so far. The tile's
// weights are then tile_weight(state, s_j), and their sum is added to state.sum_exp by the caller.
template <typename T>
PAPERKIT_HOST_DEVICE inline T softmax_rescale(RowState<T>& state, T tile_max) {
  if (!(tile_max > state.max_score)) return T(1);  // also a fully masked tile (-inf)
  const T alpha = exp_of(state.max_score - tile_max);
  state.sum_exp *= alpha;
  state.max_score = tile_max;
  return alpha;
}

template <typename T>
PAPERKIT_HOST_DEVICE inline T tile_weight(const RowState<T>& state, T score) {
  return score == negative_infinity<T>() ? T(0) : exp_of(score - state.max_score);
}

// row_finish's two outputs without the loop: the factor that normalizes acc (0 for a row that saw
// no key, so O = 0) and the row's lse (-inf for such a row).
template <typename T>
PAPERKIT_HOST_DEVICE inline T row_normalizer(const RowState<T>& state) {
  return state.sum_exp > T(0) ? T(1) / state.sum_exp : T(0);
}

template <typename T>
PAPERKIT_HOST_DEVICE inline T row_lse(const RowState<T>& state) {
  return state.sum_exp > T(0) ? state.max_score + log_of(state.sum_exp) : negative_infinity<T>();
}

}  // namespace paperkit::attention::detail
