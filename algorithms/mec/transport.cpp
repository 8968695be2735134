// Transportation simplex with u-v potentials on a spanning-tree basis (transport.hpp).
#include "paperkit/mec/transport.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

namespace {

using Cell = std::pair<std::uint32_t, std::uint32_t>;

// Nodes 0..m-1 are rows, m..m+n-1 columns; edge e is basis cell e.
class Tree {
 public:
  Tree(std::size_t m, std::size_t n) : m_(m), adj_(m + n) {}

  void add(std::size_t e, const Cell& c) {
    if (e >= cells_.size()) cells_.resize(e + 1);
    cells_[e] = c;
    adj_[c.first].push_back(e);
    adj_[m_ + c.second].push_back(e);
  }
  void replace(std::size_t e, const Cell& c) {
    auto drop = [&](std::size_t node) {
      auto& a = adj_[node];
      a.erase(std::find(a.begin(), a.end(), e));
    };
    drop(cells_[e].first);
    drop(m_ + cells_[e].second);
    cells_[e] = c;
    adj_[c.first].push_back(e);
    adj_[m_ + c.second].push_back(e);
  }
  std::size_t other(std::size_t e, std::size_t node) const {
    return node < m_ ? m_ + cells_[e].second : cells_[e].first;
  }
  const std::vector<Cell>& cells() const { return cells_; }
  const std::vector<std::vector<std::size_t>>& adj() const { return adj_; }
  std::size_t rows() const { return m_; }

