// Transportation simplex (transport.hpp) against brute force over the polytope's vertices and
// by its LP optimality certificate; successive linearization (spec B4) on its invariants.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using mec::Marginal;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

// Minimum of sum c x over the transportation polytope by enumerating its vertices: every
// vertex arises from repeatedly choosing a remaining row i and column j, putting
// min(r_i, c_j) there and dropping the exhausted line (spec A3), and a linear minimum is at a
// vertex.
double brute_min(const std::vector<double>& cost, std::vector<double> a, std::vector<double> b) {
  const std::size_t m = a.size(), n = b.size();
  double best = std::numeric_limits<double>::infinity();
  auto dfs = [&](auto&& self, double sofar) -> void {
    bool any = false;
    for (std::size_t i = 0; i < m; ++i) {
      if (a[i] <= 1e-15) continue;
      for (std::size_t j = 0; j < n; ++j) {
        if (b[j] <= 1e-15) continue;
        any = true;
        const double x = std::min(a[i], b[j]), ai = a[i], bj = b[j];
        a[i] -= x;
        b[j] -= x;
        if (a[i] <= 1e-15) a[i] = 0;
        if (b[j] <= 1e-15) b[j] = 0;
        self(self, sofar + cost[i * n + j] * x);
        a[i] = ai;
        b[j] = bj;
      }
    }
    if (!any) best = std::min(best, sofar);
  };
  dfs(dfs, 0.0);
  return best;
}

// Feasibility, tree basis and the optimality certificate: dual feasibility (reduced costs
// >= -tol), complementary slackness on the basis and zero duality gap.
void expect_certificate(const mec::TransportResult& r, const std::vector<double>& cost, const std::vector<double>& a,
                        const std::vector<double>& b, double tol) {
  const std::size_t m = a.size(), n = b.size();
  ASSERT_TRUE(r.optimal);
  ASSERT_EQ(r.basis.size(), m + n - 1);
  double dual = 0;
  for (std::size_t i = 0; i < m; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) {
      ASSERT_GE(r.flow[i * n + j], 0.0);
      s += r.flow[i * n + j];
      ASSERT_GE(cost[i * n + j] - r.u[i] - r.v[j], -tol) << i << "," << j;
      if (r.flow[i * n + j] > 0) {
        ASSERT_NEAR(cost[i * n + j], r.u[i] + r.v[j], tol);
      }
    }
    ASSERT_NEAR(s, a[i], 1e-12);
    dual += a[i] * r.u[i];
  }
  for (std::size_t j = 0; j < n; ++j) {
    double s = 0;
    for (std::size_t i = 0; i < m; ++i) s += r.flow[i * n + j];
    ASSERT_NEAR(s, b[j], 1e-12);
    dual += b[j] * r.v[j];
  }
  for (const auto& [i, j] : r.basis) ASSERT_NEAR(cost[i * n + j], r.u[i] + r.v[j], tol);
  ASSERT_NEAR(dual, r.cost, tol);
  ASSERT_GE(r.min_reduced_cost, -tol);
}

TEST(UnitTransport, MatchesVertexEnumeration) {
  const std::uint64_t seed = base_seed() + 40;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t m = 1 + rng.uniform_below(4), n = 1 + rng.uniform_below(4);
    const auto a = mec::prepare_marginal(mec::dirichlet(m, 1.0, rng));
    auto b = mec::prepare_marginal(mec::dirichlet(n, 1.0, rng));
    std::vector<double> cost(m * n);
    // Integer costs on odd trials: many ties and degenerate pivots.
    for (auto& c : cost) c = trial % 2 ? static_cast<double>(rng.uniform_below(4)) : 10 * rng.uniform01() - 5;
    if (trial % 3 == 0 && m == n) b = a;  // equal marginals: degenerate bases
    const auto r = mec::solve_transport(cost, a, b);
    ASSERT_NEAR(r.cost, brute_min(cost, a, b), 1e-12) << trial;
    expect_certificate(r, cost, a, b, 1e-9);
  }
}

TEST(UnitTransport, BlandFromTheStartAndWarmStartAgree) {
  const std::uint64_t seed = base_seed() + 41;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 100; ++trial) {
    const std::size_t m = 2 + rng.uniform_below(20), n = 2 + rng.uniform_below(20);
    const auto a = mec::prepare_marginal(mec::dirichlet(m, 0.5, rng));
    const auto b = mec::prepare_marginal(mec::dirichlet(n, 0.5, rng));
    std::vector<double> cost(m * n);
    for (auto& c : cost) c = static_cast<double>(rng.uniform_below(5));
    const auto dantzig = mec::solve_transport(cost, a, b);
    mec::TransportOptions bland;
    bland.degenerate_switch = 0;
    const auto r2 = mec::solve_transport(cost, a, b, {}, bland);
    EXPECT_TRUE(r2.bland);
    // Warm start from greedy's coupling (a forest).
    const auto g = mec::greedy_coupling({a, b});
    std::vector<std::pair<std::uint32_t, std::uint32_t>> start;
    for (std::size_t c = 0; c < g.cells(); ++c) start.emplace_back(g.cell(c)[0], g.cell(c)[1]);
    const auto r3 = mec::solve_transport(cost, a, b, start);
    ASSERT_NEAR(dantzig.cost, r2.cost, 1e-9) << trial;
    ASSERT_NEAR(dantzig.cost, r3.cost, 1e-9) << trial;
    expect_certificate(dantzig, cost, a, b, 1e-9);
    expect_certificate(r2, cost, a, b, 1e-9);
    expect_certificate(r3, cost, a, b, 1e-9);
  }
}

