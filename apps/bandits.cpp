// paperkit-bandits: single-pass streaming multi-armed bandits (Wang, ICML 2023) from the
// command line. Thin by design: parse, validate, run paperkit::bandits per replication, write.
// Replication r draws its instance, pulls and algorithm randomness from
// Rng::for_block(--seed, stream, r), so the output is identical for any --threads.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/bandits/bandits.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"

namespace bd = paperkit::bandits;
using paperkit::InvalidParameter;
using paperkit::Rng;
using paperkit::Table;
using paperkit::cli::CommonOptions;

namespace {

enum Stream : std::uint64_t { kInstance = 0, kPulls = 1, kAlgo = 2 };

// Flags shared by run and sweep: the instance and every algorithm constant.
struct ModelArgs {
  std::string instance = "clear-cut";
  double needle_gap = 0, jackpot_probability = 0.5;
  std::string pull_model = "binomial";
  std::string compat = "none";
  bd::Options options;
  std::uint64_t seeds = 1;
  std::string summary_json;
};

void add_model_flags(CLI::App& app, ModelArgs& a) {
  app.add_option("--instance", a.instance,
                 "clear-cut | mix-in | needle-jackpot (reconstructed, unverified) | csv:PATH (one mean per line)")
      ->capture_default_str();
  app.add_option("--seeds", a.seeds, "Replications (>= 1); replication r uses Rng::for_block(seed, ., r)")
      ->capture_default_str();
  app.add_option("--epsilon", a.options.epsilon, "epsilon in (0, 1); default (K/T)^(1/3)");
  app.add_option("--delta", a.options.delta, "ucb confidence delta in (0, 1); default 1/T^2");
  app.add_option("--pull-model", a.pull_model, "binomial (exact) | authors-gauss (p + N(0, 4/n) above 1e5)")
      ->capture_default_str();
  app.add_option("--compat", a.compat,
                 "none (correct) | authors: the released code's defects Q1 (regret_authors), Q2, Q3, Q5, Q6 and its "
                 "Gaussian pull model")
      ->capture_default_str();
  app.add_option("--needle-gap", a.needle_gap, "needle-jackpot: needle gap in (0, 0.5]; default (K/T)^(1/3)");
  app.add_option("--jackpot-probability", a.jackpot_probability, "needle-jackpot: P(jackpot arm appended)")
      ->capture_default_str();
  auto& l = a.options.levels;
  app.add_option("--level-growth", l.growth, "log, loglog: s_l = ceil(growth^l / eps^2)")->capture_default_str();
  app.add_option("--log-cap", l.log_cap, "log: cap_l = ceil(c s_l)")->capture_default_str();
  app.add_option("--loglog-cap", l.loglog_cap, "loglog: cap_l = ceil(c s_l)")->capture_default_str();
  app.add_option("--logstar-cap0", l.logstar_cap0, "log*: cap_0 = c / eps^2")->capture_default_str();
  auto& g = a.options.goa;
  app.add_option("--goa-full-cap", g.full_cap, "goa: full stream gives up after c K / eps^2 samples")
      ->capture_default_str();
  app.add_option("--goa-king-init", g.king_init, "goa: king budget and pulls c / eps^2")->capture_default_str();
  app.add_option("--goa-king-increment", g.king_increment, "goa: budget added per arrival c / eps^2")
      ->capture_default_str();
  app.add_option("--goa-rounds", g.rounds, "goa: floor(c ln ln K) challenger rounds")->capture_default_str();
  app.add_option("--goa-frac-probability", g.frac_probability, "goa: fractional stream keeps w.p. c / ln K")
      ->capture_default_str();
  app.add_option("--goa-king-step", g.king_step, "goa (RECONSTRUCTED): new king estimate step c * eps")
      ->capture_default_str();
  app.add_flag("--goa-oracle-gap", g.oracle_gap, "goa: use the true top gap Delta/2 as the authors do (defect Q2)");
  app.add_option("--summary-json", a.summary_json, "Also write a JSON summary (config, per-algorithm means) here");
}

// "1e12", "1.25e17" or "50000" as an exact integer count; throws InvalidParameter otherwise.
std::uint64_t parse_count(double value, const std::string& flag, std::uint64_t min) {
  if (!std::isfinite(value) || value < static_cast<double>(min) || value >= 9.2e18 || std::floor(value) != value) {
    throw InvalidParameter(flag + " must be an integer >= " + std::to_string(min) + " and < 9.2e18 (got " +
                           std::to_string(value) + ")");
  }
  return static_cast<std::uint64_t>(value);
}

void validate_model(ModelArgs& a) {
  if (a.seeds < 1) throw InvalidParameter("--seeds must be >= 1 (got 0)");
  if (a.pull_model == "binomial") {
    a.options.pull_model = bd::PullModel::binomial;
  } else if (a.pull_model == "authors-gauss") {
    a.options.pull_model = bd::PullModel::authors_gauss;
  } else {
    throw InvalidParameter("--pull-model must be binomial or authors-gauss (got " + a.pull_model + ")");
  }
  if (a.compat == "authors") {
    a.options.compat_authors = true;
    a.options.pull_model = bd::PullModel::authors_gauss;
  } else if (a.compat != "none") {
    throw InvalidParameter("--compat must be none or authors (got " + a.compat + ")");
  }
  const std::string& i = a.instance;
  if (i != "clear-cut" && i != "mix-in" && i != "needle-jackpot" && i.rfind("csv:", 0) != 0) {
    throw InvalidParameter("--instance must be clear-cut, mix-in, needle-jackpot or csv:PATH (got " + i + ")");
  }
  bd::validate(a.options);
}

// The arm means of replication r.
std::vector<double> make_instance(const ModelArgs& a, const std::vector<double>& csv, std::size_t K, std::uint64_t T,
                                  std::uint64_t seed, std::uint64_t r) {
  if (!csv.empty()) return csv;
  Rng rng = Rng::for_block(seed, kInstance, r);
  if (a.instance == "clear-cut") return bd::clear_cut(K, rng);
  if (a.instance == "mix-in") return bd::mix_in(K, rng);
  const double gap = a.needle_gap != 0 ? a.needle_gap : std::min(0.5, bd::default_epsilon(K, static_cast<double>(T)));
  return bd::needle_jackpot(K, gap, a.jackpot_probability, rng);
}

std::vector<std::string> notes(const ModelArgs& a, const std::vector<bd::Algo>& algos) {
  std::vector<std::string> out;
  if (a.instance == "needle-jackpot") {
    out.push_back("needle-jackpot: the lower-bound family is reconstructed, unverified (not the paper's section 3)");
  }
  for (auto algo : algos) {
    const auto n = bd::reconstructed_notes(algo);
    if (!n.empty()) out.push_back(n);
  }
  if (a.options.goa.oracle_gap) out.push_back("goa: --goa-oracle-gap uses the true gap (authors' defect Q2)");
  if (a.options.compat_authors) {
    out.push_back(
        "--compat authors: Q1 shows in regret_authors; Q2, Q3, Q5, Q6 (stale means) and the Gaussian pull model are "
        "reproduced; Q4 (an unseeded shuffle) only in distribution: arms arrive in a uniformly shuffled order drawn "
        "from --seed, so runs stay reproducible; not reproduced: pulls beyond T, real-valued batch sizes");
  }
  return out;
}

struct Cell {
  std::size_t K;
  std::uint64_t T;
};

// Runs every (cell, replication, algorithm) in parallel into fixed slots: thread-independent.
std::vector<bd::RunResult> run_all(const ModelArgs& a, const std::vector<Cell>& cells,
                                   const std::vector<bd::Algo>& algos, const std::vector<double>& csv,
                                   const CommonOptions& common) {
  const std::size_t per_cell = a.seeds * algos.size();
  std::vector<bd::RunResult> results(cells.size() * per_cell);
  paperkit::Stopwatch clock;
  std::string error;
  int error_code = 0;
  omp_set_num_threads(common.threads);
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t job = 0; job < static_cast<std::int64_t>(results.size()); ++job) {
    const auto j = static_cast<std::size_t>(job);
    const Cell& cell = cells[j / per_cell];
    const std::uint64_t r = (j % per_cell) / algos.size();
    const bd::Algo algo = algos[j % algos.size()];
    try {
      const auto means = make_instance(a, csv, cell.K, cell.T, common.seed, r);
      results[j] = bd::run(algo, means, cell.T, a.options, Rng::for_block(common.seed, kPulls, r),
                           Rng::for_block(common.seed, kAlgo, r));
    } catch (const paperkit::Error& e) {
#pragma omp critical
      if (error.empty()) {
        error = e.what();
        error_code = static_cast<int>(e.exit_code());
      }
    } catch (const std::exception& e) {  // e.g. bad_alloc: never let it escape the parallel region
#pragma omp critical
      if (error.empty()) {
        error = std::string("internal: ") + e.what();
        error_code = static_cast<int>(paperkit::ExitCode::internal);
      }
    }
  }
  paperkit::cli::log_verbose(
      common, "ran " + std::to_string(results.size()) + " runs (" + std::to_string(cells.size()) + " cells x " +
                  std::to_string(a.seeds) + " seeds x " + std::to_string(algos.size()) + " algorithms) in " +
                  std::to_string(clock.seconds()) + " s on " + std::to_string(common.threads) + " threads");
  if (!error.empty()) {
    if (error_code == static_cast<int>(paperkit::ExitCode::usage)) throw InvalidParameter(error);
    if (error_code == static_cast<int>(paperkit::ExitCode::input)) throw paperkit::InputError(error);
    throw paperkit::InternalError(error);
  }
  return results;
}

