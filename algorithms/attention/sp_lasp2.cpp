// LASP-2 (spec B3): sequence parallelism for linear attention O_i = sum_{j visible} scale (q_i . k_j) v_j.
// Device t reduces its chunk to the d x d state M_t = K_t^T V_t (per batch and KV head), one
// AllGather shares the states (simulated as a ring all-gather: P-1 steps, each device forwarding
// the state it received last, so each sends (P-1) H_kv d^2 b bytes whatever N is), and then
//   causal: O_t = scale Q_t sum_{s<t} M_s + [scale (Q_t K_t^T) masked causally] V_t
//   none:   O_t = scale Q_t sum_s M_s.
// fp32 arithmetic, states summed in device order; within 1e-5 relative of reference_linear_attention.
#include <algorithm>
#include <utility>

#include "sp_internal.hpp"

namespace paperkit::attention::sp_internal {
namespace {

std::size_t at(std::int64_t i) {
  return static_cast<std::size_t>(i);
}

// M = K^T V per (batch, kv head): [batch, kv_heads, d, d].
Block chunk_state(const Shape& shape, const Block& k, const Block& v, bool compute) {
  const std::int64_t d = shape.head_dim;
  Block m{shape.batch, shape.kv_heads, d, d, {}};
  if (!compute) return m;
  m.data.assign(at(m.elements()), 0.0f);
  for (std::int64_t bh = 0; bh < shape.batch * shape.kv_heads; ++bh) {
    float* mb = m.data.data() + at(bh * d * d);
    for (std::int64_t j = 0; j < k.len; ++j) {
      const float* kj = k.data.data() + at((bh * k.len + j) * d);
      const float* vj = v.data.data() + at((bh * v.len + j) * d);
      for (std::int64_t e = 0; e < d; ++e) {
        for (std::int64_t f = 0; f < d; ++f) mb[e * d + f] += kj[e] * vj[f];
      }
    }
  }
  return m;
}

}  // namespace

SpResult run_lasp2(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                   const Mask& mask, float scale, const SpConfig& config) {
  const std::int64_t p = config.devices;
  const std::int64_t n = shape.q_len;
  const std::int64_t d = shape.head_dim;
  const std::int64_t c = n / p;
  const bool compute = config.compute;
  const bool causal = mask.kind == MaskKind::causal;  // validate() allows none and causal (offset 0) only
  const auto devices = at(p);

  std::vector<std::vector<Segment>> segments(devices);
  std::vector<Block> q_local(devices), k_local(devices), v_local(devices);
  std::vector<std::vector<Block>> states(devices, std::vector<Block>(devices));  // states[r][s]: M_s on device r
  std::vector<Packet> held(devices);
  for (std::int64_t r = 0; r < p; ++r) {
    segments[at(r)] = device_segments(config.scheme, n, p, r);
    q_local[at(r)] = gather_tokens(q, shape.batch, shape.q_heads, n, d, segments[at(r)], compute);
    k_local[at(r)] = gather_tokens(k, shape.batch, shape.kv_heads, n, d, segments[at(r)], compute);
    v_local[at(r)] = gather_tokens(v, shape.batch, shape.kv_heads, n, d, segments[at(r)], compute);
    states[at(r)][at(r)] = chunk_state(shape, k_local[at(r)], v_local[at(r)], compute);
    held[at(r)].payload = {states[at(r)][at(r)]};
    held[at(r)].origin = r;
  }

  // The AllGather, as a ring: after step s device r holds the state of device r - s - 1.
  Wire wire(p, config.bytes_per_element, compute);
  for (std::int64_t s = 0; s + 1 < p; ++s) {
    std::vector<Packet> next(devices);
    for (std::int64_t r = 0; r < p; ++r) {
      const std::int64_t to = ring_index(r + 1, p);
      next[at(to)] = wire.send(s, r, to, LinkDirection::forward, std::move(held[at(r)]));
      states[at(to)][at(next[at(to)].origin)] = next[at(to)].payload[0];
    }
    held = std::move(next);
  }
  wire.set_steps(p - 1);

  SpResult result;
  result.blocks_computed.assign(devices, causal ? 1 : 0);
  result.ledger = wire.take_ledger();
  if (!compute) return result;

  result.out.assign(shape.q_elements(), 0.0f);
  for (std::int64_t t = 0; t < p; ++t) {
    // The states this chunk's queries see in full: s < t (causal) or every s (no mask).
    std::vector<float> prefix(at(shape.batch * shape.kv_heads * d * d), 0.0f);
    const std::int64_t last = causal ? t : p;
    for (std::int64_t s = 0; s < last; ++s) {
      const std::vector<float>& m = states[at(t)][at(s)].data;
      for (std::size_t e = 0; e < prefix.size(); ++e) prefix[e] += m[e];
    }
    const Block& qt = q_local[at(t)];
    const Block& kt = k_local[at(t)];
    const Block& vt = v_local[at(t)];
    for (std::int64_t b = 0; b < shape.batch; ++b) {
      for (std::int64_t h = 0; h < shape.q_heads; ++h) {
        const std::int64_t bh = b * shape.q_heads + h;
        const std::int64_t bk = b * shape.kv_heads + h / shape.group();
        const float* mb = prefix.data() + at(bk * d * d);
        for (std::int64_t i = 0; i < c; ++i) {
          const float* qi = qt.data.data() + at((bh * c + i) * d);
          float* o = result.out.data() + at((bh * n + t * c + i) * d);
          for (std::int64_t e = 0; e < d; ++e) {
            const float qe = qi[e] * scale;
            for (std::int64_t f = 0; f < d; ++f) o[f] += qe * mb[e * d + f];
          }
          if (!causal) continue;
          for (std::int64_t j = 0; j <= i; ++j) {  // the intra-chunk causal part
            const float* kj = kt.data.data() + at((bk * c + j) * d);
            const float* vj = vt.data.data() + at((bk * c + j) * d);
            float dot = 0.0f;
            for (std::int64_t e = 0; e < d; ++e) dot += qi[e] * kj[e];
            dot *= scale;
            for (std::int64_t f = 0; f < d; ++f) o[f] += dot * vj[f];
          }
        }
      }
    }
  }
  return result;
}

}  // namespace paperkit::attention::sp_internal
