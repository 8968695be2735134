// Frequency-oracle reports on disk: what `paperkit-ldp fo perturb` writes and `fo decode` reads,
// so that the client and the server side can run apart (spec ldp.md §7).
//
// A report file is one header line followed by one report per user, in user order.
//
// Header (a single line, also at the start of binary files, so `head -1` shows it):
//   #paperkit-ldp-reports v1 oracle=olh epsilon=1 domain=64 g=4 olh_variant=pure-ldp users=1000 encoding=text
// Keys: oracle (grr|sue|oue|olh|blh|hr), epsilon (shortest decimal that round-trips the double),
// domain d, g (grr: d; sue/oue: 2; olh/blh: hash range; hr: K), olh_variant (olh only:
// pure-ldp|wang), users (the number of reports that follow), encoding (text|binary). Every key is
// required (olh_variant only for olh) and unknown keys are rejected.
//
// Text rows (one per user; items are 0-based, as everywhere in paperkit::ldp):
//   grr       the reported item y in [0, d)
//   olh/blh   "seed,y": the user's hash seed (decimal, < 2^63; xxh32 uses its low 32 bits) and
//             the reported hash value y in [0, g)
//   hr        the reported Hadamard column y in [0, K)
//   sue/oue   d characters '0'/'1': character v is the report's bit for item v
// A trailing '\r' is ignored; blank lines are skipped. Headerless text (e.g. reports made by
// another tool) can be read when the caller names the oracle.
// Binary rows (after the header line and its '\n'), unsigned 64-bit little-endian words:
//   grr/hr: y; olh/blh: seed then y; sue/oue: ceil(d/64) words, bit v of the row is bit v % 64 of
//   word v / 64 (bits past d are zero). The file ends right after the last row.
// Reading checks every value against its range and the row count against `users`, and reports
// the first problem as an InputError naming the place, the rule and the value.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

enum class ReportEncoding { text, binary };

// "text" / "binary"; parse throws InvalidParameter naming the value.
std::string_view to_string(ReportEncoding encoding) noexcept;
ReportEncoding parse_report_encoding(std::string_view name);

struct ReportHeader {
  OracleKind kind = OracleKind::grr;
  double epsilon = 0;
  std::uint64_t domain = 0;
  std::uint64_t g = 0;
  OlhVariant olh_variant = OlhVariant::pure_ldp;
  std::uint64_t users = 0;
  ReportEncoding encoding = ReportEncoding::text;
};

// The header describing `users` reports of `oracle`.
ReportHeader make_report_header(const FrequencyOracle& oracle, std::uint64_t users, ReportEncoding encoding);
// The header line, without its '\n'.
std::string format_report_header(const ReportHeader& header);
// Parses a header line (InputError naming `where` when it is not one).
ReportHeader parse_report_header(std::string_view line, const std::string& where);
// True when the line starts like a report header ("#paperkit-ldp-reports").
bool is_report_header(std::string_view line) noexcept;
// The oracle that made reports with this header (InputError when the header is inconsistent,
// e.g. a g that this oracle cannot have, or an epsilon out of range).
FrequencyOracle oracle_for_header(const ReportHeader& header, const std::string& where);

// Writes the header line and '\n'.
void write_report_header(std::ostream& out, const ReportHeader& header);
// Appends the rows of `batch` in the given encoding (call once per chunk, in user order).
void write_report_rows(std::ostream& out, const ReportBatch& batch, ReportEncoding encoding);

struct ReportFile {
  ReportHeader header;  // from the file, or made from the caller's oracle for headerless text
  bool had_header = false;
  ReportBatch reports;
};

// Reads a whole report stream. With a header line the file describes its oracle; without one
// (text only) `headerless_oracle` must be given, else InputError. `where` names the input in
// errors (e.g. "--reports r.txt").
ReportFile read_reports(std::istream& in, const std::string& where, const FrequencyOracle* headerless_oracle = nullptr);

}  // namespace paperkit::ldp
