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

// Algorithm 1's state. The two largest cells are merged every iteration that does not return, and
// the merged cell A = a + b (a, b > 0) is then strictly larger than every other cell (every other
// cell is at most b <= a <= A; equality would need b = a = A), so it is the largest cell from then
// on and absorbs the singletons one by one in the order (mass descending, lower id first) in
// which the max-heap of the heap version popped them. And while two singletons are left, the two
// smallest cells are the two smallest singletons in the order (mass ascending, lower id first);
// removing singletons only moves the first and second alive one forward, so two pointers that
// never move back find them (O(n) over the whole search). So one sort replaces the heaps.
// A cell's id is its first symbol's position in the support, as in the list version; a merge
// keeps the lower id, and masses are added as mass[lower] + mass[higher] (addition commutes, so
// the order does not change a bit).
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
    descending_.resize(n);
    for (std::uint32_t c = 0; c < n; ++c) descending_[c] = c;
    initial_entropy_ = entropy_bits(std::span<const double>(mass_));
    // Stable sorts: equal masses keep the lower id first.
    std::stable_sort(descending_.begin(), descending_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return mass_[a] > mass_[b]; });
    ascending_ = descending_;
    std::stable_sort(ascending_.begin(), ascending_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return mass_[a] < mass_[b]; });
    count_ = n;
  }

  std::size_t count() const { return count_; }
  // H(T) of the singletons, exactly as exact_entropy() would give it before any merge.
  double initial_entropy() const { return initial_entropy_; }

  // Starts the kept entropy (needed only once merging begins).
  void start_search() {
    term_.resize(mass_.size());
    for (std::size_t c = 0; c < mass_.size(); ++c) {
      term_[c] = term(mass_[c]);
      approx_entropy_ -= term_[c];
    }
  }

  // H(T) exactly as the list version computes it: entropy_bits over the masses in id order.
  double exact_entropy() const { return entropy_bits(std::span<const double>(masses_in_id_order())); }
  // The same to within about (n + merges) * 1e-16 * max(1, H) (kept as merges happen).
  double approx_entropy() const { return approx_entropy_; }

  // The masses of the two smallest cells (ties to the lower id) and of the two largest, each
  // pair in id order (merge_drop(a, b) and merge_drop(b, a) can differ in the last bit once
  // multiply-adds are fused); require count() >= 2. With one singleton left both pairs are that
  // singleton and A.
  std::pair<double, double> smallest_pair() {
    if (count_ == 2 && merged_) return in_id_order(merged_id_, descending_[absorbed_]);
    advance(first_, 0);
    advance(second_, first_ + 1);
    return in_id_order(ascending_[first_], ascending_[second_]);
  }
  std::pair<double, double> largest_pair() const {
    return merged_ ? in_id_order(merged_id_, descending_[absorbed_]) : in_id_order(descending_[0], descending_[1]);
  }

  // Merges the two largest cells: A absorbs the next singleton (or the first two form A).
  void merge_largest() {
    if (!merged_) {
      merged_id_ = merge_into_lower(descending_[0], descending_[1]).first;
      absorbed_ = 2;
      merged_ = true;
    } else {
      merged_id_ = merge_into_lower(merged_id_, descending_[absorbed_]).first;
      ++absorbed_;
    }
  }
  // Merges the two smallest cells (the search then ends).
  void merge_smallest() {
    if (count_ == 2 && merged_) {
      // A keeps its members under merged_id_; the pair records which id holds the union.
      final_pair_ = merge_into_lower(merged_id_, descending_[absorbed_]);
    } else {
      advance(first_, 0);
      advance(second_, first_ + 1);
      final_pair_ = merge_into_lower(ascending_[first_], ascending_[second_]);
    }
  }

  EbimResult result() const {
    EbimResult out;
    out.cells.reserve(count_);
    out.masses.reserve(count_);
    for (std::uint32_t c = 0; c < mass_.size(); ++c) {
      if (!alive_[c]) continue;
      std::vector<std::uint32_t> cell;
      add_members(c, cell);
      if (final_pair_.first == c) add_members(final_pair_.second, cell);  // the final smallest merge
      std::sort(cell.begin(), cell.end());
      out.cells.push_back(std::move(cell));
      out.masses.push_back(mass_[c]);
    }
    // One cell carries no information: 0 exactly, not the rounding of its mass summing to 1.
    // Without a merge the masses are the singletons' in id order: their entropy is known.
    out.mutual_information = out.masses.size() == 1              ? 0.0
                             : out.masses.size() == mass_.size() ? initial_entropy_
                                                                 : entropy_bits(std::span<const double>(out.masses));
    return out;
  }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // In double: the kept sum only has to land within kDecisionSlack (1e-7) of H.
  static double term(double m) { return m * std::log2(m); }

  // The symbols of the cell with id c before the final smallest merge: A holds the first
  // `absorbed_` of descending_, any other cell is a singleton.
  void add_members(std::uint32_t c, std::vector<std::uint32_t>& out) const {
    if (merged_ && c == merged_id_) {
      for (std::size_t k = 0; k < absorbed_; ++k) out.push_back(symbol_[descending_[k]]);
    } else {
      out.push_back(symbol_[c]);
    }
  }

  std::pair<double, double> in_id_order(std::uint32_t x, std::uint32_t y) const {
    return x < y ? std::pair{mass_[x], mass_[y]} : std::pair{mass_[y], mass_[x]};
  }

  // Cell y goes into cell x or x into y, whichever id is lower; returns (kept, removed).
  std::pair<std::uint32_t, std::uint32_t> merge_into_lower(std::uint32_t x, std::uint32_t y) {
    if (y < x) std::swap(x, y);
    approx_entropy_ += term_[x] + term_[y];
    mass_[x] += mass_[y];
    term_[x] = term(mass_[x]);
    approx_entropy_ -= term_[x];
    alive_[y] = 0;
    --count_;
    return {x, y};
  }

  // Moves `at` to the first alive singleton of ascending_ at or after `from`.
  void advance(std::size_t& at, std::size_t from) {
    at = std::max(at, from);
    while (!alive_[ascending_[at]] || (merged_ && ascending_[at] == merged_id_)) ++at;
  }

  std::vector<double> masses_in_id_order() const {
    std::vector<double> out;
    out.reserve(count_);
    for (std::size_t c = 0; c < alive_.size(); ++c) {
      if (alive_[c]) out.push_back(mass_[c]);
    }
    return out;
  }

  std::vector<std::uint32_t> symbol_;  // cell id -> its symbol in p (ids start as singletons)
  std::vector<double> mass_;           // by id; A's mass at merged_id_
  std::vector<double> term_;           // mass log2 mass, by id (for the kept entropy)
  std::vector<char> alive_;
  std::vector<std::uint32_t> descending_, ascending_;  // ids by (mass, lower id first)
  std::size_t absorbed_ = 0;                           // descending_[0, absorbed_) are in A
  bool merged_ = false;
  std::uint32_t merged_id_ = kNone;  // A's id once formed
  std::size_t first_ = 0, second_ = 0;
  std::pair<std::uint32_t, std::uint32_t> final_pair_{kNone, kNone};
  double approx_entropy_ = 0;
  double initial_entropy_ = 0;
  std::size_t count_ = 0;
};

