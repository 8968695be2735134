// EBIM deterministic greedy search (spec A4) and the uniform quantization baseline (B3); ebim.hpp.
#include "paperkit/mec/ebim.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

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

double ebim_gap_bound(const Marginal& p) {
  Marginal sorted = p;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  if (sorted.size() < 2 || sorted[1] <= 0) return 0;
  const double p2 = sorted[1];
  return p2 >= 1 ? 0 : -p2 * std::log2(p2) - (1 - p2) * std::log2(1 - p2);
}

namespace {

void check_rate(double rate) {
  if (!(rate >= 0) || !std::isfinite(rate)) {
    throw InvalidParameter("rate R must be finite and >= 0 (got " + std::to_string(rate) + ")");
  }
}

}  // namespace

EbimResult ebim_deterministic(const Marginal& p, double rate) {
  check_rate(rate);
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

EbimResult uniform_quantization(const Marginal& p, double rate) {
  check_rate(rate);
  const std::size_t n = p.size();
  if (n == 0) throw InputError("uniform quantization needs a non-empty marginal");
  // Compare 2^R with n before flooring so a large R cannot overflow the conversion.
  const double cap = std::exp2(rate);
  const std::size_t m = cap >= static_cast<double>(n) ? n : static_cast<std::size_t>(cap);
  const std::size_t block = (n + m - 1) / m;  // m >= 1 since R >= 0
  Cells cells;
  for (std::size_t start = 0; start < n; start += block) {
    std::vector<std::uint32_t> members;
    double mass = 0;
    for (std::size_t x = start; x < std::min(n, start + block); ++x) {
      members.push_back(static_cast<std::uint32_t>(x));
      mass += p[x];
    }
    if (mass > 0) {
      cells.members.push_back(std::move(members));
      cells.mass.push_back(mass);
    }
  }
  if (cells.mass.empty()) throw InputError("uniform quantization needs a marginal with positive mass");
  return cells.result();
}

}  // namespace paperkit::mec
