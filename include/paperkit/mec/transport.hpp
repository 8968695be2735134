// Exact dense transportation LP: min sum_ij c_ij x_ij subject to sum_j x_ij = a_i,
// sum_i x_ij = b_j, x >= 0. Used by successive linearization (sla_coupling in coupling.hpp).
//
// Method: the transportation simplex with u-v (MODI) potentials on a spanning-tree basis of
// exactly m + n - 1 cells (degenerate cells carry 0). Each pivot computes the potentials
// (u_0 = 0, u_i + v_j = c_ij on the tree), enters the cell of most negative reduced cost
// d_ij = c_ij - u_i - v_j (Dantzig), and sends theta around the tree cycle it closes; the
// leaving cell is the minus cell of least flow, ties to the smallest row-major index. After
// `degenerate_switch` consecutive zero-step pivots it switches for good to Bland's rule
// (enter the first cell of negative reduced cost), which cannot cycle.
// Flows are always recomputed on the tree from the marginals (leaf elimination), so the
// marginals of the answer equal a and b to rounding (about (m + n) * 1e-16).
// Optimality: at exit every reduced cost is >= -tolerance * (1 + max |c|) (reported as
// min_reduced_cost), so the cost is within that times sum a of the LP optimum. Dense: O(m n)
// memory and O(m n) work per pivot; meant for m, n up to a few hundred.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace paperkit::mec {

struct TransportOptions {
  double tolerance = 1e-10;            // relative reduced-cost tolerance (times 1 + max |c|)
  std::size_t max_pivots = 0;          // 0: 20 (m + n) min(m, n) + 1000
  std::size_t degenerate_switch = 64;  // consecutive zero-step pivots before Bland's rule
};

struct TransportResult {
  std::size_t rows = 0, cols = 0;
  std::vector<double> flow;                                    // rows * cols, row-major
  std::vector<std::pair<std::uint32_t, std::uint32_t>> basis;  // the m + n - 1 tree cells
  std::vector<double> u, v;                                    // potentials: u_i + v_j = c_ij on the basis
  double cost = 0;                                             // sum c_ij x_ij
  double min_reduced_cost = 0;                                 // min_ij c_ij - u_i - v_j at exit
  std::size_t pivots = 0;
  bool optimal = false;  // false only when max_pivots ran out
  bool bland = false;    // whether the anti-cycling rule was needed
};

// `cost` is rows * cols row-major (finite). `supply` (rows >= 1) and `demand` (cols >= 1) must
// be finite, >= 0, with sums equal to 1e-9 relative; else InvalidParameter. `start`, if not
// empty, lists cells whose support is a forest carrying a feasible solution (for example the
// previous SLA iterate): it is completed to a spanning tree with zero cells and the simplex
// starts there (warm start). A start that is not a forest or not feasible is ignored in favour
// of the northwest-corner rule.
TransportResult solve_transport(std::span<const double> cost, const std::vector<double>& supply,
                                const std::vector<double>& demand,
                                const std::vector<std::pair<std::uint32_t, std::uint32_t>>& start = {},
                                const TransportOptions& options = {});

}  // namespace paperkit::mec
