// Robust mixing rules (aggregators) behind one interface, for float and double vectors.
//
// Every rule maps m received vectors R = (r_0 .. r_{m-1}) of dimension d (given as row pointers, so
// a caller never copies models) and, for the rules that use one, a pivot index p (the receiver's own
// model in R) to one output vector. f is the declared number of Byzantine vectors among the m.
//
//   average   mean of all m                                              (plain D-SGD mixing)
//   nna       Nearest-Neighbour Average (MoNNA, Farhadkhani et al. 2023): stable-sort R by
//             ||r - r_p||_2 (ties: order of R), mean of the first m - f   (ByzFL MoNNA(f, idx=p))
//   cwtm      coordinate-wise trimmed mean: drop the f smallest and f largest, average the rest
//   cwmed     coordinate-wise median (mean of the two middle values when m is even)
//   meamed    per coordinate, mean of the m - f values closest to the median (ties: smaller value)
//   gm        geometric median, RFA smoothed Weiszfeld: z = 0; repeat T: w_r = (1/m)/max(||z-r||, nu);
//             z = sum w_r r / sum w_r                                    (defaults nu = 0.1, T = 3)
//   krum      the r with the smallest score = sum of the k smallest (squared, by default) distances to
//             the others; k = --krum-neighbors (default m - f - 2, Blanchard et al.; ByzFL: m - f - 1)
//   multikrum mean of the m - f best-scoring vectors (same score)
//   scc       clipped gossip (SCC): v = r_p; repeat L: v += mean_r clip(r - v, tau)
//
// Exactness and tolerances: average, cwtm, cwmed and meamed are exact up to the rounding of one
// sum in a fixed order (the selected vectors summed in their order in R, then divided by the count),
// and equal inputs are returned exactly (see mean_of). nna with f = 0 is the average bitwise; with
// f > 0 it forms the kept rows' sum as (sum of all rows, taken during the distance pass) minus (the f
// excluded rows), in T, wherever the excluded rows are no farther from the pivot than the kept ones
// in that block of coordinates, and by mean_of elsewhere; its error is then u |mean| + 3 (m + f + 4) u
// times the kept rows' largest distance to the pivot in that block (u: T's unit roundoff), of the
// order of the direct sum's, never scaled by a Byzantine magnitude; consensus (equal kept rows) is
// returned exactly (algorithms/robust/aggregators.cpp, Mixer::nna). nna distances: double input in
// double; float input in float per 256-coordinate chunk, then double (within 1.2e-6 relative), so
// its selection equals the direct double formula's except on relative near-ties of ~1e-14 (double)
// or ~1e-6 (float; tests/robust/kernel_test.cpp).
// gm and krum use the Gram matrix of R (one pass, double accumulators, register-tiled) for their distances:
// ||a-b||^2 = <a,a> + <b,b> - 2<a,b>, whose absolute error is about m * 1e-16 * max ||r||^2; gm's
// nu floor and krum's ordering are insensitive to it except on near-ties (tested to 1e-12 relative
// on the spec's oracle values, 1e-10 against the direct Weiszfeld on random inputs). gm on float
// input first uses the Gram matrix of r_0 and r_i - r_0 in float products (float sums over 256
// coordinates, then double; entry error <= 2.2e-6 ||v_i|| ||v_j||), so distances carry errors relative
// to the rows' spread, not their norms; wherever that bound exceeds 1/8192 of a squared distance
// (or of nu^2), or an entry is not finite, it falls back to the double Gram above. Every summation
// order is fixed by m and d alone (nna: and the selection), never by a thread count.
//
// Non-finite input (a Byzantine NaN or Inf vector) never crashes a rule. nna: a NaN distance sorts
// as +inf. Coordinate-wise rules: NaN sorts as +inf. gm: a vector with a non-finite squared norm gets
// weight 0 and is left out of every sum. krum: its distances are +inf. scc: a non-finite difference
// norm contributes nothing. So as long as at most f inputs are non-finite, nna, cwtm, cwmed, meamed,
// gm, krum, multikrum and scc return finite values; average propagates them by design.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace paperkit::robust {

enum class Rule { average, nna, cwtm, cwmed, meamed, gm, krum, multikrum, scc };

// "average", "nna", ... ; throws InvalidParameter naming --rule for anything else.
Rule parse_rule(const std::string& name, const std::string& flag = "--rule");
std::string rule_name(Rule rule);
// Every rule name, in the order of the enum (for help texts and sweeps).
const std::vector<std::string>& rule_names();

