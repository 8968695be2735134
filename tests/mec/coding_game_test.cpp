// The rate-limited Markov coding game (spec A7, oracle 7): grid world transitions, soft-Q
// against hard value iteration, the belief staying a distribution, rho = 1 equal to plain greedy
// MEC, decoding at full rate, determinism over seeds and threads, bad parameters, and the
// paperkit-mec mcg tool.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "paperkit/common/errors.hpp"
#include "paperkit/mec/mec.hpp"
#include "support/run_tool.hpp"
#include "support/seeds.hpp"

namespace {

namespace mec = paperkit::mec;
using paperkit::InvalidParameter;
using paperkit::test::base_seed;
using paperkit::test::seed_note;

constexpr std::size_t up = 0, right = 1, down = 2, left = 3;

// (state, probability) outcomes of one action, duplicates merged.
std::map<std::uint32_t, double> merged(const mec::GridWorld& w, std::uint32_t s, std::size_t a) {
  std::map<std::uint32_t, double> out;
  for (const auto& o : w.outcomes(s, a)) out[o.state] += o.probability;
  return out;
}

TEST(UnitGridWorld, DefaultLayout) {
  const mec::GridWorld w;
  EXPECT_EQ(w.states(), 64u);
  EXPECT_EQ(w.goal(), w.state_of(0, 7));
  EXPECT_EQ(w.trap(), w.state_of(1, 7));
  EXPECT_EQ(w.start(), w.state_of(5, 4));
  EXPECT_EQ(w.reward(w.goal()), 1.0);
  EXPECT_EQ(w.reward(w.trap()), -1.0);
  EXPECT_EQ(w.reward(w.start()), 0.0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(w.blocked(w.state_of(i, i)), i >= 1) << i;
  EXPECT_TRUE(w.terminal(w.goal()) && w.terminal(w.trap()) && !w.terminal(w.start()));
}

TEST(UnitGridWorld, TransitionsSumToOneAndAvoidObstacles) {
  for (double slip : {0.0, 0.1, 0.25, 0.5}) {
    mec::GridWorldConfig c;
    c.slip = slip;
    const mec::GridWorld w(c);
    for (std::uint32_t s = 0; s < w.states(); ++s) {
      for (std::size_t a = 0; a < mec::kGridActions; ++a) {
        double sum = 0;
        for (const auto& o : w.outcomes(s, a)) {
          sum += o.probability;
          EXPECT_GE(o.probability, 0.0);
          if (!w.blocked(s)) {
            EXPECT_FALSE(w.blocked(o.state)) << s << " " << a;
          }
          // A move changes one coordinate by at most one.
          const auto from = w.cell_of(s), to = w.cell_of(o.state);
          EXPECT_LE(std::abs(from.row - to.row) + std::abs(from.col - to.col), 1);
        }
        EXPECT_NEAR(sum, 1.0, 1e-15) << "slip " << slip << " s " << s << " a " << a;
      }
    }
  }
}

TEST(UnitGridWorld, WallsObstaclesAndSlips) {
  const mec::GridWorld w;
  // Corner (0,0): up bumps the wall (stay .8), right slips... up's perpendiculars are right and left.
  auto m = merged(w, w.state_of(0, 0), up);
  EXPECT_NEAR(m[w.state_of(0, 0)], 0.9, 1e-15);  // up .8 + left .1 both bump
  EXPECT_NEAR(m[w.state_of(0, 1)], 0.1, 1e-15);
  // The start (5,4) has obstacles above (4,4) and to the right (5,5).
  m = merged(w, w.start(), up);
  EXPECT_NEAR(m[w.start()], 0.9, 1e-15);  // up .8 + right .1 blocked
  EXPECT_NEAR(m[w.state_of(5, 3)], 0.1, 1e-15);
  m = merged(w, w.start(), down);
  EXPECT_NEAR(m[w.state_of(6, 4)], 0.8, 1e-15);
  EXPECT_NEAR(m[w.state_of(5, 3)], 0.1, 1e-15);
  EXPECT_NEAR(m[w.start()], 0.1, 1e-15);
  m = merged(w, w.start(), left);
  EXPECT_NEAR(m[w.state_of(5, 3)], 0.8, 1e-15);
  EXPECT_NEAR(m[w.state_of(6, 4)], 0.1, 1e-15);
  // Terminal states absorb.
  m = merged(w, w.goal(), down);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m[w.goal()], 1.0);
}

TEST(UnitGridWorld, StepFollowsTheOutcomes) {
  // Statistical: 40000 draws of left from the start; each count within 5 sd of its mean
  // (false-failure rate below 1e-5 per test run).
  const mec::GridWorld w;
  paperkit::Rng rng(base_seed() + 70);
  std::map<std::uint32_t, int> count;
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++count[w.step(w.start(), left, rng)];
  for (const auto& [s, p] : merged(w, w.start(), left)) {
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(count[s], n * p, 5 * sd + 1) << "state " << s;
  }
}

TEST(UnitGridWorldBadInput, OneErrorPerBadValue) {
  auto bad = [](auto edit) {
    mec::GridWorldConfig c;
    edit(c);
    EXPECT_THROW(mec::GridWorld{c}, InvalidParameter);
  };
  bad([](auto& c) { c.rows = 0; });
  bad([](auto& c) { c.cols = 2000; });
  bad([](auto& c) { c.slip = 0.6; });
  bad([](auto& c) { c.slip = -0.1; });
  bad([](auto& c) { c.slip = std::nan(""); });
  bad([](auto& c) { c.goal_reward = INFINITY; });
  bad([](auto& c) { c.start = {8, 0}; });
  bad([](auto& c) { c.start = {3, 3}; });   // obstacle
  bad([](auto& c) { c.start = {0, -1}; });  // the goal
  bad([](auto& c) { c.trap = {0, 7}; });    // = goal
  bad([](auto& c) { c.obstacles.push_back({0, 7}); });
  bad([](auto& c) { c.obstacles.push_back({-9, 0}); });
}

// Hard value iteration written out plainly: the oracle for soft-Q at beta = 0.
mec::QTable hard_value_iteration(const mec::GridWorld& w, std::size_t sweeps, double gamma) {
  mec::QTable q(w.states(), std::array<double, 4>{});
  for (std::size_t k = 0; k < sweeps; ++k) {
    std::vector<double> v(w.states());
    for (std::uint32_t s = 0; s < w.states(); ++s) v[s] = *std::max_element(q[s].begin(), q[s].end());
    for (std::uint32_t s = 0; s < w.states(); ++s) {
      if (w.blocked(s)) continue;
      for (std::size_t a = 0; a < 4; ++a) {
        double e = 0;
        for (const auto& o : w.outcomes(s, a)) e += o.probability * v[o.state];
        q[s][a] = w.terminal(s) ? w.reward(s) : w.reward(s) + gamma * e;
      }
    }
  }
  return q;
}

TEST(UnitSoftQ, BetaZeroIsHardValueIteration) {
  const mec::GridWorld w;
  const auto soft = mec::soft_q_iteration(w, {100, 0.95, 0.0});
  const auto hard = hard_value_iteration(w, 100, 0.95);
  for (std::uint32_t s = 0; s < w.states(); ++s) {
    for (std::size_t a = 0; a < 4; ++a) EXPECT_NEAR(soft[s][a], hard[s][a], 1e-14);
  }
}

TEST(UnitSoftQ, SmallBetaWithinTheBoundOfHard) {
  const mec::GridWorld w;
  const auto hard = hard_value_iteration(w, 100, 0.95);
  for (double log_beta : {-12.0, -6.0, -3.0}) {
    const double beta = std::exp(log_beta);
    const auto soft = mec::soft_q_iteration(w, {100, 0.95, beta});
    const double bound = beta * std::log(4.0) / (1 - 0.95);
    for (std::uint32_t s = 0; s < w.states(); ++s) {
      for (std::size_t a = 0; a < 4; ++a) {
        EXPECT_GE(soft[s][a], hard[s][a] - 1e-12);
        EXPECT_LE(soft[s][a], hard[s][a] + bound + 1e-12) << "log beta " << log_beta;
      }
    }
  }
}

TEST(UnitSoftQ, BetaToZeroPolicyIsGreedyOptimal) {
  // Oracle 7: Q* from hard value iteration run to convergence (gamma^2000 ~ 1e-45); the beta = 0
  // policy puts all mass on maximizers of Q*, and evaluating it gives V* (Bellman optimality).
  const mec::GridWorld w;
  const auto qstar = hard_value_iteration(w, 2000, 0.95);
  const auto pi = mec::softmax_policy(qstar, 0.0);
  std::vector<double> v(w.states(), 0.0);
  for (int k = 0; k < 2000; ++k) {
    std::vector<double> next(w.states(), 0.0);
    for (std::uint32_t s = 0; s < w.states(); ++s) {
      if (w.blocked(s)) continue;
      if (w.terminal(s)) {
        next[s] = w.reward(s);
        continue;
      }
      for (std::size_t a = 0; a < 4; ++a) {
        double e = 0;
        for (const auto& o : w.outcomes(s, a)) e += o.probability * v[o.state];
        next[s] += pi[s][a] * (w.reward(s) + 0.95 * e);
      }
    }
    v = next;
  }
  for (std::uint32_t s = 0; s < w.states(); ++s) {
    if (w.blocked(s)) continue;
    const double vstar = *std::max_element(qstar[s].begin(), qstar[s].end());
    EXPECT_NEAR(v[s], vstar, 1e-9) << "state " << s;
  }
  // The soft policy with a tiny beta (the paper's 100 sweeps) concentrates on the same actions
  // wherever the hard Q has a clear best action (gap > 1e-3).
  const auto soft_pi = mec::softmax_policy(mec::soft_q_iteration(w, {100, 0.95, std::exp(-14.0)}), std::exp(-14.0));
  const auto hard100 = hard_value_iteration(w, 100, 0.95);
  std::size_t checked = 0;
  for (std::uint32_t s = 0; s < w.states(); ++s) {
    if (w.blocked(s) || w.terminal(s)) continue;
    auto sorted = hard100[s];
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    if (sorted[0] - sorted[1] < 1e-3) continue;
    const auto best = std::max_element(hard100[s].begin(), hard100[s].end()) - hard100[s].begin();
    EXPECT_GT(soft_pi[s][static_cast<std::size_t>(best)], 0.999) << "state " << s;
    ++checked;
  }
  EXPECT_GT(checked, 30u);
  // From the start the optimal moves are left or down (up and right bump into obstacles).
  EXPECT_LT(pi[w.start()][up] + pi[w.start()][right], 1e-12);
}

TEST(UnitSoftQ, SoftValueAndPolicy) {
  const std::array<double, 4> q = {0.5, 0.5, 0.5, 0.5};
  EXPECT_NEAR(mec::soft_value(q, 0.1), 0.5 + 0.1 * std::log(4.0), 1e-15);
  EXPECT_EQ(mec::soft_value({0.1, 0.7, 0.3, 0.7}, 0.0), 0.7);
  const auto p = mec::softmax_policy(std::array<double, 4>{0.1, 0.7, 0.3, 0.7}, 0.0);
  EXPECT_EQ(p, (std::array<double, 4>{0, 0.5, 0, 0.5}));
  const auto s = mec::softmax_policy(std::array<double, 4>{0, std::log(3.0), 0, 0}, 1.0);
  EXPECT_NEAR(s[1], 0.5, 1e-15);
  EXPECT_NEAR(s[0], 1.0 / 6, 1e-15);
  // A huge Q/beta does not overflow.
  const auto big = mec::softmax_policy(std::array<double, 4>{1, 0, 0, 0}, 1e-300);
  EXPECT_EQ(big[0], 1.0);
}

TEST(UnitSoftQBadInput, OneErrorPerBadValue) {
  const mec::GridWorld w;
  EXPECT_THROW(mec::soft_q_iteration(w, {100, 1.0, 0.1}), InvalidParameter);
  EXPECT_THROW(mec::soft_q_iteration(w, {100, -0.1, 0.1}), InvalidParameter);
  EXPECT_THROW(mec::soft_q_iteration(w, {100, 0.95, -1}), InvalidParameter);
  EXPECT_THROW(mec::soft_q_iteration(w, {100, 0.95, std::nan("")}), InvalidParameter);
  EXPECT_THROW(mec::soft_q_iteration(w, {100, 0.95, INFINITY}), InvalidParameter);
  EXPECT_THROW(mec::soft_q_iteration(w, {2'000'000, 0.95, 0.1}), InvalidParameter);
  EXPECT_THROW(mec::softmax_policy(mec::QTable(4), -1.0), InvalidParameter);
}

using CellSet = std::vector<std::tuple<std::uint32_t, std::uint32_t, double>>;

CellSet cells_of(const mec::Coupling& j) {
  CellSet out;
  for (std::size_t c = 0; c < j.cells(); ++c) out.emplace_back(j.cell(c)[0], j.cell(c)[1], j.mass[c]);
  std::sort(out.begin(), out.end());
  return out;
}

// A random belief over n messages with about a third of the entries zero, and a random policy.
std::pair<std::vector<double>, std::vector<double>> random_instance(std::size_t n, paperkit::Rng& rng) {
  auto b = mec::dirichlet(n, 0.5, rng);
  for (auto& x : b) {
    if (rng.uniform_below(3) == 0) x = 0;
  }
  b[rng.uniform_below(n)] += 0.01;  // at least one positive entry
  return {mec::prepare_marginal(b, {0, true}), mec::dirichlet(4, 1.0, rng)};
}

TEST(PropertyCodingGame, FullRateIsPlainGreedyMec) {
  const std::uint64_t seed = base_seed() + 71;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(300);
    const auto [belief, pi] = random_instance(n, rng);
    const double rate = std::log2(static_cast<double>(n));  // rho = 1
    // The step renormalizes its belief (sum 1 only up to rounding), so the plain coupling gets
    // the same renormalized vector: the comparison is then exact.
    const auto plain = mec::greedy_coupling({mec::prepare_marginal(belief, {0, true}), mec::prepare_marginal(pi)});
    ASSERT_EQ(cells_of(mec::coding_game_step(belief, pi, rate, mec::MecbEncoder::greedy)), cells_of(plain))
        << "trial " << trial;
    for (auto blocks : {mec::UniformBlocks::index_range, mec::UniformBlocks::support}) {
      ASSERT_EQ(cells_of(mec::coding_game_step(belief, pi, rate, mec::MecbEncoder::uniform, blocks)), cells_of(plain))
          << "trial " << trial;
    }
  }
}

