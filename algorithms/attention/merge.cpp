// The LSE merge over whole partial results and split-K attention on the contiguous layout (B1, B2).
#include <limits>

#include "attention_internal.hpp"

namespace paperkit::attention {

Partial empty_partial(const Shape& shape) {
  validate(shape, false);
  Partial p;
  p.out.assign(shape.q_elements(), 0.0f);
  p.lse.assign(shape.lse_elements(), detail::negative_infinity<float>());
  return p;
}

namespace {

template <typename T>
void merge_results(Result<T>& acc, const Result<T>& other) {
  internal::check_size("merged partial lse", other.lse.size(), acc.lse.size());
  internal::check_size("merged partial output", other.out.size(), acc.out.size());
  if (acc.lse.empty()) return;
  if (acc.out.size() % acc.lse.size() != 0) {
    throw InputError("partial output size " + std::to_string(acc.out.size()) + " is not a multiple of its row count " +
                     std::to_string(acc.lse.size()));
  }
  const std::size_t d = acc.out.size() / acc.lse.size();
  const auto rows = static_cast<std::int64_t>(acc.lse.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    detail::merge_into(acc.out.data() + row * d, acc.lse[row], other.out.data() + row * d, other.lse[row],
                       static_cast<std::int64_t>(d));
  }
}

}  // namespace

void merge(Partial& acc, const Partial& other) {
  merge_results(acc, other);
}
void merge(Reference& acc, const Reference& other) {
  merge_results(acc, other);
}

Partial split_k_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                          std::span<const float> v, const Mask& mask, float scale, const SplitOptions& options) {
  internal::check_contiguous(shape, q, k, v, mask);
  validate(options);
  Partial acc = empty_partial(shape);
  for (std::int64_t s = 0; s < options.num_splits; ++s) {
    const detail::KeyChunk chunk = detail::split_chunk(shape.kv_len, s, options.num_splits, options.granule);
    if (chunk.begin == chunk.end) continue;  // an empty chunk is the identity
    merge(acc, partial_attention(shape, q, k, v, KeyRange{chunk.begin, chunk.end}, mask, scale));
  }
  return acc;
}

}  // namespace paperkit::attention
