// Google Benchmark for paperkit::ldp frequency oracles: users/s for perturb + decode (per-user
// mode, every report generated and read back) at eps = 1, d in {2^6, 2^10, 2^14}, n = 10^6
// users (OLH/BLH at d = 2^14: n = 10^5, since their exact decode is O(n d) hashes), one thread.
// Reports are made and decoded in chunks of 2^16 users, as a server would stream them; the
// items follow a Zipf(1.1) histogram. Aggregate mode (support counts from their law) is timed
// separately: its cost is O(d), independent of n.
//
//   build/bench/ldp_fo_bench --benchmark_filter=PerUser
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/ldp/ldp.hpp"

namespace {

namespace ldp = paperkit::ldp;

constexpr std::size_t kChunk = std::size_t{1} << 16;

std::vector<std::uint64_t> zipf_items(std::size_t n, std::uint64_t d) {
  std::vector<double> cdf(d);
  double total = 0;
  for (std::uint64_t v = 0; v < d; ++v) cdf[v] = total += std::pow(double(v + 1), -1.1);
  paperkit::Rng rng(7);
  std::vector<std::uint64_t> items(n);
  for (auto& x : items) {
    const double u = rng.uniform01() * total;
    x = static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    if (x >= d) x = d - 1;
  }
  return items;
}

void BM_PerUser(benchmark::State& state) {
  const auto kind = static_cast<ldp::OracleKind>(state.range(0));
  const auto d = static_cast<std::uint64_t>(state.range(1));
  const auto n = static_cast<std::size_t>(state.range(2));
  const ldp::FrequencyOracle o(kind, 1.0, d);
  const auto items = zipf_items(n, d);
  std::uint64_t stream = 0;
  double checksum = 0;
  for (auto _ : state) {
    std::vector<std::uint64_t> support(d, 0);
    for (std::size_t first = 0; first < n; first += kChunk) {
      const std::size_t last = std::min(n, first + kChunk);
      const std::span<const std::uint64_t> chunk(items.data() + first, last - first);
      const auto batch = o.perturb_all(chunk, 42, stream++, 1);
      const auto s = o.support_counts(batch, 1);
      for (std::uint64_t v = 0; v < d; ++v) support[v] += s[v];
    }
    const auto est = o.estimate_from_support(support, n);
    checksum += est[0];
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetLabel(o.description() + " n=" + std::to_string(n));
}

void BM_Aggregate(benchmark::State& state) {
  const auto kind = static_cast<ldp::OracleKind>(state.range(0));
  const auto d = static_cast<std::uint64_t>(state.range(1));
  const std::size_t n = 1'000'000;
  const ldp::FrequencyOracle o(kind, 1.0, d);
  std::vector<std::uint64_t> counts(d, 0);
  for (auto v : zipf_items(n, d)) ++counts[v];
  paperkit::Rng rng(3);
  for (auto _ : state) {
    const auto est = o.simulate_aggregate(counts, rng);
    benchmark::DoNotOptimize(est.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetLabel(o.description() + " n=1e6 (users/s equivalent)");
}

void per_user_args(benchmark::internal::Benchmark* b) {
  using K = ldp::OracleKind;
  for (K k : {K::grr, K::sue, K::oue, K::olh, K::blh, K::hr}) {
    for (std::int64_t d : {64, 1024, 16384}) {
      const bool hashed = k == K::olh || k == K::blh;
      b->Args({static_cast<std::int64_t>(k), d, hashed && d == 16384 ? 100'000 : 1'000'000});
    }
  }
}

void aggregate_args(benchmark::internal::Benchmark* b) {
  using K = ldp::OracleKind;
  for (K k : {K::grr, K::oue, K::olh, K::hr}) {
    for (std::int64_t d : {64, 1024, 16384}) b->Args({static_cast<std::int64_t>(k), d});
  }
}

}  // namespace

BENCHMARK(BM_PerUser)->Apply(per_user_args)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(1);
BENCHMARK(BM_Aggregate)->Apply(aggregate_args)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
