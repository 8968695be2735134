// paperkit-robust train: MoNNA peer-to-peer training (spec monna_set2seq.md §2a) with a per-step
// curve (CSV or JSON table) and a JSON summary.
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/robust/train.hpp"
#include "robust_train_cmd.hpp"

namespace paperkit::robust_app {

namespace {

namespace robust = paperkit::robust;
using paperkit::InvalidParameter;

struct TrainArgs {
  cli::CommonOptions common;
  std::string data, model = "logreg", agg = "nna", attack = "alie", receive = "paper", eval_node = "0", json;
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

void run_train(TrainArgs& a) {
  cli::validate_common(a.common);
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
  robust::validate(c);  // before any file is read
  const auto data = robust::load_data(a.data);
  const auto model = robust::make_model<float>(a.model, data.train.features, data.train.classes);
  cli::Output out(a.common.out);
  std::unique_ptr<cli::Output> summary_out;
  if (!a.json.empty()) summary_out = std::make_unique<cli::Output>(a.json);
  cli::log_verbose(a.common, "data: " + data.description + "; model " + model->name() + " (" +
                                 std::to_string(model->dim()) + " parameters)");
  paperkit::Stopwatch clock;
  const auto result = robust::train(c, *model, data);
  const double seconds = clock.seconds();
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

}  // namespace

void add_train_commands(CLI::App& app) {
  static TrainArgs a;  // lives as long as the app's callbacks
  auto* cmd = app.add_subcommand("train",
                                 "MoNNA peer-to-peer training with Byzantine peers; per-step curve (CSV/JSON), "
                                 "--json summary");
  cmd->add_option("--data", a.data, "digits:PATH (sklearn digits CSV[.gz]) | idx:DIR (MNIST-format IDX files)")
      ->required();
  cmd->add_option("--model", a.model, "logreg | mlp:H")->capture_default_str();
  cmd->add_option("--n", a.n, "Nodes n (n > 2f)")->capture_default_str();
  cmd->add_option("--f", a.f, "Byzantine nodes f (declared = real)")->capture_default_str();
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
  cmd->add_option("--json", a.json, "Write the JSON summary to this file");
  cli::add_common_flags(*cmd, a.common);
  cmd->callback([] { run_train(a); });
}

}  // namespace paperkit::robust_app
