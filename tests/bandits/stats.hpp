// Small statistics helpers for the bandits statistical tests.
#pragma once

#include <cmath>
#include <vector>

namespace paperkit::bandits::test {

// Upper quantile of chi^2(df) at tail probability ~1e-4 (Wilson-Hilferty, z = 3.719).
inline double chi2_critical_1e4(double df) {
  const double z = 3.719;
  const double a = 2.0 / (9.0 * df);
  return df * std::pow(1 - a + z * std::sqrt(a), 3);
}

// Binomial(n, p) pmf via lgamma (accurate enough for goodness-of-fit bins).
inline double binomial_pmf(int n, int k, double p) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                  (n - k) * std::log1p(-p));
}

struct Moments {
  double mean = 0, variance = 0;
};

inline Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= static_cast<double>(x.size() - 1);
  return m;
}

}  // namespace paperkit::bandits::test
