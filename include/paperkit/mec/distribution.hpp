// Probability vectors for paperkit::mec: validation, entropy in bits, Dirichlet sampling.
//
// Tolerances: a marginal is accepted when every entry is finite and >= 0 and its sum is within
// `sum_tolerance` (default 1e-9, absolute) of 1; `normalize` instead accepts any positive finite
// sum. Accepted marginals are divided by their sum, so the coupling algorithms see vectors
// summing to 1 up to rounding (about n * 1e-16).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::mec {

using Marginal = std::vector<double>;

struct MarginalOptions {
  double sum_tolerance = 1e-9;  // |sum - 1| allowed before normalizing (ignored with normalize)
  bool normalize = false;       // accept any positive finite sum and rescale to 1
};

// Checks one marginal (`name` appears in the message: "marginal 2") and returns it divided by
// its sum. Throws InputError on an empty vector, a negative, NaN or infinite entry, a sum of 0,
// or a sum outside 1 +- sum_tolerance (unless normalize); InvalidParameter on a bad tolerance.
Marginal prepare_marginal(std::span<const double> p, const MarginalOptions& options = {},
                          const std::string& name = "marginal");

// prepare_marginal on each; throws InvalidParameter when fewer than `min_count` are given.
std::vector<Marginal> prepare_marginals(const std::vector<Marginal>& marginals, const MarginalOptions& options = {},
                                        std::size_t min_count = 2);

// H(p) = -sum p log2 p in bits, with 0 log 0 = 0. No normalization: `p` may be any non-negative
// masses (the coupling cells); entries <= 0 contribute nothing.
double entropy_bits(std::span<const double> p);

// A Dirichlet(alpha, ..., alpha) sample of size n >= 1 (alpha > 0 finite), from gamma variates by
// Marsaglia-Tsang with our own normal and uniform draws so the output is bit-identical for a seed
// on every platform. Small alpha gives many entries that underflow to 0: they are allowed.
Marginal dirichlet(std::size_t n, double alpha, Rng& rng);

}  // namespace paperkit::mec
