// Registry, validation and dispatch for paperkit::hamming.
#define PAPERKIT_HAMMING_INTERNAL
#include "paperkit/hamming/hamming.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/detail/kernels.hpp"

namespace paperkit::hamming {
namespace {

struct Entry {
  AlgorithmInfo info;
  void (*kernel)(const detail::Problem&);
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {{"naive", "row by row, O(nm): the oracle"}, detail::naive},
      {{"naive-simd", "loops interchanged so the compiler vectorizes over shifts, O(nm)"}, detail::naive_simd},
      {{"bitpar", "bit planes, 64 shifted pattern copies, popcount: O(nm/64) for <= 4 symbols, else per symbol"},
       detail::bitpar},
      {{"fft", "double-precision FFT correlation per pattern symbol, two per complex FFT, O(sigma_P n log m)"},
       detail::fft},
      {{"abrahamson", "symbols in P > sqrt(m log2 m) times by FFT, the rest by occurrence pairs, O(n sqrt(m log m))"},
       detail::abrahamson},
      {{"hybrid", "per symbol FFT or occurrence pairs, whichever the cost model says is cheaper"}, detail::hybrid},
  };
  return entries;
}

const Entry* find(std::string_view name) {
  for (const auto& e : registry())
    if (e.info.name == name) return &e;
  return nullptr;
}

}  // namespace

const std::vector<AlgorithmInfo>& algorithms() {
  static const std::vector<AlgorithmInfo> infos = [] {
    std::vector<AlgorithmInfo> v;
    for (const auto& e : registry()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

bool is_algorithm(std::string_view name) {
  return name == "auto" || find(name) != nullptr;
}

void validate(const Options& options) {
  if (!is_algorithm(options.algorithm)) {
    std::string names = "auto";
    for (const auto& a : algorithms()) names += "|" + a.name;
    throw InvalidParameter("--algo must be one of " + names + " (got " + options.algorithm + ")");
  }
  if (options.threads < 1) {
    throw InvalidParameter("--threads must be >= 1 (got " + std::to_string(options.threads) + ")");
  }
  if (!std::isfinite(options.threshold) || options.threshold < 0) {
    throw InvalidParameter("--threshold must be finite and > 0 (got " + std::to_string(options.threshold) + ")");
  }
  if (!std::isfinite(options.cost.alpha_ns_per_pair) || options.cost.alpha_ns_per_pair <= 0) {
    throw InvalidParameter("--alpha must be finite and > 0 (got " + std::to_string(options.cost.alpha_ns_per_pair) +
                           ")");
  }
  if (!std::isfinite(options.cost.beta_ns_per_fft_unit) || options.cost.beta_ns_per_fft_unit <= 0) {
    throw InvalidParameter("--beta must be finite and > 0 (got " + std::to_string(options.cost.beta_ns_per_fft_unit) +
                           ")");
  }
}

// Crossovers measured on the development machine (2-core Xeon @ 2.5 GHz, AVX-512, one thread,
// n ~ 4-5 million; spec section 4 has the same shape):
// - DNA (E. coli): naive-simd wins below m ~ 64, bitpar up to m ~ 1.2e4 (m = 8192: bitpar
//   0.26 s, fft 0.35 s; m = 16384: 0.49 s against 0.38 s), fft above (m = 65536: 1.29 s
//   against 0.42 s). Without bitpar, fft overtakes naive-simd near m = 512.
// - Other alphabets: hybrid pays ~0.8 ns per occurrence pair, about n m / sigma_P pairs, plus
//   a fixed ~40 ms for symbol lookup; naive-simd pays ~0.07 ns per cell. Hybrid won from
//   m * sigma_P ~ 2.5e4 on random texts (sigma 26: m ~ 1000; sigma 256: m ~ 256; sigma 65536:
//   m ~ 128) and from m ~ 1000-2000 on KJV (73 symbols, skewed), 4x at m = 16384.
// n does not move these crossovers: every method is linear in n.
std::string choose_algorithm(std::size_t n, std::size_t m, std::size_t sigma_pattern, bool small_alphabet) {
  (void)n;
  if (small_alphabet) {
    if (m < 64) return "naive-simd";
    if (find("bitpar") != nullptr) return m <= 12288 ? "bitpar" : "fft";
    return m < 512 ? "naive-simd" : "fft";
  }
  return m >= 2048 || m * sigma_pattern >= 24576 ? "hybrid" : "naive-simd";
}

std::vector<Distance> distances(std::span<const Symbol> text, std::span<const Symbol> pattern, const Options& options) {
  validate(options);
  if (pattern.empty()) throw InvalidParameter("the pattern must not be empty (m = 0)");
  if (text.size() < pattern.size()) return {};
  std::vector<Distance> out(text.size() - pattern.size() + 1);
  find(resolve_algorithm(text, pattern, options))->kernel(detail::Problem{text, pattern, out, options});
  return out;
}

namespace {

// True when a and b together hold at most `limit` distinct symbols; stops at the first extra
// one, so DNA-sized alphabets cost one pass and large ones stop early.
bool at_most_distinct(std::span<const Symbol> a, std::span<const Symbol> b, std::size_t limit) {
  std::vector<Symbol> seen;
  for (auto part : {a, b}) {
    for (Symbol s : part) {
      if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
      if (seen.size() == limit) return false;
      seen.push_back(s);
    }
  }
  return true;
}

}  // namespace

std::string resolve_algorithm(std::span<const Symbol> text, std::span<const Symbol> pattern, const Options& options) {
  if (options.algorithm != "auto") return options.algorithm;
  return choose_algorithm(text.size(), pattern.size(), count_distinct(pattern), at_most_distinct(text, pattern, 4));
}

std::uint64_t checksum_fnv1a64(std::span<const Distance> hd) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (Distance d : hd) {
    for (int byte = 0; byte < 4; ++byte) {
      h ^= (d >> (8 * byte)) & 0xffu;
      h *= 0x100000001b3ULL;
    }
  }
  return h;
}

std::uint64_t sum_matches(std::span<const Distance> hd, std::size_t m) {
  std::uint64_t total = 0;
  for (Distance d : hd) total += m - d;
  return total;
}

std::uint64_t total_matches_by_counting(std::span<const Symbol> text, std::span<const Symbol> pattern) {
  const std::size_t n = text.size(), m = pattern.size();
  if (m == 0 || n < m) return 0;
  // For P[j], the text window of its matches is T[j .. j + n - m]. Walk j upward and keep, per
  // symbol, the count of occurrences inside the sliding window [j, j + n - m].
  std::unordered_map<Symbol, std::uint64_t> in_window;
  const std::size_t width = n - m + 1;
  for (std::size_t k = 0; k < width; ++k) ++in_window[text[k]];
  std::uint64_t total = 0;
  for (std::size_t j = 0; j < m; ++j) {
    if (j > 0) {
      --in_window[text[j - 1]];
      ++in_window[text[j + width - 1]];
    }
    auto it = in_window.find(pattern[j]);
    if (it != in_window.end()) total += it->second;
  }
  return total;
}

std::size_t count_distinct(std::span<const Symbol> symbols) {
  std::vector<Symbol> sorted(symbols.begin(), symbols.end());
  std::sort(sorted.begin(), sorted.end());
  return static_cast<std::size_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
}

}  // namespace paperkit::hamming