TEST(PropertyCodingGame, SupportOnlyEqualsFullIndexForGreedy) {
  const std::uint64_t seed = base_seed() + 72;
  SCOPED_TRACE(seed_note(seed));
  paperkit::Rng rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 1 + rng.uniform_below(200);
    const auto [belief, pi] = random_instance(n, rng);
    const double rate = std::log2(static_cast<double>(n)) * rng.uniform01();
    // The step couples the support only; MEC-B over all n entries (zeros included) must agree.
    const auto a = mec::coding_game_step(belief, pi, rate, mec::MecbEncoder::greedy);
    const auto b = mec::mecb(belief, mec::prepare_marginal(pi), rate, mec::MecbEncoder::greedy).joint;
    // Same cells; masses equal up to the last bits (the step renormalizes its input once more).
    const auto ca = cells_of(a), cb = cells_of(b);
    ASSERT_EQ(ca.size(), cb.size()) << "trial " << trial;
    for (std::size_t c = 0; c < ca.size(); ++c) {
      ASSERT_EQ(std::get<0>(ca[c]), std::get<0>(cb[c])) << "trial " << trial;
      ASSERT_EQ(std::get<1>(ca[c]), std::get<1>(cb[c])) << "trial " << trial;
      ASSERT_NEAR(std::get<2>(ca[c]), std::get<2>(cb[c]), 1e-15) << "trial " << trial;
    }
    // Marginals: the belief and the policy.
    const auto m = mec::marginals_of(a);
    for (std::size_t x = 0; x < n; ++x) ASSERT_NEAR(m[0][x], belief[x], 1e-12);
    const auto py = mec::prepare_marginal(pi);
    for (std::size_t y = 0; y < 4; ++y) ASSERT_NEAR(m[1][y], py[y], 1e-12);
  }
}