Table results_table(const std::vector<bd::RunResult>& results, const ModelArgs& a, std::uint64_t seed,
                    std::size_t algos) {
  Table t({"seed",
           "replication",
           "instance",
           "K",
           "T",
           "algo",
           "epsilon",
           "regret",
           "regret_explore",
           "regret_commit",
           "regret_ledger",
           "regret_authors",
           "pulls",
           "pulls_explore",
           "pulls_commit",
           "peak_memory",
           "memory_bound",
           "committed_arm",
           "committed_mean",
           "best_mean",
           "epsilon_best"});
  for (std::size_t j = 0; j < results.size(); ++j) {
    const auto& r = results[j];
    const auto u64 = [](std::size_t x) { return static_cast<std::uint64_t>(x); };
    t.add_row({seed,
               u64((j / algos) % a.seeds),
               a.instance,
               u64(r.K),
               r.T,
               r.algo,
               r.epsilon,
               r.regret,
               r.regret_explore,
               r.regret_commit,
               r.ledger_regret,
               r.regret_authors,
               r.pulls,
               r.pulls_explore,
               r.pulls_commit,
               u64(r.peak_memory),
               u64(r.memory_bound),
               u64(r.committed_arm),
               r.committed_mean,
               r.best_mean,
               std::int64_t{r.epsilon_best}});
  }
  return t;
}

