// EBIM (entropy-bounded information maximization), the encoder half of MEC-B (Ebrahimi, Chen,
// Khisti, NeurIPS 2024): max I(X;T) subject to H(T) <= R. Here: the deterministic greedy search
// (the paper's Algorithm 1, spec A4) and the uniform quantization baseline (spec B3); MEC-B
// composition (A6) is in mecb.hpp; the Theorem 3 refinement (A5) is in ebim_refine.hpp.
//
// For a deterministic map T = g(X), I(X;T) = H(T), so the search returns a partition of the
// support of p_X into cells with H(cells) <= R. Entropies in bits; the guarantee
// I_EBIM(p_X, R) - I(X;T) <= h(p_2) (p_2 = second-largest p_X, Theorem 2) is from secondary
// summaries [S]; the tests check the stronger I >= R - h(p_2) empirically, as the spec did.
#pragma once

#include <cstdint>
#include <vector>

#include "paperkit/mec/distribution.hpp"

namespace paperkit::mec {

struct EbimResult {
  std::vector<std::vector<std::uint32_t>> cells;  // each cell's symbols, ascending
  std::vector<double> masses;                     // p_T: the mass of each cell
  double mutual_information = 0;                  // I(X;T) = H(T) in bits (<= R)
};

// Algorithm 1 (spec A4): start from singletons of the support; if R >= H(p_X) return them. Then
// up to n - 1 times: if merging the two smallest cells brings H(T) to <= R, return that; else
// merge the two largest cells and return if H(T) <= R. Merging masses a and b lowers H(T) by
// a log2(1 + b/a) + b log2(1 + a/b). Ties between equal masses go to the cell listed first
// (cells are listed by their smallest symbol), so the output is deterministic. O(n log n): the
// merged largest cell stays the largest and absorbs the others in sorted order, so two sorts
// replace the heaps of the first fast version; H(T) is kept incrementally and recomputed exactly
// (O(n), summed as the list version did) only in iterations where it lies within 1e-7 bits of
// deciding, a few on typical inputs (pathological masses could make it O(n^2) again), so the
// output is bit-identical to the first O(n^2) version (tests/mec/ebim_equivalence_test.cpp).
// `p` must come from prepare_marginal; throws InvalidParameter unless R is finite and >= 0.
EbimResult ebim_deterministic(const Marginal& p, double rate);

// Uniform quantization baseline (spec B3, the authors' `scalar_quant`): m = floor(2^R) cells
// at most, block = ceil(n / m), and symbols [c*block, (c+1)*block) form cell c, ignoring the
// masses. At most m blocks, so H(T) <= log2 m <= R; R >= log2 n gives one symbol per cell.
// Zero-mass symbols stay inside their block (the block structure is positional), but a block of
// zero mass is dropped: T never takes that value. Same cell structure as ebim_deterministic.
// `p` must come from prepare_marginal; throws InvalidParameter unless R is finite and >= 0.
EbimResult uniform_quantization(const Marginal& p, double rate);

// h(p_2): the binary entropy of the second-largest probability (0 when there is none).
double ebim_gap_bound(const Marginal& p);

}  // namespace paperkit::mec
