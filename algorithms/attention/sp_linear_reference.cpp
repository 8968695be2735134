// The LASP-2 oracle: causal or unmasked linear attention in fp64, written as the plain double sum
// over visible keys (no chunks, no d x d states), so it shares no arithmetic with sp_lasp2.cpp.
#include <string>

#include "paperkit/attention/sequence_parallel.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::attention {

std::vector<double> reference_linear_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                               std::span<const float> v, const Mask& mask, double scale) {
  validate(shape);
  validate(mask);
  if (q.size() != shape.q_elements() || k.size() != shape.kv_elements() || v.size() != shape.kv_elements()) {
    throw InputError("linear attention: q, k, v must hold " + std::to_string(shape.q_elements()) + ", " +
                     std::to_string(shape.kv_elements()) + ", " + std::to_string(shape.kv_elements()) +
                     " values, got " + std::to_string(q.size()) + ", " + std::to_string(k.size()) + ", " +
                     std::to_string(v.size()));
  }
  const std::int64_t d = shape.head_dim;
  const auto at = [](std::int64_t i) { return static_cast<std::size_t>(i); };
  const std::int64_t delta = detail::effective_offset(mask, shape.q_len, shape.kv_len);
  std::vector<double> out(shape.q_elements(), 0.0);
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    for (std::int64_t h = 0; h < shape.q_heads; ++h) {
      const std::int64_t bk = b * shape.kv_heads + h / shape.group();
      for (std::int64_t i = 0; i < shape.q_len; ++i) {
        const std::int64_t row = (b * shape.q_heads + h) * shape.q_len + i;
        const float* qi = q.data() + at(row * d);
        double* o = out.data() + at(row * d);
        for (std::int64_t j = 0; j < shape.kv_len; ++j) {
          if (!detail::key_visible(mask, delta, i, j)) continue;
          const float* kj = k.data() + at((bk * shape.kv_len + j) * d);
          const float* vj = v.data() + at((bk * shape.kv_len + j) * d);
          double dot = 0.0;
          for (std::int64_t e = 0; e < d; ++e) dot += static_cast<double>(qi[e]) * static_cast<double>(kj[e]);
          dot *= scale;
          for (std::int64_t e = 0; e < d; ++e) o[e] += dot * static_cast<double>(vj[e]);
        }
      }
    }
  }
  return out;
}

}  // namespace paperkit::attention
