// Shared by the attention tests: seeded random tensors and the error measures the tolerances use.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "paperkit/attention/attention.hpp"
#include "paperkit/common/rng.hpp"

namespace paperkit::attention::test {

// Uniform in [-amplitude, amplitude); block b of the seed gives a fixed stream per tensor.
inline std::vector<float> random_tensor(std::size_t n, std::uint64_t seed, std::uint64_t block, double amplitude) {
  Rng rng = Rng::for_block(seed, 7, block);
  std::vector<float> x(n);
  for (auto& value : x) value = static_cast<float>(amplitude * (2.0 * rng.uniform01() - 1.0));
  return x;
}

struct Qkv {
  std::vector<float> q, k, v;
};

// Query amplitude 2 makes the softmax peaked enough that masking and rescaling matter.
inline Qkv random_qkv(const Shape& shape, std::uint64_t seed) {
  return Qkv{random_tensor(shape.q_elements(), seed, 0, 2.0), random_tensor(shape.kv_elements(), seed, 1, 1.0),
             random_tensor(shape.kv_elements(), seed, 2, 1.0)};
}

// max |a - ref| / max |ref| (max norm), the measure behind the 1e-5 fp32 tolerance.
template <typename A, typename R>
double relative_error(const std::vector<A>& a, const std::vector<R>& ref) {
  double diff = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(ref[i])));
    scale = std::max(scale, std::abs(static_cast<double>(ref[i])));
  }
  return scale > 0.0 ? diff / scale : diff;
}

// lse compared entry by entry: both -inf, or |a - ref| <= tol * max(1, |ref|).
template <typename A, typename R>
bool lse_close(const std::vector<A>& a, const std::vector<R>& ref, double tol) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = static_cast<double>(a[i]);
    const double r = static_cast<double>(ref[i]);
    if (std::isinf(r) || std::isinf(x)) {
      if (!(std::isinf(r) && std::isinf(x) && r < 0 && x < 0)) return false;
      continue;
    }
    if (!(std::abs(x - r) <= tol * std::max(1.0, std::abs(r)))) return false;
  }
  return true;
}

inline bool all_finite(const std::vector<float>& x) {
  return std::all_of(x.begin(), x.end(), [](float value) { return std::isfinite(value); });
}

}  // namespace paperkit::attention::test
