// Greedy coupling of two marginals (coupling.hpp, spec A2): greedy.cpp's loop written out for
// k = 2. Same selections, masses and cell order as the general loop, bit for bit
// (UnitMecGreedyEquivalence against tests/mec/greedy_reference.cpp); what differs is the cost:
// - up to kSmall entries per marginal, sorted entries and heaps live on the stack (no allocation
//   besides the output), sorted as 64-bit keys;
// - from kBucketQueueFrom entries on, a marginal's sorted entries and lowered residuals share one
//   BucketQueue (bucket_queue.hpp): a residual waits unordered in a value bucket until the sorted
//   head reaches it, so only a small heap is ever ordered (below that, a binary heap);
// - a lowered residual carries the number of the cell that lowered it (RankedEntry::tag), which
//   is the last cell using that entry while it stays in the heap, so returning the rounding
//   residue at the end needs no pass over the cells;
// - the dust test looks up a residual's original entry only when the residual might be dust
//   (Lane::dust_bound), and a popped top that is lowered replaces the heap's root in one pass;
// - the entropy-only variant keeps the masses and no index lists.
// Measured in bench/README.md (mec).
#include "paperkit/mec/detail/greedy_pair.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/detail/array_heap.hpp"
#include "paperkit/mec/detail/bucket_queue.hpp"
#include "paperkit/mec/detail/rank_sort.hpp"

namespace paperkit::mec::detail {

namespace {

// Up to this many entries per marginal everything lives on the stack (4 arrays, 8 KiB).
constexpr std::size_t kSmall = 128;
// From this many entries on, the bucket queue: its setup (a bucket table of n / 16 entries) costs
// more than it saves below about 2000 entries (15-20% slower at 1024, ~8% faster at 2048).
constexpr std::size_t kBucketQueueFrom = 2048;
// Residue above this when a marginal runs out is not rounding (that is about n * 1e-16).
constexpr double kUnequalSums = 1e-9;

// The positive entries of p, in index order (the radix sort's stability relies on it).
std::size_t collect(const Marginal& p, RankedEntry* out) {
  std::size_t count = 0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    if (p[j] > 0) out[count++] = RankedEntry::of(p[j], static_cast<std::uint32_t>(j));
  }
  return count;
}

// One marginal: untouched entries sorted once, lowered residuals in a max-heap. (Holding the
// latest lowered residual outside the heap, as it is often the next top, was tried: 7% more
// instructions at n = 50 by callgrind, the same time at 10^5.)
template <class Heap>
struct Lane {
  const RankedEntry* next;
  const RankedEntry* end;
  Heap heap;
  const double* p;
  // dust times the largest entry: at least dust times the original entry of any residual
  // (the product rounds monotonically), so a residual above it is not dust without looking up
  // its original entry, a random read that cost a quarter of the time at 10^6 entries.
  double dust_bound;

  bool empty() const { return next == end && heap.empty(); }

  // Requires !empty(): true when the top is the heap's, false when it is the sorted head.
  bool settle() {
    const bool has_next = next != end;
    return heap.settle(has_next, has_next ? *next : RankedEntry{0, 0, 0});
  }
  const RankedEntry& top(bool from_heap) const { return from_heap ? heap.top() : *next; }

  template <class Visit>
  void for_each_untouched(Visit&& visit) const {
    for (const RankedEntry* e = next; e != end; ++e) visit(*e);
  }
  template <class Visit>
  void for_each_lowered(Visit&& visit) const {
    heap.for_each(visit);
  }

  // The step after taking `top` (value v) for a cell of mass m: the entry goes, and comes back
  // lowered unless what is left is rounding dust (greedy.cpp).
  void step(bool from_heap, const RankedEntry& top, double v, double m, double dust, std::uint32_t cell) {
    const double r = v - m;
    // r = 0 (the lane that gave m) is dust whatever the original.
    const bool is_dust = from_heap ? r == 0 || (r <= dust_bound && r <= dust * p[top.index]) : r <= dust * v;
    if (!from_heap) ++next;
    if (is_dust) {
      if (from_heap) heap.pop_top();
    } else if (from_heap) {
      heap.replace_top(RankedEntry{std::bit_cast<std::uint64_t>(r), top.index, cell});
    } else {
      heap.push(RankedEntry{std::bit_cast<std::uint64_t>(r), top.index, cell});
    }
  }
};

// One marginal from kBucketQueueFrom entries on: the sorted entries and the lowered residuals in
// one BucketQueue (bucket_queue.hpp); the same steps and dust test as Lane.
struct BucketLane {
  BucketQueue queue;
  const double* p;
  double dust_bound;