struct RuleOptions {
  Rule rule = Rule::nna;
  std::size_t f = 0;         // declared Byzantine count among the m inputs
  long krum_neighbors = -1;  // k for krum/multikrum; -1: m - f - 2 (at least 1)
  bool krum_squared = true;  // score with squared distances (Blanchard, ByzFL); false: LPD code
  double gm_nu = 0.1;        // smoothing floor nu (> 0)
  int gm_iters = 3;          // Weiszfeld iterations T (>= 1)
  double scc_tau = 1.0;      // clipping radius tau (> 0)
  int scc_iters = 3;         // clipped gossip iterations L (>= 1)
};

// Checks the options alone (finite positive nu and tau, iterations >= 1, krum_neighbors >= -1);
// throws InvalidParameter naming the flag.
void validate(const RuleOptions& options);
// Checks that the rule is defined for m inputs with f declared Byzantine: nna, meamed and multikrum
// need m > f; cwtm needs m > 2f; krum's k must lie in [1, m - 1]; every rule needs m >= 1.
void validate_count(const RuleOptions& options, std::size_t m);
// The effective krum k for m inputs.
std::size_t krum_k(const RuleOptions& options, std::size_t m);

template <class T>
class SharedGram;

// Reusable mixer: owns its scratch space, so a training loop mixes without allocating.
// Not thread-safe; use one per thread.
template <class T>
class Mixer {
 public:
  explicit Mixer(RuleOptions options);
  const RuleOptions& options() const { return options_; }

  // Lends the mixer the Gram matrix of a set of rows (nullptr: none): krum, multikrum and gm's
  // double Gram then read their entries from it whenever every row they get is in the set, with
  // the same bits as computing them (see SharedGram). The set must outlive its use.
  void share_gram(const SharedGram<T>* shared) { shared_ = shared; }

  // out = rule(rows), each row of length d; pivot indexes rows (used by nna and scc).
  // Throws InvalidParameter when validate_count fails or pivot >= rows.size().
  void mix(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out);

  // Indices (into rows) that the last nna, krum or multikrum call selected, in row order.
  const std::vector<std::size_t>& selected() const { return selected_; }

 private:
  void nna(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out);
  void gram(std::span<const T* const> rows, std::size_t d);
  void gram_float(std::span<const T* const> rows, std::size_t d);
  bool weiszfeld(const std::vector<double>& g, const std::vector<double>& norm2, double base_norm, double eps);
  void gm(std::span<const T* const> rows, std::size_t d, std::span<T> out);
  void krum(std::span<const T* const> rows, std::size_t d, std::span<T> out, bool multi);
  void scc(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out);
  void coordinatewise(std::span<const T* const> rows, std::size_t d, std::span<T> out);

  friend class SharedGram<T>;

  RuleOptions options_;
  const SharedGram<T>* shared_ = nullptr;
  std::vector<double> dist_, gram_, gram_acc_, weights_, block_, partial_, coef_;
  std::vector<std::size_t> order_, selected_, excluded_;
  std::vector<T> lanes_, work_, sums_, nna_block_;
  std::vector<const void*> prefetch_;
};

// The Gram matrix G_ij = <r_i, r_j> (double) of a set of distinct rows, computed once for several
// mixers whose rows are drawn from the set: the simulator's honest half steps plus the Byzantine
// vector, shared by all honest nodes' krum in one step instead of one Gram per node. Each entry is
// a function of its two rows alone (fixed blocks, lanes and order; the two factors of a product
// commute exactly), so it does not depend on which other rows are present or where: a mixer that
// reads it gets the bits it would compute. Rows are recognised by address.
template <class T>
class SharedGram {
 public:
  SharedGram() : mixer_(RuleOptions{}) {}
  void compute(std::span<const T* const> rows, std::size_t d);
  // out = the m x m Gram of `rows` if every row is in the set (true); false otherwise.
  bool lookup(std::span<const T* const> rows, std::vector<double>& out) const;

 private:
  Mixer<T> mixer_;
  std::vector<const T*> rows_;
  std::vector<double> gram_;
  mutable std::vector<std::size_t> at_;
};

// The mean of the rows listed in `which` (in that order), computed as r_0 + sum_s (r_s - r_0) / k so
// that equal inputs return exactly that input: the one summation every "mean of a selection" rule
// shares, so their results agree bitwise.
template <class T>
void mean_of(std::span<const T* const> rows, std::span<const std::size_t> which, std::size_t d, std::span<T> out);

// Squared Euclidean distance accumulated in double (fixed blocked order).
template <class T>
double squared_distance(const T* a, const T* b, std::size_t d);

// Comparator pairs (i, j), i < j, of Batcher's odd-even merge sorting network for m inputs.
const std::vector<std::pair<unsigned, unsigned>>& sorting_network(std::size_t m);

}  // namespace paperkit::robust
