// paperkit-ldp fo perturb: the client side of a frequency oracle. Reads the users' items and
// writes one privatized report per user (format in paperkit/ldp/report_io.hpp), seeded and
// identical for any --threads; `fo decode` turns the reports into count estimates.
#include <iostream>

#include "cli.hpp"
#include "fo_common.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/ldp/report_io.hpp"

namespace paperkit::ldp_tool {

namespace {

namespace ldp = paperkit::ldp;
using paperkit::InputError;
using paperkit::InvalidParameter;

constexpr std::uint64_t kMaxUsers = std::uint64_t{1} << 40;

struct PerturbArgs {
  paperkit::cli::CommonOptions common;
  OracleFlags oracle;
  std::string items_file, counts_file;
};

void run_perturb(PerturbArgs& a) {
  paperkit::cli::validate_common(a.common, {"text", "binary"});
  validate_oracle_flags(a.oracle);
  if (a.items_file.empty() == a.counts_file.empty()) {
    throw InvalidParameter("fo perturb needs exactly one of --items FILE or --counts FILE ('-' reads stdin)");
  }
  if (!a.items_file.empty() && (a.oracle.domain == 0 || a.oracle.domain > kMaxToolDomain)) {
    throw InvalidParameter("--domain must be in [1, 2^24] with --items (got " + std::to_string(a.oracle.domain) + ")");
  }
  if (a.oracle.domain > kMaxToolDomain) {
    throw InvalidParameter("--domain must be in [1, 2^24] (got " + std::to_string(a.oracle.domain) + ")");
  }
  paperkit::Stopwatch total;
  UserItems users = UserItems::from_items({});
  std::uint64_t d = a.oracle.domain;
  if (!a.items_file.empty()) {
    (void)build_oracle(a.oracle, d);  // bad flags are reported before the file is read
    users = UserItems::from_items(read_items(a.items_file, d));
  } else {
    if (d != 0) (void)build_oracle(a.oracle, d);
    auto counts = read_counts(a.counts_file);
    if (d != 0 && d != counts.size()) {
      throw InvalidParameter("--domain " + std::to_string(d) + " differs from the " + std::to_string(counts.size()) +
                             " counts in --counts");
    }
    d = counts.size();
    users = UserItems::from_counts(std::move(counts));
    if (users.users() == 0) throw InputError("--counts: the counts sum to 0 (need at least one user)");
    if (users.users() > kMaxUsers) throw InputError("--counts: more than 2^40 users");
  }
  const ldp::FrequencyOracle o = build_oracle(a.oracle, d, a.common.seed);
  const ldp::ReportEncoding encoding = ldp::parse_report_encoding(a.common.format);
  paperkit::cli::Output out(a.common.out, encoding == ldp::ReportEncoding::binary);
  ldp::write_report_header(out.stream(), ldp::make_report_header(o, users.users(), encoding));
  const double perturb_s = perturb_in_chunks(o, users, a.common.seed, a.common.threads, [&](const ldp::ReportBatch& b) {
    ldp::write_report_rows(out.stream(), b, encoding);
  });
  out.finish();
  if (!a.common.quiet) {
    std::cerr << "fo perturb: " << users.users() << " reports of " << o.description() << " (epsilon "
              << num(a.oracle.epsilon) << ", d " << d << ", seed " << a.common.seed << ") in " << total.seconds()
              << " s (perturb " << perturb_s << " s)\n";
  }
}

}  // namespace

void add_fo_perturb_command(CLI::App& fo) {
  static PerturbArgs args;  // lives as long as the app (CLI11 binds to it)
  auto* cmd = fo.add_subcommand(
      "perturb",
      "Client side: one eps-LDP report per user, from --items (one 0-based item per line) or --counts\n"
      "(a histogram, users in item order). Output: a header line '#paperkit-ldp-reports v1 ...' naming the\n"
      "oracle, then one report per user: grr 'y', olh/blh 'seed,y', hr 'column', sue/oue d characters 0/1\n"
      "(--format binary: little-endian 64-bit words; see include/paperkit/ldp/report_io.hpp).\n"
      "Same seed, same reports for any --threads; with --counts they are the reports `fo simulate` draws.\n"
      "Example: paperkit-ldp fo perturb --oracle olh --epsilon 1 --domain 64 --items items.txt --out reports.txt");
  add_oracle_flags(*cmd, args.oracle, "Domain size d, in [1, 2^24] (required with --items; with --counts: its length)");
  cmd->add_option("--items", args.items_file, "Users' items, one 0-based integer in [0, d) per line ('-' = stdin)");
  cmd->add_option("--counts", args.counts_file, "True counts, one non-negative integer per item ('-' = stdin)");
  args.common.format = "text";
  paperkit::cli::add_common_flags(*cmd, args.common);
  cmd->get_option("--format")->description("Report encoding: text or binary");
  cmd->callback([] { run_perturb(args); });
}

}  // namespace paperkit::ldp_tool
