// paperkit-ldp subcommand groups, one source file each. main.cpp calls every add_*_command.
// To add a group: declare add_<name>_command here, implement it in apps/ldp/<name>_command.cpp,
// list the file in apps/CMakeLists.txt (paperkit-ldp) and call it from main.cpp.
#pragma once

#include <CLI/CLI.hpp>

namespace paperkit::ldp_tool {

// `fo`: frequency oracles: simulate (fo_command.cpp), perturb, decode, variance (fo_perturb.cpp,
// fo_decode.cpp, fo_variance.cpp; shared flags, readers and chunking in fo_common.hpp).
void add_fo_command(CLI::App& app);

// `hh`: heavy hitters, PEM / TAP / TAPS / baselines (hh_command.cpp).
void add_hh_command(CLI::App& app);

// `gen`: heavy-hitter data sets (gen_command.cpp; data-source flags in hh_source.hpp).
void add_gen_command(CLI::App& app);

}  // namespace paperkit::ldp_tool
