// A4 `hybrid`: abrahamson's split made per symbol by a cost model. Symbol c costs
//   alpha * a_c * b_c            by occurrence pairs (a_c, b_c: its counts in P and T), or
//   beta * B * L * log2(L)       by FFT (B blocks of length L),
// and goes to the cheaper side, so under the model it is never slower than abrahamson (which
// fixes the split by a_c alone). Also calibrate_cost_model, which measures alpha and beta.
#define PAPERKIT_HAMMING_INTERNAL
#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/hamming/detail/correlation.hpp"
#include "paperkit/hamming/detail/kernels.hpp"

namespace paperkit::hamming {
namespace detail {

void hybrid(const Problem& p) {
  const SymbolTable table = make_symbol_table(p.text, p.pattern, p.options.threads);
  const std::vector<std::size_t> in_text = text_counts(table);
  const FftGeometry geo = fft_geometry(table.n(), table.m());
  const double length = static_cast<double>(geo.length);
  const double fft_cost =
      p.options.cost.beta_ns_per_fft_unit * static_cast<double>(geo.blocks) * length * std::log2(length);
  std::vector<SymbolId> heavy, light;
  for (std::size_t c = 0; c < table.sigma(); ++c) {
    const double pair_cost = p.options.cost.alpha_ns_per_pair * static_cast<double>(table.pattern_counts[c]) *
                             static_cast<double>(in_text[c]);
    (pair_cost > fft_cost ? heavy : light).push_back(static_cast<SymbolId>(c));
  }
  std::fill(p.out.begin(), p.out.end(), 0u);
  add_fft_matches(table, heavy, p.options.threads, p.out);
  add_pair_matches(table, light, p.options.threads, p.out);
  matches_to_distances(p.out, p.pattern.size());
}

}  // namespace detail

namespace {

std::vector<Symbol> random_symbols(Rng& rng, std::size_t count, std::uint64_t sigma) {
  std::vector<Symbol> v(count);
  for (auto& s : v) s = static_cast<Symbol>(rng.uniform_below(sigma));
  return v;
}

// Processor time of the whole process (all threads) in nanoseconds. Unlike wall-clock time
// it does not count the time the process waits while other processes hold the cores, which
// on a loaded 2-core machine otherwise doubled single measurements.
double cpu_ns() {
  return static_cast<double>(std::clock()) * (1e9 / CLOCKS_PER_SEC);
}

template <class F>
double timed_ns(F&& work) {
  const double start = cpu_ns();
  work();
  return cpu_ns() - start;
}

}  // namespace

// The three measurements are interleaved and each keeps its fastest run, so that load from
// other processes disturbs alpha and beta alike and their ratio, which is all that hybrid
// uses, stays put.
CostModel calibrate_cost_model(int threads) {
  if (threads < 1) throw InvalidParameter("--threads must be >= 1 (got " + std::to_string(threads) + ")");
  using namespace detail;
  Rng rng(Rng::default_seed);
  constexpr std::uint64_t kSigma = 16;
  std::vector<SymbolId> ids(kSigma);
  for (std::size_t c = 0; c < ids.size(); ++c) ids[c] = static_cast<SymbolId>(c);

  // alpha: every symbol by occurrence pairs; the pairs counted are exactly the matches.
  const auto pair_text = random_symbols(rng, std::size_t{1} << 17, kSigma);
  const auto pair_pattern = random_symbols(rng, 1024, kSigma);
  const SymbolTable pair_table = make_symbol_table(pair_text, pair_pattern, threads);
  const double pairs = static_cast<double>(total_matches_by_counting(pair_text, pair_pattern));
  std::vector<Distance> pair_match(pair_text.size() - pair_pattern.size() + 1);

  // beta: the marginal cost of 8 more FFT-correlated symbols (10 against 2; the inverse FFT
  // cancels out), at L = 16384, in the range where hybrid's choice matters.
  const auto fft_text = random_symbols(rng, std::size_t{1} << 19, kSigma);
  const auto fft_pattern = random_symbols(rng, 8192, kSigma);
  const SymbolTable fft_table = make_symbol_table(fft_text, fft_pattern, threads);
  const FftGeometry geo = fft_geometry(fft_text.size(), fft_pattern.size());
  std::vector<Distance> fft_match(fft_text.size() - fft_pattern.size() + 1);

  double pair_ns = INFINITY, few_ns = INFINITY, many_ns = INFINITY;
  const std::span<const SymbolId> few(ids.data(), 2), many(ids.data(), 10);
  for (int round = 0; round < 3; ++round) {
    pair_ns = std::min(pair_ns, timed_ns([&] { add_pair_matches(pair_table, ids, threads, pair_match); }));
    few_ns = std::min(few_ns, timed_ns([&] { add_fft_matches(fft_table, few, threads, fft_match); }));
    many_ns = std::min(many_ns, timed_ns([&] { add_fft_matches(fft_table, many, threads, fft_match); }));
  }
  const double length = static_cast<double>(geo.length);
  const double units = 8.0 * static_cast<double>(geo.blocks) * length * std::log2(length);
  CostModel model;
  model.alpha_ns_per_pair = pair_ns / pairs;
  // Noise could make the difference tiny or negative; an FFT symbol is never free.
  model.beta_ns_per_fft_unit = std::max(many_ns - few_ns, 0.1 * many_ns) / units;
  return model;
}

}  // namespace paperkit::hamming