TEST(UnitCodingGame, UniformBlocksOverIndexRangeStallInsideOneBlock) {
  // Belief uniform on messages 0..7 of 64, R = 2 bits: four index blocks of 16, all mass in the
  // first, so the code has one cell and the joint is belief x pi (nothing sent). Over the
  // support the four blocks hold two messages each and every action names one block.
  std::vector<double> belief(64, 0.0);
  std::fill(belief.begin(), belief.begin() + 8, 0.125);
  const std::vector<double> pi = {0.25, 0.25, 0.25, 0.25};
  const auto stalled = mec::coding_game_step(belief, pi, 2.0, mec::MecbEncoder::uniform);
  EXPECT_EQ(stalled.cells(), 32u);
  for (double m : stalled.mass) EXPECT_NEAR(m, 0.125 * 0.25, 1e-15);
  const auto adaptive = mec::coding_game_step(belief, pi, 2.0, mec::MecbEncoder::uniform, mec::UniformBlocks::support);
  EXPECT_EQ(adaptive.cells(), 8u);
  for (std::size_t c = 0; c < adaptive.cells(); ++c) {
    EXPECT_EQ(adaptive.cell(c)[1], adaptive.cell(c)[0] / 2);  // block b -> action b (all equal: lowest index)
  }
}

mec::PolicyTable paper_policy(double log_beta) {
  const mec::GridWorld w;
  const double beta = std::exp(log_beta);
  return mec::softmax_policy(mec::soft_q_iteration(w, {100, 0.95, beta}), beta);
}

