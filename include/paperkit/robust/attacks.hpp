// Byzantine attacks on the honest half-step models (spec monna_set2seq.md §2a, [V-code]).
//
// Each attack sees every honest model (a rushing adversary) and returns one vector b, which all f
// Byzantine peers send to every honest node. With x̄ the honest mean:
//   alie   ("a little is enough")  b = x̄ + z·σ, σ the coordinate-wise std (ddof = 1)
//   foe    ("fall of empires")      b = x̄ − z·x̄
//   sf     (sign flipping)          b = −x̄
//   lf     (label flipping)         b = x̄ − γ_t·mean_i ∇ℓ(x_t^i; y → 9 − y): the caller passes γ_t·mean∇
//   mimic                           b = the first honest model
// For alie and foe, z = line_maximize(φ) with φ(z) = ‖mean_i Rule_i(H ∪ {b(z)}^f) − x̄‖², where node i
// mixes all honest models plus f copies of b with its own model as pivot (R = honest in order, then
// the copies, so ties go to honest models). For nna and scc, φ is evaluated from the Gram matrix of
// the centred honest models and the direction (one O(m²d) pass, then O(m²) per z and node, spec
// §8); the result agrees with the direct evaluation to about 1e-10 relative (tested), so the chosen
// z is the same except on near-ties. Other rules are evaluated directly (one mix of m + f vectors
// per z; pivot-free rules give every node the same output).
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "paperkit/robust/aggregators.hpp"

namespace paperkit::robust {

enum class Attack { none, alie, foe, sf, lf, mimic };

Attack parse_attack(const std::string& name, const std::string& flag = "--attack");
std::string attack_name(Attack attack);

struct LineSearch {
  int evals = 16;  // total evaluations of φ, the first at `start` (>= 1)
  double start = 0.0;
  double delta = 1.0;
  double ratio = 0.8;  // in (0, 1)
};

void validate(const LineSearch& search);

// Best-effort arg-max of φ over z >= 0 by exploration, as the authors' code runs it [V-code, spec
// §2a; the contraction branch follows the spec's description "±delta"]:
//   best = start; evaluate. Expansion: propose best + delta; if better, accept and double delta,
//   else delta *= ratio and stop. Contraction: while evaluations remain, step from the last
//   proposal x: x + delta if x < best, else x − delta (halved toward x while negative); accept if
//   better; delta *= ratio. Returns the best z found; `trace` receives every (z, φ(z)) evaluated.
double line_maximize(const std::function<double(double)>& phi, const LineSearch& search,
                     std::vector<std::pair<double, double>>* trace = nullptr);

struct AttackOptions {
  Attack type = Attack::alie;
  std::size_t f = 1;                                          // Byzantine copies sent to each honest node
  RuleOptions target;                                         // the rule φ simulates (target.f is the declared f)
  LineSearch search;                                          // alie / foe strength search
  double fixed_z = std::numeric_limits<double>::quiet_NaN();  // finite: use this z, no search
};

template <class T>
struct Crafted {
  std::vector<T> vector;                         // b
  double z = 0;                                  // strength used (alie, foe)
  std::vector<std::pair<double, double>> trace;  // (z, φ(z)) evaluated by the search
};

// The honest mean x̄ and, for alie, σ (ddof = 1) in double accumulators.
template <class T>
void honest_moments(std::span<const T* const> honest, std::size_t d, std::vector<T>& mean, std::vector<T>* stddev);

// φ(z) for b(z) = x̄ + z·u, evaluated directly by mixing (the reference the fast path is tested against).
template <class T>
double attack_objective_direct(const RuleOptions& target, std::size_t f, std::span<const T* const> honest,
                               std::size_t d, std::span<const T> mean, std::span<const T> direction, double z);

// Inner products of e_j = h_j − x̄ (the honest models centred on x̄, formed per coordinate in
// double) and the direction u, accumulated in coordinate order: every vector the φ of nna or scc
// needs is x̄ + Σ_j a_j e_j + β u, so its distances follow from these in O(m²).
struct CenteredGram {
  template <class T>
  CenteredGram(std::span<const T* const> honest, std::size_t d, std::span<const T> mean, std::span<const T> direction);
  std::size_t m;
  std::vector<double> ee;  // m x m, <e_i, e_j>
  std::vector<double> ue;  // <u, e_j>
  double uu = 0;           // <u, u>
  // <a e + β u, b e + γ u> for coefficient vectors a, b (length m).
  double inner(std::span<const double> a, double beta, std::span<const double> b, double gamma) const;
};

// Fast φ for nna: precomputes the centred Gram matrix once.
class NnaObjective {
 public:
  template <class T>
  NnaObjective(std::size_t f, std::span<const T* const> honest, std::size_t d, std::span<const T> mean,
               std::span<const T> direction)
      : f_(f), gram_(honest, d, mean, direction) {}
  double operator()(double z) const;

 private:
  std::size_t f_;
  CenteredGram gram_;
};

// Fast φ for scc (clipped gossip, aggregators.hpp): node i's iterate stays x̄ + Σ_j a_j e_j + β u,
// so each of the L iterations updates (a, β) from the m + 1 distinct distances, read off the
// Gram matrix: O(L m²) per node and z instead of O(L (m + f) d).
class SccObjective {
 public:
  template <class T>
  SccObjective(const RuleOptions& target, std::size_t f, std::span<const T* const> honest, std::size_t d,
               std::span<const T> mean, std::span<const T> direction)
      : f_(f), tau_(target.scc_tau), iters_(target.scc_iters), gram_(honest, d, mean, direction) {}
  double operator()(double z) const;

 private:
  std::size_t f_;
  double tau_;
  int iters_;
  CenteredGram gram_;
};

// Crafts b. `lf_step` (length d) is γ_t·mean_i ∇ℓ on flipped labels, needed by lf only.
template <class T>
Crafted<T> craft_attack(const AttackOptions& options, std::span<const T* const> honest, std::size_t d,
                        std::span<const T> lf_step = {});

}  // namespace paperkit::robust
