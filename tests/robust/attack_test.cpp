// paperkit::robust attacks: exact vectors on the spec's 3 x 3 example (ByzFL parity), the line
// search's sequence of evaluated points, and the fast Gram objective against direct mixing.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/robust/attacks.hpp"
#include "support/seeds.hpp"

namespace {

namespace robust = paperkit::robust;

const std::vector<std::vector<double>> kX = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};

std::vector<const double*> rows_of(const std::vector<std::vector<double>>& x) {
  std::vector<const double*> rows;
  for (const auto& r : x) rows.push_back(r.data());
  return rows;
}

robust::Crafted<double> craft(robust::Attack type, double z = std::nan("")) {
  robust::AttackOptions o;
  o.type = type;
  o.f = 1;
  o.fixed_z = z;
  const auto rows = rows_of(kX);
  return robust::craft_attack<double>(o, rows, 3);
}

TEST(UnitRobustAttack, SpecVectors) {
  EXPECT_EQ(craft(robust::Attack::sf).vector, (std::vector<double>{-4, -5, -6}));
  EXPECT_EQ(craft(robust::Attack::alie, 1.5).vector, (std::vector<double>{8.5, 9.5, 10.5}));  // σ = 3 (ddof 1)
  EXPECT_EQ(craft(robust::Attack::foe, 0.5).vector, (std::vector<double>{2, 2.5, 3}));
  EXPECT_EQ(craft(robust::Attack::mimic).vector, kX[0]);
  robust::AttackOptions lf;
  lf.type = robust::Attack::lf;
  const std::vector<double> step = {1, 1, 1};
  const auto rows = rows_of(kX);
  EXPECT_EQ(robust::craft_attack<double>(lf, rows, 3, step).vector, (std::vector<double>{3, 4, 5}));
}

