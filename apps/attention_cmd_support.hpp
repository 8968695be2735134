// Shared by the paperkit-attention subcommands (apps/attention.cpp, attention_sim.cpp,
// attention_prefill.cpp, attention_bench_cmd.cpp): seeded inputs, the --mask flag and the error
// measure against the fp64 oracle.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "paperkit/attention/attention.hpp"
#include "paperkit/common/errors.hpp"

#include "paperkit/common/rng.hpp"

namespace paperkit::attention_app {

// Uniform in [-1, 1); stream `block` of the seed gives one fixed tensor.
inline std::vector<float> seeded_tensor(std::size_t n, std::uint64_t seed, std::uint64_t block) {
  Rng rng = Rng::for_block(seed, 0, block);
  std::vector<float> x(n);
  for (auto& value : x) value = static_cast<float>(2.0 * rng.uniform01() - 1.0);
  return x;
}

// The --mask flag (none|causal|window) with its --window; other fields keep Mask's defaults.
inline attention::Mask parse_mask_flag(const std::string& name, std::int64_t window) {
  attention::Mask mask;
  if (name == "none") {
    mask.kind = attention::MaskKind::none;
  } else if (name == "causal") {
    mask.kind = attention::MaskKind::causal;
  } else if (name == "window") {
    mask.kind = attention::MaskKind::window;
    if (window < 1) throw InvalidParameter("--window must be >= 1 with --mask window, got " + std::to_string(window));
    mask.window = window;
  } else {
    throw InvalidParameter("--mask must be none|causal|window, got '" + name + "'");
  }
  return mask;
}

// max |got - ref| / max |ref| (max norm), the measure behind the library's 1e-5 tolerance.
template <typename A, typename R>
double max_relative_error(const std::vector<A>& got, const std::vector<R>& ref) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - static_cast<double>(ref[i])));
    norm = std::max(norm, std::abs(static_cast<double>(ref[i])));
  }
  return norm > 0.0 ? diff / norm : diff;
}

}  // namespace paperkit::attention_app
