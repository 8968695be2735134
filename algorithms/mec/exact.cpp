// Exact minimum-entropy coupling of two small marginals (coupling.hpp, spec A3): the test oracle.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/coupling.hpp"

namespace paperkit::mec {

namespace {

// A residual at or below this is exhausted: it can only be rounding left by a subtraction
// (marginals sum to 1, so absolute and relative scale agree). Costs <= ~1e-13 bits of entropy.
constexpr double kExhausted = 1e-14;

// Search tolerance in bits: the optimum found is within this of the true one (plus rounding).
constexpr double kSlack = 1e-12;

double cell_entropy(double x) {
  return x > 0 ? -x * std::log2(x) : 0.0;
}

struct Entry {
  double value;     // exact minimum of sum -x log2 x over completions, or a lower bound on it
  bool exact;       // value is the exact minimum (else a lower bound above an earlier budget)
  double row, col;  // exact only: residuals of the row and column that get the first cell
};

struct KeyHash {
  std::size_t operator()(const std::vector<double>& key) const noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (double x : key) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof bits);
      h = (h ^ bits) * 0x100000001b3ULL;
      h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
  }
};

// Branch and bound over the vertex choices, memoized on the sorted residual multisets.
// solve(rows, cols, budget) returns the exact subproblem minimum when it is <= budget, and
// otherwise a lower bound that exceeds budget. The bound at each node is the meet bound of the
// residuals (bounds.hpp: the cells of any coupling are majorized by the meet, unnormalized
// masses included).
class Search {
 public:
  double solve(const std::vector<double>& rows, const std::vector<double>& cols, double budget) {
    if (rows.empty() || cols.empty()) return 0;
    const auto key = make_key(rows, cols);
    if (const auto it = memo_.find(key); it != memo_.end()) {
      if (it->second.exact || it->second.value > budget) return it->second.value;
    }
    const double lower = meet_bound(rows, cols);
    if (lower > budget) {
      memo_[key] = {lower, false, 0, 0};
      return lower;
    }
    Entry best{std::numeric_limits<double>::infinity(), false, 0, 0};
    // Largest row with largest column first: the greedy move, so a good bound comes early.
    for (std::size_t a = 0; a < rows.size(); ++a) {
      if (a > 0 && rows[a] == rows[a - 1]) continue;  // equal residuals: same subproblem
      for (std::size_t b = 0; b < cols.size(); ++b) {
        if (b > 0 && cols[b] == cols[b - 1]) continue;
        const double x = std::min(rows[a], cols[b]);
        const double cost = cell_entropy(x);
        // The slack keeps a pruned child (value > its budget) from tying with best through
        // rounding of cost + (budget - cost); it may miss improvements below 1e-12 bits.
        const double child_budget = std::min(budget, best.value) - cost + kSlack;
        const double child = solve(reduce(rows, a, x), reduce(cols, b, x), child_budget);
        const double v = cost + child;
        if (v < best.value) best = {v, child <= child_budget, rows[a], cols[b]};
      }
    }
    best.exact = best.exact && best.value <= budget;
    if (!best.exact) best.value = std::max(best.value, lower);
    memo_[key] = best;
    return best.value;
  }

  const Entry& choice(const std::vector<double>& rows, const std::vector<double>& cols) const {
    const auto it = memo_.find(make_key(rows, cols));
    if (it == memo_.end() || !it->second.exact) throw InternalError("exact coupling: replay lost its state");
    return it->second;
  }
  std::size_t states() const { return memo_.size(); }

