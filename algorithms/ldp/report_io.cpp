// Report files (format in report_io.hpp): header line, text rows, little-endian binary rows.
#include "paperkit/ldp/report_io.hpp"

#include <algorithm>
#include <charconv>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"

namespace paperkit::ldp {

namespace {

constexpr std::string_view kMagic = "#paperkit-ldp-reports";
constexpr std::string_view kVersion = "v1";
constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 63) - 1;  // pure-LDP: randint(0, sys.maxsize)
constexpr std::size_t kReadChunkUsers = std::size_t{1} << 16;     // binary rows read per call

bool is_unary(OracleKind k) {
  return k == OracleKind::sue || k == OracleKind::oue;
}
bool is_hashed(OracleKind k) {
  return k == OracleKind::olh || k == OracleKind::blh;
}

// At most 40 characters of an offending field, for one-line errors.
std::string shown(std::string_view s) {
  return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 40)) + "...";
}

bool parse_u64(std::string_view s, std::uint64_t& value) {
  if (s.empty() || s.size() > 20) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string format_double(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

void put_u64(std::string& buf, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) buf.push_back(static_cast<char>((v >> (8 * i)) & 0xffU));
}

std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Range of the reported value y (grr: d items; olh/blh: g; hr: K columns).
std::uint64_t value_range(const FrequencyOracle& o) {
  return o.kind() == OracleKind::grr ? o.domain() : o.g();
}

// Parses one text row into the batch, or throws InputError naming the line.
void parse_text_row(std::string_view row, const FrequencyOracle& o, std::size_t line_no, const std::string& where,
                    ReportBatch& out) {
  auto fail = [&](const std::string& rule) {
    throw InputError(where + ": line " + std::to_string(line_no) + ": " + o.description() + " report " + rule +
                     " (got '" + shown(row) + "')");
  };
  const std::uint64_t range = value_range(o);
  if (is_unary(o.kind())) {
    auto unary_fail = [&] { fail("must be " + std::to_string(o.domain()) + " characters 0/1"); };
    if (row.size() != o.domain()) unary_fail();
    const std::size_t at = out.bits.size();
    out.bits.resize(at + out.words_per_report, 0);
    std::uint64_t* words = out.bits.data() + at;
    std::uint32_t bad = 0;
    for (std::size_t v = 0; v < row.size(); ++v) {  // one pass: check and pack (no per-character search)
      const auto bit = static_cast<std::uint32_t>(static_cast<unsigned char>(row[v])) - std::uint32_t{'0'};
      bad |= bit & ~std::uint32_t{1};
      words[v / 64] |= static_cast<std::uint64_t>(bit & 1U) << (v % 64);
    }
    if (bad != 0) unary_fail();
  } else if (is_hashed(o.kind())) {
    const std::size_t comma = row.find(',');
    std::uint64_t seed = 0, y = 0;
    if (comma == std::string_view::npos || !parse_u64(row.substr(0, comma), seed) ||
        !parse_u64(row.substr(comma + 1), y) || seed > kMaxSeed || y >= range) {
      fail("must be 'seed,value' with seed < 2^63 and value < g=" + std::to_string(range));
    }
    out.seeds.push_back(seed);
    out.values.push_back(y);
  } else {
    std::uint64_t y = 0;
    if (!parse_u64(row, y) || y >= range) fail("must be an integer in [0, " + std::to_string(range) + ")");
    out.values.push_back(y);
  }
  ++out.users;
}

void read_text_rows(std::istream& in, const FrequencyOracle& o, std::size_t first_line, const std::string& where,
                    ReportBatch& out) {
  std::string line;
  for (std::size_t line_no = first_line; std::getline(in, line); ++line_no) {
    const std::string_view row = strip_cr(line);
    if (row.empty()) continue;
    parse_text_row(row, o, line_no, where, out);
  }
  if (in.bad()) throw InputError(where + ": read error");
}

void read_binary_rows(std::istream& in, const FrequencyOracle& o, std::uint64_t users, const std::string& where,
                      ReportBatch& out) {
  const std::size_t words = is_unary(o.kind()) ? out.words_per_report : (is_hashed(o.kind()) ? 2 : 1);
  const std::size_t row_bytes = words * 8;
  const std::uint64_t range = value_range(o);
  const std::uint64_t tail = o.domain() % 64;
  const std::uint64_t tail_mask = tail == 0 ? ~std::uint64_t{0} : (std::uint64_t{1} << tail) - 1;
  std::vector<unsigned char> buf;
  for (std::uint64_t done = 0; done < users;) {
    const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunkUsers, users - done));
    buf.resize(m * row_bytes);
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    if (static_cast<std::size_t>(in.gcount()) != buf.size()) {
      throw InputError(where + ": binary reports end after " +
                       std::to_string(done + static_cast<std::uint64_t>(in.gcount()) / row_bytes) +
                       " rows; the header says users=" + std::to_string(users));
    }
    for (std::size_t i = 0; i < m; ++i) {
      const unsigned char* p = buf.data() + i * row_bytes;
      const std::uint64_t row_no = done + i;
      if (is_unary(o.kind())) {
        for (std::size_t w = 0; w < words; ++w) out.bits.push_back(get_u64(p + 8 * w));
        if ((out.bits.back() & ~tail_mask) != 0) {
          throw InputError(where + ": binary row " + std::to_string(row_no) +
                           " has bits set past d=" + std::to_string(o.domain()));
        }
      } else {
        const std::uint64_t seed = is_hashed(o.kind()) ? get_u64(p) : 0;
        const std::uint64_t y = get_u64(p + row_bytes - 8);
        if (seed > kMaxSeed || y >= range) {
          throw InputError(where + ": binary row " + std::to_string(row_no) + ": " + o.description() +
                           " report value " + std::to_string(y) + (is_hashed(o.kind()) ? " or seed" : "") +
                           " out of range (value < " + std::to_string(range) + ")");
        }
        if (is_hashed(o.kind())) out.seeds.push_back(seed);
        out.values.push_back(y);
      }
    }
    out.users += m;
    done += m;
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    throw InputError(where + ": bytes after the last of the users=" + std::to_string(users) + " binary rows");
  }
}

}  // namespace

