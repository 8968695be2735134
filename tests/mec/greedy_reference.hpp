// Reference implementations kept for equivalence tests of the optimized versions: greedy
// coupling with binary heaps (greedy_reference.cpp) and EBIM Algorithm 1 in O(n^2)
// (ebim_reference.cpp), both as first written. Not part of the library.
#pragma once

#include <vector>

#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/ebim.hpp"

namespace paperkit::mec::test {

Coupling greedy_coupling_reference(const std::vector<Marginal>& marginals, const GreedyOptions& options = {});
EbimResult ebim_deterministic_reference(const Marginal& p, double rate);

}  // namespace paperkit::mec::test
