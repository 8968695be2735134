// paperkit::attention sequence-parallel simulator (spec cuda_systems.md B3): self-attention over a
// sequence of N tokens split across P virtual devices, computed by the schedules of ring attention
// (ring-flash-attn), zigzag ring, Ring Self-Attention (RSA, Li et al. 2021), TokenRing and LASP-2
// (linear attention), with a ledger of every buffer the devices pass to each other.
//
// Layouts as in attention.hpp with q_len = kv_len = N: Q, O [batch, q_heads, N, d], K, V
// [batch, kv_heads, N, d], lse [batch, q_heads, N]. Device r owns tokens [r N/P, (r+1) N/P) (zigzag:
// chunks r and 2P-1-r of 2P chunks) of Q, K and V. Softmax schemes build on partial_attention and
// merge (spec B1) and return (O, lse); the fp32 output is within 1e-5 relative (max-norm) of
// reference_attention (fp64), tests/attention/sequence_parallel_test.cpp. LASP-2 computes linear
// attention O_i = sum_{j visible to i} scale (q_i . k_j) v_j (no softmax, no normalization, no
// feature map) in fp32, within 1e-5 relative of reference_linear_attention (fp64); lse is empty.
//
// Byte ledger. Each transfer a virtual device makes is recorded with its step, sender, receiver,
// direction and size; the size is counted from the buffers actually handed over: payload tensors
// at b = bytes_per_element bytes per element (4 fp32, 2 fp16 reporting; the arithmetic is always
// fp32) and softmax statistics (lse) at 4 bytes (fp32 in every implementation). The spec B3 volumes
// (sp_byte_formula) are what the tests require the ledger to equal:
//   ring, zigzag: forward 2 (N/P) H_kv d b per link per step, steps 0..P-2 (P-1 sends per device);
//   tokenring:    forward (N/P) H_q d b (steps 0..P-2), backward (N/P) H_q (d b + 4) (steps 1..P-1);
//   rsa [I]:      forward (N/P) H_kv d b per link per step: pass 1 rings K (steps 0..P-2), pass 2 rings V
//                 (steps P..2P-2), so 2 (P-1) (N/P) H_kv d b per device, the same total as ring, in twice
//                 as many (half-size) messages;
//   lasp2:        forward H_kv d^2 b per link per step over a ring AllGather of the d x d states
//                 (steps 0..P-2): (P-1) H_kv d^2 b per device, independent of N (H = H_kv; MHA: H_q).
// All volumes are multiplied by batch. Causal skip convention: a device skips the compute of a block
// in which no query sees a key, but the ring still forwards every K/V (ring, zigzag, RSA: as
// ring_flash_attn.py, whose send/recv does not depend on the mask) and every Q (tokenring); the
// only transfer a skip removes is TokenRing's backward (block_out, block_lse), which a skipped
// block never produces: with a causal mask device r sends back only at steps s > r, P(P-1)/2 of
// the P(P-1) backward messages. TokenRing's backward message goes straight to the owner r - s
// (one hop on a fully connected fabric such as NVSwitch; a pure ring would need s hops) [I].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "paperkit/attention/attention.hpp"

namespace paperkit::attention {

enum class SpScheme { ring, zigzag, rsa, tokenring, lasp2 };

// "ring" | "zigzag" | "rsa" | "tokenring" | "lasp2"; throws InvalidParameter otherwise.
SpScheme parse_sp_scheme(const std::string& name);
const char* sp_scheme_name(SpScheme scheme);
// False for lasp2 (linear attention: no softmax, no lse).
bool sp_is_softmax(SpScheme scheme);

struct SpConfig {
  SpScheme scheme = SpScheme::ring;
  std::int64_t devices = 1;            // P
  std::int64_t bytes_per_element = 4;  // b
  // false: run the same schedule with size-only buffers (no Q/K/V needed, no arithmetic): the
  // ledger of a shape too large to compute. out, lse are then empty.
  bool compute = true;
};

// Throws InvalidParameter naming the rule and the value: a valid Shape with q_len == kv_len = N,
// P >= 1, b >= 1, N divisible by P (2P for zigzag); lasp2 takes masks none and causal with
// offset 0 only.
void validate(const Shape& shape, const Mask& mask, const SpConfig& config);

enum class LinkDirection { forward, backward };
const char* link_direction_name(LinkDirection direction);

// One buffer handed from one virtual device to another. forward: to (src + 1) mod P; backward:
// towards a predecessor (TokenRing: the query block's owner).
struct Transfer {
  std::int64_t step = 0;
  std::int64_t src = 0;
  std::int64_t dst = 0;
  LinkDirection direction = LinkDirection::forward;
  std::int64_t payload_elements = 0;  // counted at b bytes
  std::int64_t stat_elements = 0;     // fp32 statistics, counted at 4 bytes
  std::int64_t bytes = 0;
};

struct ByteLedger {
  std::int64_t devices = 0;
  std::int64_t steps = 0;
  std::int64_t bytes_per_element = 4;
  std::vector<Transfer> transfers;

  // Bytes device `src` sent in `direction` at `step` (0 when it sent nothing).
  std::int64_t sent(LinkDirection direction, std::int64_t step, std::int64_t src) const;
  std::int64_t sent_by(std::int64_t src) const;
  std::int64_t total() const;
  std::int64_t count(LinkDirection direction) const;  // transfers in that direction
};

struct SpResult {
  std::vector<float> out;  // [batch, q_heads, N, head_dim]
  std::vector<float> lse;  // [batch, q_heads, N]; empty for lasp2
  ByteLedger ledger;
  // Per device: (query segment, key segment) blocks whose compute was not skipped (causal/window
  // skips show up here, not in the bytes). LASP-2 counts its intra-chunk products.
  std::vector<std::int64_t> blocks_computed;
};

// Runs config.scheme over config.devices virtual devices. q, k, v are the whole sequence (each
// device takes its own tokens); with config.compute = false they may be empty.
SpResult simulate_sequence_parallel(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                    std::span<const float> v, const Mask& mask, float scale, const SpConfig& config);

// The spec B3 volume of a scheme: every transfer in a direction has the same size, so the ledger
// must hold exactly `*_sends` transfers of `*_bytes_per_send` bytes.
struct SpFormula {
  std::int64_t forward_bytes_per_send = 0;
  std::int64_t forward_sends = 0;  // over all links and steps
  std::int64_t backward_bytes_per_send = 0;
  std::int64_t backward_sends = 0;
  std::int64_t steps = 0;
  std::int64_t per_device_max = 0;  // most bytes one device sends
  std::int64_t total() const {
    return forward_bytes_per_send * forward_sends + backward_bytes_per_send * backward_sends;
  }
  std::string text;  // the formula in words, e.g. "2(N/P) H_kv d b per link per step"
};
SpFormula sp_byte_formula(const Shape& shape, const Mask& mask, const SpConfig& config);

// The LASP-2 oracle: fp64 O_i = sum_{j: key_visible(i, j)} scale (q_i . k_j) v_j, written naively
// (no chunking, no states), [batch, q_heads, q_len, d].
std::vector<double> reference_linear_attention(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                               std::span<const float> v, const Mask& mask, double scale);

}  // namespace paperkit::attention
