// Internal: the k = 2 case of greedy coupling (algorithms/mec/greedy_pair.cpp), called by
// greedy_coupling and greedy_coupling_entropy (coupling.hpp). Not installed API.
#pragma once

#include "paperkit/mec/coupling.hpp"

namespace paperkit::mec::detail {

// True when the pair path can run: every cell number fits the 32-bit tag of RankedEntry.
bool greedy_pair_applies(const Marginal& p, const Marginal& q);

// The greedy coupling of p and q, cell for cell what the general k loop in greedy.cpp gives.
void greedy_pair(const Marginal& p, const Marginal& q, double dust, Coupling& out);

// entropy_bits of greedy_pair's cells, bit for bit, without building the index lists.
double greedy_pair_entropy(const Marginal& p, const Marginal& q, double dust);

}  // namespace paperkit::mec::detail
