// MEC-B composition (mecb.hpp, spec A6).
#include "paperkit/mec/mecb.hpp"

#include <algorithm>
#include <span>

namespace paperkit::mec {

namespace {

EbimResult encode(const Marginal& px, double rate, MecbEncoder encoder) {
  return encoder == MecbEncoder::greedy ? ebim_deterministic(px, rate) : uniform_quantization(px, rate);
}

// p(x, y): row x is J_TY's row t = g(x), in J_TY's cell order, scaled by p_X(x) / p_T(t). J_TY's
// cells are grouped by t with a counting sort, so each row is one contiguous run.
Coupling compose(const Marginal& px, const EbimResult& enc, const Coupling& code, std::size_t ny) {
  const std::size_t cells = enc.cells.size();
  std::vector<std::uint32_t> cell_of(px.size(), 0);
  for (std::size_t t = 0; t < cells; ++t) {
    for (auto x : enc.cells[t]) cell_of[x] = static_cast<std::uint32_t>(t);
  }
  std::vector<std::size_t> start(cells + 1, 0);
  for (std::size_t c = 0; c < code.cells(); ++c) ++start[code.cell(c)[0] + 1];
  for (std::size_t t = 0; t < cells; ++t) start[t + 1] += start[t];
  std::vector<std::size_t> grouped(code.cells()), next(start.begin(), start.end() - 1);
  for (std::size_t c = 0; c < code.cells(); ++c) grouped[next[code.cell(c)[0]]++] = c;

  Coupling joint;
  joint.k = 2;
  joint.sizes = {px.size(), ny};
  std::size_t total = 0;
  for (std::size_t x = 0; x < px.size(); ++x) {
    if (px[x] > 0) total += start[cell_of[x] + 1] - start[cell_of[x]];
  }
  joint.index.reserve(2 * total);
  joint.mass.reserve(total);
  for (std::size_t x = 0; x < px.size(); ++x) {
    // Zero-mass symbols are in no greedy cell, and in uniform blocks they would add zero cells.
    if (px[x] <= 0) continue;
    const std::size_t t = cell_of[x];
    const double scale = px[x] / enc.masses[t];
    for (std::size_t k = start[t]; k < start[t + 1]; ++k) {
      const std::size_t c = grouped[k];
      joint.index.push_back(static_cast<std::uint32_t>(x));
      joint.index.push_back(code.cell(c)[1]);
      joint.mass.push_back(scale * code.mass[c]);
    }
  }
  return joint;
}

}  // namespace

Coupling mecb_joint(const Marginal& px, const Marginal& py, double rate, MecbEncoder encoder) {
  const EbimResult enc = encode(px, rate, encoder);
  return compose(px, enc, greedy_coupling({enc.masses, py}), py.size());
}

MecbResult mecb(const Marginal& px, const Marginal& py, double rate, MecbEncoder encoder) {
  MecbResult r;
  r.encoder = encode(px, rate, encoder);
  r.code = greedy_coupling({r.encoder.masses, py});
  r.joint = compose(px, r.encoder, r.code, py.size());

  const double hx = entropy_bits(std::span<const double>(px));
  const double hy = entropy_bits(std::span<const double>(py));
  r.h_t = r.encoder.mutual_information;
  r.i_xt = r.h_t;  // deterministic encoder: H(T | X) = 0
  // Mutual information is >= 0; the differences of entropies can round to about -1e-16 when T
  // carries nothing (R = 0), so clamp rather than print -0.000.
  r.i_ty = std::max(0.0, r.h_t + hy - entropy_bits(r.code));
  r.h_xy = entropy_bits(r.joint);
  r.i_xy = std::max(0.0, hx + hy - r.h_xy);
  return r;
}

}  // namespace paperkit::mec
