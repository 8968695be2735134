// EBIM deterministic greedy search (spec A4) and the uniform quantization baseline (B3); ebim.hpp.
#include "paperkit/mec/ebim.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
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

namespace {

// Algorithm 1's state in O(log n) per merge: cells keep the id of their first symbol's position
// in the support (so ids order cells as the list did), masses, member lists linked through
// `next_member`, and one min-heap and one max-heap of (mass, id) with lazy deletion (a version
// per cell). Ties go to the lower id, the cell listed first, as in the list scan.
class MergeState {
 public:
  explicit MergeState(const Marginal& p) {
    for (std::size_t x = 0; x < p.size(); ++x) {
      if (p[x] > 0) {
        symbol_.push_back(static_cast<std::uint32_t>(x));
        mass_.push_back(p[x]);
      }
    }
    const std::size_t n = mass_.size();
    alive_.assign(n, 1);
    version_.assign(n, 0);
    head_.resize(n);
    tail_.resize(n);
    next_member_.assign(n, kEnd);
    for (std::uint32_t c = 0; c < n; ++c) {
      head_[c] = tail_[c] = c;
      smallest_.push({mass_[c], c, 0});
      largest_.push({mass_[c], c, 0});
      approx_entropy_ -= term(mass_[c]);
    }
    count_ = n;
  }

  std::size_t count() const { return count_; }
  double mass(std::uint32_t c) const { return mass_[c]; }

  // H(T) exactly as the list version computes it: entropy_bits over the masses in list order.
  double exact_entropy() const { return entropy_bits(std::span<const double>(alive_masses())); }
  // The same to within about n * 1e-16 (kept as merges happen, in long double).
  long double approx_entropy() const { return approx_entropy_; }

  // The two cells with the smallest (or largest) masses, ties to the lower id; returned in id
  // order. Requires count() >= 2.
  std::pair<std::uint32_t, std::uint32_t> smallest_pair() { return extreme_pair(smallest_); }
  std::pair<std::uint32_t, std::uint32_t> largest_pair() { return extreme_pair(largest_); }

  // Merges cell y into cell x (x < y): the mass is mass[x] + mass[y], as in the list version.
  void merge(std::uint32_t x, std::uint32_t y) {
    approx_entropy_ += term(mass_[x]) + term(mass_[y]);
    mass_[x] += mass_[y];
    approx_entropy_ -= term(mass_[x]);
    alive_[y] = 0;
    ++version_[x];
    ++version_[y];
    next_member_[tail_[x]] = head_[y];
    tail_[x] = tail_[y];
    --count_;
    smallest_.push({mass_[x], x, version_[x]});
    largest_.push({mass_[x], x, version_[x]});
  }

  EbimResult result() const {
    EbimResult out;
    for (std::uint32_t c = 0; c < alive_.size(); ++c) {
      if (!alive_[c]) continue;
      std::vector<std::uint32_t> members;
      for (std::uint32_t m = head_[c]; m != kEnd; m = next_member_[m]) members.push_back(symbol_[m]);
      std::sort(members.begin(), members.end());
      out.cells.push_back(std::move(members));
      out.masses.push_back(mass_[c]);
    }
    // One cell carries no information: 0 exactly, not the rounding of its mass summing to 1.
    out.mutual_information = out.masses.size() == 1 ? 0.0 : entropy_bits(std::span<const double>(out.masses));
    return out;
  }

 private:
  static constexpr std::uint32_t kEnd = std::numeric_limits<std::uint32_t>::max();
  struct Item {
    double mass;
    std::uint32_t id;
    std::uint32_t version;
  };
  // Heap orders: std::priority_queue keeps the element that compares last on top.
  struct SmallestOnTop {
    bool operator()(const Item& a, const Item& b) const { return a.mass > b.mass || (a.mass == b.mass && a.id > b.id); }
  };
  struct LargestOnTop {
    bool operator()(const Item& a, const Item& b) const { return a.mass < b.mass || (a.mass == b.mass && a.id > b.id); }
  };

