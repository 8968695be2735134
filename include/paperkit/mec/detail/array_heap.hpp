// A binary max-heap of RankedEntry (ranked_entry.hpp) under ranks_before, in storage the caller
// owns (a stack array for small marginals, so greedy coupling's pair path allocates nothing).
// Same interface as RadixMaxHeap (radix_heap.hpp), plus replace_top; a max-heap under the same
// total order selects exactly the same maxima as any other (tests/mec/greedy_equivalence_test.cpp).
#pragma once

#include <cstddef>

#include "paperkit/mec/detail/ranked_entry.hpp"

namespace paperkit::mec::detail {

class ArrayMaxHeap {
 public:
  // `storage` must hold as many entries as will ever be in the heap at once.
  explicit ArrayMaxHeap(RankedEntry* storage) : heap_(storage) {}

  bool empty() const { return size_ == 0; }
  // True when the maximum ranks before `outside` (or there is no outside entry); then top().
  bool settle(bool has_outside, const RankedEntry& outside) const {
    return size_ != 0 && (!has_outside || ranks_before(heap_[0], outside));
  }
  const RankedEntry& top() const { return heap_[0]; }

  void push(const RankedEntry& e) {
    std::size_t i = size_++;
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!ranks_before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // Floyd's removal: the hole walks down the better children, then the last entry climbs.
  void pop_top() {
    const std::size_t n = --size_;
    if (n != 0) fill_root(heap_[n], n);
  }

  // pop_top then push(e) in one pass (e need not rank below the old top).
  void replace_top(const RankedEntry& e) { fill_root(e, size_); }

  // Visits every entry in storage order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (std::size_t i = 0; i < size_; ++i) visit(heap_[i]);
  }

 private:
  // The root is vacant: the hole walks down the better children of the first n entries, then
  // `last` climbs from there.
  void fill_root(const RankedEntry last, std::size_t n) {
    std::size_t hole = 0;
    for (;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= n) break;
      if (child + 1 < n) child += static_cast<std::size_t>(ranks_before(heap_[child + 1], heap_[child]));
      heap_[hole] = heap_[child];
      hole = child;
    }
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!ranks_before(last, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      hole = parent;
    }
    heap_[hole] = last;
  }

  RankedEntry* heap_;
  std::size_t size_ = 0;
};

}  // namespace paperkit::mec::detail
