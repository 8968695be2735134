// EBIM beyond deterministic maps: the Theorem 3 refinement (spec A5) and a brute-force
// reference over small stochastic encoders (for the Fig. 2 experiment and the tests).
//
// Theorem 3 (from secondary summaries [S]) gives the optimal first-order moves away from a
// deterministic map p_XT with H(T) = R_g:
//   +eps: normalize the columns (p(x|t)); the cell of smallest p(x|t) moves mass delta to a new
//         empty column in its row (H(T) rises);
//   -eps: the column of smallest sum gives delta from its smallest cell to the column of largest
//         sum, same row (H(T) falls).
// Following the paper's Fig. 2 we trace delta over a grid of [0, p(cell)] for both moves; taking
// delta that far (finite delta, not eps) is an inference [I]. ebim_refine traces every
// deterministic map Algorithm 1 visits at rate R (ebim_visited_maps) and keeps the best
// (H(T), I(X;T)) with H(T) <= R, where I(X;T) = H(X) + H(T) - H(X,T). Where consecutive grid
// points straddle H(T) = R, the crossing is located by bisection (design choice [I], on by
// default; off gives the grid alone). Since delta = 0 is Algorithm 1's own answer, the refined
// I(X;T) is never below it. Ties (deterministic): smallest p(x|t) -> lowest symbol x; smallest
// or largest column sum -> the column listed first (columns are ordered by smallest symbol);
// the largest column is sought among the others when it would be the source itself.
// Measured (experiments/mec/fig2_envelope.py, p_X = [0.7, 0.2, 0.1], 101 rates): from the
// visited maps the refined value is up to 0.131 bits below a brute-force search (Alg. 1 never
// visits {0,2},{1}); with all_maps it is never below it (to 3e-13 bits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/mec/distribution.hpp"
#include "paperkit/mec/ebim.hpp"

namespace paperkit::mec {

using Partition = std::vector<std::vector<std::uint32_t>>;  // cells of symbols, ordered by smallest symbol

// The deterministic maps Algorithm 1 (ebim_deterministic) evaluates at rate R, in order: the
// singletons of the support, then per step the smallest-pair candidate and the map after the
// largest-pair merge. The last entry is the map ebim_deterministic returns. Reimplemented
// here with the same tie rules (tests check the last entry equals ebim_deterministic's).
std::vector<Partition> ebim_visited_maps(const Marginal& p, double rate);

// One traced point: the encoder is the deterministic `map` with `delta` moved (move '+' or '-',
// or '0' for the map itself) from (x, from) to (x, to); `to` == number of cells is the new column.
struct EbimMove {
  char kind = '0';
  std::uint32_t x = 0, from = 0, to = 0;
  double delta = 0;
  double h_t = 0, i_xt = 0;
};

// Every deterministic map: all set partitions of the support (Bell(n) of them), cells ordered by
// smallest symbol. Throws InvalidParameter beyond kMaxAllMaps symbols (Bell(10) = 115975).
inline constexpr std::size_t kMaxAllMaps = 10;
std::vector<Partition> ebim_all_maps(const Marginal& p);

// Both moves of `map` traced over delta = k p(x) / grid, k = 0..grid (2 (grid + 1) points; the
// move absent when the map has one cell for '-'). `p` from prepare_marginal.
std::vector<EbimMove> ebim_trace(const Marginal& p, const Partition& map, std::size_t grid);

struct EbimRefineOptions {
  std::size_t grid = 256;  // points per move: delta = k p(cell) / grid
  bool crossings = true;   // bisect for H(T) = R between straddling grid points [I]
  bool all_maps = false;   // also trace every set partition of the support (Fig. 2's "every candidate map")
};

struct EbimRefineResult {
  EbimResult deterministic;                  // Algorithm 1 at R
  double h_t = 0;                            // H(T) of the refined encoder (<= R)
  double mutual_information = 0;             // its I(X;T) >= deterministic.mutual_information
  std::vector<std::vector<double>> encoder;  // p(t|x), one row per symbol of p (zero-mass: all on t = 0)
  std::vector<double> p_t;                   // the marginal of T
  std::size_t maps = 0;                      // deterministic maps traced
  std::size_t source_map = 0;                // the best point's map: index into ebim_visited_maps, then ebim_all_maps
  EbimMove move;                             // and which move
};

// With all_maps, the maps are those of ebim_visited_maps followed by ebim_all_maps (the paper's
// Fig. 2 envelope, for small supports). Throws InvalidParameter unless R is finite and >= 0
// and grid >= 1, or all_maps with a support above kMaxAllMaps.
EbimRefineResult ebim_refine(const Marginal& p, double rate, const EbimRefineOptions& options = {});

// I(X;T) in bits of the encoder p(t|x) under p_X, by sum_x,t p(x) p(t|x) log2(p(t|x) / p(t)).
double encoder_mutual_information(const Marginal& p, const std::vector<std::vector<double>>& encoder);
// H(T) in bits of the same encoder.
double encoder_code_entropy(const Marginal& p, const std::vector<std::vector<double>>& encoder);

// Brute-force reference for small |X| (the Fig. 2 check): every encoder whose rows p(t|x) lie
// on the grid {k / steps} of the simplex over `codes` values of T (the first row with
// non-increasing entries: T's labels are interchangeable), then, for each rate, `polish`
// random local moves (mass shifted between two entries of one row, or of two rows at once;
// step shrinking from 1 / steps to 1e-5 / steps) from the best grid encoder, kept when
// H(T) <= rate and I(X;T) rises. Returns the
// best I(X;T) per rate (rates need not be sorted). A lower estimate of the optimum over
// encoders with `codes` values of T. Cost: about C(steps + codes - 1, codes - 1)^n / codes!
// evaluations; throws InvalidParameter beyond `max_evaluations`.
struct EbimBruteOptions {
  std::size_t codes = 3;
  std::size_t steps = 24;
  std::size_t polish = 20000;
  std::size_t max_evaluations = 400'000'000;
};
std::vector<double> ebim_brute_force(const Marginal& p, const std::vector<double>& rates, Rng& rng,
                                     const EbimBruteOptions& options = {});

}  // namespace paperkit::mec
