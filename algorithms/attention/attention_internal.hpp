// Private to algorithms/attention: input checks and the one fp32 partial-attention loop that the
// contiguous and paged layouts both instantiate (so they agree bit for bit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

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

// Runs the online softmax (accumulating, and writing, in T = float or double) of every (batch, q head, query row) over
// keys [range(b).begin, range(b).end). kv(b, kv_head, j, &k_row, &v_row) locates key j; kv_len(b) is the sequence's
// length (for align_to_end masks). Writes O and lse into `out`.
template <typename T, typename KvAt, typename RangeOf, typename LenOf>
void partial_rows(const Shape& shape, std::span<const float> q, KvAt kv, RangeOf range_of, LenOf kv_len_of,
                  const Mask& mask, T scale, Result<T>& out) {
  const std::int64_t d = shape.head_dim;
  out.out.assign(shape.q_elements(), T(0));
  out.lse.assign(shape.lse_elements(), detail::negative_infinity<T>());

#pragma omp parallel for collapse(2) schedule(static)
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    for (std::int64_t h = 0; h < shape.q_heads; ++h) {
      const std::int64_t hk = h / shape.group();
      const detail::KeyChunk range = range_of(b);
      const std::int64_t delta = detail::effective_offset(mask, shape.q_len, kv_len_of(b));
      for (std::int64_t i = 0; i < shape.q_len; ++i) {
        const std::size_t row = static_cast<std::size_t>((b * shape.q_heads + h) * shape.q_len + i);
        const float* qi = q.data() + row * static_cast<std::size_t>(d);
        T* acc = out.out.data() + row * static_cast<std::size_t>(d);
        detail::RowState<T> state;
        detail::row_init(state, acc, d);
        for (std::int64_t j = range.begin; j < range.end; ++j) {
          if (!detail::key_visible(mask, delta, i, j)) continue;
          const float* kj = nullptr;
          const float* vj = nullptr;
          kv(b, hk, j, kj, vj);
          T s = T(0);
          for (std::int64_t c = 0; c < d; ++c) s += static_cast<T>(qi[c]) * static_cast<T>(kj[c]);
          detail::row_add(state, acc, s * scale, vj, d);
        }
        out.lse[row] = detail::row_finish(state, acc, d);
      }
    }
  }
}

}  // namespace paperkit::attention::internal