// Per (K, T, algorithm): mean regret with sd and a 95% CI, the mean and median ratio to
// uniform's regret on the same replications, the epsilon-best rate, the peak memory.
nlohmann::json summarise(const std::vector<bd::RunResult>& results, const std::vector<Cell>& cells,
                         const std::vector<bd::Algo>& algos, const ModelArgs& a, const CommonOptions& common) {
  nlohmann::json j;
  j["tool"] = paperkit::cli::version_line("paperkit-bandits");
  j["seed"] = common.seed;
  j["seeds"] = a.seeds;
  j["instance"] = a.instance;
  j["pull_model"] = a.options.pull_model == bd::PullModel::binomial ? "binomial" : "authors-gauss";
  j["compat"] = a.compat;
  j["notes"] = notes(a, algos);
  const std::size_t per_cell = a.seeds * algos.size();
  const auto uniform_it = std::find(algos.begin(), algos.end(), bd::Algo::uniform);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    for (std::size_t k = 0; k < algos.size(); ++k) {
      std::vector<double> regret, ratio;
      double authors = 0, u_authors = 0;
      double eps_best = 0, peak = 0;
      for (std::uint64_t r = 0; r < a.seeds; ++r) {
        const auto& x = results[c * per_cell + r * algos.size() + k];
        regret.push_back(x.regret);
        authors += x.regret_authors;
        eps_best += x.epsilon_best;
        peak = std::max(peak, static_cast<double>(x.peak_memory));
        if (uniform_it != algos.end()) {
          const auto& u =
              results[c * per_cell + r * algos.size() + static_cast<std::size_t>(uniform_it - algos.begin())];
          if (u.regret > 0) ratio.push_back(x.regret / u.regret);
          u_authors += u.regret_authors;
        }
      }
      const double n = static_cast<double>(regret.size());
      const double mean = std::accumulate(regret.begin(), regret.end(), 0.0) / n;
      double var = 0;
      for (double v : regret) var += (v - mean) * (v - mean);
      const double sd = regret.size() > 1 ? std::sqrt(var / (n - 1)) : 0.0;
      nlohmann::json row = {{"K", cells[c].K},
                            {"T", cells[c].T},
                            {"algo", bd::algo_name(algos[k])},
                            {"n", regret.size()},
                            {"regret_mean", mean},
                            {"regret_sd", sd},
                            {"regret_ci95", 1.96 * sd / std::sqrt(n)},
                            {"regret_authors_mean", authors / n},
                            {"epsilon_best_rate", eps_best / n},
                            {"peak_memory_max", peak}};
      if (!ratio.empty()) {
        std::sort(ratio.begin(), ratio.end());
        row["ratio_to_uniform_median"] = ratio[ratio.size() / 2];
        double u_mean = 0;
        for (std::uint64_t r = 0; r < a.seeds; ++r) {
          u_mean +=
              results[c * per_cell + r * algos.size() + static_cast<std::size_t>(uniform_it - algos.begin())].regret;
        }
        row["ratio_to_uniform_of_means"] = u_mean > 0 ? mean / (u_mean / n) : 0.0;
        row["authors_ratio_to_uniform_of_means"] = u_authors > 0 ? authors / u_authors : 0.0;
      }
      j["summary"].push_back(row);
    }
  }
  return j;
}

