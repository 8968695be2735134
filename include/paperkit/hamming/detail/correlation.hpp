// Internal: the pieces `fft`, `abrahamson` and `hybrid` share (spec A3, A4).
//
// All three count matches per shift, match[i] = #{j : P[j] = T[i+j]}, as a sum over pattern
// symbols c of the correlation of c's indicator in T with c's indicator in P, and then set
// HD[i] = m - match[i]. Each symbol's share is computed either by FFT (add_fft_matches, cost
// ~ blocks * L log2 L per symbol) or by enumerating occurrence pairs (add_pair_matches, cost
// ~ a_c * b_c per symbol); the methods differ only in which symbols go where.
#pragma once

#ifndef PAPERKIT_HAMMING_INTERNAL
#error "paperkit/hamming/detail headers are internal: include paperkit/hamming/hamming.hpp"
#endif

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming::detail {

using SymbolId = std::uint32_t;

// The distinct symbols of P numbered 0 .. sigma-1, and P and T rewritten as those numbers.
// A text symbol absent from P can never match and gets none() = sigma. Symbols are arbitrary
// 32-bit values (looked up through a direct table or a hash table, never a 256-entry table).
struct SymbolTable {
  std::vector<Symbol> symbols;              // distinct symbols of P, ascending; the id is the index
  std::vector<SymbolId> pattern_ids;        // id of P[j]
  std::vector<SymbolId> text_ids;           // id of T[k], or none()
  std::vector<std::size_t> pattern_counts;  // a_c: occurrences of id c in P
  SymbolId none() const { return static_cast<SymbolId>(symbols.size()); }
  std::size_t sigma() const { return symbols.size(); }
  std::size_t n() const { return text_ids.size(); }
  std::size_t m() const { return pattern_ids.size(); }
};

SymbolTable make_symbol_table(std::span<const Symbol> text, std::span<const Symbol> pattern, int threads);

// b_c: occurrences of each pattern symbol id in T (size sigma).
std::vector<std::size_t> text_counts(const SymbolTable& table);

// Block geometry of the FFT methods: L = 2^ceil(log2(2m)), step = L - m + 1; block b covers
// T[b*step, b*step + L) zero-padded past n and yields shifts b*step .. b*step + step - 1.
struct FftGeometry {
  std::size_t length = 0;  // L
  std::size_t step = 0;
  std::size_t blocks = 0;  // B = ceil((n - m + 1) / step)
};
FftGeometry fft_geometry(std::size_t n, std::size_t m);

// Adds to match[i] (i in [0, n-m]) the matches at shift i whose symbol id is in `ids`, by
// double-precision FFT correlation, two symbols per complex transform. Throws InternalError
// when the exactness guard trips, so a rounding failure can never produce a wrong answer.
// Output identical for any thread count. The pattern spectra of at most `pairs_per_group`
// symbol pairs are held at once (0: as many as fit in 128 MiB; more pairs then cost one more
// inverse FFT per block and group); tests lower it to exercise the split.
void add_fft_matches(const SymbolTable& table, std::span<const SymbolId> ids, int threads, std::span<Distance> match,
                     std::size_t pairs_per_group = 0);

// Adds the same quantity by enumerating, for every text position k holding a symbol in `ids`,
// the pattern occurrences j of that symbol (match[k - j] += 1). Cost ~ sum over ids of
// a_c * b_c. Output identical for any thread count.
void add_pair_matches(const SymbolTable& table, std::span<const SymbolId> ids, int threads, std::span<Distance> match);

// match[i] -> m - match[i], in place.
void matches_to_distances(std::span<Distance> out, std::size_t m);

// --- exactness guard -----------------------------------------------------------------------

// An FFT output that should equal an integer count is accepted only while it lies closer than
// this to one. Double-precision round-off at these sizes is ~1e-10, so tripping means a bug.
inline constexpr double kRoundingLimit = 0.25;

// max over x of |x - round(x)|, or +infinity when some round(x) lies outside [lowest, highest]
// (a count can be neither negative nor larger than m).
double max_rounding_error(std::span<const double> x, double lowest, double highest);

// Throws InternalError naming the block and the error unless error < kRoundingLimit.
void check_exactness(double error, std::size_t block, std::size_t length);

// Abrahamson's heavy-symbol threshold t: `requested` when > 0, else ceil(sqrt(m log2 m)),
// at least 1 (log2 1 = 0 would make every symbol heavy at m = 1).
double abrahamson_threshold(std::size_t m, double requested);

}  // namespace paperkit::hamming::detail
