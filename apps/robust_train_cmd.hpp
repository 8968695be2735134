// The `train` (apps/robust_train.cpp) and `sweep` (apps/robust_sweep.cpp) subcommands of paperkit-robust.
#pragma once

#include <CLI/CLI.hpp>

namespace paperkit::robust_app {

void add_train_commands(CLI::App& app);
void add_sweep_command(CLI::App& app);  // apps/robust_sweep.cpp

}  // namespace paperkit::robust_app
