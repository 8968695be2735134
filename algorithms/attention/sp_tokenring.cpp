// TokenRing (spec B3): the K/V stay put and the queries travel. At step s device r holds the query
// block of device (r - s) mod P, attends it to its own K/V, and sends the partial (block_out at b
// bytes per element, block_lse in fp32) back to the owner, which merges it into its output (B1).
// A fully masked (Q block, K/V block) pair is neither computed nor sent back; the Q block is still
// forwarded around the whole ring.
#include <utility>

#include "sp_internal.hpp"

namespace paperkit::attention::sp_internal {

SpResult run_tokenring(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                       const Mask& mask, float scale, const SpConfig& config) {
  const std::int64_t p = config.devices;
  const std::int64_t n = shape.q_len;
  const std::int64_t d = shape.head_dim;
  const std::int64_t chunk = n / p;
  const bool compute = config.compute;
  const auto devices = static_cast<std::size_t>(p);

  std::vector<std::vector<Segment>> segments(devices);
  std::vector<Block> k_local(devices), v_local(devices);
  std::vector<Partial> acc(devices);
  std::vector<Packet> queries(devices);  // the query block each device holds this step
  for (std::int64_t r = 0; r < p; ++r) {
    const auto i = static_cast<std::size_t>(r);
    segments[i] = device_segments(config.scheme, n, p, r);
    queries[i].payload = {gather_tokens(q, shape.batch, shape.q_heads, n, d, segments[i], compute)};
    queries[i].origin = r;
    k_local[i] = gather_tokens(k, shape.batch, shape.kv_heads, n, d, segments[i], compute);
    v_local[i] = gather_tokens(v, shape.batch, shape.kv_heads, n, d, segments[i], compute);
    if (compute) acc[i] = empty_accumulator(shape, chunk);
  }

  SpResult result;
  result.blocks_computed.assign(devices, 0);
  Wire wire(p, config.bytes_per_element, compute);
  for (std::int64_t s = 0; s < p; ++s) {
    for (std::int64_t r = 0; r < p; ++r) {
      const auto i = static_cast<std::size_t>(r);
      const std::int64_t owner = queries[i].origin;
      const auto& q_segments = segments[static_cast<std::size_t>(owner)];
      if (visible_pairs(mask, n, q_segments, segments[i]) == 0) continue;  // skipped: nothing to send back
      Packet partial;
      partial.origin = owner;
      if (compute) {
        Partial block = attend_blocks(shape, queries[i].payload[0], q_segments, k_local[i], v_local[i], segments[i],
                                      mask, scale, result.blocks_computed[i]);
        partial.payload = {Block{shape.batch, shape.q_heads, chunk, d, std::move(block.out)}};
        partial.stats = {Block{shape.batch, shape.q_heads, chunk, 1, std::move(block.lse)}};
      } else {
        result.blocks_computed[i] += 1;
        partial.payload = {Block{shape.batch, shape.q_heads, chunk, d, {}}};
        partial.stats = {Block{shape.batch, shape.q_heads, chunk, 1, {}}};
      }
      if (owner != r) partial = wire.send(s, r, owner, LinkDirection::backward, std::move(partial));
      if (compute) {
        Partial arrived;
        arrived.out = std::move(partial.payload[0].data);
        arrived.lse = std::move(partial.stats[0].data);
        merge(acc[static_cast<std::size_t>(owner)], arrived);
      }
    }
    if (s + 1 == p) break;
    std::vector<Packet> next(devices);
    for (std::int64_t r = 0; r < p; ++r) {
      const std::int64_t to = ring_index(r + 1, p);
      next[static_cast<std::size_t>(to)] =
          wire.send(s, r, to, LinkDirection::forward, std::move(queries[static_cast<std::size_t>(r)]));
    }
    queries = std::move(next);
  }
  wire.set_steps(p);
  result.ledger = wire.take_ledger();
  if (compute) assemble(shape, segments, acc, result);
  return result;
}

}  // namespace paperkit::attention::sp_internal