 private:
  std::size_t m_;
  std::vector<Cell> cells_;
  std::vector<std::vector<std::size_t>> adj_;
};

// The unique flows on a spanning tree meeting the marginals, by eliminating leaves. Returns
// false when some flow is below -slack (the tree carries no feasible solution).
bool tree_flows(const Tree& tree, const std::vector<double>& supply, const std::vector<double>& demand,
                std::vector<double>& flow, double slack) {
  const std::size_t m = supply.size(), nodes = supply.size() + demand.size();
  std::vector<double> residual(nodes);
  for (std::size_t i = 0; i < m; ++i) residual[i] = supply[i];
  for (std::size_t j = 0; j < demand.size(); ++j) residual[m + j] = demand[j];
  std::vector<std::size_t> degree(nodes);
  std::vector<std::size_t> leaves;
  for (std::size_t v = 0; v < nodes; ++v) {
    degree[v] = tree.adj()[v].size();
    if (degree[v] == 1) leaves.push_back(v);
  }
  std::vector<char> done(tree.cells().size(), 0);
  flow.assign(tree.cells().size(), 0.0);
  bool feasible = true;
  while (!leaves.empty()) {
    const std::size_t v = leaves.back();
    leaves.pop_back();
    if (degree[v] != 1) continue;
    std::size_t e = 0;
    for (std::size_t f : tree.adj()[v]) {
      if (!done[f]) e = f;
    }
    done[e] = 1;
    double x = residual[v];
    if (x < -slack) feasible = false;
    x = std::max(x, 0.0);
    flow[e] = x;
    const std::size_t w = tree.other(e, v);
    residual[w] -= x;
    degree[v] = 0;
    if (--degree[w] == 1) leaves.push_back(w);
  }
  return feasible;
}

// Union-find over rows and columns, to grow a forest into a spanning tree.
struct Components {
  std::vector<std::size_t> parent;
  explicit Components(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  bool join(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    parent[a] = b;
    return true;
  }
};

// The northwest-corner basis: m + n - 1 cells from (0,0) to (m-1,n-1).
std::vector<Cell> northwest(const std::vector<double>& supply, const std::vector<double>& demand) {
  const std::size_t m = supply.size(), n = demand.size();
  std::vector<Cell> cells;
  double a = supply[0], b = demand[0];
  std::size_t i = 0, j = 0;
  for (;;) {
    cells.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
    if (i == m - 1 && j == n - 1) break;
    const double x = std::min(a, b);
    a -= x;
    b -= x;
    if (j == n - 1 || (i < m - 1 && a <= b)) {
      a = supply[++i];
    } else {
      b = demand[++j];
    }
  }
  return cells;
}

// A forest of `start` completed by zero cells into a spanning tree; empty when `start` has a
// cycle or a cell out of range.
std::vector<Cell> completed(const std::vector<Cell>& start, std::size_t m, std::size_t n) {
  Components comp(m + n);
  std::vector<Cell> cells;
  for (const Cell& c : start) {
    if (c.first >= m || c.second >= n || !comp.join(c.first, m + c.second)) return {};
    cells.push_back(c);
  }
  for (std::size_t i = 0; i < m && cells.size() < m + n - 1; ++i) {
    for (std::size_t j = 0; j < n && cells.size() < m + n - 1; ++j) {
      if (comp.join(i, m + j)) cells.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
    }
  }
  return cells;
}

void check_marginal(const std::vector<double>& p, const char* name) {
  if (p.empty()) throw InvalidParameter(std::string("transport: ") + name + " is empty");
  for (double x : p) {
    if (!(x >= 0) || !std::isfinite(x)) {
      throw InvalidParameter(std::string("transport: ") + name + " entries must be finite and >= 0");
    }
  }
}

}  // namespace

TransportResult solve_transport(std::span<const double> cost, const std::vector<double>& supply,
                                const std::vector<double>& demand, const std::vector<Cell>& start,
                                const TransportOptions& options) {
  check_marginal(supply, "supply");
  check_marginal(demand, "demand");
  const std::size_t m = supply.size(), n = demand.size();
  if (cost.size() != m * n) throw InvalidParameter("transport: cost must have rows * cols entries");
  const double total = std::accumulate(supply.begin(), supply.end(), 0.0);
  const double total_demand = std::accumulate(demand.begin(), demand.end(), 0.0);
  if (std::abs(total - total_demand) > 1e-9 * std::max(1.0, total)) {
    throw InvalidParameter("transport: supply and demand sums differ (" + std::to_string(total) + " vs " +
                           std::to_string(total_demand) + ")");
  }
  double cmax = 0;
  for (double c : cost) {
    if (!std::isfinite(c)) throw InvalidParameter("transport: costs must be finite");
    cmax = std::max(cmax, std::abs(c));
  }
  const double tol = options.tolerance * (1 + cmax);
  const double slack = 1e-12 * std::max(1.0, total);
  const std::size_t max_pivots = options.max_pivots ? options.max_pivots : 20 * (m + n) * std::min(m, n) + 1000;

  // Initial basis: the warm start if it is a feasible forest, else the northwest corner.
  std::vector<Cell> cells = start.empty() ? std::vector<Cell>{} : completed(start, m, n);
  std::vector<double> flow;
  auto build = [&](const std::vector<Cell>& basis) {
    Tree t(m, n);
    for (std::size_t e = 0; e < basis.size(); ++e) t.add(e, basis[e]);
    return t;
  };
  Tree tree(m, n);
  bool ok = false;
  if (!cells.empty()) {
    tree = build(cells);
    ok = tree_flows(tree, supply, demand, flow, 1e-9 * std::max(1.0, total));
  }
  if (!ok) {
    tree = build(northwest(supply, demand));
    tree_flows(tree, supply, demand, flow, slack);
  }

  TransportResult r;
  r.rows = m;
  r.cols = n;
  r.u.assign(m, 0.0);
  r.v.assign(n, 0.0);
  std::vector<char> known(m + n);
  std::vector<std::size_t> stack, parent_edge(m + n);
  // Potentials by a walk over the tree from row 0 (u_0 = 0).
  auto potentials = [&] {
    std::fill(known.begin(), known.end(), 0);
    known[0] = 1;
    r.u[0] = 0;
    stack.assign(1, 0);
    while (!stack.empty()) {
      const std::size_t node = stack.back();
      stack.pop_back();
      for (std::size_t e : tree.adj()[node]) {
        const std::size_t w = tree.other(e, node);
        if (known[w]) continue;
        known[w] = 1;
        const auto [i, j] = tree.cells()[e];
        const double c = cost[std::size_t{i} * n + j];
        if (w < m) {
          r.u[w] = c - r.v[j];
        } else {
          r.v[w - m] = c - r.u[i];
        }
        stack.push_back(w);
      }
    }
  };

  std::size_t zero_steps = 0;
  // degenerate_switch = 0 asks for Bland's rule from the first pivot on.
  if (options.degenerate_switch == 0) r.bland = true;
  for (;;) {
    potentials();
    // Entering cell: most negative reduced cost, or under Bland's rule the first negative one.
    double best = -tol;
    std::size_t enter = m * n;
    for (std::size_t i = 0; i < m && !(r.bland && enter < m * n); ++i) {
      const double* row = cost.data() + i * n;
      for (std::size_t j = 0; j < n; ++j) {
        const double d = row[j] - r.u[i] - r.v[j];
        if (d < best) {
          best = d;
          enter = i * n + j;
          if (r.bland) break;
        }
      }
    }
    if (enter == m * n) {
      r.optimal = true;
      break;
    }
    if (r.pivots == max_pivots) break;
    ++r.pivots;
    const std::size_t ei = enter / n, ej = enter % n;
    // The tree path from column ej to row ei closes the cycle with the entering cell.
    std::fill(known.begin(), known.end(), 0);
    known[m + ej] = 1;
    stack.assign(1, m + ej);
    while (!stack.empty() && !known[ei]) {
      const std::size_t node = stack.back();
      stack.pop_back();
      for (std::size_t e : tree.adj()[node]) {
        const std::size_t w = tree.other(e, node);
        if (known[w]) continue;
        known[w] = 1;
        parent_edge[w] = e;
        stack.push_back(w);
      }
    }
    // From row ei back to column ej the signs alternate -, +, -, ... (the entering cell is +).
    std::vector<std::size_t> minus, plus;
    for (std::size_t node = ei, k = 0; node != m + ej; ++k) {
      const std::size_t e = parent_edge[node];
      (k % 2 == 0 ? minus : plus).push_back(e);
      node = tree.other(e, node);
    }
    std::size_t leave = minus.front();
    auto index_of = [&](std::size_t e) { return std::size_t{tree.cells()[e].first} * n + tree.cells()[e].second; };
    for (std::size_t e : minus) {
      if (flow[e] < flow[leave] || (flow[e] == flow[leave] && index_of(e) < index_of(leave))) leave = e;
    }
    const double theta = std::max(flow[leave], 0.0);
    for (std::size_t e : minus) flow[e] -= theta;
    for (std::size_t e : plus) flow[e] += theta;
    flow[leave] = theta;  // the slot now holds the entering cell
    tree.replace(leave, {static_cast<std::uint32_t>(ei), static_cast<std::uint32_t>(ej)});
    zero_steps = theta > 0 ? 0 : zero_steps + 1;
    if (zero_steps >= options.degenerate_switch) r.bland = true;
  }

  // Final flows from the tree itself, so the marginals are met to rounding.
  tree_flows(tree, supply, demand, flow, slack);
  r.flow.assign(m * n, 0.0);
  r.basis = tree.cells();
  r.min_reduced_cost = std::numeric_limits<double>::infinity();
  for (std::size_t e = 0; e < r.basis.size(); ++e) {
    r.flow[std::size_t{r.basis[e].first} * n + r.basis[e].second] = flow[e];
  }
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      r.cost += cost[i * n + j] * r.flow[i * n + j];
      r.min_reduced_cost = std::min(r.min_reduced_cost, cost[i * n + j] - r.u[i] - r.v[j]);
    }
  }
  return r;
}

}  // namespace paperkit::mec
