// A max-priority queue of RankedEntry (ranked_entry.hpp) over a sorted array plus pushed entries,
// for greedy coupling's k = 2 loop (greedy_pair.cpp): a marginal's untouched entries sorted once,
// and the residuals it lowers pushed. Exact: the maximum under ranks_before of everything not yet
// removed, as any max-heap of the same entries would give (tests/mec/bucket_queue_test.cpp checks
// it against std::priority_queue on seeded random sequences with ties; greedy's output stays bit
// for bit the same, tests/mec/greedy_equivalence_test.cpp).
//
// Why not one heap (binary or radix) of all pushed entries: in greedy a residual is the
// difference of two close tops, far below both (at n = 10^5, 95% of them rank after the sorted
// head when pushed), so it need not be ordered against the others until the head gets down to
// it. Here the sorted array's value range is cut into at most n / 16 buckets by the high bits of
// the value. A pushed entry in a bucket the head has not reached waits, unordered, in that
// bucket's list of chunks; when the head enters a bucket, the bucket's entries move into a binary
// heap (`ready_`). Everything still waiting has a smaller key than the head, so the maximum is
// ready_'s top or the sorted head, whichever ranks first. Every entry waits at most once and is
// pushed and popped once in ready_, so each operation is O(log n) worst case (amortized over the
// bucket scan). In greedy on Dirichlet(1) pairs ready_ holds 370 entries on average at n = 10^5
// and 2,800 at 10^6, where the radix heap it replaced re-filed every residual about 10 times
// (bench/README.md, mec).
//
// Capacity: at most `capacity` pushed entries may be present at once (greedy: one residual per
// entry of the marginal, so the marginal's size).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "paperkit/mec/detail/array_heap.hpp"
#include "paperkit/mec/detail/ranked_entry.hpp"

namespace paperkit::mec::detail {

class BucketQueue {
 public:
  // `sorted` (n entries in ranks_before order) must outlive the queue.
  BucketQueue(const RankedEntry* sorted, std::size_t n, std::size_t capacity)
      : sorted_(sorted),
        n_(n),
        ready_storage_(std::make_unique_for_overwrite<RankedEntry[]>(capacity)),
        ready_(ready_storage_.get()),
        chunks_(std::make_unique_for_overwrite<Chunk[]>(capacity)),
        next_chunk_(std::make_unique_for_overwrite<std::uint32_t[]>(capacity)) {
    choose_buckets();
    buckets_.assign(below_all_ + 1, Bucket{kNone, Chunk::kEntries});
  }

  bool empty() const { return head_ == n_ && ready_.empty(); }
  // Requires !empty(): true when the maximum is pushed_top(), false when it is sorted_head().
  bool top_is_pushed() const { return !ready_.empty() && (head_ == n_ || ranks_before(ready_.top(), sorted_[head_])); }
  const RankedEntry& pushed_top() const { return ready_.top(); }
  const RankedEntry& sorted_head() const { return sorted_[head_]; }

  // Remove the maximum: pop_pushed when top_is_pushed(), else pop_sorted.
  void pop_pushed() { ready_.pop_top(); }
  void pop_sorted() {
    ++head_;
    if (head_ + kPrefetchAhead < n_) prefetch_through(bucket_of(sorted_[head_ + kPrefetchAhead].bits));
    // The sorted array is read too slowly for the hardware prefetcher to run ahead on its own.
    __builtin_prefetch(sorted_ + std::min(head_ + 4 * kPrefetchAhead, n_ - 1));
    release_through(head_ == n_ ? below_all_ : bucket_of(sorted_[head_].bits));
  }
  // pop_pushed then push(e).
  void replace_pushed(const RankedEntry& e) {
    const std::size_t b = bucket_of(e.bits);
    if (b <= released_) {
      ready_.replace_top(e);
    } else {
      ready_.pop_top();
      wait(e, b);
    }
  }
  void push(const RankedEntry& e) {
    const std::size_t b = bucket_of(e.bits);
    if (b <= released_) {
      ready_.push(e);
    } else {
      wait(e, b);
    }
  }

  // Visits the sorted entries not yet removed.
  template <class Visit>
  void for_each_sorted(Visit&& visit) const {
    for (std::size_t t = head_; t < n_; ++t) visit(sorted_[t]);
  }
  // Visits the pushed entries not yet removed, in no particular order.
  template <class Visit>
  void for_each_pushed(Visit&& visit) const {
    ready_.for_each(visit);
    for (std::size_t b = released_ + 1; b <= below_all_; ++b) {
      std::uint32_t count = buckets_[b].count;
      for (std::uint32_t c = buckets_[b].chunk; c != kNone; c = next_chunk_[c], count = Chunk::kEntries) {
        for (std::uint32_t i = 0; i < count; ++i) visit(chunks_[c].entries[i]);
      }
    }
  }

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  static constexpr std::size_t kPrefetchAhead = 16;
  // At most n / kSortedPerBucket buckets: coarser ones file a residual with fewer cache misses
  // (a smaller bucket table, fuller chunks) at the price of a larger ready_; 16 ran about a
  // quarter faster than 1 at n = 10^5, and within noise of 4, 64 and 256 (bench/README.md, mec).
  static constexpr std::uint64_t kSortedPerBucket = 16;