TEST(UnitTransport, LargeInstanceCertificate) {
  paperkit::Rng rng(base_seed() + 42);
  const std::size_t m = 120, n = 150;
  const auto a = mec::prepare_marginal(mec::dirichlet(m, 1.0, rng));
  const auto b = mec::prepare_marginal(mec::dirichlet(n, 1.0, rng));
  std::vector<double> cost(m * n);
  for (auto& c : cost) c = rng.uniform01();
  const auto r = mec::solve_transport(cost, a, b);
  expect_certificate(r, cost, a, b, 1e-9);
}

TEST(UnitTransportBadInput, Rejected) {
  const std::vector<double> c = {1, 2, 3, 4};
  EXPECT_THROW(mec::solve_transport(c, {0.5, 0.5}, {0.5, 0.4}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::solve_transport(c, {1.5, -0.5}, {0.5, 0.5}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::solve_transport(c, {1.0}, {0.5, 0.5}), paperkit::InvalidParameter);
  const std::vector<double> bad = {1, NAN, 3, 4};
  EXPECT_THROW(mec::solve_transport(bad, {0.5, 0.5}, {0.5, 0.5}), paperkit::InvalidParameter);
}

// ---- successive linearization ------------------------------------------------------------

void expect_marginals(const mec::Coupling& j, const Marginal& p, const Marginal& q) {
  const auto ms = mec::marginals_of(j);
  for (std::size_t x = 0; x < p.size(); ++x) ASSERT_NEAR(ms[0][x], p[x], 1e-12);
  for (std::size_t y = 0; y < q.size(); ++y) ASSERT_NEAR(ms[1][y], q[y], 1e-12);
}

TEST(PropertySla, MarginalsMonotoneAndBelowGreedy) {
  const std::uint64_t seed = base_seed() + 43;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  const double alphas[] = {0.1, 1.0, 10.0};
  for (int trial = 0; trial < 150; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(60), m = 1 + rng.uniform_below(60);
    const double alpha = alphas[trial % 3];
    const auto p = mec::prepare_marginal(mec::dirichlet(n, alpha, rng));
    const auto q = mec::prepare_marginal(mec::dirichlet(m, alpha, rng));
    for (auto start : {mec::SlaStart::greedy, mec::SlaStart::independent}) {
      const auto r = mec::sla_coupling(p, q, {100, start});
      expect_marginals(r.coupling, p, q);
      ASSERT_TRUE(r.converged) << trial;
      ASSERT_EQ(r.entropy_trace.size(), r.iterations + 1);
      // Each LP minimizes an upper bound of H that is tight at the current iterate.
      for (std::size_t i = 1; i < r.entropy_trace.size(); ++i) {
        ASSERT_LE(r.entropy_trace[i], r.entropy_trace[i - 1] + 1e-12) << trial << " iteration " << i;
      }
      const double h = mec::entropy_bits(r.coupling);
      ASSERT_NEAR(h, r.entropy_trace.back(), 1e-12);
      ASSERT_GE(h, mec::meet_entropy({p, q}) - 1e-12) << trial;
      ASSERT_LE(r.coupling.cells(), n + m - 1) << trial;  // a vertex: its support is a forest
      for (double x : r.coupling.mass) ASSERT_GT(x, 0.0);
      if (start == mec::SlaStart::greedy) {
        ASSERT_LE(h, mec::entropy_bits(mec::greedy_coupling({p, q})) + 1e-12);
      }
    }
  }
}

TEST(PropertySla, NeverBelowExactOptimum) {
  const std::uint64_t seed = base_seed() + 44;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 100; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(5), m = 1 + rng.uniform_below(5);
    const auto p = mec::prepare_marginal(mec::dirichlet(n, 1.0, rng));
    const auto q = mec::prepare_marginal(mec::dirichlet(m, 1.0, rng));
    const double opt = mec::exact_coupling(p, q).entropy;
    ASSERT_GE(mec::entropy_bits(mec::sla_coupling(p, q).coupling), opt - 1e-9) << trial;
  }
}

TEST(UnitSla, SpecExampleAndZeros) {
  // Greedy is optimal on the spec's pair (1.76096), so SLA stays there.
  const auto r = mec::sla_coupling({0.5, 0.4, 0.1}, {0.6, 0.2, 0.2});
  EXPECT_NEAR(mec::entropy_bits(r.coupling), 1.76096, 5e-6);
  EXPECT_GE(r.iterations, 1u);
  // Zero entries are no rows or columns; indices refer to the inputs.
  const Marginal p = {0, 0.5, 0, 0.5}, q = {0.25, 0, 0.75};
  const auto z = mec::sla_coupling(p, q);
  expect_marginals(z.coupling, p, q);
  for (std::size_t c = 0; c < z.coupling.cells(); ++c) {
    EXPECT_GT(p[z.coupling.cell(c)[0]], 0);
    EXPECT_GT(q[z.coupling.cell(c)[1]], 0);
  }
  // Independent start: the first LP is degenerate and keeps the northwest corner.
  const auto ind = mec::sla_coupling({0.5, 0.5}, {0.5, 0.5}, {10, mec::SlaStart::independent});
  EXPECT_NEAR(ind.entropy_trace.front(), 2.0, 1e-12);
  EXPECT_NEAR(mec::entropy_bits(ind.coupling), 1.0, 1e-12);
}

TEST(UnitSlaBadInput, Rejected) {
  EXPECT_THROW(mec::sla_coupling({0.5, 0.5}, {0.5, 0.5}, {0, mec::SlaStart::greedy}), paperkit::InvalidParameter);
  EXPECT_THROW(mec::sla_coupling({0.0, 0.0}, {0.5, 0.5}), paperkit::InputError);
}

}  // namespace
