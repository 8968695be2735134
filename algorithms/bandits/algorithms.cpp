// The registry (names, factories, notes) and the one-run driver.
#include "paperkit/bandits/algorithms.hpp"

#include <cmath>
#include <string>

#include "factories.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::bandits {
namespace {

struct Entry {
  Algo algo;
  const char* name;
};
constexpr Entry kAlgos[] = {{Algo::uniform, "uniform"}, {Algo::naive, "naive"},     {Algo::log, "log"},
                            {Algo::loglog, "loglog"},   {Algo::logstar, "logstar"}, {Algo::goa, "goa"},
                            {Algo::ucb, "ucb"}};

void require_open_unit(double value, const char* flag) {
  if (!(std::isfinite(value) && value > 0 && value < 1)) {
    throw InvalidParameter(std::string(flag) + " must be in (0, 1) (got " + std::to_string(value) + ")");
  }
}

void require_positive(double value, const char* name) {
  if (!(std::isfinite(value) && value > 0)) {
    throw InvalidParameter(std::string(name) + " must be finite and > 0 (got " + std::to_string(value) + ")");
  }
}

}  // namespace

void validate(const Options& o) {
  if (o.epsilon != 0) require_open_unit(o.epsilon, "--epsilon");
  if (o.delta != 0) require_open_unit(o.delta, "--delta");
  const auto& l = o.levels;
  for (auto [v, n] : {std::pair{l.growth, "--level-growth"},
                      {l.log_cap, "--log-cap"},
                      {l.loglog_cap, "--loglog-cap"},
                      {l.logstar_cap0, "--logstar-cap0"},
                      {l.logstar_r0, "--logstar-r0"}}) {
    require_positive(v, n);
  }
  const auto& g = o.goa;
  for (auto [v, n] : {std::pair{g.full_cap, "--goa-full-cap"},
                      {g.king_init, "--goa-king-init"},
                      {g.king_increment, "--goa-king-increment"},
                      {g.rounds, "--goa-rounds"},
                      {g.frac_probability, "--goa-frac-probability"}}) {
    require_positive(v, n);
  }
  if (!(std::isfinite(g.estimate_init) && std::isfinite(g.discard) && std::isfinite(g.king_step) && g.king_step >= 0)) {
    throw InvalidParameter("--goa-estimate-init, --goa-discard must be finite, --goa-king-step finite and >= 0");
  }
}

Algo parse_algo(const std::string& name) {
  std::string names;
  for (const auto& e : kAlgos) {
    if (name == e.name) return e.algo;
    names += (names.empty() ? "" : ", ") + std::string(e.name);
  }
  throw InvalidParameter("--algo must be one of " + names + " (got " + name + ")");
}

std::string algo_name(Algo algo) {
  for (const auto& e : kAlgos) {
    if (e.algo == algo) return e.name;
  }
  return "?";
}

std::vector<Algo> streaming_algos() {
  return {Algo::uniform, Algo::naive, Algo::log, Algo::loglog, Algo::logstar, Algo::goa};
}

std::string reconstructed_notes(Algo algo) {
  switch (algo) {
    case Algo::naive:
      return "naive: mapping to the paper's O(K^1/3 T^2/3 log K) algorithm is inferred, unverified";
    case Algo::goa:
      return "goa: king estimate step (--goa-king-step, default 0; authors use the oracle gap) and crowning a "
             "challenger that survives every round are reconstructed";
    case Algo::ucb:
      return "ucb: RAM-model reference (keeps all K arms), not from the paper";
    default:
      return "";
  }
}

std::unique_ptr<Algorithm> make_algorithm(Algo algo, std::size_t K, std::uint64_t T, const Options& options) {
  validate(options);
  const double t = static_cast<double>(T);
  const double eps = options.epsilon != 0 ? options.epsilon : default_epsilon(K, t);
  switch (algo) {
    case Algo::uniform:
      return detail::make_single_arm(uniform_samples(K, t), options.compat_authors);
    case Algo::naive:
      return detail::make_single_arm(naive_samples(K, eps), options.compat_authors);
    case Algo::log:
      return detail::make_leveled(log_schedule(K, eps, options.levels), options.compat_authors);
    case Algo::loglog:
      return detail::make_leveled(loglog_schedule(K, eps, options.levels), options.compat_authors);
    case Algo::logstar:
      return detail::make_leveled(logstar_schedule(K, eps, options.levels), options.compat_authors);
    case Algo::goa: {
      GoaConstants g = options.goa;
      g.oracle_gap = g.oracle_gap || options.compat_authors;
      return detail::make_goa(K, eps, g);
    }
    case Algo::ucb:
      return detail::make_ucb(options.delta != 0 ? options.delta : 1 / (t * t));
  }
  throw InternalError("unknown algorithm");
}

RunResult run(Algo algo, std::span<const double> means, std::uint64_t T, const Options& options, Rng pull_rng,
              Rng algo_rng) {
  StreamEnv env(means, T, pull_rng, options.pull_model);
  const auto algorithm = make_algorithm(algo, means.size(), T, options);
  algorithm->run(env, algo_rng);
  if (!env.committed() || !env.exhausted()) throw InternalError(algo_name(algo) + " ended without committing all of T");
  RunResult r;
  r.algo = algo_name(algo);
  r.K = means.size();
  r.T = T;
  r.epsilon = options.epsilon != 0 ? options.epsilon : default_epsilon(r.K, static_cast<double>(T));
  r.regret_explore = env.regret_explore();
  r.regret_commit = env.regret_commit();
  r.regret = env.regret();
  r.ledger_regret = env.ledger_regret();
  r.regret_authors = env.regret_authors();
  r.pulls = env.used();
  r.pulls_commit = env.pulls_commit();
  r.pulls_explore = r.pulls - r.pulls_commit;
  r.peak_memory = env.peak_memory();
  r.memory_bound = algorithm->memory_bound(r.K);
  r.committed_arm = *env.committed();
  r.committed_mean = env.mean(r.committed_arm);
  r.best_mean = env.best_mean();
  r.epsilon_best = r.best_mean - r.committed_mean <= r.epsilon;
  return r;
}

}  // namespace paperkit::bandits
