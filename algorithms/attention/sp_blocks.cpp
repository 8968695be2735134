// Buffers, the byte-counting wire and the block attention step of the sequence-parallel simulator.
#include <algorithm>
#include <string>

#include "paperkit/attention/detail/lse_merge.hpp"
#include "paperkit/common/errors.hpp"
#include "sp_internal.hpp"

namespace paperkit::attention::sp_internal {

namespace {

std::size_t at(std::int64_t i) {
  return static_cast<std::size_t>(i);
}

}  // namespace

Block gather_tokens(std::span<const float> full, std::int64_t batch, std::int64_t heads, std::int64_t n,
                    std::int64_t width, const std::vector<Segment>& segments, bool compute) {
  Block block{batch, heads, segments_len(segments), width, {}};
  if (!compute) return block;
  block.data.resize(at(block.elements()));
  float* dst = block.data.data();
  for (std::int64_t bh = 0; bh < batch * heads; ++bh) {
    for (const Segment& s : segments) {
      const float* src = full.data() + at((bh * n + s.start) * width);
      dst = std::copy(src, src + s.len * width, dst);
    }
  }
  return block;
}

void scatter_tokens(const Block& block, const std::vector<Segment>& segments, std::int64_t n,
                    std::vector<float>& full) {
  const float* src = block.data.data();
  for (std::int64_t bh = 0; bh < block.batch * block.heads; ++bh) {
    for (const Segment& s : segments) {
      std::copy(src, src + s.len * block.width, full.data() + at((bh * n + s.start) * block.width));
      src += s.len * block.width;
    }
  }
}

Block slice_tokens(const Block& block, std::int64_t begin, std::int64_t len) {
  Block out{block.batch, block.heads, len, block.width, {}};
  if (block.data.empty()) return out;
  out.data.resize(at(out.elements()));
  for (std::int64_t bh = 0; bh < block.batch * block.heads; ++bh) {
    const float* src = block.data.data() + at((bh * block.len + begin) * block.width);
    std::copy(src, src + len * block.width, out.data.data() + at(bh * len * block.width));
  }
  return out;
}

Wire::Wire(std::int64_t devices, std::int64_t bytes_per_element, bool compute) : compute_(compute) {
  ledger_.devices = devices;
  ledger_.bytes_per_element = bytes_per_element;
}

Packet Wire::send(std::int64_t step, std::int64_t src, std::int64_t dst, LinkDirection direction, Packet packet) {
  // Count what is handed over: the buffers' own sizes when they hold data.
  const auto count = [&](const std::vector<Block>& blocks) {
    std::int64_t elements = 0;
    for (const Block& b : blocks) {
      if (compute_ && static_cast<std::int64_t>(b.data.size()) != b.elements()) {
        throw InternalError("sequence-parallel wire: a buffer holds " + std::to_string(b.data.size()) +
                            " values, its dimensions say " + std::to_string(b.elements()));
      }
      elements += compute_ ? static_cast<std::int64_t>(b.data.size()) : b.elements();
    }
    return elements;
  };
  Transfer t;
  t.step = step;
  t.src = src;
  t.dst = dst;
  t.direction = direction;
  t.payload_elements = count(packet.payload);
  t.stat_elements = count(packet.stats);
  t.bytes = t.payload_elements * ledger_.bytes_per_element + t.stat_elements * 4;
  ledger_.transfers.push_back(t);
  return packet;
}

bool block_visible(const Mask& mask, std::int64_t n, const Segment& q, const Segment& k) {
  if (mask.kind == MaskKind::none) return true;
  if (q.len == 0 || k.len == 0) return false;
  const std::int64_t delta = detail::effective_offset(mask, n, n);
  // Row i sees keys (i + delta - window, i + delta]; over the rows of q these intervals join into
  // one, so the block has a visible key iff k overlaps it.
  const std::int64_t last = q.start + q.len - 1 + delta;
  if (k.start > last) return false;
  if (mask.kind == MaskKind::window) return k.start + k.len - 1 > q.start + delta - mask.window;
  return true;
}

std::int64_t visible_pairs(const Mask& mask, std::int64_t n, const std::vector<Segment>& q,
                           const std::vector<Segment>& k) {
  std::int64_t pairs = 0;
  for (const Segment& qs : q) {
    for (const Segment& ks : k) pairs += block_visible(mask, n, qs, ks) ? 1 : 0;
  }
  return pairs;
}

Partial empty_accumulator(const Shape& shape, std::int64_t local_len) {
  Partial p;
  p.out.assign(at(shape.batch * shape.q_heads * local_len * shape.head_dim), 0.0f);
  p.lse.assign(at(shape.batch * shape.q_heads * local_len), detail::negative_infinity<float>());
  return p;
}

void merge_rows(const Shape& shape, std::int64_t local_len, std::int64_t begin, std::int64_t len, const Partial& p,
                Partial& acc) {
  const std::int64_t d = shape.head_dim;
  for (std::int64_t bh = 0; bh < shape.batch * shape.q_heads; ++bh) {
    for (std::int64_t i = 0; i < len; ++i) {
      const std::int64_t dst_row = bh * local_len + begin + i;
      const std::int64_t src_row = bh * len + i;
      detail::merge_into(acc.out.data() + at(dst_row * d), acc.lse[at(dst_row)], p.out.data() + at(src_row * d),
                         p.lse[at(src_row)], d);
    }
  }
}

Partial attend_blocks(const Shape& shape, const Block& q, const std::vector<Segment>& q_segments, const Block& k,
                      const Block& v, const std::vector<Segment>& kv_segments, const Mask& mask, float scale,
                      std::int64_t& blocks) {
  const std::int64_t n = shape.q_len;
  Partial acc = empty_accumulator(shape, q.len);
  std::int64_t q_offset = 0;
  for (const Segment& qs : q_segments) {
    std::int64_t kv_offset = 0;
    for (const Segment& ks : kv_segments) {
      if (block_visible(mask, n, qs, ks)) {
        ++blocks;
        const Block q_part = slice_tokens(q, q_offset, qs.len);
        const Block k_part = slice_tokens(k, kv_offset, ks.len);
        const Block v_part = slice_tokens(v, kv_offset, ks.len);
        Shape block_shape = shape;
        block_shape.q_len = qs.len;
        block_shape.kv_len = ks.len;
        // Positions shift from the block to the sequence: key kv_offset + j is token ks.start + j.
        Mask local = mask;
        local.offset = detail::effective_offset(mask, n, n) + qs.start - ks.start;
        local.align_to_end = false;
        const Partial p =
            partial_attention(block_shape, q_part.data, k_part.data, v_part.data, KeyRange{0, -1}, local, scale);
        merge_rows(shape, q.len, q_offset, qs.len, p, acc);
      }
      kv_offset += ks.len;
    }
    q_offset += qs.len;
  }
  return acc;
}

void assemble(const Shape& shape, const std::vector<std::vector<Segment>>& segments, const std::vector<Partial>& acc,
              SpResult& result) {
  const std::int64_t n = shape.q_len;
  result.out.assign(shape.q_elements(), 0.0f);
  result.lse.assign(shape.lse_elements(), detail::negative_infinity<float>());
  for (std::size_t r = 0; r < acc.size(); ++r) {
    const std::int64_t len = segments_len(segments[r]);
    const Block out{shape.batch, shape.q_heads, len, shape.head_dim, acc[r].out};
    const Block lse{shape.batch, shape.q_heads, len, 1, acc[r].lse};
    scatter_tokens(out, segments[r], n, result.out);
    scatter_tokens(lse, segments[r], n, result.lse);
  }
}

std::vector<Segment> device_segments(SpScheme scheme, std::int64_t n, std::int64_t devices, std::int64_t r) {
  if (scheme == SpScheme::zigzag) {
    const std::int64_t c = n / (2 * devices);
    return {Segment{r * c, c}, Segment{(2 * devices - 1 - r) * c, c}};
  }
  const std::int64_t c = n / devices;
  return {Segment{r * c, c}};
}

}  // namespace paperkit::attention::sp_internal
