// The fp64 oracle: naive two-pass softmax attention, scores materialized per row. Deliberately
// shares no code with the online-softmax path it checks (only the mask predicate).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention_internal.hpp"
#include "paperkit/attention/attention.hpp"

namespace paperkit::attention {

Reference reference_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, const Mask& mask, double scale) {
  internal::check_contiguous(shape, q, k, v, mask);
  const std::int64_t d = shape.head_dim;
  Reference result;
  result.out.assign(shape.q_elements(), 0.0);
  result.lse.assign(shape.lse_elements(), -std::numeric_limits<double>::infinity());
  const std::int64_t delta = detail::effective_offset(mask, shape.q_len, shape.kv_len);

#pragma omp parallel for collapse(2) schedule(static)
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    for (std::int64_t h = 0; h < shape.q_heads; ++h) {
      const std::int64_t hk = h / shape.group();
      const std::size_t kv_base = static_cast<std::size_t>(((b * shape.kv_heads) + hk) * shape.kv_len * d);
      std::vector<double> scores(static_cast<std::size_t>(shape.kv_len));
      for (std::int64_t i = 0; i < shape.q_len; ++i) {
        const std::size_t row = static_cast<std::size_t>((b * shape.q_heads + h) * shape.q_len + i);
        const float* qi = q.data() + row * static_cast<std::size_t>(d);
        double max_score = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < shape.kv_len; ++j) {
          double s = -std::numeric_limits<double>::infinity();
          if (detail::key_visible(mask, delta, i, j)) {
            const float* kj = k.data() + kv_base + static_cast<std::size_t>(j * d);
            s = 0.0;
            for (std::int64_t c = 0; c < d; ++c) s += static_cast<double>(qi[c]) * static_cast<double>(kj[c]);
            s *= scale;
          }
          scores[static_cast<std::size_t>(j)] = s;
          max_score = std::max(max_score, s);
        }
        if (max_score == -std::numeric_limits<double>::infinity()) continue;  // fully masked: O = 0, lse = -inf
        double sum = 0.0;
        double* o = result.out.data() + row * static_cast<std::size_t>(d);
        for (std::int64_t j = 0; j < shape.kv_len; ++j) {
          const double p = std::exp(scores[static_cast<std::size_t>(j)] - max_score);
          if (p == 0.0) continue;
          sum += p;
          const float* vj = v.data() + kv_base + static_cast<std::size_t>(j * d);
          for (std::int64_t c = 0; c < d; ++c) o[c] += p * static_cast<double>(vj[c]);
        }
        for (std::int64_t c = 0; c < d; ++c) o[c] /= sum;
        result.lse[row] = max_score + std::log(sum);
      }
    }
  }
  return result;
}

}  // namespace paperkit::attention
