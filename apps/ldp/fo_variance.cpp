// paperkit-ldp fo variance: the analytic variance of each oracle's count estimate (spec ldp.md
// §2.1): Var[c^_v] = n q*(1-q*)/(p*-q*)^2 + c_v (1-p*-q*)/(p*-q*), for n users of whom c_v hold v.
// Theory only (the spec's `fo variance` is "(theory)"); the empirical variance of a run is in
// `fo simulate`'s summary (empirical_mse vs theoretical_variance_mean).
#include <cmath>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "fo_common.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"

namespace paperkit::ldp_tool {

namespace {

namespace ldp = paperkit::ldp;
using paperkit::InvalidParameter;

constexpr std::uint64_t kMaxUsers = std::uint64_t{1} << 62;

struct VarianceArgs {
  paperkit::cli::CommonOptions common;
  OracleFlags oracle;
  std::uint64_t users = 1;
  std::uint64_t count = 0;
};

std::vector<std::string> requested(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream s(list);
  std::string name;
  while (std::getline(s, name, ',')) {
    if (name == "all") {
      for (const char* k : {"grr", "sue", "oue", "olh", "blh", "hr"}) names.emplace_back(k);
    } else {
      if (name == "flh") {
        throw InvalidParameter(
            "--oracle flh: fo variance cannot give flh's variance (over pool draws it adds sum_{u != v} c_u^2 / "
            "(k_s (g-1)), which needs every count); use fo simulate --oracle flh, whose theoretical_sd includes it");
      }
      if (name != "auto") (void)ldp::parse_oracle_kind(name);  // InvalidParameter names the value
      names.push_back(name);
    }
  }
  if (names.empty()) throw InvalidParameter("--oracle must list at least one oracle (got '" + list + "')");
  return names;
}

void run_variance(VarianceArgs& a) {
  paperkit::cli::validate_common(a.common);
  OracleFlags checked = a.oracle;
  checked.oracle = "auto";  // the list is checked by requested(); the OLH flags go with any list
  validate_oracle_flags(checked);
  const std::vector<std::string> names = requested(a.oracle.oracle);
  if (a.oracle.domain == 0) throw InvalidParameter("--domain must be >= 1 (got 0)");
  if (a.users == 0 || a.users > kMaxUsers) {
    throw InvalidParameter("--users must be in [1, 2^62] (got " + std::to_string(a.users) + ")");
  }
  if (a.count > a.users) {
    throw InvalidParameter("--count must be <= --users " + std::to_string(a.users) + " (got " +
                           std::to_string(a.count) + ")");
  }
  ldp::OracleOptions olh_options;
  olh_options.olh_g = a.oracle.olh_g;
  olh_options.olh_variant = a.oracle.olh_variant == "wang" ? ldp::OlhVariant::wang : ldp::OlhVariant::pure_ldp;
  const bool expand_all = a.oracle.oracle.find("all") != std::string::npos;
  const ldp::OracleKind auto_kind = ldp::choose_auto(a.oracle.epsilon, a.oracle.domain, olh_options);

  const auto n = static_cast<double>(a.users), c = static_cast<double>(a.count);
  paperkit::Table t({"oracle", "description", "epsilon", "domain", "users", "true_count", "p_star", "q_star",
                     "variance", "sd", "variance_per_user", "auto_choice"});
  nlohmann::json skipped = nlohmann::json::array();
  for (const std::string& name : names) {
    const ldp::OracleKind kind = name == "auto" ? auto_kind : ldp::parse_oracle_kind(name);
    try {
      const ldp::FrequencyOracle o(kind, a.oracle.epsilon, a.oracle.domain,
                                   kind == ldp::OracleKind::olh ? olh_options : ldp::OracleOptions{});
      const double var = o.variance(n, c);
      t.add_row({std::string(ldp::to_string(kind)), o.description(), a.oracle.epsilon, a.oracle.domain, a.users,
                 a.count, o.p_star(), o.q_star(), var, std::sqrt(var), var / n,
                 std::uint64_t{kind == auto_kind ? 1U : 0U}});
    } catch (const InvalidParameter& e) {
      if (!expand_all || name == "auto") throw;
      skipped.push_back({{"oracle", name}, {"reason", e.what()}});
      paperkit::cli::warn(a.common, "fo variance: " + name + " skipped: " + e.what());
    }
  }

  paperkit::cli::Output out(a.common.out);
  if (a.common.format == "csv") {
    t.write_csv(out.stream());
  } else {
    nlohmann::json j;
    j["command"] = "fo variance";
    j["params"] = {{"oracle", a.oracle.oracle}, {"epsilon", a.oracle.epsilon}, {"domain", a.oracle.domain},
                   {"users", a.users},          {"true_count", a.count},       {"olh_variant", a.oracle.olh_variant},
                   {"olh_g", a.oracle.olh_g}};
    j["formula"] = "Var = n q*(1-q*)/(p*-q*)^2 + c_v (1-p*-q*)/(p*-q*)";
    j["auto"] = std::string(ldp::to_string(auto_kind));
    j["fidelity"] = "exact";
    j["rows"] = t.to_json();
    j["skipped"] = skipped;
    out.stream() << j.dump(2) << '\n';
  }
  out.finish();
}

}  // namespace

void add_fo_variance_command(CLI::App& fo) {
  static VarianceArgs args;  // lives as long as the app (CLI11 binds to it)
  auto* cmd = fo.add_subcommand(
      "variance",
      "Theory: Var[c^_v] = n q*(1-q*)/(p*-q*)^2 + c_v (1-p*-q*)/(p*-q*) for each oracle at (eps, d, n, c_v)\n"
      "(CSV oracle,description,epsilon,domain,users,true_count,p_star,q_star,variance,sd,variance_per_user,\n"
      "auto_choice; auto_choice marks what --oracle auto picks). Oracles that cannot be built at these\n"
      "parameters are skipped from `all` with a warning.\n"
      "Example: paperkit-ldp fo variance --eps 1 --domain 1024 --n 1000000");
  args.oracle.oracle = "all";
  add_oracle_flags(*cmd, args.oracle, "Domain size d >= 1 (required)");
  cmd->get_option("--oracle")->description("Comma list of grr|sue|oue|olh|blh|hr|auto, or all");
  cmd->add_option("--users,--n", args.users, "Number of users n, in [1, 2^62]")->capture_default_str();
  cmd->add_option("--count", args.count, "True count c_v of the item, in [0, n]")->capture_default_str();
  paperkit::cli::add_common_flags(*cmd, args.common);
  cmd->callback([] { run_variance(args); });
}

}  // namespace paperkit::ldp_tool
