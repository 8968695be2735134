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
#include "robust_train_cmd.hpp"

namespace robust = paperkit::robust;
namespace mpi = boost::mpi;
using paperkit::InvalidParameter;

namespace {

bool g_messages_started = false;  // after this, a failure on one rank must abort the whole job

using paperkit::robust_app::TrainArgs;

void run_train(TrainArgs& a, const mpi::communicator& world) {
  paperkit::cli::validate_common(a.common);
  if (a.mode != "sync" && a.mode != "async") {
    throw InvalidParameter("--mode must be sync or async (got " + a.mode + ")");
  }
  const auto c = paperkit::robust_app::make_train_config(a);
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
  paperkit::robust_app::curve_table(result).write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
  auto s = paperkit::robust_app::train_summary(a, c, result, {data.description, model->name(), model->dim(), seconds});
  s["engine"] = "mpi";
  s["mode"] = a.mode;
  s["ranks"] = world.size();
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
  paperkit::robust_app::add_train_flags(*cmd, a, paperkit::robust_app::TrainTool::mpi);
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