// Golden sequence of evaluated points for φ(z) = −(z − 3)², 16 evaluations, start 0, delta 1,
// ratio 0.8, computed by a separate Python transcription of the same rule. It pins our reading of
// the spec's line_maximize; it has not been run against the authors' code.
TEST(UnitRobustAttack, LineMaximizeGoldenSequence) {
  std::vector<std::pair<double, double>> trace;
  const double best = robust::line_maximize([](double z) { return -(z - 3) * (z - 3); }, {}, &trace);
  const std::vector<double> want = {0.0,
                                    1.0,
                                    3.0,
                                    7.0,
                                    3.8,
                                    1.2399999999999993,
                                    3.288,
                                    1.6495999999999993,
                                    2.96032,
                                    4.008896,
                                    3.1700351999999996,
                                    2.4989465599999994,
                                    3.0358174719999997,
                                    2.6063207423999994,
                                    2.9499181260799996,
                                    3.224796033024};
  ASSERT_EQ(trace.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(trace[i].first, want[i]) << i;
  EXPECT_EQ(best, 3.0);
  trace.clear();
  const double b2 = robust::line_maximize([](double z) { return -(z - 2.2) * (z - 2.2); }, {}, &trace);
  EXPECT_DOUBLE_EQ(b2, 2.1779984179199996);
  EXPECT_DOUBLE_EQ(trace[8].first, 0.33887999999999874);  // the contraction went below 1.6496 - 1.31072
}

TEST(UnitRobustAttack, BadParameters) {
  robust::LineSearch s;
  s.evals = 0;
  EXPECT_THROW(robust::validate(s), paperkit::InvalidParameter);
  s = {};
  s.ratio = 1.0;
  EXPECT_THROW(robust::validate(s), paperkit::InvalidParameter);
  s = {};
  s.delta = std::nan("");
  EXPECT_THROW(robust::validate(s), paperkit::InvalidParameter);
  EXPECT_THROW(robust::parse_attack("gaussian"), paperkit::InvalidParameter);
  EXPECT_EQ(robust::parse_attack("empire"), robust::Attack::foe);
}

// The blocked Gram against the plain loop over coordinates: each entry is the same sequence of
// product-and-adds, so they are equal exactly (m around the padding to 8; d not a multiple of
// the block).
template <class T>
void check_gram_against_plain_loop(std::uint64_t seed) {
  paperkit::Rng rng(seed);
  for (std::size_t m : {1u, 7u, 8u, 9u, 21u}) {
    const std::size_t d = 203;
    std::vector<std::vector<T>> h(m, std::vector<T>(d));
    for (auto& r : h) {
      for (auto& v : r) v = static_cast<T>(rng.uniform01() * 4 - 1);
    }
    std::vector<const T*> rows;
    for (const auto& r : h) rows.push_back(r.data());
    std::vector<T> mean, sigma;
    robust::honest_moments<T>(rows, d, mean, &sigma);
    const robust::CenteredGram gram(std::span<const T* const>(rows), d, std::span<const T>(mean),
                                    std::span<const T>(sigma));
    std::vector<double> ee(m * m, 0.0), ue(m, 0.0), e(m);
    double uu = 0;
    for (std::size_t c = 0; c < d; ++c) {
      const double u = static_cast<double>(sigma[c]);
      for (std::size_t j = 0; j < m; ++j) e[j] = static_cast<double>(h[j][c]) - static_cast<double>(mean[c]);
      for (std::size_t i = 0; i < m; ++i) {
        ue[i] += u * e[i];
        for (std::size_t j = 0; j < m; ++j) ee[i * m + j] += e[i] * e[j];
      }
      uu += u * u;
    }
    EXPECT_EQ(gram.ee, ee) << "m=" << m;
    EXPECT_EQ(gram.ue, ue) << "m=" << m;
    EXPECT_EQ(gram.uu, uu) << "m=" << m;
  }
}

TEST(PropertyRobustAttack, CenteredGramEqualsThePlainLoop) {
  const auto seed = paperkit::test::base_seed() + 11;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  check_gram_against_plain_loop<double>(seed);
  check_gram_against_plain_loop<float>(seed + 1);
}

TEST(PropertyRobustAttack, GramObjectiveMatchesDirectMixing) {
  const auto seed = paperkit::test::base_seed() + 10;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  paperkit::Rng rng(seed);
  for (std::size_t m : {4u, 9u, 21u}) {
    const std::size_t d = 57, f = (m - 1) / 3 + 1;
    std::vector<std::vector<double>> h(m, std::vector<double>(d));
    for (auto& r : h) {
      for (auto& v : r) v = 3 + rng.uniform01() * (1 + static_cast<double>(&r - h.data()) * 0.1);
    }
    const auto rows = rows_of(h);
    std::vector<double> mean, sigma;
    robust::honest_moments<double>(rows, d, mean, &sigma);
    std::vector<double> neg(d);
    for (std::size_t c = 0; c < d; ++c) neg[c] = -mean[c];
    robust::RuleOptions target;
    target.rule = robust::Rule::nna;
    target.f = f;
    for (const auto* u : {&sigma, &neg}) {
      const robust::NnaObjective fast(f, std::span<const double* const>(rows), d, std::span<const double>(mean),
                                      std::span<const double>(*u));
      for (double z : {0.0, 0.3, 1.0, 2.5, 7.0}) {
        const double direct = robust::attack_objective_direct<double>(target, f, rows, d, mean, *u, z);
        // Relative 1e-10, plus the Gram form's absolute rounding (~1e-16 of the honest spread).
        EXPECT_NEAR(fast(z), direct, 1e-10 * direct + 1e-15 * static_cast<double>(d)) << "m=" << m << " z=" << z;
      }
    }
    // scc: clipping radii that clip every distance, some, or none.
    for (double tau : {0.5, 2.0, 100.0}) {
      robust::RuleOptions scc;
      scc.rule = robust::Rule::scc;
      scc.f = f;
      scc.scc_tau = tau;
      for (const auto* u : {&sigma, &neg}) {
        const robust::SccObjective fast(scc, f, std::span<const double* const>(rows), d, std::span<const double>(mean),
                                        std::span<const double>(*u));
        for (double z : {0.0, 0.3, 1.0, 2.5, 7.0, 1e200}) {
          const double direct = robust::attack_objective_direct<double>(scc, f, rows, d, mean, *u, z);
          EXPECT_NEAR(fast(z), direct, 1e-10 * direct + 1e-15 * static_cast<double>(d))
              << "scc m=" << m << " tau=" << tau << " z=" << z;
        }
      }
    }
    // The search maximises φ: its result is no worse than z = 0.
    robust::AttackOptions o;
    o.type = robust::Attack::alie;
    o.f = f;
    o.target = target;
    const auto b = robust::craft_attack<double>(o, rows, d);
    EXPECT_EQ(b.trace.size(), 16u);
    double best = b.trace[0].second;
    for (const auto& [z, y] : b.trace) best = std::max(best, y);
    const robust::NnaObjective fast(f, std::span<const double* const>(rows), d, std::span<const double>(mean),
                                    std::span<const double>(sigma));
    EXPECT_DOUBLE_EQ(fast(b.z), best);
  }
}

}  // namespace
