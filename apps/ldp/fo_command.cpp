// paperkit-ldp fo: simulate one frequency oracle on a histogram (spec ldp.md §2.1, §7) and
// report estimated vs true counts, per-item errors, empirical vs theoretical variance, the
// privacy block and timings.
#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp_tool {

namespace {

using paperkit::InputError;
using paperkit::InvalidParameter;
namespace ldp = paperkit::ldp;

constexpr std::uint64_t kMaxToolDomain = std::uint64_t{1} << 24;  // one output row per item
constexpr std::uint64_t kMaxUsers = std::uint64_t{1} << 40;
constexpr std::size_t kChunkUsers = std::size_t{1} << 18;  // per-user mode works chunk by chunk

struct FoArgs {
  paperkit::cli::CommonOptions common;
  std::string oracle = "auto";
  double epsilon = std::nan("");
  std::uint64_t domain = 0;
  std::uint64_t users = 0;
  std::string mode = "per-user";
  std::string counts_file;
  double zipf = 1.1;
  std::uint64_t olh_g = 0;
  std::string olh_variant = "pure-ldp";
};

std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

std::vector<std::uint64_t> read_counts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("--counts: cannot read '" + path + "'");
  std::vector<std::uint64_t> counts;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    for (char& ch : line) {
      if (ch == ',' || ch == ';' || ch == '\t' || ch == '\r') ch = ' ';
    }
    std::istringstream tokens(line);
    std::string tok;
    while (tokens >> tok) {
      const bool digits = !tok.empty() && tok.size() <= 15 &&
                          std::all_of(tok.begin(), tok.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
      if (!digits) {
        throw InputError("--counts: line " + std::to_string(line_no) + " of '" + path +
                         "': counts must be non-negative integers below 10^15 (got '" + tok + "')");
      }
      counts.push_back(std::stoull(tok));
      if (counts.size() > kMaxToolDomain) {
        throw InputError("--counts: more than " + std::to_string(kMaxToolDomain) + " items in '" + path + "'");
      }
    }
  }
  if (counts.empty()) throw InputError("--counts: no counts in '" + path + "'");
  return counts;
}

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
  if (!std::isfinite(a.epsilon) || !(a.epsilon > 0) || a.epsilon > ldp::kMaxEpsilon) {
    throw InvalidParameter("--epsilon must be finite and in (0, 30] (got " + num(a.epsilon) + ")");
  }
  if (a.mode != "per-user" && a.mode != "aggregate") {
    throw InvalidParameter("--mode must be per-user or aggregate (got '" + a.mode + "')");
  }
  if (a.olh_variant != "pure-ldp" && a.olh_variant != "wang") {
    throw InvalidParameter("--olh-variant must be pure-ldp or wang (got '" + a.olh_variant + "')");
  }
  if (a.olh_g == 1) throw InvalidParameter("--olh-g must be >= 2, or 0 for the variant's rule (got 1)");
  if (a.counts_file.empty()) {
    if (a.domain == 0 || a.domain > kMaxToolDomain) {
      throw InvalidParameter("--domain must be in [1, 2^24] (got " + std::to_string(a.domain) + ")");
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

// Per-user mode, chunk by chunk: chunk c's users come from Rng stream c, whatever --threads is.
Run per_user(const ldp::FrequencyOracle& o, const std::vector<std::uint64_t>& counts, std::uint64_t n,
             std::uint64_t seed, int threads) {
  Run r;
  std::vector<std::uint64_t> support(counts.size(), 0);
  std::uint64_t item = 0, left_of_item = counts.empty() ? 0 : counts[0];
  std::vector<std::uint64_t> items;
  for (std::uint64_t first = 0, chunk = 0; first < n; first += kChunkUsers, ++chunk) {
    const std::uint64_t size = std::min<std::uint64_t>(kChunkUsers, n - first);
    items.clear();
    while (items.size() < size) {
      while (left_of_item == 0) left_of_item = counts[++item];
      const std::uint64_t take = std::min<std::uint64_t>(left_of_item, size - items.size());
      items.insert(items.end(), take, item);
      left_of_item -= take;
    }
    paperkit::Stopwatch p;
    const auto batch = o.perturb_all(items, seed, chunk + 2, threads);  // streams 0, 1 are used elsewhere
    r.perturb_s += p.seconds();
    paperkit::Stopwatch dcl;
    const auto s = o.support_counts(batch, threads);
    for (std::size_t v = 0; v < s.size(); ++v) support[v] += s[v];
    r.decode_s += dcl.seconds();
  }
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
    if (a.domain != 0 && a.domain != counts.size()) {
      throw InvalidParameter("--domain " + std::to_string(a.domain) + " differs from the " +
                             std::to_string(counts.size()) + " counts in --counts");
    }
    source = "file:" + a.counts_file;
  } else {
    counts = zipf_counts(a.users, a.domain, a.zipf, a.common.seed);
    std::ostringstream z;
    z << "zipf(s=" << a.zipf << ")";  // 6 significant digits: a label, the value is in params
    source = z.str();
  }
  std::uint64_t n = 0;
  for (auto c : counts) n += c;
  if (n == 0) throw InputError("--counts: the counts sum to 0 (need at least one user)");
  if (n > kMaxUsers) throw InputError("--counts: more than 2^40 users");
  const std::uint64_t d = counts.size();

  ldp::OracleOptions opt;
  opt.olh_g = a.olh_g;
  opt.olh_variant = a.olh_variant == "wang" ? ldp::OlhVariant::wang : ldp::OlhVariant::pure_ldp;
  if (a.oracle != "olh" && a.oracle != "auto" && (a.olh_g != 0 || a.olh_variant != "pure-ldp")) {
    throw InvalidParameter("--olh-g and --olh-variant apply to --oracle olh only (got --oracle " + a.oracle + ")");
  }
  const ldp::FrequencyOracle o = ldp::make_oracle(a.oracle, a.epsilon, d, opt);
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

  double sq = 0, theory = 0, max_abs = 0;
  for (std::uint64_t v = 0; v < d; ++v) {
    const double e = r.estimates[v] - static_cast<double>(counts[v]);
    sq += e * e;
    max_abs = std::max(max_abs, std::abs(e));
    theory += o.variance(static_cast<double>(n), static_cast<double>(counts[v]));
  }
  const double mse = sq / static_cast<double>(d), theory_mean = theory / static_cast<double>(d);

  nlohmann::json info;
  info["command"] = "fo";
  info["params"] = {{"oracle", std::string(ldp::to_string(o.kind()))},
                    {"oracle_requested", a.oracle},
                    {"description", o.description()},
                    {"epsilon", a.epsilon},
                    {"domain", d},
                    {"users", n},
                    {"mode", a.mode},
                    {"counts", source},
                    {"seed", a.common.seed},
                    {"threads", a.common.threads},
                    {"p_star", o.p_star()},
                    {"q_star", o.q_star()},
                    {"g", o.g()}};
  if (o.kind() == ldp::OracleKind::olh) info["params"]["olh_variant"] = a.olh_variant;
  if (a.counts_file.empty()) info["params"]["zipf"] = a.zipf;
  info["privacy"] = {{"epsilon", a.epsilon}, {"mechanism", o.description()}, {"reports_per_user", 1}};
  info["summary"] = {{"empirical_mse", mse},
                     {"theoretical_variance_mean", theory_mean},
                     {"mse_over_theory", mse / theory_mean},
                     {"max_abs_error", max_abs},
                     {"theoretical_variance_per_user_at_zero", o.variance(1.0)}};
  info["timing"] = {{"perturb_s", r.perturb_s}, {"decode_s", r.decode_s}, {"total_s", total.seconds()}};
  if (a.mode == "aggregate") info["timing"]["aggregate_s"] = r.decode_s;
  info["fidelity"] = o.kind() == ldp::OracleKind::olh && a.mode == "aggregate"
                         ? "aggregate olh: product law of an ideal hash family (per-user mode uses xxh32)"
                         : "exact";

  if (a.common.format == "csv") {
    paperkit::Table t({"item", "true_count", "estimate", "error", "theoretical_sd"});
    for (std::uint64_t v = 0; v < d; ++v) {
      t.add_row({v, counts[v], r.estimates[v], r.estimates[v] - static_cast<double>(counts[v]),
                 std::sqrt(o.variance(static_cast<double>(n), static_cast<double>(counts[v])))});
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

void add_fo_command(CLI::App& app) {
  static FoArgs args;  // lives as long as the app (CLI11 binds to it)
  auto* cmd = app.add_subcommand(
      "fo",
      "Simulate a frequency oracle: estimated vs true counts (CSV item,true_count,estimate,error,theoretical_sd;\n"
      "JSON adds params, privacy, summary, timing).\n"
      "Example: paperkit-ldp fo --oracle olh --epsilon 1 --domain 1024 --users 100000 --zipf 1.1 --format json");
  cmd->add_option("--oracle", args.oracle, "grr|sue|oue|olh|blh|hr|auto (auto: least variance for eps, d)")
      ->capture_default_str();
  cmd->add_option("--epsilon", args.epsilon, "Privacy budget eps per user, in (0, 30]")->required();
  cmd->add_option("--domain", args.domain, "Domain size d, in [1, 2^24] (with --counts: must match its length)");
  cmd->add_option("--users", args.users, "Number of users n for Zipf-generated counts, in [1, 2^40]");
  cmd->add_option("--mode", args.mode, "per-user (every report generated) | aggregate (support counts from their law)")
      ->capture_default_str();
  cmd->add_option("--counts", args.counts_file, "True counts, one non-negative integer per item (commas or lines)");
  cmd->add_option("--zipf", args.zipf, "Zipf exponent s of the generated counts, in [0, 10]")->capture_default_str();
  cmd->add_option("--olh-g", args.olh_g, "OLH hash range g >= 2 (0: the variant's rule)")->capture_default_str();
  cmd->add_option("--olh-variant", args.olh_variant,
                  "pure-ldp (g = round(e^eps)+1, Wang'17) | wang (g = floor(e^eps)+1, keep 1/2)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*cmd, args.common);
  cmd->callback([] { run_fo(args); });
}

}  // namespace paperkit::ldp_tool