TEST(PropertyCodingGame, BeliefStaysADistribution) {
  const std::uint64_t seed = base_seed() + 73;
  SCOPED_TRACE(seed_note(seed));
  const mec::GridWorld w;
  const auto pi = paper_policy(-3);
  std::size_t steps_checked = 0;
  for (auto enc : {mec::MecbEncoder::greedy, mec::MecbEncoder::uniform}) {
    for (double rho : {0.0, 0.2, 0.5, 1.0}) {
      for (int e = 0; e < 4; ++e) {
        mec::CodingGameOptions o;
        o.messages = 128;
        o.rho = rho;
        o.encoder = enc;
        paperkit::Rng rng = paperkit::Rng::for_block(seed, 1, static_cast<std::uint64_t>(e));
        double worst_sum = 0;
        bool negative = false;
        const auto r = mec::play_coding_game_episode(w, pi, o, rng, [&](std::size_t, std::size_t a, auto belief) {
          EXPECT_LT(a, 4u);
          long double sum = 0;
          for (double b : belief) {
            negative |= !(b >= 0) || !std::isfinite(b);
            sum += b;
          }
          worst_sum = std::max(worst_sum, std::fabs(static_cast<double>(sum) - 1));
          ++steps_checked;
        });
        SCOPED_TRACE("rho " + std::to_string(rho) + " episode " + std::to_string(e));
        EXPECT_FALSE(negative);
        EXPECT_LE(worst_sum, 1e-12);
        EXPECT_GT(r.belief_true, 0.0);
        EXPECT_FALSE(r.message_lost);
        EXPECT_LE(r.belief_entropy, 7 + 1e-9);
        if (rho == 0) {
          // R = 0: one code cell, nothing is sent; the belief stays uniform.
          EXPECT_NEAR(r.belief_entropy, 7.0, 1e-9);
          EXPECT_EQ(r.decoded, 0u);
        }
      }
    }
  }
  EXPECT_GT(steps_checked, 100u);
}

