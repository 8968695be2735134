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
// (a_c, b_c: occurrences of c in P and T; L: FFT length). Units are nanoseconds; the defaults
// are the spec's measurements [run] and `paperkit-hamming bench --calibrate` re-measures them.
struct CostModel {
  double alpha_ns_per_pair = 1.0;      // one (text occurrence, pattern occurrence) pair
  double beta_ns_per_fft_unit = 0.36;  // one L*log2(L) unit: a real FFT plus the multiply-add
};

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
// number of distinct symbols in P; dna is true when P and T use at most 4 distinct symbols.
std::string choose_algorithm(std::size_t n, std::size_t m, std::size_t sigma_pattern, bool small_alphabet);

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