void write_outputs(const std::vector<bd::RunResult>& results, const std::vector<Cell>& cells,
                   const std::vector<bd::Algo>& algos, const ModelArgs& a, const CommonOptions& common) {
  if (!common.quiet) {
    for (const auto& n : notes(a, algos)) std::cerr << "note: " << n << '\n';
  }
  paperkit::cli::Output out(common.out);
  results_table(results, a, common.seed, algos.size()).write(out.stream(), paperkit::parse_table_format(common.format));
  out.finish();
  if (!a.summary_json.empty()) {
    paperkit::cli::Output sj(a.summary_json);
    sj.stream() << summarise(results, cells, algos, a, common).dump(2) << '\n';
    sj.finish();
  }
}

std::vector<bd::Algo> parse_algos(const std::vector<std::string>& names) {
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return bd::streaming_algos();
  std::vector<bd::Algo> out;
  for (const auto& n : names) out.push_back(bd::parse_algo(n));
  return out;
}

// ---- run ------------------------------------------------------------------------------

struct RunArgs {
  CommonOptions common;
  ModelArgs model;
  std::vector<std::string> algos;
  double K = 1000, T = 1e12;
};

void run_run(RunArgs& a, const CLI::App& app) {
  paperkit::cli::validate_common(a.common);
  validate_model(a.model);
  const auto algos = parse_algos(a.algos);
  std::vector<double> csv;
  if (a.model.instance.rfind("csv:", 0) == 0) {
    csv = bd::read_means_csv(a.model.instance.substr(4));
    if (app.count("--K")) paperkit::cli::warn(a.common, "--K is ignored: K comes from the CSV");
    a.K = static_cast<double>(csv.size());
  }
  const auto K = static_cast<std::size_t>(parse_count(a.K, "--K", 1));
  const auto T = parse_count(a.T, "--T", 1);
  if (T < K) throw InvalidParameter("--T must be >= K = " + std::to_string(K) + " (got " + std::to_string(T) + ")");
  const std::vector<Cell> cells{{K, T}};
  write_outputs(run_all(a.model, cells, algos, csv, a.common), cells, algos, a.model, a.common);
}

// ---- sweep ----------------------------------------------------------------------------

struct SweepArgs {
  CommonOptions common;
  ModelArgs model;
  std::vector<std::string> algos{"all"};
  std::vector<double> Ks{1000}, Ts;
  double alpha = 1000, beta = 3;
};

