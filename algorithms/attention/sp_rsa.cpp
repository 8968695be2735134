// Ring Self-Attention (Li et al. 2021; spec B3): pass 1 rings the K blocks and fills device r's
// score rows S_r = scale Q_r K^T (N/P x N per query head, O(N^2/P) memory) block by block; a plain
// softmax over each whole row follows (fp32, max subtracted; lse = max + log sum); pass 2 rings the
// V blocks and accumulates O_r = softmax(S_r) V block by block. Volumes [I]: each pass sends
// (N/P) H_kv d b per link per step for P-1 steps (steps 0..P-2 and P..2P-2). Fully masked blocks
// are skipped in both passes; the K and V blocks still travel the whole ring.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "paperkit/attention/detail/lse_merge.hpp"
#include "sp_internal.hpp"

namespace paperkit::attention::sp_internal {
namespace {

std::size_t at(std::int64_t i) {
  return static_cast<std::size_t>(i);
}

// Sends every device's block one link forward (the ring step of both passes).
void ring_step(Wire& wire, std::int64_t step, std::vector<Packet>& held) {
  const auto p = static_cast<std::int64_t>(held.size());
  std::vector<Packet> next(held.size());
  for (std::int64_t r = 0; r < p; ++r) {
    const std::int64_t to = ring_index(r + 1, p);
    next[at(to)] = wire.send(step, r, to, LinkDirection::forward, std::move(held[at(r)]));
  }
  held = std::move(next);
}

}  // namespace

SpResult run_rsa(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                 const Mask& mask, float scale, const SpConfig& config) {
  const std::int64_t p = config.devices;
  const std::int64_t n = shape.q_len;
  const std::int64_t d = shape.head_dim;
  const std::int64_t c = n / p;
  const std::int64_t rows = shape.batch * shape.q_heads * c;  // score rows per device
  const bool compute = config.compute;
  const auto devices = at(p);
  const std::int64_t delta = detail::effective_offset(mask, n, n);

  std::vector<std::vector<Segment>> segments(devices);
  std::vector<Block> q_local(devices);
  std::vector<std::vector<float>> scores(devices);  // S_r [batch, q_heads, c, N]
  std::vector<Packet> held(devices);
  for (std::int64_t r = 0; r < p; ++r) {
    segments[at(r)] = device_segments(config.scheme, n, p, r);
    q_local[at(r)] = gather_tokens(q, shape.batch, shape.q_heads, n, d, segments[at(r)], compute);
    held[at(r)].payload = {gather_tokens(k, shape.batch, shape.kv_heads, n, d, segments[at(r)], compute)};
    held[at(r)].origin = r;
    if (compute) scores[at(r)].assign(at(rows * n), -std::numeric_limits<float>::infinity());
  }

  SpResult result;
  result.blocks_computed.assign(devices, 0);
  Wire wire(p, config.bytes_per_element, compute);

  // Pass 1: K travels; device r fills the columns of S_r that belong to the K block it holds.
  for (std::int64_t s = 0; s < p; ++s) {
    for (std::int64_t r = 0; r < p; ++r) {
      const std::int64_t src = held[at(r)].origin;
      if (!block_visible(mask, n, segments[at(r)][0], segments[at(src)][0])) continue;
      ++result.blocks_computed[at(r)];
      if (!compute) continue;
      const Block& kb = held[at(r)].payload[0];
      for (std::int64_t row = 0; row < rows; ++row) {
        const std::int64_t i = row % c;
        const std::int64_t bh = row / c;
        const std::int64_t bk = (bh / shape.q_heads) * shape.kv_heads + (bh % shape.q_heads) / shape.group();
        const float* qi = q_local[at(r)].data.data() + at(row * d);
        float* s_row = scores[at(r)].data() + at(row * n + src * c);
        for (std::int64_t j = 0; j < c; ++j) {
          if (!detail::key_visible(mask, delta, r * c + i, src * c + j)) continue;
          const float* kj = kb.data.data() + at((bk * c + j) * d);
          float dot = 0.0f;
          for (std::int64_t e = 0; e < d; ++e) dot += qi[e] * kj[e];
          s_row[j] = dot * scale;
        }
      }
    }
    if (s + 1 < p) ring_step(wire, s, held);
  }

  // Softmax over whole rows: S_r becomes the attention weights, lse kept per row.
  std::vector<Partial> acc(devices);
  if (compute) {
    for (std::size_t r = 0; r < devices; ++r) {
      acc[r] = empty_accumulator(shape, c);
      for (std::int64_t row = 0; row < rows; ++row) {
        float* s_row = scores[r].data() + at(row * n);
        float top = -std::numeric_limits<float>::infinity();
        for (std::int64_t j = 0; j < n; ++j) top = std::max(top, s_row[j]);
        if (top == -std::numeric_limits<float>::infinity()) {
          for (std::int64_t j = 0; j < n; ++j) s_row[j] = 0.0f;  // no key: O = 0, lse = -inf
          continue;
        }
        float sum = 0.0f;
        for (std::int64_t j = 0; j < n; ++j) {
          s_row[j] = std::exp(s_row[j] - top);
          sum += s_row[j];
        }
        for (std::int64_t j = 0; j < n; ++j) s_row[j] /= sum;
        acc[r].lse[at(row)] = top + std::log(sum);
      }
    }
  }

  // Pass 2: V travels; device r adds the weighted V rows of the block it holds.
  for (std::int64_t r = 0; r < p; ++r) {
    held[at(r)].payload = {gather_tokens(v, shape.batch, shape.kv_heads, n, d, segments[at(r)], compute)};
    held[at(r)].origin = r;
  }
  for (std::int64_t s = 0; s < p; ++s) {
    for (std::int64_t r = 0; r < p; ++r) {
      const std::int64_t src = held[at(r)].origin;
      if (!block_visible(mask, n, segments[at(r)][0], segments[at(src)][0])) continue;
      ++result.blocks_computed[at(r)];
      if (!compute) continue;
      const Block& vb = held[at(r)].payload[0];
      for (std::int64_t row = 0; row < rows; ++row) {
        const std::int64_t bh = row / c;
        const std::int64_t bk = (bh / shape.q_heads) * shape.kv_heads + (bh % shape.q_heads) / shape.group();
        const float* w = scores[at(r)].data() + at(row * n + src * c);
        float* o = acc[at(r)].out.data() + at(row * d);
        for (std::int64_t j = 0; j < c; ++j) {
          if (w[j] == 0.0f) continue;
          const float* vj = vb.data.data() + at((bk * c + j) * d);
          for (std::int64_t e = 0; e < d; ++e) o[e] += w[j] * vj[e];
        }
      }
    }
    if (s + 1 < p) ring_step(wire, p + s, held);
  }

  wire.set_steps(2 * p);
  result.ledger = wire.take_ledger();
  if (compute) assemble(shape, segments, acc, result);
  return result;
}

}  // namespace paperkit::attention::sp_internal
