// Grid world, soft-Q iteration and softmax policy of the Markov coding game (gridworld.hpp).
#include "paperkit/mec/gridworld.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

namespace {

// Row and column steps of up, right, down, left.
constexpr int kRowStep[kGridActions] = {-1, 0, 1, 0};
constexpr int kColStep[kGridActions] = {0, 1, 0, -1};

std::string show(const GridCell& c) {
  return "(" + std::to_string(c.row) + "," + std::to_string(c.col) + ")";
}

void check_finite(double x, const char* what) {
  if (!std::isfinite(x)) throw InvalidParameter(std::string(what) + " must be finite (got " + std::to_string(x) + ")");
}

}  // namespace

std::vector<GridCell> diagonal_obstacles(int n) {
  std::vector<GridCell> out;
  for (int i = 1; i < n; ++i) out.push_back({i, i});
  return out;
}

std::uint32_t GridWorld::resolve(const GridCell& c, const char* what) const {
  const int r = c.row < 0 ? c.row + rows_ : c.row;
  const int k = c.col < 0 ? c.col + cols_ : c.col;
  if (r < 0 || r >= rows_ || k < 0 || k >= cols_) {
    throw InvalidParameter(std::string(what) + " " + show(c) + " is outside the " + std::to_string(rows_) + "x" +
                           std::to_string(cols_) + " grid");
  }
  return static_cast<std::uint32_t>(r * cols_ + k);
}

std::uint32_t GridWorld::state_of(int row, int col) const {
  return resolve({row, col}, "cell");
}

GridWorld::GridWorld(const GridWorldConfig& config) : rows_(config.rows), cols_(config.cols) {
  if (rows_ < 1 || rows_ > 1024 || cols_ < 1 || cols_ > 1024) {
    throw InvalidParameter("grid rows and columns must be in [1, 1024] (got " + std::to_string(rows_) + "x" +
                           std::to_string(cols_) + ")");
  }
  if (!(config.slip >= 0 && config.slip <= 0.5)) {
    throw InvalidParameter("slip (probability of each perpendicular move) must be in [0, 0.5] (got " +
                           std::to_string(config.slip) + ")");
  }
  check_finite(config.goal_reward, "goal reward");
  check_finite(config.trap_reward, "trap reward");
  check_finite(config.step_reward, "step reward");
  cells_ = static_cast<std::size_t>(rows_) * static_cast<std::size_t>(cols_);
  start_ = resolve(config.start, "start");
  goal_ = resolve(config.goal, "goal");
  trap_ = resolve(config.trap, "trap");
  if (goal_ == trap_) throw InvalidParameter("goal and trap must be different cells (both " + show(config.goal) + ")");
  blocked_.assign(cells_, 0);
  for (const auto& o : config.obstacles) blocked_[resolve(o, "obstacle")] = 1;
  if (blocked_[goal_] || blocked_[trap_]) throw InvalidParameter("goal and trap must not be obstacles");
  if (blocked_[start_]) throw InvalidParameter("start " + show(config.start) + " is an obstacle");
  if (terminal(start_)) throw InvalidParameter("start " + show(config.start) + " is a terminal state");

  reward_.assign(cells_, config.step_reward);
  reward_[goal_] = config.goal_reward;
  reward_[trap_] = config.trap_reward;

  // Where a move in direction d from s lands: s itself when it leaves the grid or hits an obstacle.
  auto move = [&](std::uint32_t s, std::size_t d) -> std::uint32_t {
    const auto c = cell_of(s);
    const int r = c.row + kRowStep[d], k = c.col + kColStep[d];
    if (r < 0 || r >= rows_ || k < 0 || k >= cols_) return s;
    const auto next = static_cast<std::uint32_t>(r * cols_ + k);
    return blocked_[next] ? s : next;
  };
  outcomes_.resize(cells_ * kGridActions);
  const double intended = 1 - 2 * config.slip;
  for (std::uint32_t s = 0; s < cells_; ++s) {
    for (std::size_t a = 0; a < kGridActions; ++a) {
      auto& out = outcomes_[s * kGridActions + a];
      if (terminal(s) || blocked_[s]) {
        out = {GridOutcome{s, 1.0}, GridOutcome{s, 0.0}, GridOutcome{s, 0.0}};
        continue;
      }
      // The perpendicular directions of a are a + 1 and a + 3 (mod 4).
      out = {GridOutcome{move(s, a), intended}, GridOutcome{move(s, (a + 1) % 4), config.slip},
             GridOutcome{move(s, (a + 3) % 4), config.slip}};
    }
  }
}

std::uint32_t GridWorld::step(std::uint32_t s, std::size_t a, Rng& rng) const {
  const auto& out = outcomes(s, a);
  const double u = rng.uniform01();
  if (u < out[0].probability) return out[0].state;
  if (u < out[0].probability + out[1].probability) return out[1].state;
  return out[2].state;
}

double soft_value(const std::array<double, kGridActions>& q, double beta) {
  const double top = *std::max_element(q.begin(), q.end());
  if (beta == 0) return top;
  double sum = 0;
  for (double x : q) sum += std::exp((x - top) / beta);
  return top + beta * std::log(sum);
}

std::array<double, kGridActions> softmax_policy(const std::array<double, kGridActions>& q, double beta) {
  const double top = *std::max_element(q.begin(), q.end());
  std::array<double, kGridActions> p{};
  double sum = 0;
  for (std::size_t a = 0; a < kGridActions; ++a) {
    p[a] = beta == 0 ? (q[a] == top ? 1.0 : 0.0) : std::exp((q[a] - top) / beta);
    sum += p[a];
  }
  for (double& x : p) x /= sum;  // sum >= 1: the maximizer contributes exp(0)
  return p;
}

PolicyTable softmax_policy(const QTable& q, double beta) {
  if (!(beta >= 0) || !std::isfinite(beta)) {
    throw InvalidParameter("beta must be finite and >= 0 (got " + std::to_string(beta) + ")");
  }
  PolicyTable out(q.size());
  for (std::size_t s = 0; s < q.size(); ++s) out[s] = softmax_policy(q[s], beta);
  return out;
}

QTable soft_q_iteration(const GridWorld& world, const SoftQOptions& options) {
  if (options.sweeps > 1'000'000) {
    throw InvalidParameter("soft-Q sweeps must be <= 1000000 (got " + std::to_string(options.sweeps) + ")");
  }
  if (!(options.gamma >= 0 && options.gamma < 1)) {
    throw InvalidParameter("gamma must be in [0, 1) (got " + std::to_string(options.gamma) + ")");
  }
  if (!(options.beta >= 0) || !std::isfinite(options.beta)) {
    throw InvalidParameter("beta must be finite and >= 0 (got " + std::to_string(options.beta) + ")");
  }
  const std::size_t n = world.states();
  QTable q(n, std::array<double, kGridActions>{});
  std::vector<double> v(n, 0.0);
  for (std::size_t sweep = 0; sweep < options.sweeps; ++sweep) {
    for (std::uint32_t s = 0; s < n; ++s) v[s] = world.blocked(s) ? 0.0 : soft_value(q[s], options.beta);
    for (std::uint32_t s = 0; s < n; ++s) {
      if (world.blocked(s)) continue;
      for (std::size_t a = 0; a < kGridActions; ++a) {
        if (world.terminal(s)) {
          q[s][a] = world.reward(s);
          continue;
        }
        double expect = 0;
        for (const auto& o : world.outcomes(s, a)) expect += o.probability * v[o.state];
        q[s][a] = world.reward(s) + options.gamma * expect;
      }
    }
  }
  return q;
}

}  // namespace paperkit::mec
