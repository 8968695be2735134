// paperkit-ldp fo: frequency oracles (spec ldp.md §2.1, §7).
//   fo simulate   simulate one oracle on a histogram and report estimated vs true counts, per-item
//                 errors, empirical vs theoretical variance, the privacy block and timings;
//                 `fo` with simulate's flags and no subcommand is the same command (the original
//                 form, kept as an alias);
//   fo perturb / fo decode / fo variance   fo_perturb.cpp, fo_decode.cpp, fo_variance.cpp.
#include <cmath>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "fo_common.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp_tool {

namespace {

using paperkit::InputError;
using paperkit::InvalidParameter;
namespace ldp = paperkit::ldp;

constexpr std::uint64_t kMaxUsers = std::uint64_t{1} << 40;

struct FoArgs {
  paperkit::cli::CommonOptions common;
  OracleFlags oracle;
  std::string command = "fo";
  std::uint64_t users = 0;
  std::string mode = "per-user";
  std::string counts_file;
  double zipf = 1.1;
};

// Multinomial(n, Zipf(s) over d items) by conditional binomials (seeded, stream 1).
std::vector<std::uint64_t> zipf_counts(std::uint64_t n, std::uint64_t d, double s, std::uint64_t seed) {
  std::vector<double> w(d);
  double total = 0;
  for (std::uint64_t v = 0; v < d; ++v) total += w[v] = std::pow(static_cast<double>(v + 1), -s);
  Rng rng = Rng::for_block(seed, 1, 0);
  std::vector<std::uint64_t> counts(d, 0);
  std::uint64_t left = n;
  double mass_left = total;
  for (std::uint64_t v = 0; v < d && left > 0; ++v) {
    const double p = v + 1 == d ? 1.0 : std::min(1.0, w[v] / mass_left);
    std::binomial_distribution<std::uint64_t> b(left, p);
    counts[v] = p >= 1.0 ? left : b(rng);
    left -= counts[v];
    mass_left -= w[v];
  }
  return counts;
}

void validate(FoArgs& a) {
  paperkit::cli::validate_common(a.common);
  validate_oracle_flags(a.oracle);
  if (a.mode != "per-user" && a.mode != "aggregate") {
    throw InvalidParameter("--mode must be per-user or aggregate (got '" + a.mode + "')");
  }
  if (a.counts_file.empty()) {
    if (a.oracle.domain == 0 || a.oracle.domain > kMaxToolDomain) {
      throw InvalidParameter("--domain must be in [1, 2^24] (got " + std::to_string(a.oracle.domain) + ")");
    }
    if (a.users == 0 || a.users > kMaxUsers) {
      throw InvalidParameter("--users must be in [1, 2^40] (got " + std::to_string(a.users) + ")");
    }
    if (!std::isfinite(a.zipf) || a.zipf < 0 || a.zipf > 10) {
      throw InvalidParameter("--zipf must be finite and in [0, 10] (got " + num(a.zipf) + ")");
    }
  } else if (a.users != 0) {
    throw InvalidParameter("--users and --counts exclude each other (the counts file gives n)");
  }
}

struct Run {
  std::vector<double> estimates;
  double perturb_s = 0, decode_s = 0;
};

// Per-user mode: every report generated, chunk by chunk (perturb_in_chunks), and decoded as it
// comes; `fo perturb` draws the same reports for the same seed and users.
Run per_user(const ldp::FrequencyOracle& o, const std::vector<std::uint64_t>& counts, std::uint64_t n,
             std::uint64_t seed, int threads) {
  Run r;
  std::vector<std::uint64_t> support(counts.size(), 0);
  UserItems users = UserItems::from_counts(counts);
  r.perturb_s = perturb_in_chunks(o, users, seed, threads, [&](const ldp::ReportBatch& batch) {
    paperkit::Stopwatch dcl;
    const auto s = o.support_counts(batch, threads);
    for (std::size_t v = 0; v < s.size(); ++v) support[v] += s[v];
    r.decode_s += dcl.seconds();
  });
  r.estimates = o.estimate_from_support(support, n);
  return r;
}

void run_fo(FoArgs& a) {
  validate(a);
  paperkit::Stopwatch total;
  std::vector<std::uint64_t> counts;
  std::string source;
  if (!a.counts_file.empty()) {
    counts = read_counts(a.counts_file);
    if (a.oracle.domain != 0 && a.oracle.domain != counts.size()) {
      throw InvalidParameter("--domain " + std::to_string(a.oracle.domain) + " differs from the " +
                             std::to_string(counts.size()) + " counts in --counts");
    }
    source = "file:" + a.counts_file;
  } else {
    counts = zipf_counts(a.users, a.oracle.domain, a.zipf, a.common.seed);
    std::ostringstream z;
    z << "zipf(s=" << a.zipf << ")";  // 6 significant digits: a label, the value is in params
    source = z.str();
  }
  std::uint64_t n = 0;
  for (auto c : counts) n += c;
  if (n == 0) throw InputError("--counts: the counts sum to 0 (need at least one user)");
  if (n > kMaxUsers) throw InputError("--counts: more than 2^40 users");
  const std::uint64_t d = counts.size();

  const ldp::FrequencyOracle o = build_oracle(a.oracle, d, a.common.seed);
  paperkit::cli::Output out(a.common.out);

  Run r;
  if (a.mode == "per-user") {
    r = per_user(o, counts, n, a.common.seed, a.common.threads);
  } else {
    paperkit::Stopwatch agg;
    Rng rng = Rng::for_block(a.common.seed, 0, 0);
    r.estimates = o.simulate_aggregate(counts, rng);
    r.decode_s = agg.seconds();
  }

  // FLH: the theory is over pool draws, OLH's variance plus sum_{u != v} c_u^2 / (k_s (g - 1)).
  double sum_sq = 0;
  for (std::uint64_t v = 0; v < d; ++v) sum_sq += static_cast<double>(counts[v]) * static_cast<double>(counts[v]);
  auto theory_var = [&](std::uint64_t v) {
    const double c = static_cast<double>(counts[v]);
    return o.variance(static_cast<double>(n), c) + o.flh_extra_variance(sum_sq - c * c);
  };
  double sq = 0, theory = 0, max_abs = 0;
  for (std::uint64_t v = 0; v < d; ++v) {
    const double e = r.estimates[v] - static_cast<double>(counts[v]);
    sq += e * e;
    max_abs = std::max(max_abs, std::abs(e));
    theory += theory_var(v);
  }
  const double mse = sq / static_cast<double>(d), theory_mean = theory / static_cast<double>(d);

  nlohmann::json info;
  info["command"] = a.command;
  info["params"] = {{"oracle", o.name()},
                    {"oracle_requested", a.oracle.oracle},
                    {"description", o.description()},
                    {"epsilon", a.oracle.epsilon},
                    {"domain", d},
                    {"users", n},
                    {"mode", a.mode},
                    {"counts", source},
                    {"seed", a.common.seed},
                    {"threads", a.common.threads},
                    {"p_star", o.p_star()},
                    {"q_star", o.q_star()},
                    {"g", o.g()}};
  if (o.kind() == ldp::OracleKind::olh) info["params"]["olh_variant"] = a.oracle.olh_variant;
  if (o.is_flh()) info["params"]["flh_pool"] = o.flh_seeds().size();
  if (a.counts_file.empty()) info["params"]["zipf"] = a.zipf;
  info["privacy"] = {{"epsilon", a.oracle.epsilon}, {"mechanism", o.description()}, {"reports_per_user", 1}};
  info["summary"] = {{"empirical_mse", mse},
                     {"theoretical_variance_mean", theory_mean},
                     {"mse_over_theory", mse / theory_mean},
                     {"max_abs_error", max_abs},
                     {"theoretical_variance_per_user_at_zero", o.variance(1.0)}};
  info["timing"] = {{"perturb_s", r.perturb_s}, {"decode_s", r.decode_s}, {"total_s", total.seconds()}};
  if (a.mode == "aggregate") info["timing"]["aggregate_s"] = r.decode_s;
  if (o.is_flh()) {
    info["fidelity"] =
        "heuristic: flh (OLH with a pool of " + std::to_string(o.flh_seeds().size()) +
        " hash seeds derived from --seed); users sharing a seed are correlated, so the estimates are unbiased "
        "only over pool draws; theoretical variance includes sum_{u!=v} c_u^2/(k_s (g-1))" +
        (a.mode == "aggregate" ? "; aggregate: the exact law given the pool" : "");
  } else {
    info["fidelity"] = o.kind() == ldp::OracleKind::olh && a.mode == "aggregate"
                           ? "aggregate olh: product law of an ideal hash family (per-user mode uses xxh32)"
                           : "exact";
  }

  if (a.common.format == "csv") {
    paperkit::Table t({"item", "true_count", "estimate", "error", "theoretical_sd"});
    for (std::uint64_t v = 0; v < d; ++v) {
      t.add_row(
          {v, counts[v], r.estimates[v], r.estimates[v] - static_cast<double>(counts[v]), std::sqrt(theory_var(v))});
    }
    t.write_csv(out.stream());
  } else {
    nlohmann::json full = info;
    nlohmann::json items = nlohmann::json::array();
    for (std::uint64_t v = 0; v < d; ++v) {
      items.push_back({{"item", v},
                       {"true_count", counts[v]},
                       {"estimate", r.estimates[v]},
                       {"error", r.estimates[v] - static_cast<double>(counts[v])}});
    }
    full["items"] = items;
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

}  // namespace

namespace {

void add_simulate_flags(CLI::App& cmd, FoArgs& args) {
  add_oracle_flags(cmd, args.oracle, "Domain size d, in [1, 2^24] (with --counts: must match its length)");
  cmd.add_option("--users,--n", args.users, "Number of users n for Zipf-generated counts, in [1, 2^40]");
  cmd.add_option("--mode", args.mode, "per-user (every report generated) | aggregate (support counts from their law)")
      ->capture_default_str();
  cmd.add_option("--counts", args.counts_file, "True counts, one non-negative integer per item (commas or lines)");
  cmd.add_option("--zipf", args.zipf, "Zipf exponent s of the generated counts, in [0, 10]")->capture_default_str();
  paperkit::cli::add_common_flags(cmd, args.common);
}

}  // namespace

void add_fo_command(CLI::App& app) {
  static FoArgs legacy, simulate;  // live as long as the app (CLI11 binds to them)
  auto* fo = app.add_subcommand(
      "fo",
      "Frequency oracles: simulate | perturb | decode | variance (see each --help).\n"
      "`fo` with simulate's flags and no subcommand runs `fo simulate` (the original form).\n"
      "Example: paperkit-ldp fo simulate --oracle olh --epsilon 1 --domain 1024 --users 100000 --format json");
  fo->require_subcommand(0, 1);
  add_simulate_flags(*fo, legacy);
  fo->callback([fo] {
    if (fo->get_subcommands().empty()) run_fo(legacy);
  });

  auto* sim = fo->add_subcommand(
      "simulate",
      "Simulate a frequency oracle: estimated vs true counts (CSV item,true_count,estimate,error,theoretical_sd;\n"
      "JSON adds params, privacy, summary, timing). Per-user mode draws the reports `fo perturb` writes for\n"
      "the same seed and users, so `fo decode` of them gives these estimates.\n"
      "Example: paperkit-ldp fo simulate --oracle olh --epsilon 1 --domain 1024 --users 100000 --zipf 1.1 --format "
      "json");
  simulate.command = "fo simulate";
  add_simulate_flags(*sim, simulate);
  sim->callback([] { run_fo(simulate); });

  add_fo_perturb_command(*fo);
  add_fo_decode_command(*fo);
  add_fo_variance_command(*fo);
}

}  // namespace paperkit::ldp_tool
