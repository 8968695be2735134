// The rate-limited Markov coding game (Ebrahimi, Chen, Khisti, NeurIPS 2024, Sec. 5 and Fig. 4;
// spec A7): an agent acting in the grid world (gridworld.hpp) also sends a message m, uniform
// over |M| symbols, to a receiver who sees only its actions. At every step the agent couples its
// current message belief (X) with its policy pi(.|s) (Y) by MEC-B at rate R (mecb.hpp), draws
// its action from J(., m_true) and both sides update the belief to J(a, .) / sum. Larger beta
// makes the policy more random: more room for bits, less reward.
//
// Rate. R = rho H(M) with rho = R / H(M) in [0, 1] fixed for the episode; the authors' code
// calls rho `compression_rate` (their Fig. 10 plots the inverse H(X)/R: keep the names apart).
// rho = 1 makes R >= H(belief) always, so both encoders return singletons and each step is the
// plain greedy MEC of (belief, pi) (tested cell by cell). Caveat for the uniform encoder:
// uniform_quantization floors exp2(R), and exp2(log2 n) < n for many n that are not powers of
// two (5, 9, 10, ...), so at rho = 1 it can leave |M| - 1 blocks there; |M| = 512 is exact.
//
// Uniform quantization blocks. The baseline (spec B3) cuts p_X into floor(2^R) contiguous
// blocks of symbols. Applied to the belief over all |M| messages (`UniformBlocks::index_range`,
// the default: our reading of the authors' code applying `scalar_quant` to the belief vector
// [I]), a block whose messages are all ruled out has zero mass, and once the belief lies inside
// one block the code has a single cell: no further bit is sent, so accuracy stays near
// 1/block. `UniformBlocks::support` cuts the blocks over the messages with positive belief
// instead (an adaptive variant, our own [I]); it does about as well as Algorithm 1 on this game
// (experiments/README.md). The greedy encoder ignores the choice: it always couples over the
// support, which gives the same coupling as over all |M| entries (zeros take no cell; tested)
// and is faster, since the belief soon sits on a few messages.
//
// Numerics. The belief is renormalized every step (sums in long double) and stays a
// distribution: entries >= 0, sum 1 within 1e-12 (tested along episodes). The true message keeps
// positive belief because the drawn action has J(a, m_true) > 0; the one exception is a message
// whose belief is at rounding level (< ~1e-16) and gets no cell of the coupling: then the action
// is drawn from pi and the episode is flagged `message_lost` (never seen in our runs).
//
// Metrics. Reward: sum_i gamma^(i+1) r(s_(i+1)) over the states entered (spec A7). Receiver
// accuracy: 1[argmax of the final belief = m] with ties to the lowest index; the spec marks this
// definition as its own inference [I]. Episodes end at a terminal state or after max_steps.
//
// Randomness: episode e draws its message, actions and moves from
// Rng::for_block(seed, kCodingGameStream, e), so results are identical for any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/gridworld.hpp"
#include "paperkit/mec/mecb.hpp"

namespace paperkit::mec {

inline constexpr std::uint64_t kCodingGameStream = 0x4d4347;  // "MCG"

enum class UniformBlocks : std::uint8_t {
  index_range,  // blocks over messages 0..|M|-1 (default)
  support,      // blocks over the messages with positive belief
};

struct CodingGameOptions {
  std::size_t messages = 512;  // |M|, in [1, 2^20]
  double rho = 1.0;            // R / H(M) ("compression_rate"), in [0, 1]
  MecbEncoder encoder = MecbEncoder::greedy;
  std::size_t max_steps = 1000;                               // in [1, 1e7]
  double gamma = 0.95;                                        // discount of the episode reward, in [0, 1]
  UniformBlocks uniform_blocks = UniformBlocks::index_range;  // see above
};

// Throws InvalidParameter naming the field, the rule and the value.
void validate(const CodingGameOptions& options);

// R = rho log2 |M| in bits.
double coding_game_rate(const CodingGameOptions& options);

// One step's joint J(m, a) (k = 2: index 0 = message in [0, belief.size()), index 1 = action),
// MEC-B of (belief, action_probs) at rate R with `encoder`. `belief` and `action_probs` need
// entries >= 0 and a positive sum (each is renormalized); zero-belief messages get no cell.
// Cells are ordered by message. Marginals equal the renormalized inputs to about 1e-12.
// `blocks` matters for the uniform encoder only.
Coupling coding_game_step(std::span<const double> belief, std::span<const double> action_probs, double rate,
                          MecbEncoder encoder, UniformBlocks blocks = UniformBlocks::index_range);

enum class EpisodeEnd : std::uint8_t { goal, trap, max_steps };
const char* to_string(EpisodeEnd end);

struct EpisodeResult {
  std::uint32_t message = 0;
  std::uint32_t decoded = 0;  // argmax of the final belief, lowest index on ties
  bool correct = false;
  double reward = 0;      // sum_i gamma^(i+1) r(s_(i+1))
  std::size_t steps = 0;  // actions taken
  EpisodeEnd end = EpisodeEnd::max_steps;
  double belief_true = 0;     // final belief of the true message
  double belief_entropy = 0;  // H(final belief) in bits
  bool message_lost = false;  // see "Numerics" above
};

// Called after every step with the step number (from 1), the action and the updated belief.
using StepObserver = std::function<void(std::size_t step, std::size_t action, std::span<const double> belief)>;

// One episode from the world's start state with the policy table `policy` (one row per state).
// Throws InvalidParameter on bad options or a policy of the wrong size.
EpisodeResult play_coding_game_episode(const GridWorld& world, const PolicyTable& policy,
                                       const CodingGameOptions& options, Rng& rng, const StepObserver& observer = {});

// Episodes 0..episodes-1, episode e on Rng::for_block(seed, kCodingGameStream, e), run on
// `threads` OpenMP threads (>= 1); output identical for any thread count.
std::vector<EpisodeResult> play_coding_game(const GridWorld& world, const PolicyTable& policy,
                                            const CodingGameOptions& options, std::size_t episodes, std::uint64_t seed,
                                            int threads = 1);

struct CodingGameSummary {
  std::size_t episodes = 0;
  double reward_mean = 0, reward_sd = 0, reward_ci_low = 0, reward_ci_high = 0;  // normal 95% CI
  double accuracy = 0, accuracy_ci_low = 0, accuracy_ci_high = 0;                // Wilson 95% interval
  double steps_mean = 0;
  double goal_rate = 0, trap_rate = 0, timeout_rate = 0;
  std::size_t messages_lost = 0;
};

CodingGameSummary summarize(const std::vector<EpisodeResult>& episodes);

}  // namespace paperkit::mec
