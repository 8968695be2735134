// Google Benchmark kernels for paperkit::mec: greedy coupling of two Dirichlet(1) marginals of
// size n (cells, or the entropy only) against std::sort of n doubles (issue 5's goal: within 2x
// of sorting) and against one of its own two sorts (RankSortMarginal), the meet bound,
// and EBIM Algorithm 1 (O(n log n) with heaps) at R = H(p)/2. Inputs are built once per size
// outside the timed loop; the sort times a copy plus the sort, the greedy its sorting, heaps,
// cells and output (what a caller pays). Peers: bench/README.md (mec).
//
//   build/bench/mec_bench --benchmark_filter='Greedy|Sort'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <span>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/mec/detail/rank_sort.hpp"
#include "paperkit/mec/mec.hpp"

namespace {

namespace mec = paperkit::mec;

const std::vector<mec::Marginal>& pair_of_size(std::size_t n) {
  static std::map<std::size_t, std::vector<mec::Marginal>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) {
    paperkit::Rng rng(20240501 + n);
    std::vector<mec::Marginal> ps = {mec::dirichlet(n, 1.0, rng), mec::dirichlet(n, 1.0, rng)};
    it = cache.emplace(n, mec::prepare_marginals(ps)).first;
  }
  return it->second;
}

void BM_GreedyCoupling(benchmark::State& state) {
  const auto& ps = pair_of_size(static_cast<std::size_t>(state.range(0)));
  std::size_t cells = 0;
  for (auto _ : state) {
    const auto j = mec::greedy_coupling(ps);
    cells = j.cells();
    benchmark::DoNotOptimize(j.mass.data());
  }
  state.counters["cells"] = static_cast<double>(cells);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The same greedy steps keeping only the masses: H without building the coupling.
void BM_GreedyCouplingEntropy(benchmark::State& state) {
  const auto& ps = pair_of_size(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(mec::greedy_coupling_entropy(ps[0], ps[1]));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// One of greedy's two sorts: the positive entries of one marginal (value, index) into rank order
// (rank_sort.hpp), allocation included, as greedy pays it.
void BM_RankSortMarginal(benchmark::State& state) {
  const auto& p = pair_of_size(static_cast<std::size_t>(state.range(0)))[0];
  for (auto _ : state) {
    std::vector<mec::detail::RankedEntry> entries, buffer;
    entries.reserve(p.size());
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (p[j] > 0) entries.push_back(mec::detail::RankedEntry::of(p[j], static_cast<std::uint32_t>(j)));
    }
    mec::detail::sort_ranked(entries, buffer);
    benchmark::DoNotOptimize(entries.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_SortDoubles(benchmark::State& state) {
  const auto& p = pair_of_size(static_cast<std::size_t>(state.range(0)))[0];
  std::vector<double> work(p.size());
  for (auto _ : state) {
    std::copy(p.begin(), p.end(), work.begin());
    std::sort(work.begin(), work.end());
    benchmark::DoNotOptimize(work.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_MeetBound(benchmark::State& state) {
  const auto& ps = pair_of_size(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(mec::meet_entropy(ps));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_EbimDeterministic(benchmark::State& state) {
  const auto& p = pair_of_size(static_cast<std::size_t>(state.range(0)))[0];
  const double rate = mec::entropy_bits(std::span<const double>(p)) / 2;
  std::size_t cells = 0;
  for (auto _ : state) {
    const auto result = mec::ebim_deterministic(p, rate);
    cells = result.cells.size();
    benchmark::DoNotOptimize(result.masses.data());
  }
  state.counters["cells"] = static_cast<double>(cells);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {50, 1000, 100000, 1000000}) b->Arg(n);
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_GreedyCoupling)->Apply(sizes);
BENCHMARK(BM_GreedyCouplingEntropy)->Apply(sizes);
BENCHMARK(BM_RankSortMarginal)->Apply(sizes);
BENCHMARK(BM_SortDoubles)->Apply(sizes);
BENCHMARK(BM_MeetBound)->Apply(sizes);
BENCHMARK(BM_EbimDeterministic)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
