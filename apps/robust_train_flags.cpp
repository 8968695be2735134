// The `train` flags, their mapping to robust::TrainConfig, the curve table and the JSON summary,
// shared by paperkit-robust train (apps/robust_train.cpp) and paperkit-robust-mpi train
// (apps/robust_mpi.cpp).
#include <algorithm>
#include <cstdint>
#include <string>

#include "paperkit/common/errors.hpp"
#include "robust_train_cmd.hpp"

namespace paperkit::robust_app {

namespace {

namespace robust = paperkit::robust;
using paperkit::InvalidParameter;

std::size_t nonneg(long v, const std::string& flag) {
  if (v < 0) throw InvalidParameter(flag + " must be >= 0 (got " + std::to_string(v) + ")");
  return static_cast<std::size_t>(v);
}

}  // namespace

void add_train_flags(CLI::App& cmd, TrainArgs& a, TrainTool tool) {
  const bool mpi = tool == TrainTool::mpi;
  cmd.add_option("--data", a.data, "digits:PATH (sklearn digits CSV[.gz]) | idx:DIR (MNIST-format IDX files)")
      ->required();
  if (mpi) {
    cmd.add_option(
           "--mode", a.mode,
           "sync (bitwise equal to paperkit-robust train) | async (mix the first n−f arrivals; not reproducible)")
        ->capture_default_str();
  }
  cmd.add_option("--model", a.model, "logreg | mlp:H")->capture_default_str();
  cmd.add_option("--n", a.n, mpi ? "Nodes n = MPI ranks (n > 2f)" : "Nodes n (n > 2f)")->capture_default_str();
  cmd.add_option("--f", a.f, mpi ? "Byzantine nodes f (ranks n−f … n−1)" : "Byzantine nodes f (declared = real)")
      ->capture_default_str();
  cmd.add_option("--dirichlet", a.dirichlet, "Dirichlet α of the split (> 0; inf = i.i.d.)")->capture_default_str();
  cmd.add_option("--beta", a.beta, "Momentum β in [0, 1)")->capture_default_str();
  cmd.add_option("--lr", a.lr, "γ0 (> 0)")->capture_default_str();
  cmd.add_option("--lr-decay", a.lr_decay, "τ: γ_t = γ0/(1 + Δ⌊t/Δ⌋/τ)")->capture_default_str();
  cmd.add_option("--lr-decay-delta", a.lr_decay_delta, "Δ (>= 1)")->capture_default_str();
  cmd.add_option("--l2", a.l2, "λ on ‖θ‖ (not squared)")->capture_default_str();
  cmd.add_option("--batch", a.batch, "Batch size b")->capture_default_str();
  cmd.add_option("--steps", a.steps, "Steps T")->capture_default_str();
  cmd.add_option("--agg", a.agg, "Mixing rule (average for D-SGD)")->capture_default_str();
  cmd.add_option("--attack", a.attack, "none|alie|foe|sf|lf|mimic")->capture_default_str();
  cmd.add_option("--receive", a.receive, "paper (n−2f−1 sampled honest + self + f Byzantine) | all")
      ->capture_default_str();
  cmd.add_option("--eval-every", a.eval_every, "Evaluate every k steps (0: end only)")->capture_default_str();
  cmd.add_option("--eval-node", a.eval_node, "0 | all (acc_min, acc_mean over honest nodes)")->capture_default_str();
  cmd.add_option("--krum-neighbors", a.krum_neighbors, "Krum k (-1: n - f - 2)")->capture_default_str();
  cmd.add_option("--gm-nu", a.gm_nu, "Geometric median ν")->capture_default_str();
  cmd.add_option("--gm-iters", a.gm_iters, "Geometric median iterations")->capture_default_str();
  cmd.add_option("--scc-tau", a.scc_tau, "Clipped gossip τ (authors' MNIST: 2)")->capture_default_str();
  cmd.add_option("--scc-iters", a.scc_iters, "Clipped gossip iterations")->capture_default_str();
  cmd.add_option("--evals", a.evals, "ALIE/FOE line-search evaluations")->capture_default_str();
  cmd.add_option("--json", a.json,
                 mpi ? "Write the JSON summary to this file (rank 0)" : "Write the JSON summary to this file");
  cli::add_common_flags(cmd, a.common);
}

robust::TrainConfig make_train_config(const TrainArgs& a) {
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

Table curve_table(const robust::TrainResult& result) {
  Table t({"step", "lr", "acc_node0", "acc_min", "acc_mean", "spread", "drift", "grads_computed", "loss", "attack_z"});
  for (const auto& r : result.curve) {
    t.add_row({static_cast<std::uint64_t>(r.step), r.lr, r.acc_node0, r.acc_min, r.acc_mean, r.spread, r.drift,
               static_cast<std::uint64_t>(r.grads), r.loss, r.attack_z});
  }
  return t;
}

nlohmann::json train_summary(const TrainArgs& a, const robust::TrainConfig& c, const robust::TrainResult& result,
                             const RunFacts& facts) {
  const auto& last = result.curve.back();
  return {{"command", "train"},
          {"data", facts.data_description},
          {"model", facts.model_name},
          {"parameters", facts.parameters},
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
          {"seconds", facts.seconds},
          {"steps_per_second", static_cast<double>(c.steps) / std::max(facts.seconds, 1e-9)}};
}

}  // namespace paperkit::robust_app
