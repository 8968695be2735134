#include "paperkit/bandits/schedules.hpp"

#include <algorithm>
#include <cmath>

namespace paperkit::bandits {

double default_epsilon(std::size_t K, double T) {
  return std::cbrt(static_cast<double>(K) / T);
}

double uniform_samples(std::size_t K, double T) {
  return std::pow(T / static_cast<double>(K), 2.0 / 3.0) * std::cbrt(std::log(T));
}

double naive_samples(std::size_t K, double epsilon) {
  return std::log(static_cast<double>(K)) / (epsilon * epsilon);
}

namespace {

std::size_t clamp_levels(double levels) {
  return levels < 1 || !std::isfinite(levels) ? 1 : static_cast<std::size_t>(levels);
}

}  // namespace

LevelSchedule log_schedule(std::size_t K, double epsilon, const LevelConstants& c) {
  const std::size_t L = clamp_levels(std::floor(std::log(static_cast<double>(K))));
  LevelSchedule s;
  for (std::size_t l = 0; l < L; ++l) {
    s.samples.push_back(std::ceil(std::pow(c.growth, static_cast<double>(l)) / (epsilon * epsilon)));
    s.caps.push_back(std::ceil(c.log_cap * s.samples.back()));
  }
  return s;
}

LevelSchedule loglog_schedule(std::size_t K, double epsilon, const LevelConstants& c) {
  const double lnK = std::log(static_cast<double>(K));
  const std::size_t L = clamp_levels(std::floor(std::log(lnK)) + 1);
  LevelSchedule s;
  for (std::size_t l = 0; l < L; ++l) {
    if (l + 1 < L) {
      s.samples.push_back(std::ceil(std::pow(c.growth, static_cast<double>(l)) / (epsilon * epsilon)));
      s.caps.push_back(std::ceil(c.loglog_cap * s.samples.back()));
    } else {  // the last level compares with the naive n log n count and never fills
      s.samples.push_back(lnK / (epsilon * epsilon));
      s.caps.push_back(std::ceil(static_cast<double>(K) * s.samples.back()));
    }
  }
  return s;
}

std::vector<double> logstar_r(std::size_t levels, double r0) {
  std::vector<double> r;
  double x = r0;
  for (std::size_t l = 0; l < levels; ++l) {
    r.push_back(x);
    x = std::exp2(x);  // inf once 2^x overflows a double
  }
  return r;
}

LevelSchedule logstar_schedule(std::size_t K, double epsilon, const LevelConstants& c) {
  std::size_t steps = 0;
  for (double x = static_cast<double>(K); x >= 1; x = std::log(x)) ++steps;
  const std::size_t L = 1 + steps;
  const auto r = logstar_r(L, c.logstar_r0);
  const double inv = 1 / (epsilon * epsilon);
  LevelSchedule s;
  s.samples.push_back(inv);
  s.caps.push_back(c.logstar_cap0 * inv);
  for (std::size_t l = 1; l < L; ++l) {
    s.samples.push_back(std::min(std::ceil(r[l] * inv), c.sample_max));
    const double ratio = std::exp2(r[l] - r[l - 1]);  // 2^{r_l} / 2^{r_{l-1}}
    const double cap = std::exp2(r[l]) * s.samples.back() / std::exp2(r[l - 1]);
    s.caps.push_back(std::isfinite(cap) && std::isfinite(ratio) ? std::ceil(cap) : c.overflow_cap * s.samples.back());
  }
  return s;
}

std::uint64_t to_count(double s) {
  constexpr double kMax = 9223372036854775808.0;  // 2^63
  if (!(s < kMax)) return std::uint64_t{1} << 63;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(s)));
}

}  // namespace paperkit::bandits