TEST(StatisticalCodingGame, FullRateDecodesWhenEpisodesAreLong) {
  // |M| = 64 needs 6 bits. With beta = 1 the policy is close to uniform (Q is within [-1, 1]),
  // so each step can carry up to about 1.9 bits, while every path from the start to a terminal
  // state takes at least 15 moves (the diagonal wall forces a detour through (0,0)). At rho = 1
  // the coupling is plain greedy MEC, so nearly every episode ends with the message known.
  // Observed with the default seed: accuracy 1.0; the threshold 0.9 leaves room for other
  // seeds (each episode fails only if it ends within a few steps of the minimum).
  const mec::GridWorld w;
  const auto pi = paper_policy(0.0);
  mec::CodingGameOptions o;
  o.messages = 64;
  o.rho = 1.0;
  const auto full = mec::summarize(mec::play_coding_game(w, pi, o, 100, base_seed() + 74));
  EXPECT_GE(full.accuracy, 0.9);
  EXPECT_GE(full.steps_mean, 15.0);
  // The same episodes at rho = 0.1 (R = 0.6 bits) decode far less often.
  o.rho = 0.1;
  const auto low = mec::summarize(mec::play_coding_game(w, pi, o, 100, base_seed() + 74));
  EXPECT_LT(low.accuracy, full.accuracy);
}

