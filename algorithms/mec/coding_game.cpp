// The rate-limited Markov coding game (coding_game.hpp, spec A7).
#include "paperkit/mec/coding_game.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

namespace {

// Entries >= 0 with a positive finite sum, divided by that sum (accumulated in long double).
std::vector<double> renormalized(std::span<const double> p, const char* what) {
  long double sum = 0;
  for (double x : p) {
    if (!(x >= 0) || !std::isfinite(x)) {
      throw InvalidParameter(std::string(what) + " entries must be finite and >= 0 (got " + std::to_string(x) + ")");
    }
    sum += x;
  }
  if (!(sum > 0)) throw InvalidParameter(std::string(what) + " must have a positive sum");
  std::vector<double> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = static_cast<double>(p[i] / sum);
  return out;
}

// Index i with probability w[i] / total (one uniform draw); `total` = sum w > 0.
std::size_t sample(const std::array<double, kGridActions>& w, double total, Rng& rng) {
  const double u = rng.uniform01() * total;
  double acc = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < kGridActions; ++i) {
    if (w[i] <= 0) continue;
    acc += w[i];
    last = i;
    if (u < acc) return i;
  }
  return last;  // u landed past the rounded cumulative sum
}

}  // namespace

void validate(const CodingGameOptions& o) {
  if (o.messages < 1 || o.messages > (std::size_t{1} << 20)) {
    throw InvalidParameter("messages |M| must be in [1, 1048576] (got " + std::to_string(o.messages) + ")");
  }
  if (!(o.rho >= 0 && o.rho <= 1)) {
    throw InvalidParameter("rho (R / H(M)) must be in [0, 1] (got " + std::to_string(o.rho) + ")");
  }
  if (o.max_steps < 1 || o.max_steps > 10'000'000) {
    throw InvalidParameter("max steps must be in [1, 10000000] (got " + std::to_string(o.max_steps) + ")");
  }
  if (!(o.gamma >= 0 && o.gamma <= 1)) {
    throw InvalidParameter("reward discount gamma must be in [0, 1] (got " + std::to_string(o.gamma) + ")");
  }
}

double coding_game_rate(const CodingGameOptions& options) {
  return options.rho * std::log2(static_cast<double>(options.messages));
}

const char* to_string(EpisodeEnd end) {
  switch (end) {
    case EpisodeEnd::goal:
      return "goal";
    case EpisodeEnd::trap:
      return "trap";
    case EpisodeEnd::max_steps:
      return "max_steps";
  }
  return "?";
}

Coupling coding_game_step(std::span<const double> belief, std::span<const double> action_probs, double rate,
                          MecbEncoder encoder, UniformBlocks blocks) {
  const std::vector<double> py = renormalized(action_probs, "action probabilities");
  const std::vector<double> full = renormalized(belief, "belief");
  if (encoder == MecbEncoder::uniform && blocks == UniformBlocks::index_range)
    return mecb_joint(full, py, rate, encoder);
  std::vector<std::uint32_t> support;
  std::vector<double> px;
  for (std::size_t m = 0; m < full.size(); ++m) {
    if (full[m] > 0) {
      support.push_back(static_cast<std::uint32_t>(m));
      px.push_back(full[m]);
    }
  }
  Coupling j = mecb_joint(px, py, rate, encoder);
  j.sizes[0] = full.size();
  for (std::size_t c = 0; c < j.cells(); ++c) j.index[c * 2] = support[j.index[c * 2]];
  return j;
}

