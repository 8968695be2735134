// Cascade decoding over a shared prefix (spec B2, FlashInfer cascade / BatchLLM): every request's
// queries attend to the one shared prefix KV, then to their own suffix, and the two partials are
// merged with the LSE merge. Both passes use the same fp32 loop as the other paths.
#include "attention_internal.hpp"

namespace paperkit::attention {

Partial cascade_attention(const Shape& shape, std::int64_t prefix_len, std::span<const float> q,
                          std::span<const float> prefix_k, std::span<const float> prefix_v,
                          std::span<const float> suffix_k, std::span<const float> suffix_v, const Mask& mask,
                          float scale) {
  internal::check_contiguous(shape, q, suffix_k, suffix_v, mask);
  if (prefix_len < 1) throw InvalidParameter("prefix_len must be >= 1, got " + std::to_string(prefix_len));
  const std::int64_t d = shape.head_dim;
  const auto prefix_size = static_cast<std::size_t>(shape.kv_heads * prefix_len * d);
  internal::check_size("prefix_k", prefix_k.size(), prefix_size);
  internal::check_size("prefix_v", prefix_v.size(), prefix_size);
  const std::int64_t total = prefix_len + shape.kv_len;  // keys per request: prefix, then its suffix
  const auto total_of = [&](std::int64_t) { return total; };

  // Pass 1: every request against the shared prefix (on a GPU, one GEMM-shaped call).
  const auto prefix_at = [&](std::int64_t, std::int64_t hk, std::int64_t j, const float*& kj, const float*& vj) {
    const auto offset = static_cast<std::size_t>((hk * prefix_len + j) * d);
    kj = prefix_k.data() + offset;
    vj = prefix_v.data() + offset;
  };
  Partial out;
  internal::partial_rows(
      shape, q, prefix_at,
      [&](std::int64_t) {
        return detail::KeyChunk{0, prefix_len};
      },
      total_of, mask, scale, out);

  // Pass 2: each request against its own suffix (absolute key positions prefix_len ...).
  const auto suffix_at = [&](std::int64_t b, std::int64_t hk, std::int64_t j, const float*& kj, const float*& vj) {
    const auto offset = static_cast<std::size_t>(((b * shape.kv_heads + hk) * shape.kv_len + (j - prefix_len)) * d);
    kj = suffix_k.data() + offset;
    vj = suffix_v.data() + offset;
  };
  Partial own;
  internal::partial_rows(
      shape, q, suffix_at,
      [&](std::int64_t) {
        return detail::KeyChunk{prefix_len, total};
      },
      total_of, mask, scale, own);
  merge(out, own);
  return out;
}

}  // namespace paperkit::attention