TEST(UnitCodingGame, SameSeedSameOutputAnyThreads) {
  const mec::GridWorld w;
  const auto pi = paper_policy(-3);
  mec::CodingGameOptions o;
  o.messages = 96;
  o.rho = 0.4;
  auto key = [](const std::vector<mec::EpisodeResult>& rs) {
    std::vector<std::tuple<std::uint32_t, std::uint32_t, double, std::size_t, int, double>> out;
    for (const auto& r : rs) {
      out.emplace_back(r.message, r.decoded, r.reward, r.steps, static_cast<int>(r.end), r.belief_true);
    }
    return out;
  };
  const auto one = mec::play_coding_game(w, pi, o, 24, 99, 1);
  EXPECT_EQ(key(one), key(mec::play_coding_game(w, pi, o, 24, 99, 1)));
  EXPECT_EQ(key(one), key(mec::play_coding_game(w, pi, o, 24, 99, 3)));
  EXPECT_NE(key(one), key(mec::play_coding_game(w, pi, o, 24, 100, 1)));
  // Episode e does not depend on how many episodes run.
  const auto fewer = mec::play_coding_game(w, pi, o, 5, 99, 2);
  EXPECT_EQ(key(fewer), key(std::vector<mec::EpisodeResult>(one.begin(), one.begin() + 5)));
}

TEST(UnitCodingGame, SummaryIntervals) {
  std::vector<mec::EpisodeResult> rs(10);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    rs[i].correct = true;
    rs[i].reward = static_cast<double>(i);
    rs[i].end = i < 5 ? mec::EpisodeEnd::goal : mec::EpisodeEnd::trap;
  }
  const auto s = mec::summarize(rs);
  EXPECT_EQ(s.accuracy, 1.0);
  EXPECT_NEAR(s.accuracy_ci_high, 1.0, 1e-12);
  EXPECT_NEAR(s.accuracy_ci_low, 0.7225, 1e-4);  // Wilson 95% lower bound at 10/10
  EXPECT_NEAR(s.reward_mean, 4.5, 1e-12);
  EXPECT_NEAR(s.goal_rate, 0.5, 1e-12);
  EXPECT_LT(s.reward_ci_low, 4.5);
}

