// Test reference: EBIM Algorithm 1 as first implemented (O(n^2): a full scan for the extreme
// pairs and a rebuilt cell list per merge, commit 25a27c9), kept verbatim but renamed so
// ebim_equivalence_test.cpp can check the heap version (algorithms/mec/ebim.cpp) against it.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "greedy_reference.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::mec::test {

namespace {

// Entropy decrease from merging masses a, b > 0 into one cell.
double merge_drop(double a, double b) {
  return a * std::log2(1 + b / a) + b * std::log2(1 + a / b);
}

struct Cells {
  std::vector<std::vector<std::uint32_t>> members;
  std::vector<double> mass;

  double entropy() const { return entropy_bits(std::span<const double>(mass)); }

  // Positions of the two smallest (or largest) masses; ties to the earlier position.
  std::pair<std::size_t, std::size_t> extreme_pair(bool smallest) const {
    auto better = [&](std::size_t x, std::size_t y) { return smallest ? mass[x] < mass[y] : mass[x] > mass[y]; };
    std::size_t a = 0, b = 1;
    if (better(b, a)) std::swap(a, b);
    for (std::size_t t = 2; t < mass.size(); ++t) {
      if (better(t, a)) {
        b = a;
        a = t;
      } else if (better(t, b)) {
        b = t;
      }
    }
    return {std::min(a, b), std::max(a, b)};
  }

  // Merges cell y into cell x (x < y), keeping cells ordered by their smallest symbol.
  Cells merged(std::size_t x, std::size_t y) const {
    Cells out = *this;
    auto& into = out.members[x];
    into.insert(into.end(), members[y].begin(), members[y].end());
    std::sort(into.begin(), into.end());
    out.mass[x] += mass[y];
    out.members.erase(out.members.begin() + static_cast<std::ptrdiff_t>(y));
    out.mass.erase(out.mass.begin() + static_cast<std::ptrdiff_t>(y));
    std::vector<std::size_t> order(out.mass.size());
    for (std::size_t t = 0; t < order.size(); ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [&](std::size_t u, std::size_t v) { return out.members[u].front() < out.members[v].front(); });
    Cells sorted;
    for (std::size_t t : order) {
      sorted.members.push_back(std::move(out.members[t]));
      sorted.mass.push_back(out.mass[t]);
    }
    return sorted;
  }

  // One cell carries no information: 0 exactly, not the rounding of its mass summing to 1.
  EbimResult result() const { return {members, mass, mass.size() == 1 ? 0.0 : entropy()}; }
};

}  // namespace

EbimResult ebim_deterministic_reference(const Marginal& p, double rate) {
  Cells cells;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (p[x] > 0) {
      cells.members.push_back({static_cast<std::uint32_t>(x)});
      cells.mass.push_back(p[x]);
    }
  }
  if (cells.mass.empty()) throw InputError("EBIM needs a marginal with positive mass");
  if (rate >= cells.entropy()) return cells.result();
  while (cells.mass.size() > 1) {
    const double h = cells.entropy();
    const auto [s1, s2] = cells.extreme_pair(true);
    if (h - merge_drop(cells.mass[s1], cells.mass[s2]) <= rate) return cells.merged(s1, s2).result();
    const auto [l1, l2] = cells.extreme_pair(false);
    const double drop = merge_drop(cells.mass[l1], cells.mass[l2]);
    cells = cells.merged(l1, l2);
    if (h - drop <= rate) return cells.result();
  }
  return cells.result();
}

}  // namespace paperkit::mec::test
