// Greedy minimum-entropy coupling: per marginal, a radix-sorted array of untouched entries and a
// monotone radix heap of lowered residuals (coupling.hpp, spec A2).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/detail/greedy_pair.hpp"
#include "paperkit/mec/detail/radix_heap.hpp"
#include "paperkit/mec/detail/rank_sort.hpp"

namespace paperkit::mec {

namespace {

using detail::RankedEntry;

// A binary max-heap under ranks_before with the RadixMaxHeap interface, for small marginals:
// it needs no buckets, so it allocates once; beyond a few thousand entries its cache misses
// make it slower than the radix heap.
class BinaryMaxHeap {
 public:
  explicit BinaryMaxHeap(std::size_t capacity = 0) { heap_.reserve(capacity); }
  bool empty() const { return heap_.empty(); }
  bool settle(bool has_outside, const RankedEntry& outside) const {
    return !heap_.empty() && (!has_outside || detail::ranks_before(heap_.front(), outside));
  }
  const RankedEntry& top() const { return heap_.front(); }
  void push(const RankedEntry& e) {
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!detail::ranks_before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  // Floyd's removal: the hole walks down the better children, then the last entry climbs.
  void pop_top() {
    const RankedEntry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return;
    std::size_t hole = 0;
    for (;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= n) break;
      if (child + 1 < n) child += static_cast<std::size_t>(detail::ranks_before(heap_[child + 1], heap_[child]));
      heap_[hole] = heap_[child];
      hole = child;
    }
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!detail::ranks_before(last, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      hole = parent;
    }
    heap_[hole] = last;
  }
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const RankedEntry& e : heap_) visit(e);
  }

 private:
  std::vector<RankedEntry> heap_;
};

// One marginal's residuals: entries never touched stay in one array sorted once (radix sort,
// rank_sort.hpp), and only lowered residuals enter a monotone radix heap (radix_heap.hpp). The
// top is the better of the sorted head and the heap's maximum under one total order
// (ranks_before), so the selection is exactly that of a single heap over all residuals, which
// the previous binary-heap version was (tests/mec/greedy_equivalence_test.cpp). Measured on
// Dirichlet(1) pairs: almost every step lowers one entry and later takes it again, so the heap
// sees about n pushes; a binary heap's cache misses dominated beyond 10^5 entries.
template <class Heap>
class Lane {
 public:
  Lane(const Marginal& p, std::vector<RankedEntry>& scratch) : lowered_(make_heap(p.size())) {
    sorted_.reserve(p.size());
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (p[j] > 0) sorted_.push_back(RankedEntry::of(p[j], static_cast<std::uint32_t>(j)));
    }
    detail::sort_ranked(sorted_, scratch);
  }
  bool empty() const { return next_ == sorted_.size() && lowered_.empty(); }
  // Requires !empty(). Remembers where the top came from for remove_top / lower_top.
  RankedEntry top() {
    const bool has_sorted = next_ < sorted_.size();
    from_sorted_ = !lowered_.settle(has_sorted, has_sorted ? sorted_[next_] : RankedEntry{0, 0, 0});
    return from_sorted_ ? sorted_[next_] : lowered_.top();
  }
  // True when the last top() is an untouched entry (its value is the original p_j).
  bool top_untouched() const { return from_sorted_; }
  // The entry returned by the last top() is exhausted.
  void remove_top() {
    if (from_sorted_) {
      ++next_;
    } else {
      lowered_.pop_top();
    }
  }
  // The entry returned by the last top() now holds `residual` (smaller than before, > 0).
  void lower_top(std::uint32_t index, double residual) {
    remove_top();
    lowered_.push(RankedEntry::of(residual, index));
  }
  // What is left: the untouched entries and the lowered ones.
  std::vector<RankedEntry> remaining() const {
    std::vector<RankedEntry> out(sorted_.begin() + static_cast<std::ptrdiff_t>(next_), sorted_.end());
    lowered_.for_each([&](const RankedEntry& e) { out.push_back(e); });
    return out;
  }

 private:
  static Heap make_heap(std::size_t n) {
    if constexpr (std::is_same_v<Heap, BinaryMaxHeap>) {
      return BinaryMaxHeap(n);
    } else {
      return Heap();
    }
  }
  std::vector<RankedEntry> sorted_;
  std::size_t next_ = 0;
  Heap lowered_;
  bool from_sorted_ = true;
};

// Residue above this when a marginal runs out is not rounding (that is about n * 1e-16).
constexpr double kUnequalSums = 1e-9;