  static long double term(double m) { return static_cast<long double>(m) * std::log2(static_cast<long double>(m)); }

  std::vector<double> alive_masses() const {
    std::vector<double> out;
    out.reserve(count_);
    for (std::size_t c = 0; c < alive_.size(); ++c) {
      if (alive_[c]) out.push_back(mass_[c]);
    }
    return out;
  }

  template <class Heap>
  const Item& valid_top(Heap& heap) const {
    while (heap.top().version != version_[heap.top().id]) heap.pop();
    return heap.top();
  }
  template <class Heap>
  std::pair<std::uint32_t, std::uint32_t> extreme_pair(Heap& heap) {
    const Item first = valid_top(heap);
    heap.pop();
    const std::uint32_t second = valid_top(heap).id;
    heap.push(first);
    return {std::min(first.id, second), std::max(first.id, second)};
  }

  std::vector<std::uint32_t> symbol_;  // cell id -> its symbol in p (ids start as singletons)
  std::vector<double> mass_;
  std::vector<char> alive_;
  std::vector<std::uint32_t> version_;
  std::vector<std::uint32_t> head_, tail_, next_member_;  // member lists, by id
  std::priority_queue<Item, std::vector<Item>, SmallestOnTop> smallest_;
  std::priority_queue<Item, std::vector<Item>, LargestOnTop> largest_;
  long double approx_entropy_ = 0;
  std::size_t count_ = 0;
};

// Decides h - drop <= rate with h the exact list-order entropy, computing it (O(n)) only when
// the kept approximation is within kDecisionSlack of the threshold: both are within about
// n * 1e-16 of the true H, so away from the threshold they agree on the answer. H falls by at
// least the smaller merged mass per merge, so few iterations come that close.
constexpr long double kDecisionSlack = 1e-7L;

class Threshold {
 public:
  Threshold(const MergeState& state, double rate) : state_(state), rate_(rate) {}
  void next_iteration() { have_exact_ = false; }
  bool at_most_rate(double drop) {
    const long double approx = state_.approx_entropy() - drop;
    if (approx - rate_ > kDecisionSlack) return false;
    if (rate_ - approx > kDecisionSlack) return true;
    if (!have_exact_) {
      exact_ = state_.exact_entropy();
      have_exact_ = true;
    }
    return exact_ - drop <= rate_;
  }

 private:
  const MergeState& state_;
  double rate_;
  bool have_exact_ = false;
  double exact_ = 0;
};

}  // namespace

EbimResult ebim_deterministic(const Marginal& p, double rate) {
  check_rate(rate);
  MergeState state(p);
  if (state.count() == 0) throw InputError("EBIM needs a marginal with positive mass");
  if (rate >= state.exact_entropy()) return state.result();
  Threshold threshold(state, rate);
  while (state.count() > 1) {
    threshold.next_iteration();  // H changed: the exact value (if needed) is recomputed
    const auto [s1, s2] = state.smallest_pair();
    if (threshold.at_most_rate(merge_drop(state.mass(s1), state.mass(s2)))) {
      state.merge(s1, s2);
      return state.result();
    }
    const auto [l1, l2] = state.largest_pair();
    const double drop = merge_drop(state.mass(l1), state.mass(l2));
    const bool done = threshold.at_most_rate(drop);  // h - drop with h before the merge, as listed
    state.merge(l1, l2);
    if (done) return state.result();
  }
  return state.result();
}

EbimResult uniform_quantization(const Marginal& p, double rate) {
  check_rate(rate);
  const std::size_t n = p.size();
  if (n == 0) throw InputError("uniform quantization needs a non-empty marginal");
  // Compare R with log2 n first: exp2(log2 n) rounds below n for many n (5, 9, 10, ...), and
  // flooring that would lose a block at R = log2 n; it also keeps a large R from overflowing.
  const std::size_t m =
      rate >= std::log2(static_cast<double>(n)) ? n : std::min(n, static_cast<std::size_t>(std::exp2(rate)));
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