  bool empty() const { return queue.empty(); }
  bool settle() const { return queue.top_is_pushed(); }
  const RankedEntry& top(bool from_heap) const { return from_heap ? queue.pushed_top() : queue.sorted_head(); }

  void step(bool from_heap, const RankedEntry& top, double v, double m, double dust, std::uint32_t cell) {
    const double r = v - m;
    const bool is_dust = from_heap ? r == 0 || (r <= dust_bound && r <= dust * p[top.index]) : r <= dust * v;
    const RankedEntry lowered{std::bit_cast<std::uint64_t>(r), top.index, cell};
    if (from_heap) {
      if (is_dust) {
        queue.pop_pushed();
      } else {
        queue.replace_pushed(lowered);
      }
    } else {
      queue.pop_sorted();
      if (!is_dust) queue.push(lowered);
    }
  }

  template <class Visit>
  void for_each_untouched(Visit&& visit) const {
    queue.for_each_sorted(visit);
  }
  template <class Visit>
  void for_each_lowered(Visit&& visit) const {
    queue.for_each_pushed(visit);
  }
};

// Output of the full coupling.
struct CellSink {
  Coupling& out;
  void add(std::uint32_t i, std::uint32_t j, double m) {
    out.index.push_back(i);
    out.index.push_back(j);
    out.mass.push_back(m);
  }
  double& mass(std::uint32_t cell) { return out.mass[cell]; }
};

// Output of the entropy-only variant: the masses, in cell order, in caller-owned storage.
struct MassSink {
  double* data;
  std::size_t size = 0;
  void add(std::uint32_t, std::uint32_t, double m) { data[size++] = m; }
  double& mass(std::uint32_t cell) { return data[cell]; }
};

template <class L, class Sink>
void run(L& a, L& b, double dust, Sink& sink) {
  for (std::uint32_t cell = 0; !a.empty() && !b.empty(); ++cell) {
    const auto from_a = a.settle();
    const auto from_b = b.settle();
    const RankedEntry ta = a.top(from_a);
    const RankedEntry tb = b.top(from_b);
    const double va = ta.value();
    const double vb = tb.value();
    const double m = std::min(va, vb);
    sink.add(ta.index, tb.index, m);
    a.step(from_a, ta, va, m, dust, cell);
    b.step(from_b, tb, vb, m, dust, cell);
  }
}

// One marginal ran out; the other holds only rounding residue (its sum differs by rounding).
// Each lowered residual goes back to the cell that lowered it (its tag); untouched entries were
// never in a cell. More than rounding left means the sums differed.
template <class L, class Sink>
void return_residue(const L& lane, int number, Sink& sink) {
  if (lane.empty()) return;
  double total_left = 0;
  lane.for_each_untouched([&](const RankedEntry& e) { total_left += e.value(); });
  lane.for_each_lowered([&](const RankedEntry& e) { total_left += e.value(); });
  if (total_left > kUnequalSums) {
    throw InvalidParameter("greedy coupling: marginal " + std::to_string(number) + " sums to " +
                           std::to_string(total_left) + " more than another (use prepare_marginals)");
  }
  lane.for_each_lowered([&](const RankedEntry& e) { sink.mass(e.tag) += e.value(); });
}

template <class L, class Sink>
void run_and_return(L& a, L& b, double dust, Sink& sink) {
  run(a, b, dust, sink);
  return_residue(a, 1, sink);
  return_residue(b, 2, sink);
}

// Sorts the positive entries of p (at most kSmall of them, so an index fits in 7 bits) into
// ranks_before order, into `out`; returns how many. std::sort runs on 64-bit keys: the value's
// bits with the lowest 7 replaced by 127 - index, so a larger key means a larger value, or
// values equal in all but those 7 bits and the lower index. An insertion pass by the full
// ranks_before then reorders values that differed only in the dropped bits; on distinct random
// values it finds nothing to move (one comparison per entry).
std::size_t sort_small(const Marginal& p, RankedEntry* out) {
  static_assert(kSmall <= 128);
  constexpr std::uint64_t low = 127;
  std::uint64_t keys[kSmall];
  std::size_t count = 0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    if (p[j] > 0) keys[count++] = (std::bit_cast<std::uint64_t>(p[j]) & ~low) | (low - j);
  }
  std::sort(keys, keys + count, [](std::uint64_t a, std::uint64_t b) { return a > b; });
  for (std::size_t t = 0; t < count; ++t) {
    const auto j = static_cast<std::uint32_t>(low - (keys[t] & low));
    const RankedEntry e = RankedEntry::of(p[j], j);
    std::size_t hole = t;
    while (hole != 0 && ranks_before(e, out[hole - 1])) {
      out[hole] = out[hole - 1];
      --hole;
    }
    out[hole] = e;
  }
  return count;
}

