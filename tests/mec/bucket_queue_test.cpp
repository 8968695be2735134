// BucketQueue (include/paperkit/mec/detail/bucket_queue.hpp), greedy coupling's queue for the
// pair path from 2048 entries, against std::priority_queue over the same entries: the same
// sequence of maxima (value bits and index, exact), the same answer to "is the top a pushed
// entry", and the same remaining contents when stopped early. Seeded random sorted arrays with
// distinct values, few tied values, values over hundreds of binades and values a few ulps apart;
// pushes lowered as greedy does (often far below the head), not lowered at all, raised above
// the current top, above every sorted entry or below every one. Exact comparisons throughout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <queue>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/mec/detail/bucket_queue.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::detail::BucketQueue;
using mec::detail::RankedEntry;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

struct Later {
  bool operator()(const RankedEntry& a, const RankedEntry& b) const { return mec::detail::ranks_before(b, a); }
};
using Reference = std::priority_queue<RankedEntry, std::vector<RankedEntry>, Later>;

double random_value(paperkit::Rng& rng, int shape) {
  switch (shape) {
    case 0:
      return rng.uniform01() + 1e-12;  // distinct
    case 1:
      return static_cast<double>(1 + rng.uniform_below(4)) / 8;  // ties
    case 2:
      return std::ldexp(1 + rng.uniform01(), -static_cast<int>(rng.uniform_below(600)));  // wide
    default: {
      double v = 0.25;  // a few ulps apart: all in one or two buckets
      for (std::uint64_t steps = rng.uniform_below(50); steps > 0; --steps) v = std::nextafter(v, 1.0);
      return v;
    }
  }
}

// A new value for an entry of value v just taken: mostly lowered, sometimes kept, raised, or
// moved outside the sorted range.
double next_value(paperkit::Rng& rng, double v, int shape, double largest, double smallest) {
  switch (rng.uniform_below(8)) {
    case 0:
      return v;  // t - m rounding back to t
    case 1:
      return v * (1 + rng.uniform01());  // above the current top
    case 2:
      return largest * 2;  // above every sorted entry
    case 3:
      return smallest * rng.uniform01() + 1e-300;  // below every sorted entry
    case 4:
      return shape == 1 ? v : random_value(rng, shape);  // a tie, or anywhere
    default:
      return v * rng.uniform01() * rng.uniform01() + 1e-300;  // lowered, often far
  }
}

std::vector<RankedEntry> sorted_entries(const std::vector<RankedEntry>& entries) {
  auto out = entries;
  std::sort(out.begin(), out.end(), mec::detail::ranks_before);
  return out;
}

TEST(UnitMecBucketQueue, MatchesPriorityQueue) {
  const std::uint64_t seed = base_seed() + 7;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int round = 0; round < 120; ++round) {
    const int shape = round % 4;
    const std::size_t n = round % 10 == 0 ? 0 : 1 + rng.uniform_below(round % 3 == 0 ? 5000 : 60);
    std::vector<RankedEntry> entries;
    for (std::uint32_t j = 0; j < n; ++j) entries.push_back(RankedEntry::of(random_value(rng, shape), j));
    const std::vector<RankedEntry> sorted = sorted_entries(entries);
    const double largest = n == 0 ? 1.0 : sorted.front().value();
    const double smallest = n == 0 ? 1.0 : sorted.back().value();

    // Extra pushed entries with fresh indices (beyond the sorted ones) before anything is taken.
    const std::size_t extra = rng.uniform_below(20);
    BucketQueue queue(sorted.data(), n, n + extra);
    Reference reference(sorted.begin(), sorted.end());
    for (std::uint32_t j = 0; j < extra; ++j) {
      const RankedEntry e{RankedEntry::of(random_value(rng, shape), static_cast<std::uint32_t>(n) + j).bits,
                          static_cast<std::uint32_t>(n) + j, j};
      queue.push(e);
      reference.push(e);
    }
    // Stop early in some rounds to compare what is left.
    const std::size_t stop = round % 5 == 4 ? rng.uniform_below(2 * n + 1) : ~std::size_t{0};
    std::size_t steps = 0;
    std::size_t sorted_taken = 0;
    while (!queue.empty() && steps < stop) {
      ASSERT_FALSE(reference.empty());
      const bool pushed = queue.top_is_pushed();
      const RankedEntry top = pushed ? queue.pushed_top() : queue.sorted_head();
      ASSERT_EQ(top.bits, reference.top().bits) << "round " << round << " step " << steps;
      ASSERT_EQ(top.index, reference.top().index) << "round " << round << " step " << steps;
      // The top is the sorted head exactly when the sorted head is the maximum.
      const bool head_is_max = sorted_taken < n && sorted[sorted_taken].bits == top.bits &&
                               sorted[sorted_taken].index == top.index && !pushed;
      ASSERT_EQ(!pushed, head_is_max);
      reference.pop();
      // Re-push the taken entry's index (at most one pushed entry per index), as greedy does.
      const bool push_again = rng.uniform_below(4) != 0;
      const RankedEntry again{RankedEntry::of(next_value(rng, top.value(), shape, largest, smallest), top.index).bits,
                              top.index, static_cast<std::uint32_t>(steps)};
      if (pushed) {
        if (push_again) {
          queue.replace_pushed(again);
        } else {
          queue.pop_pushed();
        }
      } else {
        queue.pop_sorted();
        ++sorted_taken;
        if (push_again) queue.push(again);
      }
      if (push_again) reference.push(again);
      ++steps;
    }
    // What is left: the same entries (tags included), sorted ones and pushed ones apart.
    std::vector<RankedEntry> left;
    std::size_t sorted_left = 0;
    queue.for_each_sorted([&](const RankedEntry& e) {
      left.push_back(e);
      ++sorted_left;
    });
    ASSERT_EQ(sorted_left, n - sorted_taken);
    queue.for_each_pushed([&](const RankedEntry& e) { left.push_back(e); });
    std::vector<RankedEntry> expected;
    for (; !reference.empty(); reference.pop()) expected.push_back(reference.top());
    left = sorted_entries(left);
    ASSERT_EQ(left.size(), expected.size()) << "round " << round;
    for (std::size_t t = 0; t < left.size(); ++t) {
      ASSERT_EQ(left[t].bits, expected[t].bits) << "round " << round << " at " << t;
      ASSERT_EQ(left[t].index, expected[t].index) << "round " << round << " at " << t;
      ASSERT_EQ(left[t].tag, expected[t].tag) << "round " << round << " at " << t;
    }
  }
}

}  // namespace
