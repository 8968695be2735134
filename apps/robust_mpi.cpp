// paperkit-robust-mpi train: MoNNA peer-to-peer training with one MPI rank per node (honest ranks
// 0 … n−f−1, Byzantine ranks n−f … n−1). Same flags and outputs as `paperkit-robust train`; with
// --mode sync the curve and final models are bitwise equal to the in-process simulator's; --mode
// async mixes the first n − f arrivals (see mpi_engine.hpp) and is not bitwise comparable.
//   mpirun -np 6 paperkit-robust-mpi train --data digits:data/digits.csv.gz --n 6 --f 1 --steps 20
// Only rank 0 writes (curve, --json summary, errors); validation fails identically on every rank
// before the first message, so every rank exits with the same code.
#include <cmath>
#include <iostream>
#include <memory>
#include <streambuf>
#include <string>

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/robust/mpi_engine.hpp"

namespace robust = paperkit::robust;
namespace mpi = boost::mpi;
using paperkit::InvalidParameter;

namespace {

bool g_messages_started = false;  // after this, a failure on one rank must abort the whole job

struct TrainArgs {
  paperkit::cli::CommonOptions common;
  std::string data, model = "logreg", agg = "nna", attack = "alie", receive = "paper", eval_node = "0", json;
  std::string mode = "sync";
  long n = 26, f = 5;
  double dirichlet = 1.0, beta = 0.99, lr = 0.75, lr_decay = 50, l2 = 1e-4;
  long lr_decay_delta = 50, batch = 25, steps = 600, eval_every = 5;
  long krum_neighbors = -1;
  double gm_nu = 0.1, scc_tau = 2.0;
  int gm_iters = 3, scc_iters = 3, evals = 16;
};

std::size_t nonneg(long v, const std::string& flag) {
  if (v < 0) throw InvalidParameter(flag + " must be >= 0 (got " + std::to_string(v) + ")");
  return static_cast<std::size_t>(v);
}

// Mirrors apps/robust_train.cpp's flag → TrainConfig mapping.
robust::TrainConfig make_config(const TrainArgs& a) {
  robust::TrainConfig c;
  c.n = nonneg(a.n, "--n");
  c.f = nonneg(a.f, "--f");
  c.dirichlet = a.dirichlet;
  c.beta = a.beta;
  c.lr = a.lr;
  c.lr_decay = a.lr_decay;
  c.lr_decay_delta = nonneg(a.lr_decay_delta, "--lr-decay-delta");
  c.l2 = a.l2;
  c.batch = nonneg(a.batch, "--batch");
  c.steps = nonneg(a.steps, "--steps");
  c.eval_every = nonneg(a.eval_every, "--eval-every");
  c.seed = a.common.seed;
  c.rule.rule = robust::parse_rule(a.agg, "--agg");
  c.rule.krum_neighbors = a.krum_neighbors;
  c.rule.gm_nu = a.gm_nu;
  c.rule.gm_iters = a.gm_iters;
  c.rule.scc_tau = a.scc_tau;
  c.rule.scc_iters = a.scc_iters;
  c.attack.type = robust::parse_attack(a.attack, "--attack");
  c.attack.search.evals = a.evals;
  if (a.receive == "paper") {
    c.receive = robust::Receive::paper;
  } else if (a.receive == "all") {
    c.receive = robust::Receive::all;
  } else {
    throw InvalidParameter("--receive must be paper or all (got " + a.receive + ")");
  }
  if (a.eval_node != "0" && a.eval_node != "all") {
    throw InvalidParameter("--eval-node must be 0 or all (got " + a.eval_node + ")");
  }
  c.eval_all = a.eval_node == "all";
  return c;
}

void run_train(TrainArgs& a, const mpi::communicator& world) {
  paperkit::cli::validate_common(a.common);
  if (a.mode != "sync" && a.mode != "async") {
    throw InvalidParameter("--mode must be sync or async (got " + a.mode + ")");
  }
  const auto c = make_config(a);
  robust::validate(c);  // before any file is read
  if (static_cast<std::size_t>(world.size()) != c.n) {
    throw InvalidParameter("--n must equal the number of MPI ranks, one rank per node (got n = " + std::to_string(c.n) +
                           ", ranks = " + std::to_string(world.size()) + ")");
  }
  const auto data = robust::load_data(a.data);
  const auto model = robust::make_model<float>(a.model, data.train.features, data.train.classes);
  const bool root = world.rank() == 0;
  paperkit::cli::log_verbose(a.common, "data: " + data.description + "; model " + model->name() + " (" +
                                           std::to_string(model->dim()) + " parameters); " +
                                           std::to_string(world.size()) + " MPI ranks");
  paperkit::Stopwatch clock;
  g_messages_started = true;
  const auto result =
      robust::train_mpi(c, *model, data, world, a.mode == "async" ? robust::MpiMode::async : robust::MpiMode::sync);
  const double seconds = clock.seconds();
  if (!root) return;
  paperkit::cli::Output out(a.common.out);
  std::unique_ptr<paperkit::cli::Output> summary_out;
  if (!a.json.empty()) summary_out = std::make_unique<paperkit::cli::Output>(a.json);
  paperkit::Table t(
      {"step", "lr", "acc_node0", "acc_min", "acc_mean", "spread", "drift", "grads_computed", "loss", "attack_z"});
  for (const auto& r : result.curve) {
    t.add_row({static_cast<std::uint64_t>(r.step), r.lr, r.acc_node0, r.acc_min, r.acc_mean, r.spread, r.drift,
               static_cast<std::uint64_t>(r.grads), r.loss, r.attack_z});
  }
  t.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
  const auto& last = result.curve.back();
  nlohmann::json s = {{"command", "train"},
                      {"engine", "mpi"},
                      {"mode", a.mode},
                      {"ranks", world.size()},
                      {"data", data.description},
                      {"model", model->name()},
                      {"parameters", model->dim()},
                      {"n", c.n},
                      {"f", c.f},
                      {"agg", robust::rule_name(c.rule.rule)},
                      {"attack", robust::attack_name(c.attack.type)},
                      {"receive", a.receive},
                      {"dirichlet", c.dirichlet},
                      {"beta", c.beta},
                      {"lr", c.lr},
                      {"lr_decay", c.lr_decay},
                      {"lr_decay_delta", c.lr_decay_delta},
                      {"l2", c.l2},
                      {"batch", c.batch},
                      {"steps", c.steps},
                      {"seed", c.seed},
                      {"final_acc_node0", last.acc_node0},
                      {"final_acc_mean", last.acc_mean},
                      {"final_acc_min", last.acc_min},
                      {"grads_computed", last.grads},
                      {"seconds", seconds},
                      {"steps_per_second", static_cast<double>(c.steps) / std::max(seconds, 1e-9)}};
  if (summary_out) {
    summary_out->stream() << s.dump(2) << '\n';
    summary_out->finish();
  }
  if (!a.common.quiet) std::cerr << "summary: " << s.dump() << '\n';
}

void add_train_command(CLI::App& app, TrainArgs& a, const mpi::communicator& world) {
  auto* cmd = app.add_subcommand("train",
                                 "MoNNA peer-to-peer training, one MPI rank per node (n ranks); per-step curve "
                                 "(CSV/JSON) and --json summary from rank 0");
  cmd->add_option("--data", a.data, "digits:PATH (sklearn digits CSV[.gz]) | idx:DIR (MNIST-format IDX files)")
      ->required();
  cmd->add_option(
         "--mode", a.mode,
         "sync (bitwise equal to paperkit-robust train) | async (mix the first n−f arrivals; not reproducible)")
      ->capture_default_str();
  cmd->add_option("--model", a.model, "logreg | mlp:H")->capture_default_str();
  cmd->add_option("--n", a.n, "Nodes n = MPI ranks (n > 2f)")->capture_default_str();
  cmd->add_option("--f", a.f, "Byzantine nodes f (ranks n−f … n−1)")->capture_default_str();
  cmd->add_option("--dirichlet", a.dirichlet, "Dirichlet α of the split (> 0; inf = i.i.d.)")->capture_default_str();
  cmd->add_option("--beta", a.beta, "Momentum β in [0, 1)")->capture_default_str();
  cmd->add_option("--lr", a.lr, "γ0 (> 0)")->capture_default_str();
  cmd->add_option("--lr-decay", a.lr_decay, "τ: γ_t = γ0/(1 + Δ⌊t/Δ⌋/τ)")->capture_default_str();
  cmd->add_option("--lr-decay-delta", a.lr_decay_delta, "Δ (>= 1)")->capture_default_str();
  cmd->add_option("--l2", a.l2, "λ on ‖θ‖ (not squared)")->capture_default_str();
  cmd->add_option("--batch", a.batch, "Batch size b")->capture_default_str();
  cmd->add_option("--steps", a.steps, "Steps T")->capture_default_str();
  cmd->add_option("--agg", a.agg, "Mixing rule (average for D-SGD)")->capture_default_str();
  cmd->add_option("--attack", a.attack, "none|alie|foe|sf|lf|mimic")->capture_default_str();
  cmd->add_option("--receive", a.receive, "paper (n−2f−1 sampled honest + self + f Byzantine) | all")
      ->capture_default_str();
  cmd->add_option("--eval-every", a.eval_every, "Evaluate every k steps (0: end only)")->capture_default_str();
  cmd->add_option("--eval-node", a.eval_node, "0 | all (acc_min, acc_mean over honest nodes)")->capture_default_str();
  cmd->add_option("--krum-neighbors", a.krum_neighbors, "Krum k (-1: n - f - 2)")->capture_default_str();
  cmd->add_option("--gm-nu", a.gm_nu, "Geometric median ν")->capture_default_str();
  cmd->add_option("--gm-iters", a.gm_iters, "Geometric median iterations")->capture_default_str();
  cmd->add_option("--scc-tau", a.scc_tau, "Clipped gossip τ (authors' MNIST: 2)")->capture_default_str();
  cmd->add_option("--scc-iters", a.scc_iters, "Clipped gossip iterations")->capture_default_str();
  cmd->add_option("--evals", a.evals, "ALIE/FOE line-search evaluations")->capture_default_str();
  cmd->add_option("--json", a.json, "Write the JSON summary to this file (rank 0)");
  paperkit::cli::add_common_flags(*cmd, a.common);
  cmd->callback([&a, &world] { run_train(a, world); });
}

struct NullBuffer : std::streambuf {
  int overflow(int c) override { return c; }
};

}  // namespace

