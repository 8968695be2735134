// paperkit::attention: partial attention, the LSE merge, split-K decode and paged KV (spec module B).
//
// Layouts (row-major, fp32 storage):
//   Q, O  [batch, q_heads, q_len, head_dim]      lse [batch, q_heads, q_len]
//   K, V  [batch, kv_heads, kv_len, head_dim]    (contiguous layout)
// Grouped-query attention: q head h reads kv head h / (q_heads / kv_heads).
// Every fp32 path accumulates in fp32 and matches reference_attention (fp64) within 1e-5 relative
// (max-norm over the output, tests/attention); results do not depend on the OpenMP thread count
// (each (sequence, kv head, block of up to 16 query rows) is computed by one thread in a fixed order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "paperkit/attention/detail/mask.hpp"

namespace paperkit::attention {

struct Shape {
  std::int64_t batch = 1;
  std::int64_t q_heads = 1;
  std::int64_t kv_heads = 1;
  std::int64_t q_len = 1;
  std::int64_t kv_len = 1;  // contiguous layout only; a paged cache has per-sequence lengths
  std::int64_t head_dim = 64;

  std::int64_t group() const { return q_heads / kv_heads; }
  std::size_t q_elements() const { return static_cast<std::size_t>(batch * q_heads * q_len * head_dim); }
  std::size_t kv_elements() const { return static_cast<std::size_t>(batch * kv_heads * kv_len * head_dim); }
  std::size_t lse_elements() const { return static_cast<std::size_t>(batch * q_heads * q_len); }
};

// Throws paperkit::InvalidParameter naming the field, the rule and the value: every count >= 1,
// q_heads divisible by kv_heads; window masks need window >= 1. check_kv_len = false skips kv_len
// (paged caches carry their own lengths).
void validate(const Shape& shape, bool check_kv_len = true);
void validate(const Mask& mask);

// 1 / sqrt(head_dim).
double default_scale(std::int64_t head_dim);

// (O, lse) of attention over some set of keys; lse = -inf and O = 0 where a row saw no key.
template <typename T>
struct Result {
  std::vector<T> out;  // [batch, q_heads, q_len, head_dim]
  std::vector<T> lse;  // [batch, q_heads, q_len]
};
using Partial = Result<float>;
using Reference = Result<double>;

// The oracle: naive two-pass softmax attention in fp64 over all kv_len keys.
Reference reference_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, const Mask& mask, double scale);

// Keys [begin, end) of every sequence; end = -1 means kv_len. Empty ranges are allowed (identity).
struct KeyRange {
  std::int64_t begin = 0;
  std::int64_t end = -1;
};

// fp32 partial attention over one key block (online softmax, fp32 accumulation). The mask sees
// absolute key positions, so blocks of one sequence compose with merge().
Partial partial_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                          std::span<const float> v, KeyRange range, const Mask& mask, float scale);

// The same partial with fp64 accumulation and output (fp32 inputs); an oracle for blocks.
Reference partial_attention_fp64(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                 std::span<const float> v, KeyRange range, const Mask& mask, double scale);

// Merges `other` into `acc` row by row (spec B1); both must have the same sizes.
void merge(Partial& acc, const Partial& other);
void merge(Reference& acc, const Reference& other);

// An empty partial for `shape` (O = 0, lse = -inf): the identity of merge().
Partial empty_partial(const Shape& shape);

struct SplitOptions {
  std::int64_t num_splits = 1;  // key chunks per sequence (spec B2)
  std::int64_t granule = 16;    // chunk sizes are rounded up to a multiple of this
};
void validate(const SplitOptions& options);

// Split-K (flash-decoding): one partial per chunk, then merged in chunk order. Works for any q_len.
Partial split_k_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                          std::span<const float> v, const Mask& mask, float scale, const SplitOptions& options);

// Cascade decoding (FlashInfer cascade, BatchLLM prefix sharing): the `batch` requests share
// their first prefix_len keys. prefix_k/v [kv_heads, prefix_len, head_dim] (stored once);
// suffix_k/v [batch, kv_heads, kv_len, head_dim] hold each request's own keys, which sit at
// positions prefix_len .. prefix_len + kv_len - 1 for the mask. One partial over the prefix, one
// over the suffix, merged: equals attention over the concatenated KV (1e-5 relative vs fp64).
Partial cascade_attention(const Shape& shape, std::int64_t prefix_len, std::span<const float> q,
                          std::span<const float> prefix_k, std::span<const float> prefix_v,
                          std::span<const float> suffix_k, std::span<const float> suffix_v, const Mask& mask,
                          float scale);

// Paged KV cache (vLLM style). Page p of the pool holds page_size consecutive tokens of one
// sequence for all kv heads: k_pages/v_pages [num_pages, kv_heads, page_size, head_dim].
// Token t of sequence b lives in page block_table[b * pages_per_seq + t / page_size], slot
// t % page_size. Sequence b has seq_lens[b] tokens.
inline constexpr std::int64_t kDefaultPageSize = 16;

struct PagedKv {
  std::int64_t page_size = kDefaultPageSize;
  std::int64_t num_pages = 0;
  std::int64_t pages_per_seq = 0;  // row stride of block_table
  std::span<const float> k_pages;
  std::span<const float> v_pages;
  std::span<const std::int32_t> block_table;  // [batch, pages_per_seq]
  std::span<const std::int64_t> seq_lens;     // [batch]
};

// Throws InvalidParameter for bad sizes and InputError for page table entries outside
// [0, num_pages) (among the pages a sequence uses), sequence lengths < 1 or beyond the table.
void validate(const Shape& shape, const PagedKv& kv);

// Split-K over a paged cache: each sequence's keys [0, seq_lens[b]) cut as in split_k_attention.
// The arithmetic is the contiguous path's, so the result equals it bit for bit.
Partial split_k_attention_paged(const Shape& shape, std::span<const float> q, const PagedKv& kv, const Mask& mask,
                                float scale, const SplitOptions& options);

// Owning paged storage built from a contiguous K, V (kv_len tokens per sequence, of which the
// first seq_lens[b] are used). Pages are placed in a seeded random order so tests exercise the
// indirection. view() borrows from this object.
struct PagedStorage {
  std::int64_t page_size = kDefaultPageSize;
  std::int64_t num_pages = 0;
  std::int64_t pages_per_seq = 0;
  std::vector<float> k_pages;
  std::vector<float> v_pages;
  std::vector<std::int32_t> block_table;
  std::vector<std::int64_t> seq_lens;
  PagedKv view() const;
};
PagedStorage to_paged(const Shape& shape, std::span<const float> k, std::span<const float> v,
                      std::span<const std::int64_t> seq_lens, std::int64_t page_size, std::uint64_t seed);

}  // namespace paperkit::attention