// dust times the largest of `count` sorted entries (0 when there are none).
double dust_bound(const RankedEntry* sorted, std::size_t count, double dust) {
  return count == 0 ? 0.0 : dust * sorted[0].value();
}

template <class Sink>
void couple(const Marginal& p, const Marginal& q, double dust, Sink& sink) {
  const std::size_t largest = std::max(p.size(), q.size());
  if (largest <= kSmall) {
    RankedEntry sorted_a[kSmall], sorted_b[kSmall], heap_a[kSmall], heap_b[kSmall];
    const std::size_t na = sort_small(p, sorted_a);
    const std::size_t nb = sort_small(q, sorted_b);
    Lane<ArrayMaxHeap> a{sorted_a, sorted_a + na, ArrayMaxHeap(heap_a), p.data(), dust_bound(sorted_a, na, dust)};
    Lane<ArrayMaxHeap> b{sorted_b, sorted_b + nb, ArrayMaxHeap(heap_b), q.data(), dust_bound(sorted_b, nb, dust)};
    run_and_return(a, b, dust, sink);
    return;
  }
  std::vector<RankedEntry> sorted_a(p.size()), sorted_b(q.size()), scratch;
  sorted_a.resize(collect(p, sorted_a.data()));
  sorted_b.resize(collect(q, sorted_b.data()));
  sort_ranked(sorted_a, scratch);
  sort_ranked(sorted_b, scratch);
  const RankedEntry* a_first = sorted_a.data();
  const RankedEntry* b_first = sorted_b.data();
  if (largest < kBucketQueueFrom) {
    std::vector<RankedEntry> heaps(sorted_a.size() + sorted_b.size());
    Lane<ArrayMaxHeap> a{a_first, a_first + sorted_a.size(), ArrayMaxHeap(heaps.data()), p.data(),
                         dust_bound(a_first, sorted_a.size(), dust)};
    Lane<ArrayMaxHeap> b{b_first, b_first + sorted_b.size(), ArrayMaxHeap(heaps.data() + sorted_a.size()), q.data(),
                         dust_bound(b_first, sorted_b.size(), dust)};
    run_and_return(a, b, dust, sink);
  } else {
    BucketLane a{BucketQueue(a_first, sorted_a.size(), p.size()), p.data(), dust_bound(a_first, sorted_a.size(), dust)};
    BucketLane b{BucketQueue(b_first, sorted_b.size(), q.size()), q.data(), dust_bound(b_first, sorted_b.size(), dust)};
    run_and_return(a, b, dust, sink);
  }
}

}  // namespace

bool greedy_pair_applies(const Marginal& p, const Marginal& q) {
  // Cells are at most |p| + |q| - 1, numbered from 0: every number must fit the 32-bit tag.
  constexpr std::size_t limit = std::numeric_limits<std::uint32_t>::max();
  return p.size() <= limit && q.size() <= limit - p.size();
}

void greedy_pair(const Marginal& p, const Marginal& q, double dust, Coupling& out) {
  CellSink sink{out};
  couple(p, q, dust, sink);
}

double greedy_pair_entropy(const Marginal& p, const Marginal& q, double dust) {
  const std::size_t most_cells = p.size() + q.size();
  if (most_cells <= 2 * kSmall) {
    double masses[2 * kSmall];
    MassSink sink{masses};
    couple(p, q, dust, sink);
    return entropy_bits(std::span<const double>(masses, sink.size));
  }
  std::vector<double> masses(most_cells);
  MassSink sink{masses.data()};
  couple(p, q, dust, sink);
  return entropy_bits(std::span<const double>(masses.data(), sink.size));
}

}  // namespace paperkit::mec::detail
