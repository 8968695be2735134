// paperkit-ldp: local differential privacy from the command line (spec ldp.md §7).
// Thin by design: each subcommand group lives in its own file (commands.hpp).
#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"paperkit-ldp: LDP frequency oracles and federated heavy hitters (spec ldp.md)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-ldp"));

  paperkit::ldp_tool::add_fo_command(app);
  paperkit::ldp_tool::add_hh_command(app);
  paperkit::ldp_tool::add_gen_command(app);

  return paperkit::cli::run_tool(app, argc, argv);
}
