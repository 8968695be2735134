// paperkit-mec mcg: the rate-limited Markov coding game (spec A7, paper Fig. 4) from the command
// line. Thin: parse, validate every flag, build the grid world and its soft-Q policy, play the
// episodes, write a summary row (or one row per episode) with the parameters and timings.
#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/mec/mec.hpp"

namespace mec = paperkit::mec;
using paperkit::InvalidParameter;
using paperkit::Table;

namespace paperkit::mec_app {

namespace {

const std::vector<std::string> kMcgNotes = {
    "mcg: grid world, soft-Q policy and episode loop as the spec's reading of the authors' gridworld.py (spec A7 "
    "[V]); coordinates (row, col), up = row - 1, negative = from the end [I]",
    "rho = R / H(M) (the authors' compression_rate), R = rho log2 |M| bits; Fig. 10 of the paper uses H(X)/R",
    "each step: J = MEC-B(belief, pi(.|s)) at rate R; uniform quantization cuts blocks over messages 0..|M|-1 "
    "(--uniform-blocks index, our reading of the authors' code [I]) or over the belief's support (support, own "
    "variant [I])",
    "accuracy = 1[argmax final belief = m], ties to the lowest index (spec marks this [I]); 95% CI: Wilson",
    "reward = sum_i gamma^(i+1) r(s_(i+1)); --gamma is also the soft-Q discount"};

struct McgArgs {
  paperkit::cli::CommonOptions common;
  std::string grid = "8x8", encoder = "greedy", start = "5,4";
  std::size_t messages = 512, episodes = 200, max_steps = 1000;
  double rho = 0.5, log_beta = -6, beta = -1, gamma = 0.95, slip = 0.1;
  long long sweeps = 100;
  std::string uniform_blocks = "index";
  bool per_episode = false;
  CLI::Option* beta_option = nullptr;
};

// Shortest text that reads back as x (0.7, not 0.69999999999999996).
std::string show(double x) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(x);
}

// "RxC" with 1 <= R, C <= 1024.
std::pair<int, int> parse_grid(const std::string& text) {
  const auto x = text.find('x');
  int r = 0, c = 0;
  bool ok = x != std::string::npos;
  if (ok) {
    const char* b = text.data();
    const auto [p1, e1] = std::from_chars(b, b + x, r);
    const auto [p2, e2] = std::from_chars(b + x + 1, b + text.size(), c);
    ok = e1 == std::errc() && p1 == b + x && e2 == std::errc() && p2 == b + text.size();
  }
  if (!ok || r < 1 || r > 1024 || c < 1 || c > 1024) {
    throw InvalidParameter("--grid must be RxC with 1 <= R, C <= 1024, e.g. 8x8 (got " + text + ")");
  }
  return {r, c};
}

// "R,C" inside the grid (negative counts from the end).
mec::GridCell parse_cell(const std::string& text, int rows, int cols) {
  const auto comma = text.find(',');
  int r = 0, c = 0;
  bool ok = comma != std::string::npos;
  if (ok) {
    const char* b = text.data();
    const auto [p1, e1] = std::from_chars(b, b + comma, r);
    const auto [p2, e2] = std::from_chars(b + comma + 1, b + text.size(), c);
    ok = e1 == std::errc() && p1 == b + comma && e2 == std::errc() && p2 == b + text.size();
  }
  if (!ok || r < -rows || r >= rows || c < -cols || c >= cols) {
    throw InvalidParameter("--start must be ROW,COL inside the " + std::to_string(rows) + "x" + std::to_string(cols) +
                           " grid (got " + text + ")");
  }
  return {r, c};
}

void validate(McgArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.messages < 1 || a.messages > 65536) {
    throw InvalidParameter("--msg (|M|) must be in [1, 65536] (got " + std::to_string(a.messages) + ")");
  }
  if (!(a.rho >= 0 && a.rho <= 1))
    throw InvalidParameter("--rho (R / H(M)) must be in [0, 1] (got " + show(a.rho) + ")");
  if (a.beta_option != nullptr && a.beta_option->count() > 0) {
    if (!(a.beta >= 0) || !std::isfinite(a.beta)) {
      throw InvalidParameter("--beta must be finite and >= 0 (got " + show(a.beta) + ")");
    }
  } else if (!std::isfinite(a.log_beta) || a.log_beta > 700) {
    throw InvalidParameter("--log-beta (ln beta) must be finite and <= 700 (got " + show(a.log_beta) + ")");
  }
  if (a.episodes < 1 || a.episodes > 10'000'000) {
    throw InvalidParameter("--episodes must be in [1, 10000000] (got " + std::to_string(a.episodes) + ")");
  }
  if (a.max_steps < 1 || a.max_steps > 1'000'000) {
    throw InvalidParameter("--max-steps must be in [1, 1000000] (got " + std::to_string(a.max_steps) + ")");
  }
  if (!(a.gamma >= 0 && a.gamma < 1)) throw InvalidParameter("--gamma must be in [0, 1) (got " + show(a.gamma) + ")");
  if (!(a.slip >= 0 && a.slip <= 0.5)) {
    throw InvalidParameter("--slip (each perpendicular move) must be in [0, 0.5] (got " + show(a.slip) + ")");
  }
  if (a.sweeps < 0 || a.sweeps > 100'000) {
    throw InvalidParameter("--sweeps must be in [0, 100000] (got " + std::to_string(a.sweeps) + ")");
  }
  if (a.uniform_blocks != "index" && a.uniform_blocks != "support") {
    throw InvalidParameter("--uniform-blocks must be index or support (got " + a.uniform_blocks + ")");
  }
  if (a.encoder == "search") a.encoder = "greedy";  // the spec's name for Algorithm 1
  if (a.encoder != "greedy" && a.encoder != "uniform") {
    throw InvalidParameter("--encoder must be greedy (alias search) or uniform (got " + a.encoder + ")");
  }
}

