// The sample schedules of the streaming algorithms, as real numbers exactly as the spec
// (../shared/specs/bandits.md, section 2A, from the authors' algorithms.py) defines them.
// Algorithms turn a real sample count s into max(1, ceil(s)) integer pulls (to_count).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace paperkit::bandits {

// epsilon = (K / T)^(1/3): the accuracy every epsilon-best variant targets.
double default_epsilon(std::size_t K, double T);
// A1, uniform exploration: s = (T / K)^(2/3) * (ln T)^(1/3) pulls per arm.
double uniform_samples(std::size_t K, double T);
// A2, naive epsilon-best: s = ln K / epsilon^2 pulls per arm.
double naive_samples(std::size_t K, double epsilon);

// A3: per level, s_l (pulls per comparison) and cap_l (pulls after which the level promotes).
struct LevelSchedule {
  std::vector<double> samples, caps;
  std::size_t levels() const { return samples.size(); }
};

// Constants of the leveled variants; the defaults are the authors'.
struct LevelConstants {
  double growth = 1.2;         // log, loglog: s_l = ceil(growth^l / eps^2)
  double log_cap = 6;          // log: cap_l = ceil(log_cap * s_l)
  double loglog_cap = 10;      // loglog: cap_l = ceil(loglog_cap * s_l), last level ceil(K s_l)
  double logstar_cap0 = 4;     // log*: cap_0 = logstar_cap0 / eps^2
  double logstar_r0 = 2;       // log*: r_0; r_{l+1} = 2^{r_l}
  double sample_max = 1e20;    // log*: s_l = min(ceil(r_l / eps^2), sample_max)
  double overflow_cap = 1e10;  // log*: cap_l = overflow_cap * s_l when 2^{r_l} overflows
};

// log: L = floor(ln K) levels. loglog: L = floor(ln ln K) + 1. log*: L = 1 + the number of
// steps x <- ln x from x = K while x >= 1. Each L is clamped to >= 1 (small K).
LevelSchedule log_schedule(std::size_t K, double epsilon, const LevelConstants& c = {});
LevelSchedule loglog_schedule(std::size_t K, double epsilon, const LevelConstants& c = {});
LevelSchedule logstar_schedule(std::size_t K, double epsilon, const LevelConstants& c = {});
// r_0..r_{L-1} of log* (r_0 = 2, r_{l+1} = 2^{r_l}; inf once it overflows a double).
std::vector<double> logstar_r(std::size_t levels, double r0 = 2);

// max(1, ceil(s)) as a count of pulls, saturated at 2^63 (larger batches are cut by T anyway).
std::uint64_t to_count(double s);

}  // namespace paperkit::bandits
