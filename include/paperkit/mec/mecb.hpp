// MEC-B: minimum-entropy coupling with a bottleneck (Ebrahimi, Chen, Khisti, NeurIPS 2024; spec
// A6, the authors' `bottlenecked_min_ent_coupling`). X is compressed to a code T with H(T) <= R by
// an EBIM encoder, T is coupled to Y by greedy MEC, and the two are chained through T:
//   p(x, y) = sum_t p(x, t) J_TY(t, y) / p_T(t).
// The encoders here are deterministic (T = g(X)), so the sum has one term, I(X;T) = H(T), and
// X - T - Y is a Markov chain: I(X;Y) <= H(T) <= R. Entropies in bits.
#pragma once

#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/distribution.hpp"
#include "paperkit/mec/ebim.hpp"

namespace paperkit::mec {

enum class MecbEncoder {
  greedy,   // ebim_deterministic (Algorithm 1, spec A4); the spec's CLI calls it `search`
  uniform,  // uniform_quantization (baseline B3; the authors' comp_method='scalar_quant')
};

struct MecbResult {
  EbimResult encoder;  // the cells of X (T = cell id) and p_T
  Coupling code;       // J_TY: greedy coupling of p_T and p_Y (index 0 = cell, 1 = y)
  Coupling joint;      // p(x, y), k = 2, sizes {|X|, |Y|}; cells ordered by x, then as in J_TY
  double h_t = 0;      // H(T) = I(X;T)
  double i_xt = 0;     // I(X;T)
  double i_ty = 0;     // I(T;Y) = H(T) + H(Y) - H(J_TY)
  double i_xy = 0;     // I(X;Y) = H(X) + H(Y) - H(X,Y)
  double h_xy = 0;     // H(X,Y)
};

// `px` and `py` must come from prepare_marginal. Throws InvalidParameter unless R is finite and
// >= 0. The marginals of `joint` equal px and py to about 1e-12 (greedy's tolerance): each row
// x of the joint is p_X(x) times the normalized row t(x) of J_TY.
MecbResult mecb(const Marginal& px, const Marginal& py, double rate, MecbEncoder encoder = MecbEncoder::greedy);

// Only mecb(...).joint, bit for bit, without the entropies and mutual informations (one log2 per
// cell of every distribution involved): the coding game's step needs just the joint.
Coupling mecb_joint(const Marginal& px, const Marginal& py, double rate, MecbEncoder encoder = MecbEncoder::greedy);

}  // namespace paperkit::mec