TEST(UnitCodingGameBadInput, OneErrorPerBadValue) {
  const mec::GridWorld w;
  const auto pi = paper_policy(-6);
  auto bad = [&](auto edit) {
    mec::CodingGameOptions o;
    edit(o);
    EXPECT_THROW(mec::play_coding_game(w, pi, o, 1, 1), InvalidParameter);
  };
  bad([](auto& o) { o.messages = 0; });
  bad([](auto& o) { o.messages = (std::size_t{1} << 20) + 1; });
  bad([](auto& o) { o.rho = -0.1; });
  bad([](auto& o) { o.rho = 1.5; });
  bad([](auto& o) { o.rho = std::nan(""); });
  bad([](auto& o) { o.max_steps = 0; });
  bad([](auto& o) { o.gamma = 1.5; });
  bad([](auto& o) { o.gamma = std::nan(""); });
  EXPECT_THROW(mec::play_coding_game(w, pi, {}, 1, 1, 0), InvalidParameter);
  EXPECT_THROW(mec::play_coding_game(w, mec::PolicyTable(3), {}, 1, 1), InvalidParameter);
  const std::vector<double> zero = {0, 0}, neg = {0.5, -0.5};
  EXPECT_THROW(mec::coding_game_step(zero, pi[0], 1.0, mec::MecbEncoder::greedy), InvalidParameter);
  EXPECT_THROW(mec::coding_game_step(neg, pi[0], 1.0, mec::MecbEncoder::greedy), InvalidParameter);
}

// ---- paperkit-mec mcg ----

using paperkit::test::run_tool;
const std::string tool = PAPERKIT_MEC_TOOL;
const std::string small = " mcg --msg 32 --rho 0.5 --log-beta -3 --episodes 12 --quiet";

TEST(CliMecMcg, SummaryCsvAndJson) {
  auto r = run_tool(tool + small);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("encoder,messages,rho,rate_bits,log_beta,", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  r = run_tool(tool + small + " --format json --encoder search");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["messages"], 32);
  EXPECT_EQ(j["params"]["encoder"], "greedy");
  EXPECT_NEAR(j["params"]["rate_bits"].get<double>(), 2.5, 1e-12);
  EXPECT_EQ(j["summary"]["episodes"], 12);
  EXPECT_GE(j["summary"]["accuracy"].get<double>(), 0.0);
  EXPECT_TRUE(j.contains("timing"));
  EXPECT_FALSE(j.contains("episodes"));
}

TEST(CliMecMcg, PerEpisodeRowsIdenticalForAnyThreads) {
  const auto a = run_tool(tool + small + " --per-episode --encoder uniform --threads 1");
  const auto b = run_tool(tool + small + " --per-episode --encoder uniform --threads 2");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out.rfind("episode,message,decoded,correct,reward,steps,end,", 0), 0u) << a.out;
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 13);
  const auto j = run_tool(tool + small + " --per-episode --format json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(nlohmann::json::parse(j.out)["episodes"].size(), 12u);
}

TEST(CliMecMcg, BadParametersExitTwoWithOneLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {{" --msg 0", "--msg"},
                                                                  {" --rho 1.5", "--rho"},
                                                                  {" --rho nan", "--rho"},
                                                                  {" --log-beta inf", "--log-beta"},
                                                                  {" --grid 8y8", "--grid"},
                                                                  {" --grid 0x8", "--grid"},
                                                                  {" --episodes 0", "--episodes"},
                                                                  {" --encoder foo", "--encoder"},
                                                                  {" --max-steps 0", "--max-steps"},
                                                                  {" --gamma 1", "--gamma"},
                                                                  {" --slip 0.7", "--slip"},
                                                                  {" --sweeps -1", "--sweeps"},
                                                                  {" --start 9,9", "--start"},
                                                                  {" --start 3,3", "--start"},
                                                                  {" --uniform-blocks foo", "--uniform-blocks"},
                                                                  {" --beta -1", "--beta"},
                                                                  {" --threads 0", "--threads"}};
  for (const auto& [flags, name] : cases) {
    const auto r = run_tool(tool + " mcg --msg 8 --episodes 2" + flags);
    EXPECT_EQ(r.exit_code, 2) << flags << ": " << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << flags << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << flags << ": " << r.err;
  }
}

}  // namespace
