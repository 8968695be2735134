// Private to the sequence-parallel simulator (sp_*.cpp): the buffers a virtual device holds, the
// wire that moves them between devices and counts their bytes, and the block attention step
// shared by the ring, zigzag and TokenRing schedules.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/sequence_parallel.hpp"

namespace paperkit::attention::sp_internal {

// A 4-d tensor [batch, heads, len, width] held by one virtual device. In size-only mode (the
// schedule run for bytes alone) data stays empty and only the dimensions travel.
struct Block {
  std::int64_t batch = 0;
  std::int64_t heads = 0;
  std::int64_t len = 0;
  std::int64_t width = 0;
  std::vector<float> data;
  std::int64_t elements() const { return batch * heads * len * width; }
};

// Tokens [start, start + len) of the sequence.
struct Segment {
  std::int64_t start = 0;
  std::int64_t len = 0;
};

// The tokens of `segments`, concatenated in order, of a whole-sequence tensor [batch, heads, n, width].
Block gather_tokens(std::span<const float> full, std::int64_t batch, std::int64_t heads, std::int64_t n,
                    std::int64_t width, const std::vector<Segment>& segments, bool compute);

// Writes a device's block back into the whole-sequence tensor (the inverse of gather_tokens).
void scatter_tokens(const Block& block, const std::vector<Segment>& segments, std::int64_t n, std::vector<float>& full);

// Local tokens [begin, begin + len) of a block.
Block slice_tokens(const Block& block, std::int64_t begin, std::int64_t len);

// What one transfer carries: payload tensors (b bytes per element) and fp32 statistics.
struct Packet {
  std::vector<Block> payload;
  std::vector<Block> stats;
  std::int64_t origin = 0;  // the device whose data this is (kept by the schedules, not counted)
};

// Moves packets between virtual devices and records each in the ledger, counting the elements of
// the buffers handed over (data.size() when computing; the dimensions in size-only mode).
class Wire {
 public:
  Wire(std::int64_t devices, std::int64_t bytes_per_element, bool compute);
  Packet send(std::int64_t step, std::int64_t src, std::int64_t dst, LinkDirection direction, Packet packet);
  void set_steps(std::int64_t steps) { ledger_.steps = steps; }
  ByteLedger take_ledger() { return std::move(ledger_); }

 private:
  bool compute_;
  ByteLedger ledger_;
};

// Whether any query of segment q sees any key of segment k under `mask` (positions in the sequence).
bool block_visible(const Mask& mask, std::int64_t n, const Segment& q, const Segment& k);

// Pairs (query segment, key segment) with a visible key: the blocks attend_blocks computes.
std::int64_t visible_pairs(const Mask& mask, std::int64_t n, const std::vector<Segment>& q,
                           const std::vector<Segment>& k);

// A device's accumulator over its local query tokens: O [batch, q_heads, local_len, d], lse.
Partial empty_accumulator(const Shape& shape, std::int64_t local_len);

// Merges a partial over local query tokens [begin, begin + p.len) into the accumulator.
void merge_rows(const Shape& shape, std::int64_t local_len, std::int64_t begin, std::int64_t len, const Partial& p,
                Partial& acc);

// Partial attention of the query block (tokens q_segments) against the key/value blocks (tokens
// kv_segments), one partial_attention per pair of segments with the mask shifted to their
// positions; fully masked pairs are skipped. Returns the partial over the query block's tokens and
// adds the pairs computed to *blocks.
Partial attend_blocks(const Shape& shape, const Block& q, const std::vector<Segment>& q_segments, const Block& k,
                      const Block& v, const std::vector<Segment>& kv_segments, const Mask& mask, float scale,
                      std::int64_t& blocks);

// Writes each device's accumulator (over its segments' tokens) into result.out / result.lse.
void assemble(const Shape& shape, const std::vector<std::vector<Segment>>& segments, const std::vector<Partial>& acc,
              SpResult& result);

// Token segments of device r: one chunk of N/P, or zigzag's chunks {r, 2P-1-r} of N/(2P).
std::vector<Segment> device_segments(SpScheme scheme, std::int64_t n, std::int64_t devices, std::int64_t r);

inline std::int64_t segments_len(const std::vector<Segment>& segments) {
  std::int64_t len = 0;
  for (const Segment& s : segments) len += s.len;
  return len;
}

inline std::int64_t ring_index(std::int64_t r, std::int64_t devices) {
  return ((r % devices) + devices) % devices;
}

// The schedules (one file each).
SpResult run_ring(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                  const Mask& mask, float scale, const SpConfig& config);  // ring and zigzag
SpResult run_tokenring(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                       const Mask& mask, float scale, const SpConfig& config);
SpResult run_rsa(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                 const Mask& mask, float scale, const SpConfig& config);
SpResult run_lasp2(const Shape& shape, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                   const Mask& mask, float scale, const SpConfig& config);

}  // namespace paperkit::attention::sp_internal
