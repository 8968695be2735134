// Google Benchmark kernels for paperkit::robust: every mixing rule on n = 26 vectors of d = 1e5
// (f = 5), float64 and float32, one thread, beside one read pass over the same n*d input
// (BM_OnePass: the sum of all values, the floor a rule that reads its input must pay). The input is
// Gaussian from a fixed seed, or the raw row-major float64 file named by PAPERKIT_ROBUST_BENCH_INPUT
// (n x d, as written by bench/robust_side_by_side.py, so both sides see the same arrays). With
// PAPERKIT_ROBUST_BENCH_OUT=DIR each rule's output is written to DIR/<rule>_<dtype>.bin for checking.
//
//   build/bench/robust_bench --benchmark_filter='Nna|OnePass'
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/robust/aggregators.hpp"

namespace {

namespace robust = paperkit::robust;

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

const std::size_t kN = env_size("PAPERKIT_ROBUST_BENCH_N", 26);
const std::size_t kD = env_size("PAPERKIT_ROBUST_BENCH_D", 100000);
const std::size_t kF = env_size("PAPERKIT_ROBUST_BENCH_F", 5);

const std::vector<double>& input() {
  static const std::vector<double> x = [] {
    std::vector<double> v(kN * kD);
    if (const char* path = std::getenv("PAPERKIT_ROBUST_BENCH_INPUT")) {
      std::ifstream in(path, std::ios::binary);
      in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double)));
      if (!in) {
        std::fprintf(stderr, "robust_bench: cannot read %zu x %zu float64 from %s\n", kN, kD, path);
        std::exit(3);
      }
      return v;
    }
    paperkit::Rng rng(20230701);
    for (auto& e : v) {
      const double u1 = 1.0 - rng.uniform01(), u2 = rng.uniform01();
      e = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    return v;
  }();
  return x;
}

template <class T>
const std::vector<T>& data() {
  static const std::vector<T> x(input().begin(), input().end());
  return x;
}

template <class T>
std::vector<const T*> rows() {
  std::vector<const T*> r;
  for (std::size_t i = 0; i < kN; ++i) r.push_back(data<T>().data() + i * kD);
  return r;
}

template <class T>
void maybe_dump(const std::string& rule, const std::vector<T>& out) {
  const char* dir = std::getenv("PAPERKIT_ROBUST_BENCH_OUT");
  if (!dir) return;
  const std::string path = std::string(dir) + "/" + rule + (sizeof(T) == 8 ? "_float64" : "_float32") + ".bin";
  std::vector<double> wide(out.begin(), out.end());
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(wide.data()), static_cast<std::streamsize>(wide.size() * sizeof(double)));
}

template <class T>
void BM_Mix(benchmark::State& state, robust::Rule rule) {
  robust::RuleOptions o;
  o.rule = rule;
  o.f = kF;
  if (rule == robust::Rule::krum || rule == robust::Rule::multikrum) o.krum_neighbors = long(kN - kF - 1);  // ByzFL
  robust::Mixer<T> mixer(o);
  const auto r = rows<T>();
  std::vector<T> out(kD);
  for (auto _ : state) {
    mixer.mix(r, kD, 0, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  maybe_dump(robust::rule_name(rule), out);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kN * kD * sizeof(T)));
}

// One read pass over the n*d input: the sum of every value (8 independent lanes so it vectorises).
template <class T>
void BM_OnePass(benchmark::State& state) {
  const auto& x = data<T>();
  for (auto _ : state) {
    T acc[8] = {};
    for (std::size_t i = 0; i + 8 <= x.size(); i += 8) {
      for (std::size_t l = 0; l < 8; ++l) acc[l] += x[i + l];
    }
    T s = 0;
    for (T a : acc) s += a;
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * x.size() * sizeof(T)));
}

void register_all() {
  for (const auto& name : robust::rule_names()) {
    const auto rule = robust::parse_rule(name);
    benchmark::RegisterBenchmark(("BM_Mix<double>/" + name).c_str(), BM_Mix<double>, rule)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Mix<float>/" + name).c_str(), BM_Mix<float>, rule)->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_OnePass<double>", BM_OnePass<double>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_OnePass<float>", BM_OnePass<float>)->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
