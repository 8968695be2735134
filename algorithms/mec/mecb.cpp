// MEC-B composition (mecb.hpp, spec A6).
#include "paperkit/mec/mecb.hpp"

#include <algorithm>
#include <span>

namespace paperkit::mec {

MecbResult mecb(const Marginal& px, const Marginal& py, double rate, MecbEncoder encoder) {
  MecbResult r;
  r.encoder = encoder == MecbEncoder::greedy ? ebim_deterministic(px, rate) : uniform_quantization(px, rate);
  r.code = greedy_coupling({r.encoder.masses, py});

  // T = g(X): the cell of each symbol, and J_TY's cells grouped by t so each row is one lookup.
  std::vector<std::size_t> cell_of(px.size(), 0);
  for (std::size_t t = 0; t < r.encoder.cells.size(); ++t) {
    for (auto x : r.encoder.cells[t]) cell_of[x] = t;
  }
  std::vector<std::vector<std::size_t>> code_cells(r.encoder.cells.size());
  for (std::size_t c = 0; c < r.code.cells(); ++c) code_cells[r.code.cell(c)[0]].push_back(c);

  r.joint.k = 2;
  r.joint.sizes = {px.size(), py.size()};
  for (std::size_t x = 0; x < px.size(); ++x) {
    // Zero-mass symbols are in no greedy cell, and in uniform blocks they would add zero cells.
    if (px[x] <= 0) continue;
    const std::size_t t = cell_of[x];
    const double scale = px[x] / r.encoder.masses[t];
    for (std::size_t c : code_cells[t]) {
      r.joint.index.push_back(static_cast<std::uint32_t>(x));
      r.joint.index.push_back(r.code.cell(c)[1]);
      r.joint.mass.push_back(scale * r.code.mass[c]);
    }
  }

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
