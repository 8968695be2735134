// Paged KV cache (vLLM layout, page size 16 by default): validation, construction from a
// contiguous cache, and split-K attention through the block table (spec B2).
#include <algorithm>
#include <numeric>

#include "attention_internal.hpp"
#include "paperkit/common/rng.hpp"

namespace paperkit::attention {
namespace {

std::size_t page_elements(const Shape& shape, std::int64_t page_size) {
  return static_cast<std::size_t>(shape.kv_heads * page_size * shape.head_dim);
}

}  // namespace

void validate(const Shape& shape, const PagedKv& kv) {
  validate(shape, false);
  if (kv.page_size < 1) throw InvalidParameter("page_size must be >= 1, got " + std::to_string(kv.page_size));
  if (kv.num_pages < 1) throw InvalidParameter("num_pages must be >= 1, got " + std::to_string(kv.num_pages));
  if (kv.pages_per_seq < 1) {
    throw InvalidParameter("pages_per_seq must be >= 1, got " + std::to_string(kv.pages_per_seq));
  }
  const std::size_t pool = static_cast<std::size_t>(kv.num_pages) * page_elements(shape, kv.page_size);
  internal::check_size("k_pages", kv.k_pages.size(), pool);
  internal::check_size("v_pages", kv.v_pages.size(), pool);
  internal::check_size("block_table", kv.block_table.size(), static_cast<std::size_t>(shape.batch * kv.pages_per_seq));
  internal::check_size("seq_lens", kv.seq_lens.size(), static_cast<std::size_t>(shape.batch));
  const std::int64_t capacity = kv.pages_per_seq * kv.page_size;
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    const std::int64_t len = kv.seq_lens[static_cast<std::size_t>(b)];
    if (len < 1 || len > capacity) {
      throw InputError("seq_lens[" + std::to_string(b) + "] must be in [1, pages_per_seq*page_size=" +
                       std::to_string(capacity) + "], got " + std::to_string(len));
    }
    const std::int64_t used = (len + kv.page_size - 1) / kv.page_size;
    for (std::int64_t p = 0; p < used; ++p) {
      const std::int32_t page = kv.block_table[static_cast<std::size_t>(b * kv.pages_per_seq + p)];
      if (page < 0 || page >= kv.num_pages) {
        throw InputError("block_table[" + std::to_string(b) + "][" + std::to_string(p) + "] must be in [0, num_pages=" +
                         std::to_string(kv.num_pages) + "), got " + std::to_string(page));
      }
    }
  }
}

PagedKv PagedStorage::view() const {
  return PagedKv{page_size, num_pages, pages_per_seq, k_pages, v_pages, block_table, seq_lens};
}

PagedStorage to_paged(const Shape& shape, std::span<const float> k, std::span<const float> v,
                      std::span<const std::int64_t> seq_lens, std::int64_t page_size, std::uint64_t seed) {
  validate(shape);
  internal::check_size("k", k.size(), shape.kv_elements());
  internal::check_size("v", v.size(), shape.kv_elements());
  internal::check_size("seq_lens", seq_lens.size(), static_cast<std::size_t>(shape.batch));
  if (page_size < 1) throw InvalidParameter("page_size must be >= 1, got " + std::to_string(page_size));
  PagedStorage out;
  out.page_size = page_size;
  out.pages_per_seq = (shape.kv_len + page_size - 1) / page_size;
  out.seq_lens.assign(seq_lens.begin(), seq_lens.end());
  std::int64_t total = 0;
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    const std::int64_t len = seq_lens[static_cast<std::size_t>(b)];
    if (len < 1 || len > shape.kv_len) {
      throw InputError("seq_lens[" + std::to_string(b) + "] must be in [1, kv_len=" + std::to_string(shape.kv_len) +
                       "], got " + std::to_string(len));
    }
    total += (len + page_size - 1) / page_size;
  }
  out.num_pages = total;
  // A seeded shuffle of physical page ids, so logical order never matches physical order.
  std::vector<std::int32_t> ids(static_cast<std::size_t>(total));
  std::iota(ids.begin(), ids.end(), 0);
  Rng rng = Rng::for_block(seed, 0, 0);
  for (std::size_t i = ids.size(); i > 1; --i) {
    std::swap(ids[i - 1], ids[static_cast<std::size_t>(rng.uniform_below(i))]);
  }
  const std::size_t per_page = page_elements(shape, page_size);
  out.k_pages.assign(static_cast<std::size_t>(total) * per_page, 0.0f);
  out.v_pages.assign(out.k_pages.size(), 0.0f);
  out.block_table.assign(static_cast<std::size_t>(shape.batch * out.pages_per_seq), -1);
  const std::int64_t d = shape.head_dim;
  std::size_t next = 0;
  for (std::int64_t b = 0; b < shape.batch; ++b) {
    const std::int64_t len = seq_lens[static_cast<std::size_t>(b)];
    for (std::int64_t p = 0; p * page_size < len; ++p) {
      const std::int32_t page = ids[next++];
      out.block_table[static_cast<std::size_t>(b * out.pages_per_seq + p)] = page;
      for (std::int64_t hk = 0; hk < shape.kv_heads; ++hk) {
        for (std::int64_t slot = 0; slot < page_size && p * page_size + slot < len; ++slot) {
          const std::int64_t t = p * page_size + slot;
          const std::size_t src = static_cast<std::size_t>(((b * shape.kv_heads + hk) * shape.kv_len + t) * d);
          const std::size_t dst =
              static_cast<std::size_t>(page) * per_page + static_cast<std::size_t>((hk * page_size + slot) * d);
          std::copy_n(k.data() + src, d, out.k_pages.data() + dst);
          std::copy_n(v.data() + src, d, out.v_pages.data() + dst);
        }
      }
    }
  }
  return out;
}

Partial split_k_attention_paged(const Shape& shape, std::span<const float> q, const PagedKv& kv, const Mask& mask,
                                float scale, const SplitOptions& options) {
  validate(shape, kv);
  validate(mask);
  validate(options);
  internal::check_size("q", q.size(), shape.q_elements());
  const std::int64_t d = shape.head_dim;
  const std::size_t per_page = page_elements(shape, kv.page_size);
  const auto kv_at = [&](std::int64_t b, std::int64_t hk, std::int64_t j, const float*& kj, const float*& vj) {
    const std::int32_t page = kv.block_table[static_cast<std::size_t>(b * kv.pages_per_seq + j / kv.page_size)];
    const std::size_t offset = static_cast<std::size_t>(page) * per_page +
                               static_cast<std::size_t>((hk * kv.page_size + j % kv.page_size) * d);
    kj = kv.k_pages.data() + offset;
    vj = kv.v_pages.data() + offset;
  };
  const auto len_of = [&](std::int64_t b) { return kv.seq_lens[static_cast<std::size_t>(b)]; };
  Partial acc = empty_partial(shape);
  for (std::int64_t s = 0; s < options.num_splits; ++s) {
    Partial part;
    internal::partial_rows(
        shape, q, kv_at,
        [&](std::int64_t b) { return detail::split_chunk(len_of(b), s, options.num_splits, options.granule); }, len_of,
        mask, scale, part);
    merge(acc, part);
  }
  return acc;
}

}  // namespace paperkit::attention
