// paperkit-robust train: MoNNA peer-to-peer training (spec monna_set2seq.md §2a) with a per-step
// curve (CSV or JSON table) and a JSON summary. Flags, config mapping, curve and summary are shared
// with paperkit-robust-mpi (apps/robust_train_flags.cpp).
#include <iostream>
#include <memory>
#include <string>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/robust/train.hpp"
#include "robust_train_cmd.hpp"

namespace paperkit::robust_app {

namespace {

namespace robust = paperkit::robust;

void run_train(TrainArgs& a) {
  cli::validate_common(a.common);
  const robust::TrainConfig c = make_train_config(a);
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
  curve_table(result).write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
  const auto s = train_summary(a, c, result, {data.description, model->name(), model->dim(), seconds});
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
  add_train_flags(*cmd, a, TrainTool::simulator);
  cmd->callback([] { run_train(a); });
}

}  // namespace paperkit::robust_app