void run_sweep(SweepArgs& a) {
  paperkit::cli::validate_common(a.common);
  validate_model(a.model);
  if (a.model.instance.rfind("csv:", 0) == 0) throw InvalidParameter("sweep needs a generated --instance (not csv:)");
  if (!(std::isfinite(a.alpha) && a.alpha > 0)) {
    throw InvalidParameter("--alpha must be finite and > 0 (got " + std::to_string(a.alpha) + ")");
  }
  if (!(std::isfinite(a.beta) && a.beta >= 1)) {
    throw InvalidParameter("--beta must be finite and >= 1 (got " + std::to_string(a.beta) + ")");
  }
  auto algos = parse_algos(a.algos);
  std::vector<Cell> cells;
  for (double k : a.Ks) {
    const auto K = static_cast<std::size_t>(parse_count(k, "--K", 1));
    std::vector<double> Ts = a.Ts;
    if (Ts.empty()) Ts.push_back(std::round(a.alpha * std::pow(static_cast<double>(K), a.beta)));
    for (double t : Ts) {
      const auto T = parse_count(t, "--T", 1);
      if (T < K) throw InvalidParameter("--T must be >= K = " + std::to_string(K) + " (got " + std::to_string(T) + ")");
      cells.push_back({K, T});
    }
  }
  write_outputs(run_all(a.model, cells, algos, {}, a.common), cells, algos, a.model, a.common);
}

// ---- gen ------------------------------------------------------------------------------

struct GenArgs {
  CommonOptions common;
  std::string instance = "clear-cut";
  double K = 1000, T = 1e12, needle_gap = 0, jackpot_probability = 0.5;
  std::uint64_t replication = 0;
};