void run_mcg(McgArgs& a) {
  validate(a);
  const auto [rows, cols] = parse_grid(a.grid);
  mec::GridWorldConfig world_config;
  world_config.rows = rows;
  world_config.cols = cols;
  world_config.obstacles = mec::diagonal_obstacles(std::min(rows, cols));
  world_config.start = parse_cell(a.start, rows, cols);
  world_config.slip = a.slip;
  const bool use_beta = a.beta_option != nullptr && a.beta_option->count() > 0;
  const double beta = use_beta ? a.beta : std::exp(a.log_beta);
  const double log_beta = use_beta ? std::log(a.beta) : a.log_beta;  // -inf for beta = 0
  mec::CodingGameOptions options;
  options.messages = a.messages;
  options.rho = a.rho;
  options.encoder = a.encoder == "greedy" ? mec::MecbEncoder::greedy : mec::MecbEncoder::uniform;
  options.max_steps = a.max_steps;
  options.gamma = a.gamma;
  options.uniform_blocks = a.uniform_blocks == "index" ? mec::UniformBlocks::index_range : mec::UniformBlocks::support;
  mec::validate(options);
  paperkit::cli::Output out(a.common.out);

  paperkit::Stopwatch clock;
  // The world's own checks (start on an obstacle or a terminal) concern --grid and --start.
  const mec::GridWorld world = [&] {
    try {
      return mec::GridWorld(world_config);
    } catch (const InvalidParameter& e) {
      throw InvalidParameter(std::string("--grid/--start: ") + e.what());
    }
  }();
  const auto q = mec::soft_q_iteration(world, {static_cast<std::size_t>(a.sweeps), a.gamma, beta});
  const auto policy = mec::softmax_policy(q, beta);
  const double policy_seconds = clock.seconds();
  paperkit::Stopwatch game_clock;
  const auto episodes = mec::play_coding_game(world, policy, options, a.episodes, a.common.seed, a.common.threads);
  const double game_seconds = game_clock.seconds();
  const auto s = mec::summarize(episodes);
  std::size_t total_steps = 0;
  for (const auto& e : episodes) total_steps += e.steps;

  nlohmann::json params = {{"grid", a.grid},
                           {"start", a.start},
                           {"messages", a.messages},
                           {"rho", a.rho},
                           {"rate_bits", mec::coding_game_rate(options)},
                           {"beta", beta},
                           {"encoder", a.encoder},
                           {"episodes", a.episodes},
                           {"max_steps", a.max_steps},
                           {"gamma", a.gamma},
                           {"slip", a.slip},
                           {"sweeps", a.sweeps},
                           {"uniform_blocks", a.uniform_blocks},
                           {"seed", a.common.seed},
                           {"threads", a.common.threads}};
  params["log_beta"] = std::isfinite(log_beta) ? nlohmann::json(log_beta) : nlohmann::json(nullptr);
  const nlohmann::json summary = {{"episodes", s.episodes},
                                  {"reward_mean", s.reward_mean},
                                  {"reward_sd", s.reward_sd},
                                  {"reward_ci95_low", s.reward_ci_low},
                                  {"reward_ci95_high", s.reward_ci_high},
                                  {"accuracy", s.accuracy},
                                  {"accuracy_ci95_low", s.accuracy_ci_low},
                                  {"accuracy_ci95_high", s.accuracy_ci_high},
                                  {"steps_mean", s.steps_mean},
                                  {"goal_rate", s.goal_rate},
                                  {"trap_rate", s.trap_rate},
                                  {"timeout_rate", s.timeout_rate},
                                  {"messages_lost", s.messages_lost}};
  const nlohmann::json timing = {
      {"policy_seconds", policy_seconds},
      {"episodes_seconds", game_seconds},
      {"thread_us_per_step",
       total_steps > 0 ? 1e6 * game_seconds * a.common.threads / static_cast<double>(total_steps) : 0.0}};

  if (a.common.format == "csv") {
    if (a.per_episode) {
      Table t({"episode", "message", "decoded", "correct", "reward", "steps", "end", "belief_true", "belief_entropy"});
      for (std::size_t e = 0; e < episodes.size(); ++e) {
        const auto& r = episodes[e];
        t.add_row({static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(r.message),
                   static_cast<std::uint64_t>(r.decoded), static_cast<std::uint64_t>(r.correct ? 1 : 0), r.reward,
                   static_cast<std::uint64_t>(r.steps), std::string(mec::to_string(r.end)), r.belief_true,
                   r.belief_entropy});
      }
      t.write_csv(out.stream());
    } else {
      Table t({"encoder", "messages", "rho", "rate_bits", "log_beta", "beta", "episodes", "reward_mean",
               "reward_ci95_low", "reward_ci95_high", "accuracy", "accuracy_ci95_low", "accuracy_ci95_high",
               "steps_mean", "goal_rate", "trap_rate", "timeout_rate", "seed", "seconds"});
      t.add_row({a.encoder, static_cast<std::uint64_t>(a.messages), a.rho, mec::coding_game_rate(options),
                 std::isfinite(log_beta) ? Table::Cell(log_beta) : Table::Cell(std::string("-inf")), beta,
                 static_cast<std::uint64_t>(a.episodes), s.reward_mean, s.reward_ci_low, s.reward_ci_high, s.accuracy,
                 s.accuracy_ci_low, s.accuracy_ci_high, s.steps_mean, s.goal_rate, s.trap_rate, s.timeout_rate,
                 a.common.seed, policy_seconds + game_seconds});
      t.write_csv(out.stream());
    }
  } else {
    nlohmann::json full = {{"command", "mcg"}, {"params", params}, {"summary", summary}, {"timing", timing}};
    full["notes"] = kMcgNotes;
    if (a.per_episode) {
      nlohmann::json per_episode = nlohmann::json::array();
      for (const auto& r : episodes) {
        per_episode.push_back({{"message", r.message},
                               {"decoded", r.decoded},
                               {"correct", r.correct},
                               {"reward", r.reward},
                               {"steps", r.steps},
                               {"end", mec::to_string(r.end)},
                               {"belief_true", r.belief_true},
                               {"belief_entropy", r.belief_entropy},
                               {"message_lost", r.message_lost}});
      }
      full["episodes"] = per_episode;
    }
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (s.messages_lost > 0) {
    paperkit::cli::warn(a.common, "warning: " + std::to_string(s.messages_lost) +
                                      " episodes lost the true message to rounding (see coding_game.hpp)");
  }
  if (!a.common.quiet) {
    std::cerr << "summary: " << nlohmann::json({{"params", params}, {"summary", summary}, {"timing", timing}}).dump()
              << '\n';
  }
}

}  // namespace

