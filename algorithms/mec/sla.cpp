// Successive linearization baseline (coupling.hpp, spec B4 [I]): transportation LPs on the
// linearized entropy, from greedy's coupling, until the support stops changing.
#include <algorithm>
#include <cmath>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/transport.hpp"

namespace paperkit::mec {

namespace {

// The cost floor of the spec: log2 of a zero cell is taken at 1e-300 (about 996.6 bits).
constexpr double kFloor = 1e-300;

std::vector<std::uint32_t> support_indices(const Marginal& p) {
  std::vector<std::uint32_t> s;
  for (std::size_t j = 0; j < p.size(); ++j) {
    if (p[j] > 0) s.push_back(static_cast<std::uint32_t>(j));
  }
  return s;
}

using Cells = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

Cells support_of(const std::vector<double>& dense, std::size_t n) {
  Cells cells;
  for (std::size_t c = 0; c < dense.size(); ++c) {
    if (dense[c] > 0) cells.emplace_back(static_cast<std::uint32_t>(c / n), static_cast<std::uint32_t>(c % n));
  }
  return cells;
}

}  // namespace

SlaResult sla_coupling(const Marginal& p, const Marginal& q, const SlaOptions& options) {
  if (options.max_iterations == 0) throw InvalidParameter("SLA: max_iterations must be >= 1");
  const auto rows = support_indices(p), cols = support_indices(q);
  if (rows.empty() || cols.empty()) throw InputError("SLA needs marginals with positive mass");
  const std::size_t m = rows.size(), n = cols.size();
  std::vector<double> a(m), b(n);
  for (std::size_t i = 0; i < m; ++i) a[i] = p[rows[i]];
  for (std::size_t j = 0; j < n; ++j) b[j] = q[cols[j]];

  // Dense iterate on the supports; position of every original index in them.
  std::vector<double> P(m * n, 0.0);
  std::vector<std::uint32_t> row_at(p.size(), 0), col_at(q.size(), 0);
  for (std::size_t i = 0; i < m; ++i) row_at[rows[i]] = static_cast<std::uint32_t>(i);
  for (std::size_t j = 0; j < n; ++j) col_at[cols[j]] = static_cast<std::uint32_t>(j);
  if (options.start == SlaStart::greedy) {
    const Coupling g = greedy_coupling({p, q});
    for (std::size_t c = 0; c < g.cells(); ++c) {
      const auto idx = g.cell(c);
      P[std::size_t{row_at[idx[0]]} * n + col_at[idx[1]]] += g.mass[c];
    }
  } else {
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < n; ++j) P[i * n + j] = a[i] * b[j];
    }
  }

  SlaResult r;
  r.entropy_trace.push_back(entropy_bits(std::span<const double>(P)));
  Cells support = support_of(P, n);
  std::vector<double> cost(m * n);
  while (r.iterations < options.max_iterations) {
    for (std::size_t c = 0; c < m * n; ++c) cost[c] = -std::log2(std::max(P[c], kFloor));
    // Warm start from the current support when it is a forest (greedy's and every LP vertex
    // are); the independent start is not, and the solver falls back to the northwest corner.
    const TransportResult lp = solve_transport(cost, a, b, support);
    ++r.iterations;
    r.pivots += lp.pivots;
    if (!lp.optimal) throw InternalError("SLA: the transportation simplex ran out of pivots");
    P = lp.flow;
    r.entropy_trace.push_back(entropy_bits(std::span<const double>(P)));
    Cells next = support_of(P, n);
    const bool same = next == support;
    support = std::move(next);
    if (same) {
      r.converged = true;
      break;
    }
  }

  r.coupling.k = 2;
  r.coupling.sizes = {p.size(), q.size()};
  for (const auto& [i, j] : support) {
    r.coupling.index.push_back(rows[i]);
    r.coupling.index.push_back(cols[j]);
    r.coupling.mass.push_back(P[std::size_t{i} * n + j]);
  }
  return r;
}

}  // namespace paperkit::mec