  // The waiting entries of a bucket sit in a list of chunks, newest first, so releasing a bucket
  // reads whole cache lines rather than one miss per entry: buckets fill unevenly (in greedy most
  // residuals land in a few buckets far below the head, up to thousands each).
  // Only a bucket's newest chunk can be part full; its fill count sits in the bucket, so filing
  // an entry reads one random word (the bucket) and writes the chunk without reading it.
  // The links sit apart (next_chunk_, small enough to stay in cache), so the chunks of the
  // buckets the head is about to enter can be prefetched without waiting for each one.
  struct alignas(64) Chunk {
    static constexpr std::uint32_t kEntries = 8;
    RankedEntry entries[kEntries];
  };
  struct Bucket {
    std::uint32_t chunk;  // newest chunk, or kNone
    std::uint32_t count;  // entries in it (kEntries when there is none: a new one is needed)
  };

  // Bucket 0 holds the keys at or above the largest sorted entry's, below_all_ those below the
  // smallest one's; larger numbers, smaller values.
  std::size_t bucket_of(std::uint64_t bits) const {
    const std::uint64_t key = bits >> shift_;
    if (key >= top_key_) return 0;
    return key < bottom_key_ ? below_all_ : static_cast<std::size_t>(top_key_ - key);
  }

  // The smallest shift that cuts the sorted range into at most n buckets.
  void choose_buckets() {
    if (n_ == 0) return;  // one bucket (0), released from the start
    const std::uint64_t top = sorted_[0].bits;
    const std::uint64_t bottom = sorted_[n_ - 1].bits;
    const std::uint64_t most = std::max<std::uint64_t>(n_ / kSortedPerBucket, 1);
    while (shift_ < 63 && (top >> shift_) - (bottom >> shift_) >= most) ++shift_;
    top_key_ = top >> shift_;
    bottom_key_ = bottom >> shift_;
    below_all_ = static_cast<std::size_t>(top_key_ - bottom_key_) + 1;
  }

  void wait(const RankedEntry& e, std::size_t b) {
    Bucket& bucket = buckets_[b];
    if (bucket.count == Chunk::kEntries) {
      std::uint32_t fresh = free_;
      if (fresh != kNone) {
        free_ = next_chunk_[fresh];
      } else {
        fresh = unused_++;
      }
      next_chunk_[fresh] = bucket.chunk;
      bucket = Bucket{fresh, 0};
    }
    chunks_[bucket.chunk].entries[bucket.count++] = e;
  }

  // Prefetch the chunks of the buckets up to b not prefetched yet.
  void prefetch_through(std::size_t b) {
    while (prefetched_ < b) {
      for (std::uint32_t c = buckets_[++prefetched_].chunk; c != kNone; c = next_chunk_[c]) {
        __builtin_prefetch(&chunks_[c].entries[0]);
        __builtin_prefetch(&chunks_[c].entries[4]);
      }
    }
  }

  // The head entered bucket b: every bucket up to b goes into ready_.
  void release_through(std::size_t b) {
    while (released_ < b) {
      const Bucket bucket = buckets_[++released_];
      std::uint32_t count = bucket.count;
      for (std::uint32_t c = bucket.chunk; c != kNone; count = Chunk::kEntries) {
        const Chunk& chunk = chunks_[c];
        for (std::uint32_t i = 0; i < count; ++i) ready_.push(chunk.entries[i]);
        const std::uint32_t next = next_chunk_[c];
        next_chunk_[c] = free_;  // reused next: a released chunk is in cache
        free_ = c;
        c = next;
      }
    }
  }

  const RankedEntry* sorted_;
  std::size_t n_;
  std::size_t head_ = 0;
  std::unique_ptr<RankedEntry[]> ready_storage_;
  ArrayMaxHeap ready_;
  std::unique_ptr<Chunk[]> chunks_;              // at most one per waiting entry
  std::unique_ptr<std::uint32_t[]> next_chunk_;  // the next older chunk of a bucket, or of free_
  std::uint32_t free_ = kNone;                   // released chunks
  std::size_t prefetched_ = 0;                   // buckets up to here prefetched
  std::uint32_t unused_ = 0;                     // chunks from here on never used
  std::vector<Bucket> buckets_;
  int shift_ = 0;
  std::uint64_t top_key_ = 0;
  std::uint64_t bottom_key_ = 0;
  std::size_t below_all_ = 0;
  std::size_t released_ = 0;
};

}  // namespace paperkit::mec::detail