EpisodeResult play_coding_game_episode(const GridWorld& world, const PolicyTable& policy,
                                       const CodingGameOptions& options, Rng& rng, const StepObserver& observer) {
  validate(options);
  if (policy.size() != world.states()) {
    throw InvalidParameter("policy has " + std::to_string(policy.size()) + " rows but the world has " +
                           std::to_string(world.states()) + " states");
  }
  const double rate = coding_game_rate(options);
  const std::size_t n = options.messages;
  EpisodeResult r;
  r.message = static_cast<std::uint32_t>(rng.uniform_below(n));
  std::vector<double> belief(n, 1.0 / static_cast<double>(n));
  std::uint32_t s = world.start();
  double discount = 1;
  for (std::size_t step = 1; step <= options.max_steps; ++step) {
    const auto& pi = policy[s];
    const Coupling j = coding_game_step(belief, pi, rate, options.encoder, options.uniform_blocks);
    // Sender: the action given the true message, J(m_true, .) / sum.
    std::array<double, kGridActions> given{};
    double total = 0;
    for (std::size_t c = 0; c < j.cells(); ++c) {
      if (j.index[2 * c] == r.message) {
        given[j.index[2 * c + 1]] += j.mass[c];
        total += j.mass[c];
      }
    }
    if (!(total > 0)) {  // the true message got no cell (its belief was at rounding level)
      r.message_lost = true;
      given = pi;
      total = given[0] + given[1] + given[2] + given[3];
    }
    const std::size_t a = sample(given, total, rng);
    // Receiver (and sender): belief <- J(a, .) / sum.
    std::fill(belief.begin(), belief.end(), 0.0);
    long double column = 0;
    for (std::size_t c = 0; c < j.cells(); ++c) {
      if (j.index[2 * c + 1] == a) {
        belief[j.index[2 * c]] += j.mass[c];
        column += j.mass[c];
      }
    }
    if (!(column > 0)) throw InternalError("coding game: the drawn action has no mass in the coupling");
    for (double& b : belief) b = static_cast<double>(b / column);

    s = world.step(s, a, rng);
    discount *= options.gamma;
    r.reward += discount * world.reward(s);
    r.steps = step;
    if (observer) observer(step, a, belief);
    if (s == world.goal() || s == world.trap()) {
      r.end = s == world.goal() ? EpisodeEnd::goal : EpisodeEnd::trap;
      break;
    }
  }
  std::size_t best = 0;
  for (std::size_t m = 1; m < n; ++m) {
    if (belief[m] > belief[best]) best = m;
  }
  r.decoded = static_cast<std::uint32_t>(best);
  r.correct = r.decoded == r.message;
  r.belief_true = belief[r.message];
  r.belief_entropy = entropy_bits(std::span<const double>(belief));
  return r;
}

std::vector<EpisodeResult> play_coding_game(const GridWorld& world, const PolicyTable& policy,
                                            const CodingGameOptions& options, std::size_t episodes, std::uint64_t seed,
                                            int threads) {
  validate(options);
  if (threads < 1) throw InvalidParameter("threads must be >= 1 (got " + std::to_string(threads) + ")");
  if (policy.size() != world.states()) {
    throw InvalidParameter("policy has " + std::to_string(policy.size()) + " rows but the world has " +
                           std::to_string(world.states()) + " states");
  }
  std::vector<EpisodeResult> out(episodes);
  std::exception_ptr failure;
  const auto count = static_cast<std::int64_t>(episodes);
  // Episodes differ in length, so hand them out dynamically; each owns its random stream.
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (std::int64_t e = 0; e < count; ++e) {
    try {
      Rng rng = Rng::for_block(seed, kCodingGameStream, static_cast<std::uint64_t>(e));
      out[static_cast<std::size_t>(e)] = play_coding_game_episode(world, policy, options, rng);
    } catch (...) {
#pragma omp critical(paperkit_mec_coding_game)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return out;
}

CodingGameSummary summarize(const std::vector<EpisodeResult>& episodes) {
  CodingGameSummary s;
  s.episodes = episodes.size();
  if (episodes.empty()) return s;
  const double n = static_cast<double>(episodes.size());
  double correct = 0, steps = 0;
  for (const auto& e : episodes) {
    s.reward_mean += e.reward / n;
    correct += e.correct ? 1 : 0;
    steps += static_cast<double>(e.steps);
    s.goal_rate += e.end == EpisodeEnd::goal ? 1 : 0;
    s.trap_rate += e.end == EpisodeEnd::trap ? 1 : 0;
    s.timeout_rate += e.end == EpisodeEnd::max_steps ? 1 : 0;
    s.messages_lost += e.message_lost ? 1 : 0;
  }
  double ss = 0;
  for (const auto& e : episodes) ss += (e.reward - s.reward_mean) * (e.reward - s.reward_mean);
  s.reward_sd = episodes.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  const double z = 1.959963984540054;
  const double half = episodes.size() > 1 ? z * s.reward_sd / std::sqrt(n) : 0.0;
  s.reward_ci_low = s.reward_mean - half;
  s.reward_ci_high = s.reward_mean + half;
  // Wilson score interval: stays inside [0, 1] and is sensible at accuracy 0 or 1.
  const double p = correct / n;
  const double denom = 1 + z * z / n;
  const double center = (p + z * z / (2 * n)) / denom;
  const double spread = z / denom * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  s.accuracy = p;
  s.accuracy_ci_low = std::max(0.0, center - spread);
  s.accuracy_ci_high = std::min(1.0, center + spread);
  s.steps_mean = steps / n;
  s.goal_rate /= n;
  s.trap_rate /= n;
  s.timeout_rate /= n;
  return s;
}

}  // namespace paperkit::mec
