// Lower bounds on the minimum joint entropy of a coupling (spec A1).
//
// meet (Cicalese-Vaccaro majorization bound): sort each marginal descending, pad with zeros,
// take prefix sums S_i, M[j] = min_i S_i[j], a[j] = M[j] - M[j-1]. `a` is majorized by every
// coupling's cell distribution, so H(a) <= H(J) for every coupling J, and H(a) >= max_i H(p_i).
// a is non-increasing and non-negative exactly (M is a minimum of non-decreasing sequences);
// its sum equals min_i sum p_i up to rounding. Cost O(k n log n).
#pragma once

#include <vector>

#include "paperkit/mec/distribution.hpp"

namespace paperkit::mec {

// The meet p_1 ^ ... ^ p_k (length max n_i, trailing zeros kept).
Marginal meet(const std::vector<Marginal>& marginals);

// H(meet) in bits: the majorization lower bound LB_maj.
double meet_entropy(const std::vector<Marginal>& marginals);

// Proven upper bound on H(greedy) - H(meet) for any k (Compton 2022, arXiv 2203.05108): log2(e).
inline constexpr double greedy_meet_gap_bound = 1.4426950408889634;
// Proven upper bound on H(greedy) - OPT for k = 2 (Compton et al. 2023): log2(e)/e.
inline constexpr double greedy_opt_gap_bound_k2 = 0.5307378454177918;

}  // namespace paperkit::mec
