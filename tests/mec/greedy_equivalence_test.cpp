// The optimized greedy coupling (radix sort + radix heap, algorithms/mec/greedy.cpp) against the
// first binary-heap version kept in greedy_reference.cpp: identical cells, indices and masses,
// bit for bit, on seeded random marginals with ties, zeros, k = 2..5 and sizes 1..10^4; and the
// data structures on their own against std::sort / std::priority_queue; greedy_coupling_entropy
// against the entropy of the materialized coupling. Exact comparisons (no tolerance): the
// contract is bit-identical output.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <queue>

#include "greedy_reference.hpp"
#include "paperkit/common/errors.hpp"
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
// radix heap path (k = 3) and, from 2048, the pair path's bucket queue; at the default seed this
// hits that case thousands of times.
TEST(UnitMecGreedyEquivalence, ResidualsThatRoundBackRadixPath) {
  paperkit::Rng rng(base_seed() + 4);
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t n = 1024 + rng.uniform_below(3000);
    std::vector<Marginal> ps = {mec::dirichlet(n, 0.02, rng), mec::dirichlet(n + 7, 0.02, rng)};
    if (trial % 3 == 0) ps.push_back(mec::dirichlet(n / 2 + 1024, 0.02, rng));
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_identical(mec::prepare_marginals(ps, normalize));
  }
}

