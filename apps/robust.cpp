// paperkit-robust: robust mixing rules, Byzantine attacks and MoNNA peer-to-peer training from the
// command line. Thin by design: parse, validate, call paperkit::robust, write.
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/robust/aggregators.hpp"
#include "paperkit/robust/attacks.hpp"
#include "paperkit/robust/io.hpp"
#include "robust_train_cmd.hpp"

namespace robust = paperkit::robust;
using paperkit::InvalidParameter;
using paperkit::cli::CommonOptions;

namespace {

struct RuleArgs {
  std::string rule = "nna";
  long f = 0;
  long krum_neighbors = -1;
  bool krum_unsquared = false;
  double gm_nu = 0.1;
  int gm_iters = 3;
  double scc_tau = 1.0;
  int scc_iters = 3;
};

void add_rule_flags(CLI::App& app, RuleArgs& a, const std::string& rule_flag) {
  app.add_option(
         rule_flag, a.rule,
         "Mixing rule: " +
             [] {
               std::string s;
               for (const auto& n : robust::rule_names()) s += (s.empty() ? "" : "|") + n;
               return s;
             }())
      ->capture_default_str();
  app.add_option("--f", a.f, "Declared Byzantine count f (>= 0; n > 2f)")->capture_default_str();
  app.add_option("--krum-neighbors", a.krum_neighbors, "Krum's k nearest (-1: n - f - 2, Blanchard; ByzFL: n - f - 1)")
      ->capture_default_str();
  app.add_flag("--krum-unsquared", a.krum_unsquared, "Krum scores with unsquared distances (the LPD code)");
  app.add_option("--gm-nu", a.gm_nu, "Geometric median smoothing nu (> 0)")->capture_default_str();
  app.add_option("--gm-iters", a.gm_iters, "Geometric median Weiszfeld iterations T (>= 1)")->capture_default_str();
  app.add_option("--scc-tau", a.scc_tau, "Clipped gossip radius tau (> 0)")->capture_default_str();
  app.add_option("--scc-iters", a.scc_iters, "Clipped gossip iterations L (>= 1)")->capture_default_str();
}

robust::RuleOptions rule_options(const RuleArgs& a, const std::string& rule_flag) {
  if (a.f < 0) throw InvalidParameter("--f must be >= 0 (got " + std::to_string(a.f) + ")");
  robust::RuleOptions o;
  o.rule = robust::parse_rule(a.rule, rule_flag);
  o.f = static_cast<std::size_t>(a.f);
  o.krum_neighbors = a.krum_neighbors;
  o.krum_squared = !a.krum_unsquared;
  o.gm_nu = a.gm_nu;
  o.gm_iters = a.gm_iters;
  o.scc_tau = a.scc_tau;
  o.scc_iters = a.scc_iters;
  robust::validate(o);
  return o;
}

void require_majority(std::size_t n, std::size_t f, const std::string& what) {
  if (n <= 2 * f) {
    throw InvalidParameter("--f: need n > 2f (got n = " + std::to_string(n) + " " + what +
                           ", f = " + std::to_string(f) + ")");
  }
}

std::vector<std::vector<double>> to_rows(const robust::VectorSet& set) {
  std::vector<std::vector<double>> rows(set.rows);
  for (std::size_t i = 0; i < set.rows; ++i) rows[i].assign(set.row(i), set.row(i) + set.cols);
  return rows;
}

template <class T>
std::vector<double> mix_as(const robust::RuleOptions& o, const robust::VectorSet& set, std::size_t pivot,
                           std::vector<std::size_t>& selected) {
  std::vector<T> data(set.values.begin(), set.values.end());
  std::vector<const T*> rows;
  for (std::size_t i = 0; i < set.rows; ++i) rows.push_back(data.data() + i * set.cols);
  std::vector<T> out(set.cols);
  robust::Mixer<T> mixer(o);
  mixer.mix(rows, set.cols, pivot, out);
  selected = mixer.selected();
  return {out.begin(), out.end()};
}

struct AggregateArgs {
  CommonOptions common;
  RuleArgs rule;
  std::string in;
  long pivot = 0;
  bool float32 = false;
};

void write_vector_output(const CommonOptions& common, const std::vector<double>& v, nlohmann::json info) {
  paperkit::cli::Output out(common.out);
  if (common.format == "csv") {
    robust::write_vectors(out.stream(), {v});
  } else {
    info["output"] = v;
    out.stream() << info.dump(2) << '\n';
  }
  out.finish();
}

void run_aggregate(AggregateArgs& a) {
  paperkit::cli::validate_common(a.common);
  const auto options = rule_options(a.rule, "--rule");
  const auto set = robust::read_vectors(a.in);
  require_majority(set.rows, options.f, "vectors in " + a.in);
  if (a.pivot < 0 || static_cast<std::size_t>(a.pivot) >= set.rows) {
    throw InvalidParameter("--pivot must be in [0, " + std::to_string(set.rows - 1) + "] (got " +
                           std::to_string(a.pivot) + ")");
  }
  std::vector<std::size_t> selected;
  paperkit::Stopwatch clock;
  const auto y = a.float32 ? mix_as<float>(options, set, static_cast<std::size_t>(a.pivot), selected)
                           : mix_as<double>(options, set, static_cast<std::size_t>(a.pivot), selected);
  nlohmann::json info = {{"command", "aggregate"},
                         {"rule", robust::rule_name(options.rule)},
                         {"n", set.rows},
                         {"d", set.cols},
                         {"f", options.f},
                         {"pivot", a.pivot},
                         {"dtype", a.float32 ? "float32" : "float64"},
                         {"seconds", clock.seconds()}};
  if (!selected.empty()) info["selected"] = selected;
  write_vector_output(a.common, y, info);
  paperkit::cli::log_verbose(a.common, "summary: " + info.dump());
}

struct AttackArgs {
  CommonOptions common;
  RuleArgs rule;
  std::string type = "alie";
  std::string honest;
  std::string lf_step;
  int evals = 16;
  double start = 0, delta = 1, ratio = 0.8;
  double z = std::nan("");
  long n = -1;
};

void run_attack(AttackArgs& a) {
  paperkit::cli::validate_common(a.common);
  robust::AttackOptions o;
  o.type = robust::parse_attack(a.type, "--type");
  o.target = rule_options(a.rule, "--agg");
  o.f = o.target.f;
  o.search = {a.evals, a.start, a.delta, a.ratio};
  robust::validate(o.search);
  if (!std::isnan(a.z) && !std::isfinite(a.z))
    throw InvalidParameter("--z must be finite (got " + std::to_string(a.z) + ")");
  o.fixed_z = a.z;
  const auto set = robust::read_vectors(a.honest);
  const std::size_t n = set.rows + o.f;
  require_majority(n, o.f, "= honest rows " + std::to_string(set.rows) + " + f");
  const auto rows_data = to_rows(set);
  std::vector<const double*> rows;
  for (const auto& r : rows_data) rows.push_back(r.data());
  std::vector<double> step;
  if (o.type == robust::Attack::lf) {
    if (a.lf_step.empty())
      throw InvalidParameter("--lf-step is required for --type lf (a CSV with γ·mean∇ on flipped labels)");
    const auto s = robust::read_vectors(a.lf_step);
    if (s.rows != 1 || s.cols != set.cols) {
      throw paperkit::InputError(a.lf_step + ": expected 1 vector of length " + std::to_string(set.cols));
    }
    step.assign(s.values.begin(), s.values.end());
  }
  paperkit::Stopwatch clock;
  const auto b = robust::craft_attack<double>(o, rows, set.cols, step);
  nlohmann::json trace = nlohmann::json::array();
  for (const auto& [z, y] : b.trace) trace.push_back({{"z", z}, {"phi", y}});
  nlohmann::json info = {{"command", "attack"},
                         {"type", robust::attack_name(o.type)},
                         {"agg", robust::rule_name(o.target.rule)},
                         {"honest", set.rows},
                         {"f", o.f},
                         {"d", set.cols},
                         {"z", b.z},
                         {"trace", trace},
                         {"seconds", clock.seconds()}};
  write_vector_output(a.common, b.vector, info);
  paperkit::cli::log_verbose(a.common, "summary: " + info.dump());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "paperkit-robust: robust mixing rules, Byzantine attacks and MoNNA peer-to-peer training\n"
      "(Farhadkhani et al., ICML 2023).\n"
      "Example: paperkit-robust aggregate --rule nna --f 5 --pivot 0 --in X.csv --format json\n"
      "         paperkit-robust attack --type alie --agg nna --f 5 --honest H.csv\n"
      "         paperkit-robust train --data digits:data/digits.csv.gz --model logreg --agg nna --attack alie"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-robust"));
  app.require_subcommand(1);

  AggregateArgs agg;
  auto* agg_cmd = app.add_subcommand(
      "aggregate", "Mix the vectors of a CSV file (one per line) with one rule; output the vector (CSV) or JSON");
  add_rule_flags(*agg_cmd, agg.rule, "--rule");
  agg_cmd->add_option("--in", agg.in, "Input vectors, one per CSV line (nan/inf allowed)")->required();
  agg_cmd->add_option("--pivot", agg.pivot, "Receiver's own row (nna, scc), 0-based")->capture_default_str();
  agg_cmd->add_flag("--float32", agg.float32, "Compute in float32 (default float64)");
  paperkit::cli::add_common_flags(*agg_cmd, agg.common);
  agg_cmd->callback([&] { run_aggregate(agg); });

  AttackArgs att;
  auto* att_cmd = app.add_subcommand(
      "attack", "Craft the Byzantine vector b from the honest vectors of a CSV file; JSON adds z and the search trace");
  att_cmd->add_option("--type", att.type, "alie|foe|sf|lf|mimic")->capture_default_str();
  add_rule_flags(*att_cmd, att.rule, "--agg");
  att_cmd->add_option("--honest", att.honest, "Honest vectors, one per CSV line")->required();
  att_cmd->add_option("--lf-step", att.lf_step, "lf only: CSV with one vector γ_t·mean∇ℓ on flipped labels");
  att_cmd->add_option("--evals", att.evals, "Line-search evaluations of φ (alie, foe)")->capture_default_str();
  att_cmd->add_option("--search-start", att.start, "Line-search start z (>= 0)")->capture_default_str();
  att_cmd->add_option("--search-delta", att.delta, "Line-search first step (> 0)")->capture_default_str();
  att_cmd->add_option("--search-ratio", att.ratio, "Line-search shrink ratio in (0, 1)")->capture_default_str();
  att_cmd->add_option("--z", att.z, "Fixed strength z (no search)");
  paperkit::cli::add_common_flags(*att_cmd, att.common);
  att_cmd->callback([&] { run_attack(att); });

  paperkit::robust_app::add_train_commands(app);
  paperkit::robust_app::add_sweep_command(app);

  return paperkit::cli::run_tool(app, argc, argv);
}
