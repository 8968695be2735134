#include "paperkit/bandits/sampling.hpp"

#include <algorithm>
#include <cmath>

namespace paperkit::bandits {
namespace {

constexpr std::uint64_t kChunk = std::uint64_t{1} << 50;

// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(sqrt(2 pi))]: the Stirling tail, tabulated
// below 10 and by its asymptotic series above (Hormann 1993, as in BTRS).
double stirling_tail(double k) {
  static constexpr double table[10] = {0.0810614667953272,  0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                                       0.0166446911898211,  0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                                       0.00925546218271273, 0.00833056343336287};
  if (k <= 9) return table[static_cast<int>(k)];
  const double kp1sq = (k + 1) * (k + 1);
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

// Uniform in (0, 1]: never 0, so its logarithm is finite.
double uniform_open0(Rng& rng) {
  return 1.0 - rng.uniform01();
}

}  // namespace

namespace detail {

std::uint64_t binomial_inversion(Rng& rng, std::uint64_t n, double p) {
  // Count successes as geometric waiting times: each gap is Geometric(p) on {1, 2, ...}.
  if (p <= 0) return 0;
  const double log_q = std::log1p(-p);
  const double limit = static_cast<double>(n);
  double position = 0;
  std::uint64_t successes = 0;
  for (;;) {
    position += std::ceil(std::log(uniform_open0(rng)) / log_q);
    if (position > limit) return successes;
    ++successes;
  }
}

std::uint64_t binomial_btrs(Rng& rng, std::uint64_t n_int, double p) {
  // Hormann, "The generation of binomial random variates" (1993), algorithm BTRS. The
  // acceptance bound log f(k)/f(m) is regrouped with log1p so it stays accurate to ~1e-8 for n up to 2^50.
  const double n = static_cast<double>(n_int);
  const double spq = std::sqrt(n * p * (1 - p));
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = n * p + 0.5;
  const double v_r = 0.92 - 4.2 / b;
  const double r = p / (1 - p);
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double m = std::floor((n + 1) * p);
  const double log_r_nm = std::log(r * (n - m + 1) / (m + 1));  // ~0: the mode's odds ratio
  for (;;) {
    const double u = rng.uniform01() - 0.5;
    double v = rng.uniform01();
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
    if (v <= 0) continue;
    v = std::log(v * alpha / (a / (us * us) + b));
    // log f(k)/f(m) = (m+1/2) log(m+1) - (k+1/2) log(k+1) + (n-m+1/2) log(n-m+1)
    //                - (n-k+1/2) log(n-k+1) + (k-m) log r + Stirling tails, regrouped so each
    // logarithm of a ratio near 1 goes through log1p.
    const double d = k - m;
    const double log_k_over_m = std::log1p(d / (m + 1));
    const double log_odds = log_r_nm + std::log1p(-d / (n - m + 1)) - log_k_over_m;  // log r(n-k+1)/(k+1)
    const double bound = -(m + 0.5) * log_k_over_m + (n - m + 0.5) * std::log1p(d / (n - k + 1)) + d * log_odds +
                         stirling_tail(m) + stirling_tail(n - m) - stirling_tail(k) - stirling_tail(n - k);
    if (v <= bound) return static_cast<std::uint64_t>(k);
  }
}

}  // namespace detail

std::uint64_t binomial(Rng& rng, std::uint64_t n, double p) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  std::uint64_t total = 0;
  while (n > 0) {
    const std::uint64_t chunk = std::min(n, kChunk);
    n -= chunk;
    const bool flip = p > 0.5;
    const double q = flip ? 1 - p : p;
    const std::uint64_t x = static_cast<double>(chunk) * q < 10 ? detail::binomial_inversion(rng, chunk, q)
                                                                : detail::binomial_btrs(rng, chunk, q);
    total += flip ? chunk - x : x;
  }
  return total;
}

double standard_normal(Rng& rng) {
  for (;;) {
    const double x = 2 * rng.uniform01() - 1;
    const double y = 2 * rng.uniform01() - 1;
    const double s = x * x + y * y;
    if (s > 0 && s < 1) return x * std::sqrt(-2 * std::log(s) / s);
  }
}

}  // namespace paperkit::bandits