std::string_view to_string(ReportEncoding encoding) noexcept {
  return encoding == ReportEncoding::binary ? "binary" : "text";
}

ReportEncoding parse_report_encoding(std::string_view name) {
  if (name == "text") return ReportEncoding::text;
  if (name == "binary") return ReportEncoding::binary;
  throw InvalidParameter("report encoding must be text or binary (got '" + std::string(name) + "')");
}

ReportHeader make_report_header(const FrequencyOracle& oracle, std::uint64_t users, ReportEncoding encoding) {
  ReportHeader h;
  h.kind = oracle.kind();
  h.epsilon = oracle.epsilon();
  h.domain = oracle.domain();
  h.g = oracle.g();
  h.olh_variant = oracle.olh_variant();
  h.users = users;
  h.encoding = encoding;
  return h;
}

std::string format_report_header(const ReportHeader& h) {
  std::string s(kMagic);
  s += " ";
  s += kVersion;
  s += " oracle=" + std::string(to_string(h.kind));
  s += " epsilon=" + format_double(h.epsilon);
  s += " domain=" + std::to_string(h.domain);
  s += " g=" + std::to_string(h.g);
  if (h.kind == OracleKind::olh) s += h.olh_variant == OlhVariant::wang ? " olh_variant=wang" : " olh_variant=pure-ldp";
  s += " users=" + std::to_string(h.users);
  s += " encoding=" + std::string(to_string(h.encoding));
  return s;
}

bool is_report_header(std::string_view line) noexcept {
  return line.substr(0, kMagic.size()) == kMagic;
}

ReportHeader parse_report_header(std::string_view line, const std::string& where) {
  line = strip_cr(line);
  auto fail = [&](const std::string& what) { throw InputError(where + ": report header: " + what); };
  if (!is_report_header(line)) fail("the first line must start with '" + std::string(kMagic) + "'");
  std::vector<std::string_view> tokens;
  for (std::size_t at = kMagic.size(); at < line.size();) {
    if (line[at] == ' ') {
      ++at;
      continue;
    }
    const std::size_t end = std::min(line.find(' ', at), line.size());
    tokens.push_back(line.substr(at, end - at));
    at = end;
  }
  if (tokens.empty() || tokens[0] != kVersion) {
    fail("unsupported version '" + shown(tokens.empty() ? "" : tokens[0]) + "' (this reader knows v1)");
  }
  ReportHeader h;
  bool seen[7] = {};
  const char* const keys[7] = {"oracle", "epsilon", "domain", "g", "olh_variant", "users", "encoding"};
  for (std::size_t t = 1; t < tokens.size(); ++t) {
    const std::size_t eq = tokens[t].find('=');
    const std::string_view key = tokens[t].substr(0, eq),
                           value = eq == std::string_view::npos ? "" : tokens[t].substr(eq + 1);
    const auto k = static_cast<std::size_t>(std::find(keys, keys + 7, key) - keys);
    if (eq == std::string_view::npos || k == 7) fail("unknown field '" + shown(tokens[t]) + "'");
    if (seen[k]) fail("field '" + std::string(key) + "' given twice");
    seen[k] = true;
    bool ok = true;
    switch (k) {
      case 0:
        try {
          h.kind = parse_oracle_kind(value);
          ok = value == to_string(h.kind);
        } catch (const InvalidParameter&) {
          ok = false;
        }
        break;
      case 1: {
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), h.epsilon);
        ok = ec == std::errc() && end == value.data() + value.size();
        break;
      }
      case 2:
        ok = parse_u64(value, h.domain);
        break;
      case 3:
        ok = parse_u64(value, h.g);
        break;
      case 4:
        ok = value == "pure-ldp" || value == "wang";
        h.olh_variant = value == "wang" ? OlhVariant::wang : OlhVariant::pure_ldp;
        break;
      case 5:
        ok = parse_u64(value, h.users);
        break;
      default:
        ok = value == "text" || value == "binary";
        h.encoding = value == "binary" ? ReportEncoding::binary : ReportEncoding::text;
        break;
    }
    if (!ok) fail("bad value in '" + shown(tokens[t]) + "'");
  }
  for (std::size_t k = 0; k < 7; ++k) {
    if (k == 4) continue;
    if (!seen[k]) fail("missing field '" + std::string(keys[k]) + "'");
  }
  if (seen[4] && h.kind != OracleKind::olh) fail("olh_variant is for oracle=olh only");
  return h;
}

