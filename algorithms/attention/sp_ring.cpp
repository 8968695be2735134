// Ring attention and zigzag ring attention (spec B3, as ring_flash_attn.py / zigzag_ring_flash_attn.py):
// every device keeps its queries; the K/V blocks travel forward one link per step, so at step s
// device r holds the K/V of device (r - s) mod P and merges one more partial (B1) into its output.
// With a causal mask the fully masked blocks are skipped (ring: step 0 is the diagonal block and
// steps s > r are skipped; zigzag: every device computes 3 half-blocks at step 0 and 2 at every
// other step), but the K/V still go round the whole ring.
#include <utility>

#include "sp_internal.hpp"

namespace paperkit::attention::sp_internal {

SpResult run_ring(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                  const Mask& mask, float scale, const SpConfig& config) {
  const std::int64_t p = config.devices;
  const std::int64_t n = shape.q_len;
  const std::int64_t d = shape.head_dim;
  const bool compute = config.compute;
  const auto devices = static_cast<std::size_t>(p);

  std::vector<std::vector<Segment>> segments(devices);
  std::vector<Block> q_local(devices);
  std::vector<Partial> acc(devices);
  std::vector<Packet> kv(devices);  // the K/V block each device holds this step
  for (std::int64_t r = 0; r < p; ++r) {
    const auto i = static_cast<std::size_t>(r);
    segments[i] = device_segments(config.scheme, n, p, r);
    q_local[i] = gather_tokens(q, shape.batch, shape.q_heads, n, d, segments[i], compute);
    kv[i].payload = {gather_tokens(k, shape.batch, shape.kv_heads, n, d, segments[i], compute),
                     gather_tokens(v, shape.batch, shape.kv_heads, n, d, segments[i], compute)};
    kv[i].origin = r;
    if (compute) acc[i] = empty_accumulator(shape, segments_len(segments[i]));
  }

  SpResult result;
  result.blocks_computed.assign(devices, 0);
  Wire wire(p, config.bytes_per_element, compute);
  for (std::int64_t s = 0; s < p; ++s) {
    for (std::size_t i = 0; i < devices; ++i) {
      const auto& kv_segments = segments[static_cast<std::size_t>(kv[i].origin)];
      if (compute) {
        merge(acc[i], attend_blocks(shape, q_local[i], segments[i], kv[i].payload[0], kv[i].payload[1], kv_segments,
                                    mask, scale, result.blocks_computed[i]));
      } else {
        result.blocks_computed[i] += visible_pairs(mask, n, segments[i], kv_segments);
      }
    }
    if (s + 1 == p) break;  // the last block needs no further trip
    std::vector<Packet> next(devices);
    for (std::int64_t r = 0; r < p; ++r) {
      const std::int64_t to = ring_index(r + 1, p);
      next[static_cast<std::size_t>(to)] =
          wire.send(s, r, to, LinkDirection::forward, std::move(kv[static_cast<std::size_t>(r)]));
    }
    kv = std::move(next);
  }
  wire.set_steps(p);
  result.ledger = wire.take_ledger();
  if (compute) assemble(shape, segments, acc, result);
  return result;
}

}  // namespace paperkit::attention::sp_internal