void run_gen(const GenArgs& a) {
  paperkit::cli::validate_common(a.common);
  ModelArgs m;
  m.instance = a.instance;
  m.needle_gap = a.needle_gap;
  m.jackpot_probability = a.jackpot_probability;
  if (a.instance.rfind("csv:", 0) == 0) throw InvalidParameter("gen needs a generated --instance (not csv:)");
  validate_model(m);
  const auto K = static_cast<std::size_t>(parse_count(a.K, "--K", 1));
  const auto means = make_instance(m, {}, K, parse_count(a.T, "--T", 1), a.common.seed, a.replication);
  Table t({"arm", "mean"});
  for (std::size_t i = 0; i < means.size(); ++i) t.add_row({static_cast<std::uint64_t>(i), means[i]});
  paperkit::cli::Output out(a.common.out);
  t.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

// ---- bench ----------------------------------------------------------------------------

struct BenchArgs {
  CommonOptions common;
  ModelArgs model;
  std::vector<std::string> algos{"all"};
  double K = 50000, T = 1.25e17;
  int reps = 3;
};

// One seed (replication 0) per algorithm, timed on one thread: the best of --reps runs.
void run_bench(BenchArgs& a) {
  paperkit::cli::validate_common(a.common);
  validate_model(a.model);
  if (a.reps < 1) throw InvalidParameter("--reps must be >= 1 (got " + std::to_string(a.reps) + ")");
  if (a.model.instance.rfind("csv:", 0) == 0) throw InvalidParameter("bench needs a generated --instance (not csv:)");
  const auto K = static_cast<std::size_t>(parse_count(a.K, "--K", 1));
  const auto T = parse_count(a.T, "--T", 1);
  if (T < K) throw InvalidParameter("--T must be >= K = " + std::to_string(K) + " (got " + std::to_string(T) + ")");
  const auto means = make_instance(a.model, {}, K, T, a.common.seed, 0);
  Table t({"algo", "K", "T", "instance", "compat", "seconds_best", "regret", "peak_memory"});
  for (auto algo : parse_algos(a.algos)) {
    double best = 1e300;
    bd::RunResult r;
    for (int i = 0; i < a.reps; ++i) {
      paperkit::Stopwatch clock;
      r = bd::run(algo, means, T, a.model.options, Rng::for_block(a.common.seed, kPulls, 0),
                  Rng::for_block(a.common.seed, kAlgo, 0));
      best = std::min(best, clock.seconds());
    }
    t.add_row({r.algo, static_cast<std::uint64_t>(K), T, a.model.instance, a.model.compat, best, r.regret,
               static_cast<std::uint64_t>(r.peak_memory)});
  }
  paperkit::cli::Output out(a.common.out);
  t.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "paperkit-bandits: single-pass streaming multi-armed bandits (Wang, ICML 2023).\n"
      "Example: paperkit-bandits run --algo loglog --K 1000 --T 1e12 --instance clear-cut --seeds 10"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-bandits"));
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run algorithms on seeded replications: one CSV/JSON row per (seed, algo)");
  run_cmd
      ->add_option("--algo,--algos", run.algos,
                   "uniform, naive, log, loglog, logstar, goa, ucb (RAM-model reference) or all (the six "
                   "streaming ones; default)")
      ->delimiter(',');
  run_cmd->add_option("--K", run.K, "Number of arms K (>= 1)")->capture_default_str();
  run_cmd->add_option("--T", run.T, "Horizon T: total pulls (>= K, e.g. 1.25e17)")->capture_default_str();
  add_model_flags(*run_cmd, run.model);
  paperkit::cli::add_common_flags(*run_cmd, run.common);
  run_cmd->callback([&] { run_run(run, *run_cmd); });

  SweepArgs sweep;
  auto* sweep_cmd =
      app.add_subcommand("sweep", "Every algorithm on the same instances and seeds over a grid of K (and T)");
  sweep_cmd->add_option("--algos", sweep.algos, "Algorithms (comma separated) or all")->delimiter(',');
  sweep_cmd->add_option("--K", sweep.Ks, "Numbers of arms (comma separated)")->delimiter(',');
  sweep_cmd->add_option("--T", sweep.Ts, "Horizons (comma separated); default alpha K^beta")->delimiter(',');
  sweep_cmd->add_option("--alpha", sweep.alpha, "T = alpha K^beta (authors: 1000)")->capture_default_str();
  sweep_cmd->add_option("--beta", sweep.beta, "T = alpha K^beta (authors: 3)")->capture_default_str();
  add_model_flags(*sweep_cmd, sweep.model);
  paperkit::cli::add_common_flags(*sweep_cmd, sweep.common);
  sweep_cmd->callback([&] { run_sweep(sweep); });

  GenArgs gen;
  auto* gen_cmd = app.add_subcommand("gen", "Write an instance's arm means (CSV arm,mean) for replication r");
  gen_cmd->add_option("--instance", gen.instance, "clear-cut | mix-in | needle-jackpot")->capture_default_str();
  gen_cmd->add_option("--K", gen.K, "Number of arms (>= 1)")->capture_default_str();
  gen_cmd->add_option("--T", gen.T, "Horizon (sets the needle gap (K/T)^(1/3))")->capture_default_str();
  gen_cmd->add_option("--needle-gap", gen.needle_gap, "needle-jackpot: needle gap; default (K/T)^(1/3)");
  gen_cmd->add_option("--jackpot-probability", gen.jackpot_probability, "needle-jackpot: P(jackpot)")
      ->capture_default_str();
  gen_cmd->add_option("--replication", gen.replication, "Replication index r (the instance run uses for seed r)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*gen_cmd, gen.common);
  gen_cmd->callback([&] { run_gen(gen); });

  BenchArgs bench;
  auto* bench_cmd =
      app.add_subcommand("bench", "Time each algorithm on one seed (default: the authors' largest setting)");
  bench_cmd->add_option("--algos", bench.algos, "Algorithms (comma separated) or all")->delimiter(',');
  bench_cmd->add_option("--K", bench.K, "Number of arms")->capture_default_str();
  bench_cmd->add_option("--T", bench.T, "Horizon")->capture_default_str();
  bench_cmd->add_option("--reps", bench.reps, "Repetitions; the best time is reported (>= 1)")->capture_default_str();
  add_model_flags(*bench_cmd, bench.model);
  paperkit::cli::add_common_flags(*bench_cmd, bench.common);
  bench_cmd->callback([&] { run_bench(bench); });

  return paperkit::cli::run_tool(app, argc, argv);
}
