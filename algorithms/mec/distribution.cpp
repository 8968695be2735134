// Marginal validation, entropy and Dirichlet sampling (distribution.hpp).
#include "paperkit/mec/distribution.hpp"

#include <cmath>
#include <sstream>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

namespace {

std::string show(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

}  // namespace

Marginal prepare_marginal(std::span<const double> p, const MarginalOptions& options, const std::string& name) {
  if (!(options.sum_tolerance >= 0 && std::isfinite(options.sum_tolerance))) {
    throw InvalidParameter("sum tolerance must be finite and >= 0 (got " + show(options.sum_tolerance) + ")");
  }
  if (p.empty()) throw InputError(name + " is empty (it needs at least one probability)");
  long double sum = 0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    if (!std::isfinite(p[j]) || p[j] < 0) {
      throw InputError(name + " entry " + std::to_string(j) + " must be finite and >= 0 (got " + show(p[j]) + ")");
    }
    sum += p[j];
  }
  const double total = static_cast<double>(sum);
  if (!(total > 0) || !std::isfinite(total)) {
    throw InputError(name + " must have a positive finite sum (got " + show(total) + ")");
  }
  if (!options.normalize && std::fabs(total - 1.0) > options.sum_tolerance) {
    throw InputError(name + " must sum to 1 within " + show(options.sum_tolerance) + " (got " + show(total) +
                     "; --normalize rescales it)");
  }
  Marginal out(p.begin(), p.end());
  for (double& x : out) x = static_cast<double>(static_cast<long double>(x) / sum);
  return out;
}

std::vector<Marginal> prepare_marginals(const std::vector<Marginal>& marginals, const MarginalOptions& options,
                                        std::size_t min_count) {
  if (marginals.size() < min_count) {
    throw InvalidParameter("need at least " + std::to_string(min_count) + " marginals (got " +
                           std::to_string(marginals.size()) + ")");
  }
  std::vector<Marginal> out;
  out.reserve(marginals.size());
  for (std::size_t i = 0; i < marginals.size(); ++i) {
    out.push_back(prepare_marginal(marginals[i], options, "marginal " + std::to_string(i + 1)));
  }
  return out;
}

double entropy_bits(std::span<const double> p) {
  double h = 0;
  for (double x : p) {
    if (x > 0) h -= x * std::log2(x);
  }
  return h;
}

namespace {

// Standard normal by the polar method: needs only uniform01, so it is the same everywhere.
double normal(Rng& rng) {
  for (;;) {
    const double u = 2 * rng.uniform01() - 1, v = 2 * rng.uniform01() - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2 * std::log(s) / s);
  }
}

// Gamma(alpha, 1) by Marsaglia-Tsang (alpha >= 1); alpha < 1 by the boost Gamma(alpha+1) * U^(1/alpha).
double gamma(double alpha, Rng& rng) {
  if (alpha < 1) {
    double u = rng.uniform01();
    while (u <= 0) u = rng.uniform01();
    return gamma(alpha + 1, rng) * std::pow(u, 1 / alpha);
  }
  const double d = alpha - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = rng.uniform01();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

}  // namespace

Marginal dirichlet(std::size_t n, double alpha, Rng& rng) {
  if (n == 0) throw InvalidParameter("Dirichlet size must be >= 1 (got 0)");
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    throw InvalidParameter("Dirichlet alpha must be finite and > 0 (got " + show(alpha) + ")");
  }
  for (;;) {
    Marginal p(n);
    long double sum = 0;
    for (double& x : p) {
      x = gamma(alpha, rng);
      sum += x;
    }
    // All entries underflowing to 0 is possible only for tiny alpha: draw again.
    if (!(sum > 0)) continue;
    for (double& x : p) x = static_cast<double>(static_cast<long double>(x) / sum);
    return p;
  }
}

}  // namespace paperkit::mec
