// The optimized greedy coupling (radix sort + radix heap, algorithms/mec/greedy.cpp) against the
// first binary-heap version kept in greedy_reference.cpp: identical cells, indices and masses,
// bit for bit, on seeded random marginals with ties, zeros, k = 2..5 and sizes 1..10^4; and the
// data structures on their own against std::sort / std::priority_queue. Exact comparisons (no
// tolerance): the contract is bit-identical output.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <queue>

#include "greedy_reference.hpp"
#include "paperkit/mec/detail/radix_heap.hpp"
#include "paperkit/mec/detail/rank_sort.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;
using mec::detail::RankedEntry;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void expect_identical(const std::vector<Marginal>& ps) {
  const mec::Coupling fast = mec::greedy_coupling(ps);
  const mec::Coupling ref = mec::test::greedy_coupling_reference(ps);
  ASSERT_EQ(fast.k, ref.k);
  ASSERT_EQ(fast.sizes, ref.sizes);
  ASSERT_EQ(fast.cells(), ref.cells());
  ASSERT_EQ(fast.index, ref.index);
  ASSERT_TRUE(same_bits(fast.mass, ref.mass));
}

// A marginal of one of several shapes; the tied shapes use few distinct integer weights, so
// equal probabilities (and equal residuals) are common.
Marginal random_marginal(paperkit::Rng& rng, std::size_t n, std::uint64_t shape) {
  Marginal p(n);
  switch (shape) {
    case 0:
      return mec::dirichlet(n, 1.0, rng);
    case 1:
      return mec::dirichlet(n, 0.1, rng);  // many tiny entries, some underflow to 0
    case 2:
      for (double& x : p) x = static_cast<double>(1 + rng.uniform_below(4));  // ties
      break;
    case 3:
      for (double& x : p) x = static_cast<double>(rng.uniform_below(3));  // ties and zeros
      break;
    case 4:
      std::fill(p.begin(), p.end(), 1.0);  // uniform
      break;
    default:
      p = mec::dirichlet(n, 10.0, rng);
      for (double& x : p) {
        if (rng.uniform_below(4) == 0) x = 0;  // zeros among distinct values
      }
      break;
  }
  if (std::all_of(p.begin(), p.end(), [](double x) { return x == 0; })) p[rng.uniform_below(n)] = 1;
  return p;
}

TEST(UnitMecGreedyEquivalence, MatchesBinaryHeapVersionBitForBit) {
  const std::uint64_t seed = base_seed();
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t k = 2 + rng.uniform_below(4);
    // Mostly small (both the comparison-sort and radix-sort paths), some up to 10^4.
    const std::size_t max_n = trial % 20 == 0 ? 10'000 : (trial % 3 == 0 ? 1000 : 60);
    std::vector<Marginal> ps;
    const std::uint64_t shape = rng.uniform_below(6);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t n = 1 + rng.uniform_below(max_n);
      ps.push_back(random_marginal(rng, n, rng.uniform_below(3) == 0 ? rng.uniform_below(6) : shape));
    }
    // The same marginal twice: every step exhausts both tops (all residuals 0).
    if (trial % 25 == 0) ps[1] = ps[0];
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_identical(mec::prepare_marginals(ps, normalize));
  }
}

// Dirichlet(0.02) entries span hundreds of orders of magnitude, so t - m often rounds back to t
// (m below half an ulp of t): the lowered residual equals the heap's bound. Sizes >= 1024 take the
// radix heap path; at the default seed this hits that case thousands of times.
TEST(UnitMecGreedyEquivalence, ResidualsThatRoundBackRadixPath) {
  paperkit::Rng rng(base_seed() + 4);
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t n = 1024 + rng.uniform_below(2000);
    std::vector<Marginal> ps = {mec::dirichlet(n, 0.02, rng), mec::dirichlet(n + 7, 0.02, rng)};
    if (trial % 3 == 0) ps.push_back(mec::dirichlet(n / 2 + 1024, 0.02, rng));
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_identical(mec::prepare_marginals(ps, normalize));
  }
}

TEST(UnitMecGreedyEquivalence, SizesOneToFifty) {
  paperkit::Rng rng(base_seed() + 1);
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (std::size_t n = 1; n <= 50; ++n) {
    for (std::size_t m : {std::size_t{1}, n, 2 * n + 1}) {
      SCOPED_TRACE("n " + std::to_string(n) + " m " + std::to_string(m));
      expect_identical(mec::prepare_marginals(
          {random_marginal(rng, n, rng.uniform_below(6)), random_marginal(rng, m, rng.uniform_below(6))}, normalize));
    }
  }
}

