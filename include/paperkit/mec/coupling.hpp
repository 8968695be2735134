// Couplings of k >= 2 marginals: a sparse joint distribution whose i-th marginal is p_i.
//
// Every algorithm here takes marginals already checked by prepare_marginals (distribution.hpp)
// and returns cells with positive mass. Tolerance: the marginals of a returned coupling equal
// the (normalized) inputs to <= 1e-12 absolute per entry (tests check it for k = 2..5, sizes
// 1..200). Entropies are in bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "paperkit/mec/distribution.hpp"

namespace paperkit::mec {

// Sparse joint distribution: cell c has mass[c] at indices index[c*k .. c*k+k) (one index into
// each marginal). Cells are listed in the order the algorithm created them.
struct Coupling {
  std::size_t k = 0;
  std::vector<std::size_t> sizes;    // n_i, the length of each marginal
  std::vector<std::uint32_t> index;  // cells() * k indices
  std::vector<double> mass;          // cells() masses, all > 0

  std::size_t cells() const { return mass.size(); }
  std::span<const std::uint32_t> cell(std::size_t c) const { return {index.data() + c * k, k}; }
};

// H(J) in bits.
double entropy_bits(const Coupling& coupling);

// The k marginals of `coupling` (sums in long double, so the check itself adds no error).
std::vector<Marginal> marginals_of(const Coupling& coupling);

// Greedy minimum-entropy coupling (Kocaoglu et al. 2017, Alg. 1; spec A2): repeatedly take the
// largest residual of every marginal, put the smallest of those k maxima in that cell and
// subtract it from each. Per marginal, the untouched entries sorted once (radix sort) plus a
// max-heap of the lowered residuals (a monotone radix heap from 1024 entries, a binary heap
// below): O(S k log n) comparisons at most, S <= sum n_i - k + 1 cells; bench/README.md (mec).
// Tie-breaking (deterministic, documented): among equal residuals the lowest index wins, as
// numpy's argmax does. A residual left at most `dust` times its original entry after a
// subtraction is rounding noise: it is dropped (error <= dust * p_ij) rather than becoming a
// cell of its own; whatever residual is left when one marginal is exhausted (rounding only,
// about n * 1e-16) is added to the last cell that used that entry (spec A2); residue over 1e-9
// means the sums differed and throws InvalidParameter. Output cells are bit-identical for
// identical input.
struct GreedyOptions {
  double dust = 64 * 2.220446049250313e-16;  // relative residual treated as zero (design choice [I])
};
Coupling greedy_coupling(const std::vector<Marginal>& marginals, const GreedyOptions& options = {});

// H(greedy_coupling({p, q}, options)) in bits without building the coupling: the same greedy
// steps keep only the cell masses. Bit-identical to entropy_bits of the materialized coupling
// (tests/mec/greedy_equivalence_test.cpp); for experiments that need only the entropy (Table 1).
// Same errors as greedy_coupling.
double greedy_coupling_entropy(const Marginal& p, const Marginal& q, const GreedyOptions& options = {});

// The independent coupling p_1 x ... x p_k (spec baseline B1), materialized: throws
// InvalidParameter beyond `max_cells` nonzero cells. Its entropy is sum_i H(p_i) exactly.
Coupling independent_coupling(const std::vector<Marginal>& marginals, std::size_t max_cells = 10'000'000);
double independent_entropy(const std::vector<Marginal>& marginals);

// Exact minimum-entropy coupling of two marginals (spec A3; the test oracle). The optimum of
// the concave H over the transportation polytope lies at a vertex, whose support is a forest,
// so some line of it holds one cell: every vertex is reached by repeatedly choosing a remaining
// row i and column j, putting min(r_i, c_j) there and dropping the exhausted line. A depth-first
// search over those choices, memoized on the sorted residual multisets and bounded by the meet
// of the residuals (branch and bound from greedy's value), finds the minimum. Zero entries are
// dropped first. The value is the optimum to within 1e-12 bits (the search's slack) plus
// rounding. Exponential: throws InvalidParameter unless the supports satisfy
// n + m <= max_lines (default 12; on the 2-core dev machine 6 + 6 takes about 1 s, 7 + 7 about
// 56 s and 2.2 GB).
struct ExactResult {
  Coupling coupling;
  double entropy = 0;      // H of `coupling` in bits: the optimum OPT
  std::size_t states = 0;  // memoized subproblems visited (cost indicator)
};
ExactResult exact_coupling(const Marginal& p, const Marginal& q, std::size_t max_lines = 12);

// Successive linearization (spec baseline B4; an inference [I] of the paper's "SLA" baseline,
// whose code was not available): entropy is concave, so with c_ij = -log2 max(P_ij, 1e-300)
// H(P') <= sum c_ij P'_ij for every coupling P' (Gibbs), with equality at P' = P. Each
// iteration solves the transportation LP min sum c_ij P'_ij with the marginals p, q exactly
// (transport.hpp, warm-started from the current support) and moves there, so H never
// increases (to rounding, about 1e-12 bits). Stops when the support (cells > 0) is unchanged,
// or after max_iterations LPs. Start: the greedy coupling (the spec's choice) or, as an
// option, the independent coupling, where the first LP is degenerate (c_ij = -log2 p_i -
// log2 q_j makes every coupling cost H(p) + H(q)) and returns the solver's starting vertex,
// the northwest corner of p, q in input order [I]. k = 2; zero entries are dropped first.
// Marginals exact to about (n + m) * 1e-16.
enum class SlaStart { greedy, independent };
struct SlaOptions {
  std::size_t max_iterations = 100;
  SlaStart start = SlaStart::greedy;
};
struct SlaResult {
  Coupling coupling;                  // cells in row-major order of (p index, q index)
  std::size_t iterations = 0;         // LPs solved
  std::size_t pivots = 0;             // simplex pivots over all LPs
  bool converged = false;             // support unchanged by the last LP (false: max_iterations ran out)
  std::vector<double> entropy_trace;  // H of the start, then after each LP (non-increasing)
};
SlaResult sla_coupling(const Marginal& p, const Marginal& q, const SlaOptions& options = {});

}  // namespace paperkit::mec
