// fp32 and fp64 partial attention over a contiguous K, V (spec B1).
#include "attention_internal.hpp"

namespace paperkit::attention {
namespace {

template <typename T>
Result<T> partial_contiguous(const Shape& shape, std::span<const float> q, std::span<const float> k,
                             std::span<const float> v, KeyRange range, const Mask& mask, T scale) {
  internal::check_contiguous(shape, q, k, v, mask);
  const std::int64_t end = range.end < 0 ? shape.kv_len : range.end;
  if (range.begin < 0 || range.begin > end || end > shape.kv_len) {
    throw InvalidParameter("key range must satisfy 0 <= begin <= end <= kv_len=" + std::to_string(shape.kv_len) +
                           ", got [" + std::to_string(range.begin) + ", " + std::to_string(end) + ")");
  }
  const std::int64_t d = shape.head_dim;
  const auto kv_at = [&](std::int64_t b, std::int64_t hk, std::int64_t j, const float*& kj, const float*& vj) {
    const std::size_t offset = static_cast<std::size_t>(((b * shape.kv_heads + hk) * shape.kv_len + j) * d);
    kj = k.data() + offset;
    vj = v.data() + offset;
  };
  const detail::KeyChunk chunk{range.begin, end};
  Result<T> out;
  internal::partial_rows(
      shape, q, kv_at, [&](std::int64_t) { return chunk; }, [&](std::int64_t) { return shape.kv_len; }, mask, scale,
      out);
  return out;
}

}  // namespace

Partial partial_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                          std::span<const float> v, KeyRange range, const Mask& mask, float scale) {
  return partial_contiguous<float>(shape, q, k, v, range, mask, scale);
}

Reference partial_attention_fp64(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                 std::span<const float> v, KeyRange range, const Mask& mask, double scale) {
  return partial_contiguous<double>(shape, q, k, v, range, mask, scale);
}

}  // namespace paperkit::attention
