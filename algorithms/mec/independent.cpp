// The independent coupling p_1 x ... x p_k (coupling.hpp, spec baseline B1).
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/coupling.hpp"

namespace paperkit::mec {

double independent_entropy(const std::vector<Marginal>& marginals) {
  double h = 0;
  for (const auto& p : marginals) h += entropy_bits(std::span<const double>(p));
  return h;
}

Coupling independent_coupling(const std::vector<Marginal>& marginals, std::size_t max_cells) {
  Coupling out;
  out.k = marginals.size();
  // Only nonzero entries make cells; count them first so the size check comes before any work.
  std::vector<std::vector<std::uint32_t>> support(out.k);
  std::size_t cells = 1;
  for (std::size_t i = 0; i < out.k; ++i) {
    out.sizes.push_back(marginals[i].size());
    for (std::size_t j = 0; j < marginals[i].size(); ++j) {
      if (marginals[i][j] > 0) support[i].push_back(static_cast<std::uint32_t>(j));
    }
    if (support[i].size() > 0 && cells > max_cells / support[i].size()) {
      throw InvalidParameter("the independent coupling has more than " + std::to_string(max_cells) + " cells");
    }
    cells *= support[i].size();
  }
  if (out.k == 0) return out;
  out.mass.reserve(cells);
  out.index.reserve(cells * out.k);
  // Odometer over the supports, last marginal fastest (row-major order).
  std::vector<std::size_t> pos(out.k, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    double m = 1;
    for (std::size_t i = 0; i < out.k; ++i) {
      const std::uint32_t j = support[i][pos[i]];
      out.index.push_back(j);
      m *= marginals[i][j];
    }
    // A product of tiny entries can underflow; such a cell carries no mass.
    if (m > 0) {
      out.mass.push_back(m);
    } else {
      out.index.resize(out.index.size() - out.k);
    }
    for (std::size_t i = out.k; i-- > 0;) {
      if (++pos[i] < support[i].size()) break;
      pos[i] = 0;
    }
  }
  return out;
}

}  // namespace paperkit::mec
