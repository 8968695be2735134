// The `train` (apps/robust_train.cpp) and `sweep` (apps/robust_sweep.cpp) subcommands of paperkit-robust,
// and the pieces of `train` that paperkit-robust-mpi (apps/robust_mpi.cpp) shares with it
// (apps/robust_train_flags.cpp): one flag set, one flag -> TrainConfig mapping, one curve table and
// one JSON summary, so the two tools cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/robust/train.hpp"

namespace paperkit::robust_app {

void add_train_commands(CLI::App& app);
void add_sweep_command(CLI::App& app);  // apps/robust_sweep.cpp

// Which tool declares the flags: the help texts of --n, --f and --json differ, and only the MPI
// tool has --mode.
enum class TrainTool { simulator, mpi };

// The flags of `train`, as parsed.
struct TrainArgs {
  cli::CommonOptions common;
  std::string data, model = "logreg", agg = "nna", attack = "alie", receive = "paper", eval_node = "0", json;
  std::string mode = "sync";  // paperkit-robust-mpi only
  long n = 26, f = 5;
  double dirichlet = 1.0, beta = 0.99, lr = 0.75, lr_decay = 50, l2 = 1e-4;
  long lr_decay_delta = 50, batch = 25, steps = 600, eval_every = 5;
  long krum_neighbors = -1;
  double gm_nu = 0.1, scc_tau = 2.0;
  int gm_iters = 3, scc_iters = 3, evals = 16;
};

// Declares every `train` flag (and the common flags) on `cmd`, bound to `a`.
void add_train_flags(CLI::App& cmd, TrainArgs& a, TrainTool tool);

// Flags -> TrainConfig; throws InvalidParameter naming the flag for a negative count or an unknown
// rule, attack, --receive or --eval-node. Does not call robust::validate.
robust::TrainConfig make_train_config(const TrainArgs& a);

// The per-step curve (columns step, lr, acc_node0, acc_min, acc_mean, spread, drift, grads_computed,
// loss, attack_z).
Table curve_table(const robust::TrainResult& result);

// What a finished run is described by in its JSON summary (data and model are the loaded ones).
struct RunFacts {
  std::string data_description, model_name;
  std::size_t parameters = 0;
  double seconds = 0;
};

// The JSON summary of a finished run: the configuration, the final accuracies and the timing.
nlohmann::json train_summary(const TrainArgs& a, const robust::TrainConfig& c, const robust::TrainResult& result,
                             const RunFacts& facts);

}  // namespace paperkit::robust_app
