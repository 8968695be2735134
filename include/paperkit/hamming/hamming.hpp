// Text-to-pattern Hamming distances (paperkit::hamming).
//
// For a pattern P of length m and a text T of length n over 32-bit symbols, computes
//   HD[i] = #{ j in [0, m) : P[j] != T[i + j] }   for every i in [0, n - m].
// Every algorithm is exact (integer output, no tolerance) and returns the same vector as
// `naive`, the oracle, for any thread count. See ../shared/specs/hamming.md for the algorithms.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paperkit::hamming {

using Symbol = std::uint32_t;
using Distance = std::uint32_t;

// Cost model of `hybrid`: a pattern symbol c is convolved by FFT iff
//   alpha * a_c * b_c > beta * blocks * L * log2(L)
// (a_c, b_c: occurrences of c in P and T; L: FFT length). Units are nanoseconds of one core.
// The defaults are calibrate_cost_model(1) (`paperkit-hamming bench --calibrate`) on the
// development machine (2-core Xeon @ 2.5 GHz, AVX-512, FFTW 3.3.10): alpha 0.84-0.87,
// beta 0.29-0.32 over six runs, close to the spec's 0.8-1.25 and 0.36. On KJV at m = 16384
// hybrid's time was flat for beta in 0.2-0.3 and 10-20% slower at 0.1 or 0.6-1.0.
struct CostModel {
  double alpha_ns_per_pair = 0.86;     // one (text occurrence, pattern occurrence) pair
  double beta_ns_per_fft_unit = 0.30;  // one L*log2(L) unit: one more symbol's FFT and multiply-add
};

// Measures the cost model on this machine in about half a second, on fixed synthetic inputs:
// alpha from the occurrence-pair loop (nanoseconds per pair counted), beta from the marginal
// cost of one more FFT-correlated symbol (nanoseconds per L*log2(L), L = 16384). Processor
// time summed over `threads` threads, so the values are per-core costs; only the ratio
// alpha/beta steers `hybrid`, and any values give the same (exact) output. Throws
// InvalidParameter when threads < 1.
CostModel calibrate_cost_model(int threads = 1);

struct Options {
  std::string algorithm = "auto";  // a name from algorithms(), or "auto"
  int threads = 1;                 // OpenMP threads over text blocks; output identical for any value
  double threshold = 0;            // abrahamson: heavy-symbol threshold t; 0 = ceil(sqrt(m log2 m))
  CostModel cost;                  // hybrid
};

struct AlgorithmInfo {
  std::string name;
  std::string summary;  // one line: method and complexity
};

// Every algorithm that `Options::algorithm` can name, except "auto". Order is stable.
const std::vector<AlgorithmInfo>& algorithms();
bool is_algorithm(std::string_view name);  // true for "auto" too

// Throws InvalidParameter naming the offending field: unknown algorithm, threads < 1,
// threshold negative or not finite, cost-model constants not finite and > 0.
void validate(const Options& options);

// The algorithm `auto` runs for these sizes (never "auto" itself). sigma_pattern is the
// number of distinct symbols in P; small_alphabet is true when P and T use at most 4
// distinct symbols together (DNA). Rule, from measured crossovers (see hamming.cpp):
//   small_alphabet: m < 64 naive-simd; m <= 12288 bitpar; larger fft
//                   (without bitpar in the build: m < 512 naive-simd, else fft);
//   otherwise:      hybrid when m >= 2048 or m * sigma_pattern >= 24576, else naive-simd.
std::string choose_algorithm(std::size_t n, std::size_t m, std::size_t sigma_pattern, bool small_alphabet);

// The algorithm distances() will run: options.algorithm, or choose_algorithm's pick for
// "auto" (small_alphabet = P and T together use at most 4 distinct symbols, decided by a scan
// that stops at the 5th symbol).
std::string resolve_algorithm(std::span<const Symbol> text, std::span<const Symbol> pattern, const Options& options);

// HD for every shift. An empty pattern throws InvalidParameter; n < m gives an empty vector.
std::vector<Distance> distances(std::span<const Symbol> text, std::span<const Symbol> pattern,
                                const Options& options = {});

// --- checks and summaries --------------------------------------------------------------

// FNV-1a 64 over the distances written as little-endian u32: the checksum tools print.
std::uint64_t checksum_fnv1a64(std::span<const Distance> hd);

// sum_i (m - HD[i]): the total number of matching cells.
std::uint64_t sum_matches(std::span<const Distance> hd, std::size_t m);

// The same total computed independently in O(n + m) with per-symbol prefix counts:
//   sum_j #{k in [j, j + n - m] : T[k] = P[j]}.  Equal to sum_matches(HD) for a correct HD.
std::uint64_t total_matches_by_counting(std::span<const Symbol> text, std::span<const Symbol> pattern);

std::size_t count_distinct(std::span<const Symbol> symbols);

}  // namespace paperkit::hamming
