// Google Benchmark kernels for paperkit::mec: greedy coupling of two Dirichlet(1) marginals of
// size n against std::sort of n doubles (issue 5's goal: within 2x of sorting), and the meet
// bound. Inputs are built once per size outside the timed loop; the sort times a copy plus the
// sort, the greedy its heaps, cells and output (what a caller pays).
//
//   build/bench/mec_bench --benchmark_filter='Greedy|Sort'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <vector>

#include "paperkit/common/rng.hpp"
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

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {50, 1000, 100000, 1000000}) b->Arg(n);
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_GreedyCoupling)->Apply(sizes);
BENCHMARK(BM_SortDoubles)->Apply(sizes);
BENCHMARK(BM_MeetBound)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