void add_mcg_command(CLI::App& app) {
  static McgArgs a;
  auto* cmd = app.add_subcommand(
      "mcg",
      "Rate-limited Markov coding game (paper Fig. 4): reward and receiver accuracy over episodes.\n"
      "Example: paperkit-mec mcg --grid 8x8 --msg 512 --rho 0.5 --log-beta -6 --episodes 200 --encoder search");
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // a repeated flag: last wins
  cmd->add_option("--grid", a.grid, "Grid RxC; goal (0,-1) +1, trap (1,-1) -1, obstacles (i,i)")->capture_default_str();
  cmd->add_option("--start", a.start, "Start cell ROW,COL")->capture_default_str();
  cmd->add_option("--msg", a.messages, "|M|: messages, uniform prior, in [1, 65536]")->capture_default_str();
  cmd->add_option("--rho", a.rho, "rho = R / H(M) in [0, 1] (the authors' compression_rate)")->capture_default_str();
  cmd->add_option("--log-beta", a.log_beta, "ln beta, the soft-Q temperature (paper: -6 and -3)")
      ->capture_default_str();
  a.beta_option = cmd->add_option("--beta", a.beta, "beta itself (>= 0; 0 = hard max policy); overrides --log-beta");
  cmd->add_option("--encoder", a.encoder, "greedy (EBIM Alg. 1; alias search) | uniform (quantization baseline)")
      ->capture_default_str();
  cmd->add_option("--episodes", a.episodes, "Episodes (paper: 200 per point)")->capture_default_str();
  cmd->add_option("--max-steps", a.max_steps, "Steps per episode at most")->capture_default_str();
  cmd->add_option("--gamma", a.gamma, "Discount gamma in [0, 1) (soft-Q and reward)")->capture_default_str();
  cmd->add_option("--slip", a.slip, "Probability of each perpendicular move, [0, 0.5]")->capture_default_str();
  cmd->add_option("--sweeps", a.sweeps, "Soft-Q iteration sweeps, [0, 100000]")->capture_default_str();
  cmd->add_flag("--per-episode", a.per_episode, "One row per episode instead of the summary");
  cmd->add_option("--uniform-blocks", a.uniform_blocks, "uniform encoder: blocks over index (0..|M|-1) | support")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*cmd, a.common);
  cmd->callback([] { run_mcg(a); });
}

}  // namespace paperkit::mec_app
