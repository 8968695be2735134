// Attention masks (spec B1) as plain data plus one PAPERKIT_HOST_DEVICE predicate, shared by the
// CPU reference and the CUDA kernels. No exceptions or std:: containers (nvcc device code).
//
// Positions: query row i (0-based within the call) and key j (0-based within the sequence's whole
// KV, whatever block a partial call covers). With the effective offset delta:
//   none:    every key is visible;
//   causal:  key j is visible iff j <= i + delta;
//   window:  causal, and only the last `window` keys: i + delta - window < j <= i + delta.
// delta = offset, plus (kv_len - q_len) when align_to_end is set (decode and the last rows of a
// prefill then see their own position; with per-sequence lengths in a paged cache this shifts per
// sequence). Sarathi chunked prefill of queries [p, p+C) against KV [0, p+C) is causal, delta = p.
#pragma once

#include <cstdint>

#include "paperkit/common/host_device.hpp"

namespace paperkit::attention {

enum class MaskKind : std::int32_t { none = 0, causal = 1, window = 2 };

struct Mask {
  MaskKind kind = MaskKind::none;
  std::int64_t offset = 0;    // delta (before align_to_end)
  std::int64_t window = 0;    // keys visible per row for MaskKind::window (>= 1)
  bool align_to_end = false;  // add kv_len - q_len to offset
};

namespace detail {

PAPERKIT_HOST_DEVICE inline std::int64_t effective_offset(const Mask& mask, std::int64_t q_len, std::int64_t kv_len) {
  return mask.align_to_end ? mask.offset + (kv_len - q_len) : mask.offset;
}

// Whether query row i sees key j, given the effective offset delta.
PAPERKIT_HOST_DEVICE inline bool key_visible(const Mask& mask, std::int64_t delta, std::int64_t i, std::int64_t j) {
  if (mask.kind == MaskKind::none) return true;
  const std::int64_t last = i + delta;
  if (j > last) return false;
  if (mask.kind == MaskKind::window) return j > last - mask.window;
  return true;
}

}  // namespace detail
}  // namespace paperkit::attention