FrequencyOracle oracle_for_header(const ReportHeader& h, const std::string& where) {
  OracleOptions options;
  options.olh_variant = h.olh_variant;
  if (h.kind == OracleKind::olh) options.olh_g = h.g;
  try {
    FrequencyOracle o(h.kind, h.epsilon, h.domain, options);
    if (o.g() != h.g) {
      throw InputError(where + ": report header: g=" + std::to_string(h.g) + " but " + o.description() +
                       " with d=" + std::to_string(h.domain) + " has g=" + std::to_string(o.g()));
    }
    return o;
  } catch (const InvalidParameter& e) {
    throw InputError(where + ": report header describes no valid oracle: " + e.what());
  }
}

void write_report_header(std::ostream& out, const ReportHeader& header) {
  out << format_report_header(header) << '\n';
}

void write_report_rows(std::ostream& out, const ReportBatch& batch, ReportEncoding encoding) {
  std::string buf;
  const bool unary = is_unary(batch.kind), hashed = is_hashed(batch.kind);
  const std::size_t row_estimate =
      unary ? (encoding == ReportEncoding::text ? batch.domain + 1 : batch.words_per_report * 8) : 24;
  buf.reserve(std::min<std::size_t>(batch.users * row_estimate, std::size_t{1} << 24));
  auto flush_if_big = [&] {
    if (buf.size() >= (std::size_t{1} << 22)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  char num[24];
  auto put_dec = [&](std::uint64_t v) {
    const auto [end, ec] = std::to_chars(num, num + sizeof num, v);
    buf.append(num, end);
  };
  for (std::size_t i = 0; i < batch.users; ++i) {
    if (unary) {
      if (encoding == ReportEncoding::text) {
        const std::size_t at = buf.size();
        buf.resize(at + batch.domain);
        const std::uint64_t* row = batch.bits.data() + i * batch.words_per_report;
        for (std::uint64_t v = 0; v < batch.domain; ++v)
          buf[at + v] = static_cast<char>('0' + ((row[v / 64] >> (v % 64)) & 1U));
      } else {
        for (std::size_t w = 0; w < batch.words_per_report; ++w)
          put_u64(buf, batch.bits[i * batch.words_per_report + w]);
      }
    } else if (encoding == ReportEncoding::text) {
      if (hashed) {
        put_dec(batch.seeds[i]);
        buf.push_back(',');
      }
      put_dec(batch.values[i]);
    } else {
      if (hashed) put_u64(buf, batch.seeds[i]);
      put_u64(buf, batch.values[i]);
    }
    if (encoding == ReportEncoding::text) buf.push_back('\n');
    flush_if_big();
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

ReportFile read_reports(std::istream& in, const std::string& where, const FrequencyOracle* headerless_oracle) {
  ReportFile f;
  std::string first;
  const bool any = static_cast<bool>(std::getline(in, first));
  if (in.bad()) throw InputError(where + ": read error");
  if (any && is_report_header(first)) {
    f.header = parse_report_header(first, where);
    f.had_header = true;
    const FrequencyOracle o = oracle_for_header(f.header, where);
    f.reports = o.empty_batch();
    if (f.header.encoding == ReportEncoding::binary) {
      read_binary_rows(in, o, f.header.users, where, f.reports);
    } else {
      read_text_rows(in, o, 2, where, f.reports);
      if (f.reports.users != f.header.users) {
        throw InputError(where + ": the header says users=" + std::to_string(f.header.users) + " but " +
                         std::to_string(f.reports.users) + " report rows follow");
      }
    }
    return f;
  }
  if (headerless_oracle == nullptr) {
    throw InputError(where + ": no report header line ('" + std::string(kMagic) +
                     " ...'); name the oracle (--oracle, --epsilon, --domain) to read headerless text reports");
  }
  const FrequencyOracle& o = *headerless_oracle;
  f.reports = o.empty_batch();
  if (any) {
    const std::string_view row = strip_cr(first);
    if (!row.empty()) parse_text_row(row, o, 1, where, f.reports);
    read_text_rows(in, o, 2, where, f.reports);
  }
  f.header = make_report_header(o, f.reports.users, ReportEncoding::text);
  return f;
}

}  // namespace paperkit::ldp
