// Sequence-parallel simulator (spec B3): names, checks, the byte ledger, the spec's volumes and the
// dispatch to the schedules in sp_ring.cpp, sp_tokenring.cpp, sp_rsa.cpp and sp_lasp2.cpp.
#include <algorithm>
#include <string>

#include "paperkit/attention/sequence_parallel.hpp"
#include "paperkit/common/errors.hpp"
#include "sp_internal.hpp"

namespace paperkit::attention {

SpScheme parse_sp_scheme(const std::string& name) {
  if (name == "ring") return SpScheme::ring;
  if (name == "zigzag") return SpScheme::zigzag;
  if (name == "rsa") return SpScheme::rsa;
  if (name == "tokenring") return SpScheme::tokenring;
  if (name == "lasp2") return SpScheme::lasp2;
  throw InvalidParameter("sequence-parallel variant must be ring|zigzag|tokenring|rsa|lasp2, got '" + name + "'");
}

const char* sp_scheme_name(SpScheme scheme) {
  switch (scheme) {
    case SpScheme::ring:
      return "ring";
    case SpScheme::zigzag:
      return "zigzag";
    case SpScheme::rsa:
      return "rsa";
    case SpScheme::tokenring:
      return "tokenring";
    case SpScheme::lasp2:
      return "lasp2";
  }
  return "?";
}

bool sp_is_softmax(SpScheme scheme) {
  return scheme != SpScheme::lasp2;
}

const char* link_direction_name(LinkDirection direction) {
  return direction == LinkDirection::forward ? "forward" : "backward";
}

void validate(const Shape& shape, const Mask& mask, const SpConfig& config) {
  validate(shape);
  validate(mask);
  if (config.devices < 1) {
    throw InvalidParameter("devices (P) must be >= 1, got " + std::to_string(config.devices));
  }
  if (config.bytes_per_element < 1) {
    throw InvalidParameter("bytes_per_element (b) must be >= 1, got " + std::to_string(config.bytes_per_element));
  }
  if (shape.q_len != shape.kv_len) {
    throw InvalidParameter("sequence-parallel self-attention needs q_len == kv_len (N), got q_len=" +
                           std::to_string(shape.q_len) + " kv_len=" + std::to_string(shape.kv_len));
  }
  const std::int64_t parts = config.scheme == SpScheme::zigzag ? 2 * config.devices : config.devices;
  if (shape.q_len % parts != 0) {
    throw InvalidParameter("sequence length N must be divisible by " +
                           std::string(config.scheme == SpScheme::zigzag ? "2P" : "P") + "=" + std::to_string(parts) +
                           " for " + sp_scheme_name(config.scheme) + ", got N=" + std::to_string(shape.q_len) +
                           " P=" + std::to_string(config.devices));
  }
  if (config.scheme == SpScheme::lasp2) {
    const bool supported = mask.kind == MaskKind::none || (mask.kind == MaskKind::causal && mask.offset == 0);
    if (!supported) {
      const char* kind = mask.kind == MaskKind::window ? "window" : mask.kind == MaskKind::causal ? "causal" : "none";
      throw InvalidParameter("lasp2 supports masks none and causal with offset 0 only, got " + std::string(kind) +
                             " with offset " + std::to_string(mask.offset));
    }
  }
}

std::int64_t ByteLedger::sent(LinkDirection direction, std::int64_t step, std::int64_t src) const {
  std::int64_t bytes = 0;
  for (const Transfer& t : transfers) {
    if (t.direction == direction && t.step == step && t.src == src) bytes += t.bytes;
  }
  return bytes;
}

std::int64_t ByteLedger::sent_by(std::int64_t src) const {
  std::int64_t bytes = 0;
  for (const Transfer& t : transfers) {
    if (t.src == src) bytes += t.bytes;
  }
  return bytes;
}

std::int64_t ByteLedger::total() const {
  std::int64_t bytes = 0;
  for (const Transfer& t : transfers) bytes += t.bytes;
  return bytes;
}

std::int64_t ByteLedger::count(LinkDirection direction) const {
  return static_cast<std::int64_t>(
      std::count_if(transfers.begin(), transfers.end(), [&](const Transfer& t) { return t.direction == direction; }));
}

SpFormula sp_byte_formula(const Shape& shape, const Mask& mask, const SpConfig& config) {
  validate(shape, mask, config);
  const std::int64_t p = config.devices;
  const std::int64_t chunk = shape.q_len / p;  // N/P
  const std::int64_t b = config.bytes_per_element;
  const std::int64_t d = shape.head_dim;
  const std::int64_t batch = shape.batch;
  SpFormula f;
  switch (config.scheme) {
    case SpScheme::ring:
    case SpScheme::zigzag:
      f.forward_bytes_per_send = 2 * chunk * shape.kv_heads * d * b * batch;
      f.forward_sends = p * (p - 1);
      f.steps = p;
      f.per_device_max = (p - 1) * f.forward_bytes_per_send;
      f.text = "forward 2(N/P) H_kv d b per link per step, P-1 sends per device";
      break;
    case SpScheme::rsa:
      f.forward_bytes_per_send = chunk * shape.kv_heads * d * b * batch;
      f.forward_sends = 2 * p * (p - 1);
      f.steps = 2 * p;
      f.per_device_max = 2 * (p - 1) * f.forward_bytes_per_send;
      f.text = "[I] forward (N/P) H_kv d b per link per step, K ring then V ring: 2(P-1) sends per device";
      break;
    case SpScheme::tokenring: {
      f.forward_bytes_per_send = chunk * shape.q_heads * d * b * batch;
      f.forward_sends = p * (p - 1);
      f.backward_bytes_per_send = chunk * shape.q_heads * (d * b + 4) * batch;
      f.steps = p;
      // A backward message per computed (visiting Q block, local KV block): all P(P-1) without a
      // mask, P(P-1)/2 causal (device r at steps s > r), by the block predicate for other masks.
      std::int64_t most = 0;
      for (std::int64_t r = 0; r < p; ++r) {
        std::int64_t sends = 0;
        for (std::int64_t s = 1; s < p; ++s) {
          const std::int64_t owner = sp_internal::ring_index(r - s, p);
          if (sp_internal::block_visible(mask, shape.q_len, sp_internal::Segment{owner * chunk, chunk},
                                         sp_internal::Segment{r * chunk, chunk})) {
            ++sends;
          }
        }
        f.backward_sends += sends;
        most = std::max(most, (p - 1) * f.forward_bytes_per_send + sends * f.backward_bytes_per_send);
      }
      f.per_device_max = most;
      f.text = "forward (N/P) H_q d b, backward (N/P) H_q (d b + 4) per link per step";
      break;
    }
    case SpScheme::lasp2:
      f.forward_bytes_per_send = shape.kv_heads * d * d * b * batch;
      f.forward_sends = p * (p - 1);
      f.steps = p - 1;
      f.per_device_max = (p - 1) * f.forward_bytes_per_send;
      f.text = "(P-1) H d^2 b per device (ring AllGather of d x d states, H = H_kv), independent of N";
      break;
  }
  return f;
}

SpResult simulate_sequence_parallel(const Shape& shape, std::span<const float> q, std::span<const float> k,
                                    std::span<const float> v, const Mask& mask, float scale, const SpConfig& config) {
  validate(shape, mask, config);
  if (config.compute) {
    const auto check = [](const char* name, std::size_t got, std::size_t want) {
      if (got != want) {
        throw InputError(std::string(name) + " must hold " + std::to_string(want) + " values for this shape, got " +
                         std::to_string(got));
      }
    };
    check("q", q.size(), shape.q_elements());
    check("k", k.size(), shape.kv_elements());
    check("v", v.size(), shape.kv_elements());
  }
  switch (config.scheme) {
    case SpScheme::ring:
    case SpScheme::zigzag:
      return sp_internal::run_ring(shape, q, k, v, mask, scale, config);
    case SpScheme::tokenring:
      return sp_internal::run_tokenring(shape, q, k, v, mask, scale, config);
    case SpScheme::rsa:
      return sp_internal::run_rsa(shape, q, k, v, mask, scale, config);
    case SpScheme::lasp2:
      return sp_internal::run_lasp2(shape, q, k, v, mask, scale, config);
  }
  throw InternalError("unknown sequence-parallel scheme");
}

}  // namespace paperkit::attention