// The pair path's bucket queue on the benchmark's kind of input (two Dirichlet(1) marginals,
// where most residuals wait in a few buckets far below the head) and on Dirichlet(0.1) (zeros,
// values over hundreds of binades), at sizes up to 3 * 10^4.
TEST(UnitMecGreedyEquivalence, BucketQueuePathLargePairs) {
  paperkit::Rng rng(base_seed() + 8);
  SCOPED_TRACE(seed_note(base_seed() + 8));
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  for (int trial = 0; trial < 6; ++trial) {
    const std::size_t n = 2048 + rng.uniform_below(trial < 2 ? 30'000 : 4000);
    const double alpha = trial % 2 == 0 ? 1.0 : 0.1;
    std::vector<Marginal> ps = {mec::dirichlet(n, alpha, rng), mec::dirichlet(n + trial, alpha, rng)};
    SCOPED_TRACE("trial " + std::to_string(trial) + " n " + std::to_string(n));
    expect_identical(mec::prepare_marginals(ps, normalize));
  }
}

// Entries a few ulps apart (the pair path's small sort drops the lowest 7 bits of the value
// first and must then restore their order) and the radix sort's low digits. Not normalized:
// the sums differ from 1 by about 1e-13, within greedy coupling's residue rule.
TEST(UnitMecGreedyEquivalence, ValuesApartByFewUlps) {
  paperkit::Rng rng(base_seed() + 6);
  for (int trial = 0; trial < 60; ++trial) {
    std::vector<Marginal> ps;
    for (int side = 0; side < 2; ++side) {
      const std::size_t n = trial % 3 == 0 ? 300 + rng.uniform_below(900) : 2 + rng.uniform_below(126);
      Marginal p(n);
      for (double& x : p) {
        x = 1.0 / static_cast<double>(n);
        for (std::uint64_t steps = rng.uniform_below(300); steps > 0; --steps) x = std::nextafter(x, 1.0);
      }
      ps.push_back(p);
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_identical(ps);
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

// greedy_coupling_entropy (no cells built) against entropy_bits of the materialized coupling
// and of the reference version: the same bits. Sizes around the pair path's switches (stack
// arrays up to 128 entries, binary heap below 2048, bucket queue from 2048; the radix sort from
// 256, its 11-bit digits from 4096), shapes with ties and zeros, identical marginals, and a
// size-1 marginal.
TEST(UnitMecGreedyEntropy, BitIdenticalToMaterializedCoupling) {
  paperkit::Rng rng(base_seed() + 5);
  SCOPED_TRACE(seed_note(base_seed() + 5));
  mec::MarginalOptions normalize;
  normalize.normalize = true;
  const std::size_t edges[] = {1, 2, 3, 127, 128, 129, 1023, 1024, 1025, 2047, 2048, 2049, 4096};
  for (int trial = 0; trial < 400; ++trial) {
    auto size = [&]() -> std::size_t {
      if (trial % 4 == 0) return edges[rng.uniform_below(std::size(edges))];
      return 1 + rng.uniform_below(trial % 10 == 1 ? 3000 : 200);
    };
    const std::size_t n = size();
    const std::size_t m = trial % 7 == 0 ? n : size();
    auto ps = mec::prepare_marginals(
        {random_marginal(rng, n, rng.uniform_below(6)), random_marginal(rng, m, rng.uniform_below(6))}, normalize);
    if (trial % 13 == 0) ps[1] = ps[0];
    SCOPED_TRACE("trial " + std::to_string(trial) + " n " + std::to_string(n) + " m " + std::to_string(m));
    const double fast = mec::greedy_coupling_entropy(ps[0], ps[1]);
    const double cells = mec::entropy_bits(mec::greedy_coupling(ps));
    const double reference = mec::entropy_bits(mec::test::greedy_coupling_reference(ps));
    ASSERT_EQ(std::bit_cast<std::uint64_t>(fast), std::bit_cast<std::uint64_t>(cells)) << fast << " vs " << cells;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(fast), std::bit_cast<std::uint64_t>(reference));
  }
}

TEST(UnitMecGreedyEntropy, EdgeCasesAndErrors) {
  const Marginal one = {1.0};
  EXPECT_EQ(mec::greedy_coupling_entropy(one, one), 0.0);
  EXPECT_EQ(mec::greedy_coupling_entropy(one, {0.25, 0.75}), mec::entropy_bits(Marginal{0.25, 0.75}));
  // The spec's example: greedy = optimum = 1.76096 bits for p = (.5, .4, .1), q = (.6, .2, .2).
  EXPECT_NEAR(mec::greedy_coupling_entropy({.5, .4, .1}, {.6, .2, .2}), 1.76096, 1e-5);
  // Ties and zeros: a uniform pair couples on the diagonal.
  const Marginal uniform = {0.25, 0, 0.25, 0.25, 0.25};
  EXPECT_EQ(mec::greedy_coupling_entropy(uniform, uniform), 2.0);
  // The same errors as greedy_coupling: sums that differ, a bad dust.
  EXPECT_THROW(mec::greedy_coupling_entropy({0.5, 0.5}, {0.3, 0.3}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::greedy_coupling_entropy({0.3, 0.3}, {0.5, 0.5}), paperkit::InvalidParameter);
  mec::GreedyOptions bad;
  bad.dust = 1e-3;
  EXPECT_THROW(mec::greedy_coupling_entropy(one, one, bad), paperkit::InvalidParameter);
}

TEST(UnitMecRankSort, MatchesStdSort) {
  paperkit::Rng rng(base_seed() + 2);
  std::vector<RankedEntry> buffer;
  for (std::size_t n : {0, 1, 2, 5, 255, 256, 257, 1000, 1023, 1024, 1025, 5000}) {
    for (int variant = 0; variant < 5; ++variant) {
      std::vector<RankedEntry> entries;
      for (std::uint32_t j = 0; j < n; ++j) {
        // Distinct random values, a handful of tied values, values of widely spread magnitude,
        // values a few ulps apart (they agree on the high bits both sorts look at first: short
        // and long runs to put in order), or few-ulp values with gaps in the indices.
        double v = variant == 0   ? rng.uniform01() + 1e-300
                   : variant == 1 ? static_cast<double>(1 + rng.uniform_below(5)) / 7
                   : variant == 2 ? std::ldexp(1 + rng.uniform01(), -static_cast<int>(rng.uniform_below(900)))
                                  : 0.125;
        if (variant >= 3) {
          for (std::uint64_t steps = rng.uniform_below(j % 7 == 0 ? 40 : 3000); steps > 0; --steps) {
            v = std::nextafter(v, 1.0);
          }
        }
        entries.push_back(RankedEntry::of(v, variant == 4 ? 3 * j + static_cast<std::uint32_t>(j % 2) : j));
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
      const bool heap_wins = heap.settle(has_outside, has_outside ? stream[next] : RankedEntry{0, 0, 0});
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
