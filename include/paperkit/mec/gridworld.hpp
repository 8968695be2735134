// The grid world of the rate-limited Markov coding game (Ebrahimi, Chen, Khisti, NeurIPS 2024;
// spec A7, the authors' gridworld.py) and its soft-Q policy.
//
// Defaults are the paper's: an 8 x 8 grid, reward 0 everywhere except the goal (0,-1) = +1 and
// the trap (1,-1) = -1, both terminal; obstacles on the diagonal (i,i), i = 1..7; each action
// moves as intended with probability 1 - 2 slip and to each perpendicular side with probability
// slip (slip = 0.1: 0.8 / 0.1 / 0.1); a move into a wall or an obstacle stays put. Actions
// 0..3 = up, right, down, left. Coordinates are (row, column), row 0 at the top and "up" =
// row - 1; a negative coordinate counts from the end as in numpy (goal (0,-1) = (0,7)). Reading
// the spec's pairs as (row, column) is our choice [I]; the transposed reading is the same world
// mirrored, with up/left and down/right swapped. With the diagonal wall, the only way from the
// start (5,4) to the goal passes (0,0): the shortest path is 16 moves.
//
// Soft-Q iteration (the paper's Alg. 8 as the spec states it): Q(s,a) = r(s) + gamma sum_s'
// T(s,a,s') V(s'), V(s) = beta log sum_a exp(Q(s,a) / beta) (max_a Q(s,a) when beta = 0),
// Q(s,.) = r(s) at terminal states; `sweeps` synchronous (Jacobi) sweeps from Q = 0 (sweep order
// is our choice [I]). Policy pi(a|s) = softmax(Q(s,.) / beta); beta = 0 gives the uniform
// distribution over the maximizing actions (the softmax's limit). Values at unreachable states
// (obstacles) are 0. Tolerance: each soft sweep adds at most beta ln 4 to the hard Bellman
// update, so |Q_soft - Q_hard| <= beta ln(4) / (1 - gamma) after any number of sweeps (tested).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::mec {

inline constexpr std::size_t kGridActions = 4;  // up, right, down, left
enum class GridAction : std::uint8_t { up = 0, right = 1, down = 2, left = 3 };

struct GridCell {
  int row = 0;
  int col = 0;
  friend bool operator==(const GridCell&, const GridCell&) = default;
};

// Obstacles (i,i) for i = 1..n-1: the paper's diagonal wall on an n x n grid.
std::vector<GridCell> diagonal_obstacles(int n);

struct GridWorldConfig {
  int rows = 8, cols = 8;
  GridCell start{5, 4};
  GridCell goal{0, -1};
  GridCell trap{1, -1};
  std::vector<GridCell> obstacles = diagonal_obstacles(8);
  double goal_reward = 1.0;
  double trap_reward = -1.0;
  double step_reward = 0.0;  // reward of every other state
  double slip = 0.1;         // probability of each perpendicular move, in [0, 0.5]
};

// One possible result of an action: the next state and its probability.
struct GridOutcome {
  std::uint32_t state = 0;
  double probability = 0;
};

class GridWorld {
 public:
  // Throws InvalidParameter on: rows or cols outside [1, 1024], slip outside [0, 0.5], a
  // non-finite reward, a cell outside the grid, goal = trap, start on an obstacle or terminal,
  // goal or trap on an obstacle.
  explicit GridWorld(const GridWorldConfig& config = {});

  std::size_t states() const { return cells_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  std::uint32_t state_of(int row, int col) const;  // negative coordinates count from the end
  GridCell cell_of(std::uint32_t state) const {
    return {static_cast<int>(state) / cols_, static_cast<int>(state) % cols_};
  }
  std::uint32_t start() const { return start_; }
  std::uint32_t goal() const { return goal_; }
  std::uint32_t trap() const { return trap_; }
  double reward(std::uint32_t s) const { return reward_[s]; }
  bool terminal(std::uint32_t s) const { return s == goal_ || s == trap_; }
  bool blocked(std::uint32_t s) const { return blocked_[s] != 0; }

  // The three outcomes of action a in state s (intended, then the two perpendicular moves);
  // entries may name the same state. Probabilities sum to 1. Terminal states absorb.
  const std::array<GridOutcome, 3>& outcomes(std::uint32_t s, std::size_t a) const {
    return outcomes_[s * kGridActions + a];
  }
  // Samples the next state with one uniform draw.
  std::uint32_t step(std::uint32_t s, std::size_t a, Rng& rng) const;

 private:
  std::uint32_t resolve(const GridCell& c, const char* what) const;

  int rows_ = 0, cols_ = 0;
  std::size_t cells_ = 0;
  std::uint32_t start_ = 0, goal_ = 0, trap_ = 0;
  std::vector<double> reward_;
  std::vector<std::uint8_t> blocked_;
  std::vector<std::array<GridOutcome, 3>> outcomes_;
};

using QTable = std::vector<std::array<double, kGridActions>>;       // Q(s, a)
using PolicyTable = std::vector<std::array<double, kGridActions>>;  // pi(a | s)

struct SoftQOptions {
  std::size_t sweeps = 100;
  double gamma = 0.95;
  double beta = 0.0024787521766663585;  // e^-6, the authors' README; 0 = hard max
};

// Throws InvalidParameter unless sweeps <= 1e6, gamma in [0, 1) and beta finite and >= 0.
QTable soft_q_iteration(const GridWorld& world, const SoftQOptions& options = {});

// beta log sum exp(q / beta), computed from the maximum (no overflow); max q when beta = 0.
double soft_value(const std::array<double, kGridActions>& q, double beta);

// softmax(q / beta); beta = 0: uniform over the exact maximizers.
std::array<double, kGridActions> softmax_policy(const std::array<double, kGridActions>& q, double beta);
PolicyTable softmax_policy(const QTable& q, double beta);

}  // namespace paperkit::mec
