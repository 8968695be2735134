// Coupling helpers shared by every algorithm: entropy and marginals (coupling.hpp).
#include "paperkit/mec/coupling.hpp"

namespace paperkit::mec {

double entropy_bits(const Coupling& coupling) {
  return entropy_bits(std::span<const double>(coupling.mass));
}

std::vector<Marginal> marginals_of(const Coupling& coupling) {
  std::vector<std::vector<long double>> sums(coupling.k);
  for (std::size_t i = 0; i < coupling.k; ++i) sums[i].assign(coupling.sizes[i], 0.0L);
  for (std::size_t c = 0; c < coupling.cells(); ++c) {
    const auto idx = coupling.cell(c);
    for (std::size_t i = 0; i < coupling.k; ++i) sums[i][idx[i]] += coupling.mass[c];
  }
  std::vector<Marginal> out(coupling.k);
  for (std::size_t i = 0; i < coupling.k; ++i) {
    out[i].reserve(sums[i].size());
    for (long double s : sums[i]) out[i].push_back(static_cast<double>(s));
  }
  return out;
}

}  // namespace paperkit::mec
