// Bandit instances: the arms' Bernoulli means in stream (arrival) order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::bandits {

// The authors' clear-cut setting: K-1 means from N(0.5, 0.1^2) truncated to [0, 0.8] (by
// rejection), one arm at 0.82, in a uniformly shuffled order. Throws InvalidParameter, K = 0.
std::vector<double> clear_cut(std::size_t K, Rng& rng);

// The authors' mix-in setting: K means from U(0, 1). Throws InvalidParameter for K = 0.
std::vector<double> mix_in(std::size_t K, Rng& rng);

// RECONSTRUCTED, UNVERIFIED (spec 2A, "Lower-bound family" [M]; not the paper's section 3):
// K-1 arms at 1/2 and one needle at 1/2 + gap at a uniform position; with probability
// jackpot_probability a jackpot arm with mean 1 is appended (then the stream has K+1 arms).
// gap defaults to (K/T)^(1/3) in the tool. Throws InvalidParameter for K = 0, gap outside
// (0, 1/2], or a probability outside [0, 1].
std::vector<double> needle_jackpot(std::size_t K, double gap, double jackpot_probability, Rng& rng);

// Means from CSV text: one value per line (a trailing comma-free first column is read when
// a line has several), an optional non-numeric header line, blank lines and '#' comments
// skipped. Throws InputError naming the line for a malformed value, a mean outside [0, 1],
// or no arm at all.
std::vector<double> parse_means_csv(std::istream& in, const std::string& name);
std::vector<double> read_means_csv(const std::string& path);

}  // namespace paperkit::bandits
