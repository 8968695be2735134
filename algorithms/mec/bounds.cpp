// The majorization (meet) lower bound (bounds.hpp, spec A1).
#include "paperkit/mec/bounds.hpp"

#include <algorithm>
#include <functional>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

Marginal meet(const std::vector<Marginal>& marginals) {
  if (marginals.empty()) throw InvalidParameter("meet needs at least one marginal");
  std::size_t n = 0;
  for (const auto& p : marginals) n = std::max(n, p.size());
  // Prefix sums of the sorted marginals, minimized entry-wise. Missing entries are the zero
  // padding, so a shorter marginal's prefix sum stays at its total.
  std::vector<double> m(n, 0.0);
  bool first = true;
  for (const auto& p : marginals) {
    Marginal sorted = p;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j < sorted.size()) s += sorted[j];
      m[j] = first ? s : std::min(m[j], s);
    }
    first = false;
  }
  Marginal a(n);
  double previous = 0;
  for (std::size_t j = 0; j < n; ++j) {
    a[j] = m[j] - previous;  // >= 0 exactly: m is non-decreasing
    previous = m[j];
  }
  return a;
}

double meet_entropy(const std::vector<Marginal>& marginals) {
  return entropy_bits(meet(marginals));
}

}  // namespace paperkit::mec