// The greedy loop and the residue pass over lanes of one heap type. FixedK = 2 lets the
// compiler unroll the per-marginal loops for the common pair case (0: k from the input).
template <class LaneT, std::size_t FixedK>
void run_greedy(const std::vector<Marginal>& marginals, const GreedyOptions& options, Coupling& out) {
  const std::size_t k = FixedK != 0 ? FixedK : marginals.size();
  std::vector<LaneT> lanes;
  lanes.reserve(k);
  {
    std::vector<RankedEntry> scratch;
    for (const auto& p : marginals) lanes.emplace_back(p, scratch);
  }
  std::vector<double> tops(k);
  auto all_nonempty = [&] {
    return std::none_of(lanes.begin(), lanes.end(), [](const LaneT& l) { return l.empty(); });
  };
  while (all_nonempty()) {
    const std::size_t cell = out.index.size();
    for (std::size_t i = 0; i < k; ++i) {
      const RankedEntry top = lanes[i].top();
      tops[i] = top.value();
      out.index.push_back(top.index);  // within the reserve: no reallocation
    }
    double m = tops[0];
    for (std::size_t i = 1; i < k; ++i) m = std::min(m, tops[i]);
    out.mass.push_back(m);
    for (std::size_t i = 0; i < k; ++i) {
      // The marginal(s) achieving m reach exactly 0. A residual within `dust` of its original
      // entry is rounding noise from earlier subtractions: dropping it (error <= dust * p_ij)
      // keeps it from becoming a cell of its own and the support within sum n_i - k + 1.
      const std::uint32_t j = out.index[cell + i];
      const double r = tops[i] - m;
      const double original = lanes[i].top_untouched() ? tops[i] : marginals[i][j];
      if (r <= options.dust * original) {
        lanes[i].remove_top();
      } else {
        lanes[i].lower_top(j, r);
      }
    }
  }
  // One marginal ran out; the others hold only rounding residue (their sums differ from it by
  // rounding). Return it to the last cell on its line so each such entry is exact. Found by
  // one pass over the cells, only for marginals with residue.
  constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  for (std::size_t i = 0; i < k; ++i) {
    const auto left = lanes[i].remaining();
    if (left.empty()) continue;
    // More than rounding left means the sums differed: marginals not from prepare_marginals.
    double total_left = 0;
    for (const RankedEntry& e : left) total_left += e.value();
    if (total_left > kUnequalSums) {
      throw InvalidParameter("greedy coupling: marginal " + std::to_string(i + 1) + " sums to " +
                             std::to_string(total_left) + " more than another (use prepare_marginals)");
    }
    std::vector<std::size_t> last_cell(marginals[i].size(), none);
    for (std::size_t c = 0; c < out.cells(); ++c) last_cell[out.index[c * k + i]] = c;
    for (const RankedEntry& e : left) {
      if (last_cell[e.index] != none) out.mass[last_cell[e.index]] += e.value();
    }
  }
}

// Below this many entries in every marginal the binary heap is faster (no bucket allocations).
constexpr std::size_t kRadixHeapFrom = 1024;

}  // namespace

Coupling greedy_coupling(const std::vector<Marginal>& marginals, const GreedyOptions& options) {
  if (marginals.size() < 2) throw InvalidParameter("greedy coupling needs k >= 2 marginals");
  if (!(options.dust >= 0 && options.dust < 1e-6)) throw InvalidParameter("greedy dust must be in [0, 1e-6)");
  const std::size_t k = marginals.size();
  Coupling out;
  out.k = k;
  std::size_t total = 0;
  std::size_t largest = 0;
  out.sizes.reserve(k);
  for (const auto& p : marginals) {
    if (p.size() > std::numeric_limits<std::uint32_t>::max()) throw InvalidParameter("marginal longer than 2^32-1");
    out.sizes.push_back(p.size());
    total += p.size();
    largest = std::max(largest, p.size());
  }
  out.mass.reserve(total);
  out.index.reserve(total * k);
  // Two marginals (the common case) take the written-out pair loop, greedy_pair.cpp.
  const bool pair = k == 2;
  if (pair && detail::greedy_pair_applies(marginals[0], marginals[1])) {
    detail::greedy_pair(marginals[0], marginals[1], options.dust, out);
  } else if (largest < kRadixHeapFrom) {
    pair ? run_greedy<Lane<BinaryMaxHeap>, 2>(marginals, options, out)
         : run_greedy<Lane<BinaryMaxHeap>, 0>(marginals, options, out);
  } else {
    pair ? run_greedy<Lane<detail::RadixMaxHeap>, 2>(marginals, options, out)
         : run_greedy<Lane<detail::RadixMaxHeap>, 0>(marginals, options, out);
  }
  return out;
}

double greedy_coupling_entropy(const Marginal& p, const Marginal& q, const GreedyOptions& options) {
  if (!(options.dust >= 0 && options.dust < 1e-6)) throw InvalidParameter("greedy dust must be in [0, 1e-6)");
  if (!detail::greedy_pair_applies(p, q)) return entropy_bits(greedy_coupling({p, q}, options));
  return detail::greedy_pair_entropy(p, q, options.dust);
}

}  // namespace paperkit::mec