  // Line `at` loses x; it leaves the multiset when exhausted, else moves to keep the order.
  static std::vector<double> reduce(const std::vector<double>& lines, std::size_t at, double x) {
    std::vector<double> out = lines;
    const double left = out[at] - x;
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(at));
    if (left > kExhausted) out.insert(std::upper_bound(out.begin(), out.end(), left, std::greater<>()), left);
    return out;
  }

 private:
  // sum -a log2 a over the meet of two descending residual vectors.
  static double meet_bound(const std::vector<double>& rows, const std::vector<double>& cols) {
    double sr = 0, sc = 0, previous = 0, h = 0;
    for (std::size_t j = 0; j < std::max(rows.size(), cols.size()); ++j) {
      if (j < rows.size()) sr += rows[j];
      if (j < cols.size()) sc += cols[j];
      const double m = std::min(sr, sc);
      h += cell_entropy(m - previous);
      previous = m;
    }
    return h;
  }
  static std::vector<double> make_key(const std::vector<double>& rows, const std::vector<double>& cols) {
    std::vector<double> key = rows;
    key.push_back(-1);
    key.insert(key.end(), cols.begin(), cols.end());
    return key;
  }
  std::unordered_map<std::vector<double>, Entry, KeyHash> memo_;
};

// Positive entries of p as (residual, original index), sorted by residual descending then index.
std::vector<std::pair<double, std::uint32_t>> support_of(const Marginal& p) {
  std::vector<std::pair<double, std::uint32_t>> s;
  for (std::size_t j = 0; j < p.size(); ++j) {
    if (p[j] > 0) s.emplace_back(p[j], static_cast<std::uint32_t>(j));
  }
  return s;
}

std::vector<double> sorted_values(const std::vector<std::pair<double, std::uint32_t>>& lines) {
  std::vector<double> v;
  for (const auto& [r, j] : lines) {
    if (r > kExhausted) v.push_back(r);
  }
  std::sort(v.begin(), v.end(), std::greater<>());
  return v;
}

}  // namespace

ExactResult exact_coupling(const Marginal& p, const Marginal& q, std::size_t max_lines) {
  auto rows = support_of(p), cols = support_of(q);
  if (rows.size() + cols.size() > max_lines) {
    throw InvalidParameter("exact coupling is exponential: supports " + std::to_string(rows.size()) + " + " +
                           std::to_string(cols.size()) + " exceed " + std::to_string(max_lines) + " lines");
  }
  Search search;
  ExactResult result;
  result.coupling.k = 2;
  result.coupling.sizes = {p.size(), q.size()};
  // Greedy's value bounds the optimum from above, so the root is solved exactly within it.
  const double upper = entropy_bits(greedy_coupling({p, q})) + 1e-9;
  const auto rv0 = sorted_values(rows), cv0 = sorted_values(cols);
  if (search.solve(rv0, cv0, upper) > upper) {
    // Only for inputs greedy cannot bound (not normalized): search without a budget.
    search.solve(rv0, cv0, std::numeric_limits<double>::infinity());
  }
  // Replay the memoized choices on indexed residuals; the arithmetic is the same as in the
  // search, so every state's key is found. Among equal residuals the lowest index is used.
  for (;;) {
    const auto rv = sorted_values(rows), cv = sorted_values(cols);
    if (rv.empty() || cv.empty()) break;
    const Entry& ch = search.choice(rv, cv);
    auto pick = [](auto& lines, double value) {
      std::size_t best = lines.size();
      for (std::size_t t = 0; t < lines.size(); ++t) {
        if (lines[t].first == value && (best == lines.size() || lines[t].second < lines[best].second)) best = t;
      }
      if (best == lines.size()) throw InternalError("exact coupling: replay lost its state");
      return best;
    };
    const std::size_t a = pick(rows, ch.row), b = pick(cols, ch.col);
    const double x = std::min(rows[a].first, cols[b].first);
    result.coupling.index.push_back(rows[a].second);
    result.coupling.index.push_back(cols[b].second);
    result.coupling.mass.push_back(x);
    rows[a].first -= x;
    cols[b].first -= x;
    if (!(rows[a].first > kExhausted)) rows[a].first = 0;
    if (!(cols[b].first > kExhausted)) cols[b].first = 0;
  }
  result.entropy = entropy_bits(result.coupling);
  result.states = search.states();
  return result;
}

}  // namespace paperkit::mec