// Decides h - drop <= rate with h the exact list-order entropy, computing it (O(n)) only when
// the kept approximation is within kDecisionSlack of the threshold: both are within about
// (n + merges) * 1e-16 * max(1, H) of the true H (H <= 32 bits for 2^32 symbols), so away from
// the threshold they agree on the answer. H falls by at least the smaller merged mass per merge,
// so few iterations come that close.
constexpr double kDecisionSlack = 1e-7;

class Threshold {
 public:
  Threshold(const MergeState& state, double rate) : state_(state), rate_(rate) {}
  void next_iteration() { have_exact_ = false; }
  bool at_most_rate(double drop) {
    const double approx = state_.approx_entropy() - drop;
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
  if (rate >= state.initial_entropy()) return state.result();
  state.start_search();
  Threshold threshold(state, rate);
  // The two smallest cells stay the same singletons for most of the search: reuse their drop.
  std::pair<double, double> small{-1.0, -1.0};
  double small_drop = 0;
  while (state.count() > 1) {
    threshold.next_iteration();  // H changed: the exact value (if needed) is recomputed
    if (const auto pair = state.smallest_pair(); pair != small) {
      small = pair;
      small_drop = merge_drop(pair.first, pair.second);
    }
    if (threshold.at_most_rate(small_drop)) {
      state.merge_smallest();
      return state.result();
    }
    const auto [l1, l2] = state.largest_pair();
    const bool done = threshold.at_most_rate(merge_drop(l1, l2));  // h - drop with h before the merge
    state.merge_largest();
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
