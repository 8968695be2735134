// Google Benchmark kernels for paperkit::hamming (one thread unless --benchmark_filter says
// otherwise): every algorithm on the bundled E. coli and KJV texts, and the machine's
// popcount throughput, against which bitpar's cells/s is reported (bench/README.md).
//
//   build/bench/hamming_bench --benchmark_filter='Popcount|ecoli/16384'
#include <benchmark/benchmark.h>

#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "paperkit/hamming/io.hpp"

#ifndef PAPERKIT_SOURCE_DIR
#error "PAPERKIT_SOURCE_DIR must point at the repository (set by bench/CMakeLists.txt)"
#endif

namespace {

namespace hd = paperkit::hamming;

const std::vector<hd::Symbol>& text(const std::string& name) {
  static std::map<std::string, std::vector<hd::Symbol>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const std::string dir = std::string(PAPERKIT_SOURCE_DIR) + "/data/";
    auto seq = name == "ecoli" ? hd::read_sequence(dir + "ecoli.fna.gz", hd::InputFormat::fasta)
                               : hd::read_sequence(dir + "kjv.txt.gz", hd::InputFormat::raw);
    it = cache.emplace(name, std::move(seq)).first;
  }
  return it->second;
}

// 64-bit popcounts per second over a buffer of the given size: the ceiling for bitpar, which
// needs one popcount per 64 DNA cells (before its XOR/OR/AND and loads).
void BM_Popcount(benchmark::State& state) {
  const std::size_t words = static_cast<std::size_t>(state.range(0)) / 8;
  std::vector<std::uint64_t> buffer(words);
  paperkit::Rng rng(1);
  for (auto& w : buffer) w = rng();
  for (auto _ : state) {
    std::uint64_t total = 0;
    for (std::uint64_t w : buffer) total += static_cast<std::uint64_t>(std::popcount(w));
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * words * 8));
  state.counters["popcounts_per_s"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Popcount)->Arg(16 << 10)->Arg(1 << 20)->Arg(64 << 20);

void BM_Distances(benchmark::State& state, std::string dataset, std::string algo, std::size_t m) {
  if (!hd::is_algorithm(algo)) {
    state.SkipWithError(("algorithm not built: " + algo).c_str());
    return;
  }
  const auto& t = text(dataset);
  const std::span<const hd::Symbol> pattern(t.data() + t.size() / 3, m);
  hd::Options options;
  options.algorithm = algo;
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    const auto out = hd::distances(t, pattern, options);
    checksum = hd::checksum_fnv1a64(out);
  }
  const double cells = static_cast<double>(t.size() - m + 1) * static_cast<double>(m);
  state.counters["cells_per_s"] = benchmark::Counter(cells, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["checksum_low32"] = static_cast<double>(checksum & 0xffffffffu);
}

int register_all() {
  for (const std::string dataset : {"ecoli", "kjv"}) {
    for (std::size_t m : {1024u, 16384u}) {
      for (const auto& info : hd::algorithms()) {
        if (info.name == "naive") continue;  // the oracle; naive-simd is the O(nm) baseline
        if (info.name == "bitpar" && dataset != "ecoli" && m > 1024) continue;  // O(sigma nm/64): minutes
        benchmark::RegisterBenchmark(("Distances/" + dataset + "/" + std::to_string(m) + "/" + info.name).c_str(),
                                     BM_Distances, dataset, info.name, m)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(0.5);
      }
    }
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