int main(int argc, char** argv) {
  mpi::environment env(argc, argv);
  mpi::communicator world;
  // Every rank parses and validates the same flags; only rank 0 speaks.
  NullBuffer null;
  std::streambuf *saved_out = nullptr, *saved_err = nullptr;
  if (world.rank() != 0) {
    saved_out = std::cout.rdbuf(&null);
    saved_err = std::cerr.rdbuf(&null);
  }
  CLI::App app{
      "paperkit-robust-mpi: MoNNA peer-to-peer training with one MPI rank per node (Farhadkhani et al., ICML "
      "2023).\n"
      "Example: mpirun -np 6 paperkit-robust-mpi train --data digits:data/digits.csv.gz --n 6 --f 1 --steps 20"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-robust-mpi"));
  app.require_subcommand(1);
  TrainArgs args;
  add_train_command(app, args, world);
  const int code = paperkit::cli::run_tool(app, argc, argv);
  if (saved_out) {
    std::cout.rdbuf(saved_out);
    std::cerr.rdbuf(saved_err);
  }
  if (code != 0 && g_messages_started) {
    // Other ranks may be waiting in a collective: end the whole job.
    std::cerr << "error: rank " << world.rank() << " failed during training; aborting all ranks\n";
    env.abort(code);
  }
  return code;
}
