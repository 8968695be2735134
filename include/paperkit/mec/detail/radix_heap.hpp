// A monotone radix max-heap of RankedEntry (ranked_entry.hpp), used by greedy coupling for the
// residuals it lowers. Exact: it returns the same maximum as a binary heap under ranks_before
// (tests/mec/radix_heap_test.cpp checks it against std::priority_queue on random sequences).
//
// Monotone means every pushed key ranks below `bound_`, a key that only moves down over time.
// In greedy coupling every value only decreases, so a marginal's largest residual never rises
// and a lowered residual always ranks below the largest one: exactly this use.
// Bucket b holds the entries whose key first differs from bound_ at bit b (96-bit keys, so 96
// buckets); every entry of bucket b ranks above every entry of bucket b + 1 (it shares more
// leading bits with bound_), so the maximum lies in the lowest non-empty bucket. Moving bound_ to
// the maximum of that bucket re-files only that bucket, each entry into a strictly lower
// bucket, so an entry moves at most 96 times; in practice a few times, sequentially (cheaper
// than a binary heap's cache misses once the heap outgrows the cache).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "paperkit/mec/detail/ranked_entry.hpp"

namespace paperkit::mec::detail {

class RadixMaxHeap {
 public:
  static constexpr int kBuckets = 96;

  bool empty() const { return !has_top_ && (occupied_[0] | occupied_[1]) == 0; }
  std::size_t size() const {
    std::size_t n = has_top_ ? 1 : 0;
    for (const auto& b : buckets_) n += b.size();
    return n;
  }

  // Requires that e not rank above the current bound (see settle); the first push may come
  // before any settle: the bound starts above every entry. An entry equal to the bound is the
  // maximum: greedy coupling pushes one when t - m rounds back to t (m below half an ulp of t),
  // and it then requires that no settled top be pending (pop_top first).
  void push(const RankedEntry& e) {
    const int b = highest_differing_bit(bound_, e);
    if (b < 0) {
      top_ = e;
      has_top_ = true;
    } else {
      file(e, b);
    }
  }

  // Decides whether the heap's maximum ranks before `outside` (the best entry kept elsewhere,
  // e.g. the next untouched entry; it must not rank above the bound either) and moves the bound
  // down to the winner. Returns true when the heap wins; its maximum is then top(). With
  // has_outside false the heap must be non-empty and wins.
  bool settle(bool has_outside, const RankedEntry& outside) {
    // A settled top is the bound itself, and `outside` never ranks above the bound.
    if (has_top_) return true;
    const int lowest = lowest_occupied();
    if (lowest < 0) {
      if (has_outside) bound_ = outside;  // empty heap: finer buckets for the next pushes
      return false;
    }
    const int outside_bucket = has_outside ? highest_differing_bit(bound_, outside) : kBuckets;
    // Below every occupied bucket: `outside` shares more leading bits with the bound than any
    // entry here, so it ranks above all of them, and no bucket at or below its level is occupied.
    if (outside_bucket < lowest) {
      bound_ = outside;
      return false;
    }
    auto& bucket = buckets_[static_cast<std::size_t>(lowest)];
    RankedEntry best = bucket.front();
    for (const RankedEntry& e : bucket) {
      if (ranks_before(e, best)) best = e;
    }
    const bool heap_wins = outside_bucket > lowest || ranks_before(best, outside);
    bound_ = heap_wins ? best : outside;
    scratch_.swap(bucket);
    occupied_[lowest >> 6] &= ~(std::uint64_t{1} << (lowest & 63));
    for (const RankedEntry& e : scratch_) {
      const int b = highest_differing_bit(bound_, e);
      if (b < 0) {
        top_ = e;
        has_top_ = true;
      } else {
        file(e, b);
      }
    }
    scratch_.clear();
    return heap_wins;
  }

  // The maximum after settle returned true.
  const RankedEntry& top() const { return top_; }
  void pop_top() { has_top_ = false; }
  // pop_top then push(e) (the same requirement on e as push).
  void replace_top(const RankedEntry& e) {
    pop_top();
    push(e);
  }

  // Visits every entry, in no particular order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    if (has_top_) visit(top_);
    for (const auto& bucket : buckets_) {
      for (const RankedEntry& e : bucket) visit(e);
    }
  }

 private:
  void file(const RankedEntry& e, int b) {
    buckets_[static_cast<std::size_t>(b)].push_back(e);
    occupied_[b >> 6] |= std::uint64_t{1} << (b & 63);
  }
  int lowest_occupied() const {
    if (occupied_[0] != 0) return std::countr_zero(occupied_[0]);
    if (occupied_[1] != 0) return 64 + std::countr_zero(occupied_[1]);
    return -1;
  }

  RankedEntry bound_{~std::uint64_t{0}, 0, 0};  // ranks above every valid entry
  std::array<std::vector<RankedEntry>, kBuckets> buckets_;
  std::array<std::uint64_t, 2> occupied_{0, 0};
  std::vector<RankedEntry> scratch_;
  RankedEntry top_{0, 0, 0};
  bool has_top_ = false;
};

}  // namespace paperkit::mec::detail