TEST(UnitMecRankSort, MatchesStdSort) {
  paperkit::Rng rng(base_seed() + 2);
  std::vector<RankedEntry> buffer;
  for (std::size_t n : {0, 1, 5, 255, 256, 257, 1000, 5000}) {
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<RankedEntry> entries;
      for (std::uint32_t j = 0; j < n; ++j) {
        // Distinct random values, a handful of tied values, or values of widely spread magnitude.
        const double v = variant == 0   ? rng.uniform01() + 1e-300
                         : variant == 1 ? static_cast<double>(1 + rng.uniform_below(5)) / 7
                                        : std::ldexp(1 + rng.uniform01(), -static_cast<int>(rng.uniform_below(900)));
        entries.push_back(RankedEntry::of(v, j));
      }
      auto expected = entries;
      std::sort(expected.begin(), expected.end(), mec::detail::ranks_before);
      mec::detail::sort_ranked(entries, buffer);
      ASSERT_EQ(entries.size(), expected.size());
      for (std::size_t t = 0; t < n; ++t) {
        ASSERT_EQ(entries[t].bits, expected[t].bits) << "n " << n << " variant " << variant << " at " << t;
        ASSERT_EQ(entries[t].index, expected[t].index) << "n " << n << " variant " << variant << " at " << t;
      }
    }
  }
}

// The radix heap used as greedy coupling uses it: an outside sorted stream competes with the
// heap, the winner is taken and sometimes lowered (re-pushed with a smaller value, same index).
// A std::priority_queue over the same entries must produce the same sequence of maxima.
TEST(UnitMecRadixHeap, MatchesPriorityQueueOnMonotoneSequences) {
  paperkit::Rng rng(base_seed() + 3);
  auto later = [](const RankedEntry& a, const RankedEntry& b) { return mec::detail::ranks_before(b, a); };
  for (int round = 0; round < 40; ++round) {
    const std::size_t n = 1 + rng.uniform_below(round % 4 == 0 ? 3000 : 100);
    const bool ties = round % 2 == 1;
    std::vector<RankedEntry> stream;
    for (std::uint32_t j = 0; j < n; ++j) {
      const double v = ties ? static_cast<double>(1 + rng.uniform_below(4)) : rng.uniform01() + 1e-9;
      stream.push_back(RankedEntry::of(v, j));
    }
    std::sort(stream.begin(), stream.end(), mec::detail::ranks_before);
    mec::detail::RadixMaxHeap heap;
    std::priority_queue<RankedEntry, std::vector<RankedEntry>, decltype(later)> reference(later);
    std::size_t next = 0;
    std::size_t steps = 0;
    while (next < stream.size() || !heap.empty()) {
      ASSERT_EQ(heap.empty(), reference.empty());
      const bool has_outside = next < stream.size();
      const bool heap_wins = heap.settle(has_outside, has_outside ? stream[next] : RankedEntry{0, 0});
      const bool reference_wins =
          !reference.empty() && (!has_outside || mec::detail::ranks_before(reference.top(), stream[next]));
      ASSERT_EQ(heap_wins, reference_wins) << "round " << round << " step " << steps;
      RankedEntry top = heap_wins ? heap.top() : stream[next];
      if (heap_wins) {
        ASSERT_EQ(top.bits, reference.top().bits);
        ASSERT_EQ(top.index, reference.top().index);
        heap.pop_top();
        reference.pop();
      } else {
        ++next;
      }
      // Lower it by a random fraction (or by a tie-producing step), or drop it.
      if (rng.uniform_below(4) != 0) {
        const double v = top.value();
        // Sometimes not lowered at all, as when t - m rounds back to t in greedy coupling.
        const std::uint64_t how = rng.uniform_below(8);
        const double lowered = how == 0 ? v : (ties ? v - 1 : v * rng.uniform01());
        if (lowered > 0) {
          heap.push(RankedEntry::of(lowered, top.index));
          reference.push(RankedEntry::of(lowered, top.index));
        }
      }
      ++steps;
    }
    EXPECT_TRUE(reference.empty());
    EXPECT_EQ(heap.size(), 0u);
  }
}

}  // namespace
