// paperkit-ldp fo decode: the server side of a frequency oracle. Reads the reports of
// `fo perturb` (or headerless text reports when the oracle flags name the oracle) and writes the
// unbiased count estimates (C_v - n q*)/(p* - q*) of every item. Support counts are integers
// summed over fixed blocks, so the output is identical for any --threads, and equal to
// `fo simulate --mode per-user` for the seed and users that made the reports.
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "fo_common.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/ldp/report_io.hpp"

namespace paperkit::ldp_tool {

namespace {

namespace ldp = paperkit::ldp;
using paperkit::InputError;
using paperkit::InvalidParameter;

struct DecodeArgs {
  paperkit::cli::CommonOptions common;
  OracleFlags oracle;
  std::string reports_file;
  CLI::App* cmd = nullptr;
};

bool given(const DecodeArgs& a, const std::string& flag) {
  return a.cmd->count(flag) > 0;
}

// With a header, oracle flags are optional; any that is given must agree with the reports.
void check_flags_match(const DecodeArgs& a, const ldp::ReportHeader& h, const std::string& where) {
  std::string clash;
  if (given(a, "--oracle") && a.oracle.oracle != "auto" && ldp::parse_oracle_kind(a.oracle.oracle) != h.kind) {
    clash = "--oracle " + a.oracle.oracle;
  } else if (given(a, "--epsilon") && a.oracle.epsilon != h.epsilon) {
    clash = "--epsilon " + num(a.oracle.epsilon);
  } else if (given(a, "--domain") && a.oracle.domain != h.domain) {
    clash = "--domain " + std::to_string(a.oracle.domain);
  } else if (given(a, "--olh-g") && a.oracle.olh_g != 0 && a.oracle.olh_g != h.g) {
    clash = "--olh-g " + std::to_string(a.oracle.olh_g);
  } else if (given(a, "--olh-variant") &&
             (a.oracle.olh_variant == "wang") != (h.olh_variant == ldp::OlhVariant::wang)) {
    clash = "--olh-variant " + a.oracle.olh_variant;
  }
  if (!clash.empty()) {
    throw InputError(where + " holds reports of " + std::string(ldp::to_string(h.kind)) + " (epsilon " +
                     num(h.epsilon) + ", d " + std::to_string(h.domain) + ", g " + std::to_string(h.g) +
                     "), not of the decoder's " + clash);
  }
}

void run_decode(DecodeArgs& a) {
  paperkit::cli::validate_common(a.common);
  const std::string where = "--reports " + a.reports_file;
  // Oracle flags are validated up front; with --epsilon and --domain they also describe headerless text.
  if (given(a, "--epsilon")) {
    validate_oracle_flags(a.oracle);
  } else if (given(a, "--oracle") && a.oracle.oracle != "auto") {
    (void)ldp::parse_oracle_kind(a.oracle.oracle);  // names a bad value before reading
  }
  if (given(a, "--domain") && (a.oracle.domain == 0 || a.oracle.domain > kMaxToolDomain)) {
    throw InvalidParameter("--domain must be in [1, 2^24] (got " + std::to_string(a.oracle.domain) + ")");
  }
  std::unique_ptr<ldp::FrequencyOracle> flag_oracle;
  if (given(a, "--epsilon") && given(a, "--domain")) {
    flag_oracle = std::make_unique<ldp::FrequencyOracle>(build_oracle(a.oracle, a.oracle.domain));
  }

  paperkit::Stopwatch total, read_clock;
  std::ifstream file;
  if (a.reports_file != "-") {
    file.open(a.reports_file, std::ios::binary);
    if (!file) throw InputError(where + ": cannot read the file");
  }
  std::istream& in = a.reports_file == "-" ? std::cin : file;
  const ldp::ReportFile rf = ldp::read_reports(in, where, flag_oracle.get());
  const double read_s = read_clock.seconds();
  if (rf.had_header) check_flags_match(a, rf.header, where);
  if (rf.header.domain > kMaxToolDomain) {
    throw InputError(where + ": domain d=" + std::to_string(rf.header.domain) + " is over the 2^24 items decoded here");
  }
  if (rf.reports.users == 0) throw InputError(where + ": no reports (zero users)");
  const ldp::FrequencyOracle o = rf.had_header ? ldp::oracle_for_header(rf.header, where) : *flag_oracle;

  paperkit::Stopwatch decode_clock;
  const std::vector<std::uint64_t> support = o.support_counts(rf.reports, a.common.threads);
  const std::vector<double> est = o.estimate_from_support(support, rf.reports.users);
  const double decode_s = decode_clock.seconds();
  const auto n = static_cast<double>(rf.reports.users);

  paperkit::cli::Output out(a.common.out);
  double sum = 0;
  for (const double e : est) sum += e;
  nlohmann::json info;
  info["command"] = "fo decode";
  info["params"] = {{"oracle", std::string(ldp::to_string(o.kind()))},
                    {"description", o.description()},
                    {"epsilon", o.epsilon()},
                    {"domain", o.domain()},
                    {"users", rf.reports.users},
                    {"g", o.g()},
                    {"p_star", o.p_star()},
                    {"q_star", o.q_star()},
                    {"reports", a.reports_file},
                    {"encoding", std::string(ldp::to_string(rf.header.encoding))},
                    {"header", rf.had_header},
                    {"threads", a.common.threads}};
  if (o.kind() == ldp::OracleKind::olh) {
    info["params"]["olh_variant"] = o.olh_variant() == ldp::OlhVariant::wang ? "wang" : "pure-ldp";
  }
  info["privacy"] = {{"epsilon", o.epsilon()}, {"mechanism", o.description()}, {"reports_per_user", 1}};
  info["summary"] = {{"sum_of_estimates", sum},
                     {"theoretical_variance_at_zero", o.variance(n)},
                     {"theoretical_sd_at_zero", std::sqrt(o.variance(n))}};
  info["timing"] = {{"read_s", read_s}, {"decode_s", decode_s}, {"total_s", total.seconds()}};
  info["fidelity"] = "exact";

  if (a.common.format == "csv") {
    paperkit::Table t({"item", "support", "estimate"});
    for (std::uint64_t v = 0; v < o.domain(); ++v) t.add_row({v, support[v], est[v]});
    t.write_csv(out.stream());
  } else {
    nlohmann::json full = info;
    nlohmann::json items = nlohmann::json::array();
    for (std::uint64_t v = 0; v < o.domain(); ++v) {
      items.push_back({{"item", v}, {"support", support[v]}, {"estimate", est[v]}});
    }
    full["items"] = items;
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

}  // namespace

void add_fo_decode_command(CLI::App& fo) {
  static DecodeArgs args;  // lives as long as the app (CLI11 binds to it)
  auto* cmd = fo.add_subcommand(
      "decode",
      "Server side: unbiased count estimates (C_v - n q*)/(p* - q*) from the reports of `fo perturb`\n"
      "(CSV item,support,estimate; JSON adds params, privacy, summary, timing). The report header names\n"
      "the oracle; oracle flags, when given, must agree with it. Headerless text reports need\n"
      "--oracle, --epsilon and --domain.\n"
      "Example: paperkit-ldp fo decode --reports reports.txt --format json");
  args.cmd = cmd;
  cmd->add_option("--reports", args.reports_file, "Report file from `fo perturb`, text or binary ('-' = stdin)")
      ->required();
  add_oracle_flags(*cmd, args.oracle, "Domain size d of headerless reports, in [1, 2^24]");
  paperkit::cli::add_common_flags(*cmd, args.common);
  cmd->callback([] { run_decode(args); });
}

}  // namespace paperkit::ldp_tool
