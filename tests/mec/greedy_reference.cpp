// Test reference: greedy coupling as first implemented (binary max-heap per marginal, commit
// 25a27c9), kept verbatim but renamed so greedy_equivalence_test.cpp can check the fast version
// (algorithms/mec/greedy.cpp) against it cell by cell.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "greedy_reference.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::mec::test {

namespace {

struct Entry {
  double residual;
  std::uint32_t index;
};

// Heap order: larger residual first; among equal residuals the lower index (the documented
// tie-break, numpy argmax's rule). A total order, so the output never depends on heap layout.
inline bool before(const Entry& a, const Entry& b) {
  // Bitwise, not short-circuit: the heap's child selection then compiles without branches.
  return (a.residual > b.residual) | ((a.residual == b.residual) & (a.index < b.index));
}

// A binary max-heap of residuals that were lowered: push (sift-up, O(1) expected for the small
// residuals a subtraction leaves), lower the top, remove the top.
class ResidualHeap {
 public:
  bool empty() const { return heap_.empty(); }
  const Entry& top() const { return heap_.front(); }
  void push(Entry e) {
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void lower_top(double residual) {
    heap_.front().residual = residual;
    sift_down(0);
  }
  // Floyd's bottom-up removal: walk the hole down along the better children to a leaf (one
  // comparison per level, no branch on the moving entry), then sift the last entry up from
  // there; it is usually small, so the climb is short. About half the comparisons of a
  // classic sift-down.
  void pop_top() {
    const Entry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return;
    std::size_t hole = 0;
    for (;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= n) break;
      if (child + 1 < n) child += static_cast<std::size_t>(before(heap_[child + 1], heap_[child]));
      heap_[hole] = heap_[child];
      hole = child;
    }
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!before(last, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      hole = parent;
    }
    heap_[hole] = last;
  }
  const std::vector<Entry>& entries() const { return heap_; }

 private:
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    const Entry moving = heap_[i];
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], moving)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = moving;
  }
  std::vector<Entry> heap_;
};

// One marginal's residuals: entries never touched stay in one array sorted once in heap order,
// and only lowered residuals enter the heap. The top is the better head of the two under one
// total order, so the selection is exactly that of a single heap over all residuals. (Measured
// on Dirichlet(1) pairs: almost every step lowers one entry and later pops it, so the heap does
// about n pushes and n pops; that heap sort is the cost that dominates: bench/mec_bench.cpp.)
class Lane {
 public:
  explicit Lane(const Marginal& p) {
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (p[j] > 0) sorted_.push_back({p[j], static_cast<std::uint32_t>(j)});
    }
    std::sort(sorted_.begin(), sorted_.end(), [](const Entry& a, const Entry& b) { return before(a, b); });
  }
  bool empty() const { return next_ == sorted_.size() && lowered_.empty(); }
  // Requires !empty(). Remembers where the top came from for remove_top / lower_top.
  const Entry& top() {
    from_sorted_ = lowered_.empty() || (next_ < sorted_.size() && before(sorted_[next_], lowered_.top()));
    return from_sorted_ ? sorted_[next_] : lowered_.top();
  }
  // The entry returned by the last top() is exhausted.
  void remove_top() {
    if (from_sorted_) {
      ++next_;
    } else {
      lowered_.pop_top();
    }
  }
  // The entry returned by the last top() now holds `residual` (smaller than before).
  void lower_top(double residual) {
    if (from_sorted_) {
      lowered_.push({residual, sorted_[next_++].index});
    } else {
      lowered_.lower_top(residual);
    }
  }
  // What is left: the untouched entries and the lowered ones.
  std::vector<Entry> remaining() const {
    std::vector<Entry> out(sorted_.begin() + static_cast<std::ptrdiff_t>(next_), sorted_.end());
    out.insert(out.end(), lowered_.entries().begin(), lowered_.entries().end());
    return out;
  }

 private:
  std::vector<Entry> sorted_;
  std::size_t next_ = 0;
  ResidualHeap lowered_;
  bool from_sorted_ = true;
};

// Residue above this when a marginal runs out is not rounding (that is about n * 1e-16).
constexpr double kUnequalSums = 1e-9;

}  // namespace

Coupling greedy_coupling_reference(const std::vector<Marginal>& marginals, const GreedyOptions& options) {
  if (marginals.size() < 2) throw InvalidParameter("greedy coupling needs k >= 2 marginals");
  if (!(options.dust >= 0 && options.dust < 1e-6)) throw InvalidParameter("greedy dust must be in [0, 1e-6)");
  const std::size_t k = marginals.size();
  Coupling out;
  out.k = k;
  std::size_t total = 0;
  std::vector<Lane> lanes;
  lanes.reserve(k);
  for (const auto& p : marginals) {
    if (p.size() > std::numeric_limits<std::uint32_t>::max()) throw InvalidParameter("marginal longer than 2^32-1");
    out.sizes.push_back(p.size());
    total += p.size();
    lanes.emplace_back(p);
  }
  out.mass.reserve(total);
  out.index.reserve(total * k);
  std::vector<Entry> tops(k);
  auto all_nonempty = [&] { return std::none_of(lanes.begin(), lanes.end(), [](const Lane& l) { return l.empty(); }); };
  while (all_nonempty()) {
    for (std::size_t i = 0; i < k; ++i) tops[i] = lanes[i].top();
    double m = tops[0].residual;
    for (std::size_t i = 1; i < k; ++i) m = std::min(m, tops[i].residual);
    out.mass.push_back(m);
    for (std::size_t i = 0; i < k; ++i) {
      out.index.push_back(tops[i].index);
      // The marginal(s) achieving m reach exactly 0. A residual within `dust` of its original
      // entry is rounding noise from earlier subtractions: dropping it (error <= dust * p_ij)
      // keeps it from becoming a cell of its own and the support within sum n_i - k + 1.
      const double r = tops[i].residual - m;
      if (r <= options.dust * marginals[i][tops[i].index]) {
        lanes[i].remove_top();
      } else {
        lanes[i].lower_top(r);
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
    for (const Entry& e : left) total_left += e.residual;
    if (total_left > kUnequalSums) {
      throw InvalidParameter("greedy coupling: marginal " + std::to_string(i + 1) + " sums to " +
                             std::to_string(total_left) + " more than another (use prepare_marginals)");
    }
    std::vector<std::size_t> last_cell(marginals[i].size(), none);
    for (std::size_t c = 0; c < out.cells(); ++c) last_cell[out.index[c * k + i]] = c;
    for (const Entry& e : left) {
      if (last_cell[e.index] != none) out.mass[last_cell[e.index]] += e.residual;
    }
  }
  return out;
}

}  // namespace paperkit::mec::test
