// Google Benchmark kernels for paperkit::hamming (one thread unless --benchmark_filter says
// otherwise): every algorithm on the bundled E. coli and KJV texts, and the machine's
// popcount throughput, against which bitpar's cells/s is reported (bench/README.md).
//
//   build/bench/hamming_bench --benchmark_filter='Popcount|ecoli/16384'
#include <benchmark/benchmark.h>

#include <bit>
#if defined(__AVX512BW__)
#include <immintrin.h>
#endif
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
// needs one popcount per 64 DNA cells (before its XOR/OR/AND and loads). Two methods, and the
// machine's popcount throughput is the faster: scalar POPCNT with four independent sums (one
// chain would measure latency), and, with AVX-512BW, the nibble-lookup popcount (VPSHUFB +
// VPSADBW, Mula-Kurz-Lemire) that bitpar itself uses on CPUs without VPOPCNTDQ.
std::vector<std::uint64_t> random_words(std::size_t bytes) {
  std::vector<std::uint64_t> buffer(bytes / 8);
  paperkit::Rng rng(1);
  for (auto& w : buffer) w = rng();
  return buffer;
}

void report_popcounts(benchmark::State& state, std::size_t words) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * words * 8));
  state.counters["popcounts_per_s"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_PopcountScalar(benchmark::State& state) {
  const auto buffer = random_words(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::uint64_t sums[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i + 4 <= buffer.size(); i += 4) {
      for (int k = 0; k < 4; ++k) sums[k] += static_cast<std::uint64_t>(std::popcount(buffer[i + k]));
    }
    benchmark::DoNotOptimize(sums[0] + sums[1] + sums[2] + sums[3]);
  }
  report_popcounts(state, buffer.size());
}
BENCHMARK(BM_PopcountScalar)->Arg(16 << 10)->Arg(1 << 20)->Arg(64 << 20);

#if defined(__AVX512BW__)
void BM_PopcountAvx512NibbleLut(benchmark::State& state) {
  const auto buffer = random_words(static_cast<std::size_t>(state.range(0)));
  // Intrinsics that GCC 12 implements with _mm512_undefined_* (broadcast, reduce) trip its
  // -Wuninitialized, so the table is loaded and the sum stored instead.
  alignas(64) std::uint8_t table[64];
  for (int i = 0; i < 64; ++i) table[i] = static_cast<std::uint8_t>(std::popcount(static_cast<unsigned>(i & 15)));
  const __m512i lut = _mm512_load_si512(table);
  const __m512i low = _mm512_set1_epi8(0x0f);
  for (auto _ : state) {
    __m512i total = _mm512_setzero_si512();
    for (std::size_t i = 0; i + 8 <= buffer.size(); i += 8) {
      const __m512i v = _mm512_loadu_si512(buffer.data() + i);
      const __m512i counts =
          _mm512_add_epi8(_mm512_shuffle_epi8(lut, _mm512_and_si512(v, low)),
                          _mm512_shuffle_epi8(lut, _mm512_and_si512(_mm512_maskz_srli_epi64(0xff, v, 4), low)));
      total = _mm512_add_epi64(total, _mm512_sad_epu8(counts, _mm512_setzero_si512()));
    }
    alignas(64) std::uint64_t lanes[8];
    _mm512_store_si512(lanes, total);
    benchmark::DoNotOptimize(lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7]);
  }
  report_popcounts(state, buffer.size());
}
BENCHMARK(BM_PopcountAvx512NibbleLut)->Arg(16 << 10)->Arg(1 << 20)->Arg(64 << 20);
#endif

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
