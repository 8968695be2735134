// paperkit-robust sweep: every combination of a JSON grid of train settings, run on --jobs threads
// (each run single-threaded and seeded, so the output does not depend on --jobs). One CSV/JSON row
// per run with its settings and final accuracies; --curves PATH adds every run's curve (long form).
// --checkpoint FILE appends each run to FILE as it finishes and, when FILE already holds runs of the
// same grid from the same build, reruns only the missing ones (apps/robust_sweep_checkpoint.hpp).
//
// GRID.json: {"base": {"data": "digits:data/digits.csv.gz", "steps": 600, ...},
//             "grid": {"agg": ["nna", "average"], "attack": ["alie", "sf"], "seed": [1, 2, 3]}}
// Keys (base or grid): data model n f dirichlet beta lr lr_decay lr_decay_delta l2 batch steps agg
// attack receive eval_every seed krum_neighbors gm_nu scc_tau evals.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/robust/train.hpp"
#include "robust_sweep_checkpoint.hpp"
#include "robust_train_cmd.hpp"

namespace paperkit::robust_app {

namespace {

namespace robust = paperkit::robust;
using nlohmann::json;
using paperkit::InputError;
using paperkit::InvalidParameter;

const std::vector<std::string> kKeys = {
    "data",  "model",   "n",     "f",   "dirichlet", "beta",    "lr",         "lr_decay", "lr_decay_delta",
    "l2",    "batch",   "steps", "agg", "attack",    "receive", "eval_every", "seed",     "krum_neighbors",
    "gm_nu", "scc_tau", "evals"};

struct Run {
  json settings;
  robust::TrainConfig config;
  std::string data, model;
};

std::size_t count_of(const json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<long long>() < 0) {
    throw InvalidParameter("sweep: " + key + " must be an integer >= 0 (got " + v.dump() + ")");
  }
  return v.get<std::size_t>();
}

double real_of(const json& v, const std::string& key) {
  if (!v.is_number()) throw InvalidParameter("sweep: " + key + " must be a number (got " + v.dump() + ")");
  return v.get<double>();
}

std::string text_of(const json& v, const std::string& key) {
  if (!v.is_string()) throw InvalidParameter("sweep: " + key + " must be a string (got " + v.dump() + ")");
  return v.get<std::string>();
}

Run make_run(const json& settings) {
  Run r;
  r.settings = settings;
  auto& c = r.config;
  c.rule.rule = robust::Rule::nna;
  c.attack.type = robust::Attack::alie;
  r.model = "logreg";
  for (const auto& [key, v] : settings.items()) {
    if (key == "data")
      r.data = text_of(v, key);
    else if (key == "model")
      r.model = text_of(v, key);
    else if (key == "n")
      c.n = count_of(v, key);
    else if (key == "f")
      c.f = count_of(v, key);
    else if (key == "dirichlet")
      c.dirichlet = v.is_string() && v == "inf" ? INFINITY : real_of(v, key);
    else if (key == "beta")
      c.beta = real_of(v, key);
    else if (key == "lr")
      c.lr = real_of(v, key);
    else if (key == "lr_decay")
      c.lr_decay = real_of(v, key);
    else if (key == "lr_decay_delta")
      c.lr_decay_delta = count_of(v, key);
    else if (key == "l2")
      c.l2 = real_of(v, key);
    else if (key == "batch")
      c.batch = count_of(v, key);
    else if (key == "steps")
      c.steps = count_of(v, key);
    else if (key == "agg")
      c.rule.rule = robust::parse_rule(text_of(v, key), "sweep: agg");
    else if (key == "attack")
      c.attack.type = robust::parse_attack(text_of(v, key), "sweep: attack");
    else if (key == "receive") {
      const auto s = text_of(v, key);
      if (s != "paper" && s != "all") throw InvalidParameter("sweep: receive must be paper or all (got " + s + ")");
      c.receive = s == "paper" ? robust::Receive::paper : robust::Receive::all;
    } else if (key == "eval_every")
      c.eval_every = count_of(v, key);
    else if (key == "seed")
      c.seed = count_of(v, key);
    else if (key == "krum_neighbors")
      c.rule.krum_neighbors = static_cast<long>(count_of(v, key));
    else if (key == "gm_nu")
      c.rule.gm_nu = real_of(v, key);
    else if (key == "scc_tau")
      c.rule.scc_tau = real_of(v, key);
    else if (key == "evals")
      c.attack.search.evals = static_cast<int>(count_of(v, key));
    else
      throw InvalidParameter("sweep: unknown key '" + key + "'");
  }
  if (r.data.empty()) throw InvalidParameter("sweep: every run needs \"data\" (digits:PATH or idx:DIR)");
  robust::validate(c);
  return r;
}

std::vector<Run> expand(const json& spec) {
  if (!spec.is_object()) throw InputError("sweep: the grid file must hold a JSON object");
  for (const auto& [key, v] : spec.items()) {
    if (key != "base" && key != "grid") throw InvalidParameter("sweep: unknown top-level key '" + key + "'");
  }
  const json base = spec.value("base", json::object());
  const json grid = spec.value("grid", json::object());
  if (!base.is_object() || !grid.is_object()) throw InputError("sweep: base and grid must be JSON objects");
  std::vector<json> settings = {base};
  for (const auto& [key, values] : grid.items()) {
    if (!values.is_array() || values.empty()) {
      throw InvalidParameter("sweep: grid." + key + " must be a non-empty array");
    }
    std::vector<json> next;
    for (const auto& s : settings) {
      for (const auto& v : values) {
        json t = s;
        t[key] = v;
        next.push_back(t);
      }
    }
    settings.swap(next);
    if (settings.size() > 100000) throw InvalidParameter("sweep: more than 100000 runs");
  }
  std::vector<Run> runs;
  for (const auto& s : settings) runs.push_back(make_run(s));
  return runs;
}

struct SweepArgs {
  cli::CommonOptions common;
  std::string grid, curves, checkpoint;
  int jobs = 1;
};

void run_sweep(SweepArgs& a) {
  cli::validate_common(a.common);
  if (a.jobs < 1 || a.jobs > 256)
    throw InvalidParameter("--jobs must be in [1, 256] (got " + std::to_string(a.jobs) + ")");
  std::ifstream in(a.grid);
  if (!in) throw InputError("cannot open " + a.grid);
  json spec;
  try {
    spec = json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(a.grid + ": not valid JSON: " + e.what());
  }
  const auto runs = expand(spec);
  std::map<std::string, robust::TrainTest> data;
  for (const auto& r : runs) {
    if (!data.count(r.data)) data.emplace(r.data, robust::load_data(r.data));
  }
  cli::Output out(a.common.out);
  std::unique_ptr<cli::Output> curves;
  if (!a.curves.empty()) curves = std::make_unique<cli::Output>(a.curves);
  std::vector<robust::TrainResult> results(runs.size());
  std::vector<double> seconds(runs.size());
  std::vector<char> done(runs.size(), 0);
  std::unique_ptr<SweepCheckpoint> checkpoint;
  if (!a.checkpoint.empty()) {
    std::vector<json> settings;
    for (const auto& r : runs) settings.push_back(r.settings);
    checkpoint = std::make_unique<SweepCheckpoint>(a.checkpoint, cli::version_line("paperkit-robust"), settings);
    for (const auto& f : checkpoint->finished()) {
      results[f.index].curve = f.curve;
      seconds[f.index] = f.seconds;
      done[f.index] = 1;
    }
    if (!checkpoint->finished().empty()) {
      cli::warn(a.common, "sweep: " + std::to_string(checkpoint->finished().size()) + " of " +
                              std::to_string(runs.size()) + " runs already in " + a.checkpoint + "; running the rest");
    }
  }
  std::vector<std::exception_ptr> errors(runs.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < runs.size(); i = next++) {
      if (done[i]) continue;
      try {
        const auto& d = data.at(runs[i].data);
        const auto model = robust::make_model<float>(runs[i].model, d.train.features, d.train.classes);
        paperkit::Stopwatch clock;
        results[i] = robust::train(runs[i].config, *model, d);
        seconds[i] = clock.seconds();
        if (checkpoint) checkpoint->append(i, runs[i].settings, results[i].curve, seconds[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < a.jobs; ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!errors[i]) continue;
    const std::string where = "sweep run " + std::to_string(i) + ": ";
    try {
      std::rethrow_exception(errors[i]);
    } catch (const InputError& e) {
      throw InputError(where + e.what());
    } catch (const std::exception& e) {
      throw InvalidParameter(where + e.what());
    }
  }
  std::vector<std::string> columns = {"run"};
  for (const auto& k : kKeys) {
    if (std::any_of(runs.begin(), runs.end(), [&](const Run& r) { return r.settings.contains(k); })) {
      columns.push_back(k);
    }
  }
  const std::size_t settings_cols = columns.size();
  for (const char* c : {"final_acc_node0", "final_acc_mean", "final_acc_min", "grads_computed", "seconds"}) {
    columns.push_back(c);
  }
  paperkit::Table t(columns);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::vector<paperkit::Table::Cell> row = {static_cast<std::uint64_t>(i)};
    for (std::size_t c = 1; c < settings_cols; ++c) {
      const auto& v = runs[i].settings.value(columns[c], json());
      row.emplace_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    const auto& last = results[i].curve.back();
    row.emplace_back(last.acc_node0);
    row.emplace_back(last.acc_mean);
    row.emplace_back(last.acc_min);
    row.emplace_back(static_cast<std::uint64_t>(last.grads));
    row.emplace_back(seconds[i]);
    t.add_row(std::move(row));
  }
  t.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
  if (curves) {
    paperkit::Table c({"run", "step", "lr", "acc_node0", "acc_min", "acc_mean", "spread", "drift", "grads_computed"});
    for (std::size_t i = 0; i < runs.size(); ++i) {
      for (const auto& r : results[i].curve) {
        c.add_row({static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(r.step), r.lr, r.acc_node0, r.acc_min,
                   r.acc_mean, r.spread, r.drift, static_cast<std::uint64_t>(r.grads)});
      }
    }
    c.write_csv(curves->stream());
    curves->finish();
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  static SweepArgs a;
  auto* cmd = app.add_subcommand("sweep", "Run every combination of a JSON grid of train settings; one row per run");
  cmd->add_option("grid", a.grid, "GRID.json: {\"base\": {...}, \"grid\": {\"key\": [values]}}")->required();
  cmd->add_option("--jobs", a.jobs, "Runs in parallel (results do not depend on it)")->capture_default_str();
  cmd->add_option("--curves", a.curves, "Also write every run's curve (CSV, long form) here");
  cmd->add_option("--checkpoint", a.checkpoint,
                  "Append each finished run to this file; rerun with the same file to run only the missing runs");
  cli::add_common_flags(*cmd, a.common);
  cmd->callback([] { run_sweep(a); });
}

}  // namespace paperkit::robust_app
