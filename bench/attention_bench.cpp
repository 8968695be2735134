// Google Benchmark for CPU decode attention (issue 7: "decode attention reaches >= 50% of measured
// memory bandwidth"). One decode step (q_len = 1, causal at the end) of a GQA shape (q_heads 32,
// kv_heads 8, head_dim 128, fp32) at context lengths 1k..64k and batch 1 and 4, with 1 and 2
// threads. Counters: kv_bytes (K + V read once), GBps (kv_bytes / time) and pct_read_bw, its
// percentage of the read bandwidth measured in this process with the same thread count
// (paperkit::attention::measure_bandwidth, best of 5 over 256 MiB). The K/V sets rotate so that
// together they exceed 256 MiB: short contexts do not run out of the 36 MiB L3.
//
//   build/bench/attention_bench --benchmark_filter=Decode --benchmark_min_time=0.5
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/bandwidth.hpp"
#include "paperkit/common/rng.hpp"

namespace {

namespace attn = paperkit::attention;

constexpr double kRotateBytes = 256.0 * 1048576.0;

double read_bandwidth(int threads) {
  static std::map<int, double> measured;
  auto it = measured.find(threads);
  if (it == measured.end()) it = measured.emplace(threads, attn::measure_bandwidth(threads).read_gbs).first;
  return it->second;
}

std::vector<float> seeded(std::size_t n, std::uint64_t block) {
  paperkit::Rng rng = paperkit::Rng::for_block(20261126, 0, block);
  std::vector<float> x(n);
  for (auto& value : x) value = static_cast<float>(2.0 * rng.uniform01() - 1.0);
  return x;
}

// Args: kv_len, batch, threads.
void BM_DecodeAttention(benchmark::State& state) {
  const attn::Shape shape{state.range(1), 32, 8, 1, state.range(0), 128};
  const int threads = static_cast<int>(state.range(2));
  const double bandwidth = read_bandwidth(threads);
  const double bytes = attn::decode_kv_bytes(shape.batch, shape.kv_heads, shape.kv_len, shape.head_dim);
  const auto sets = static_cast<std::size_t>(std::clamp(std::ceil(kRotateBytes / bytes), 1.0, 64.0));
  const auto q = seeded(shape.q_elements(), 0);
  std::vector<std::vector<float>> k, v;
  for (std::size_t s = 0; s < sets; ++s) {
    k.push_back(seeded(shape.kv_elements(), 1 + 2 * s));
    v.push_back(seeded(shape.kv_elements(), 2 + 2 * s));
  }
  omp_set_num_threads(threads);
  const attn::Mask decode{attn::MaskKind::causal, 0, 0, true};
  const float scale = static_cast<float>(attn::default_scale(shape.head_dim));
  std::size_t next = 0;
  for (auto _ : state) {
    const attn::Partial got = attn::partial_attention(shape, q, k[next], v[next], attn::KeyRange{}, decode, scale);
    benchmark::DoNotOptimize(got.out.data());
    next = (next + 1) % sets;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(bytes)));
  state.counters["kv_bytes"] = bytes;
  state.counters["kv_sets"] = static_cast<double>(sets);
  state.counters["read_bw_GBps"] = bandwidth;
  state.counters["GBps"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pct_read_bw"] =
      benchmark::Counter(100.0 * bytes / 1e9 / bandwidth, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ReadBandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  double gbs = 0.0;
  for (auto _ : state) gbs = attn::measure_bandwidth(threads, std::size_t{256} << 20, 1).read_gbs;
  state.counters["read_GBps"] = gbs;
}

void decode_shapes(benchmark::internal::Benchmark* b) {
  for (std::int64_t threads : {1, 2}) {
    for (std::int64_t batch : {1, 4}) {
      for (std::int64_t len : {1024, 4096, 16384, 65536}) b->Args({len, batch, threads});
    }
  }
  b->ArgNames({"kv_len", "batch", "threads"});
  b->Unit(benchmark::kMillisecond);
  b->UseRealTime();
}

BENCHMARK(BM_DecodeAttention)->Apply(decode_shapes);
BENCHMARK(BM_ReadBandwidth)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
