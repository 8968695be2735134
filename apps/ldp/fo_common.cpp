// Shared pieces of the `fo` subcommands (fo_common.hpp).
#include "fo_common.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/common/timer.hpp"

namespace paperkit::ldp_tool {

namespace ldp = paperkit::ldp;
using paperkit::InputError;
using paperkit::InvalidParameter;

namespace {

bool all_digits(const std::string& tok, std::size_t max_len) {
  return !tok.empty() && tok.size() <= max_len &&
         std::all_of(tok.begin(), tok.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Opens `path` ("-" = stdin) or throws InputError naming the flag.
std::istream& open_input(const std::string& path, const std::string& flag, std::ifstream& file) {
  if (path == "-") return std::cin;
  file.open(path);
  if (!file) throw InputError(flag + ": cannot read '" + path + "'");
  return file;
}

std::string shown(const std::string& s) {
  return s.size() <= 40 ? s : s.substr(0, 40) + "...";
}

}  // namespace

std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

void add_oracle_flags(CLI::App& cmd, OracleFlags& f, const std::string& domain_help) {
  cmd.add_option("--oracle,--mech", f.oracle,
                 "grr|sue|oue|olh|flh|blh|hr|auto (auto: least variance for eps, d; flh: OLH with a seed pool, "
                 "heuristic)")
      ->capture_default_str();
  f.epsilon_option = cmd.add_option("--epsilon,--eps", f.epsilon, "Privacy budget eps per user, in (0, 30] (required)");
  cmd.add_option("--domain", f.domain, domain_help);
  cmd.add_option("--olh-g,--g", f.olh_g, "OLH hash range g >= 2 (0: the variant's rule)")->capture_default_str();
  cmd.add_option("--olh-variant", f.olh_variant,
                 "pure-ldp (g = round(e^eps)+1, Wang'17) | wang (g = floor(e^eps)+1, keep 1/2)")
      ->capture_default_str();
  f.flh_pool_option = cmd.add_option("--flh-pool", f.flh_pool,
                                     "flh: number of hash seeds in the pool, in [1, 2^20], derived from --seed "
                                     "(heuristic: users sharing a seed are correlated)")
                          ->capture_default_str();
}

void validate_oracle_flags(const OracleFlags& f) {
  if (f.epsilon_option != nullptr && f.epsilon_option->count() == 0) {
    throw InvalidParameter("--epsilon is required (eps in (0, 30])");
  }
  if (!std::isfinite(f.epsilon) || !(f.epsilon > 0) || f.epsilon > ldp::kMaxEpsilon) {
    throw InvalidParameter("--epsilon must be finite and in (0, 30] (got " + num(f.epsilon) + ")");
  }
  if (f.olh_variant != "pure-ldp" && f.olh_variant != "wang") {
    throw InvalidParameter("--olh-variant must be pure-ldp or wang (got '" + f.olh_variant + "')");
  }
  if (f.olh_g == 1) throw InvalidParameter("--olh-g must be >= 2, or 0 for the variant's rule (got 1)");
  if (f.oracle != "auto") (void)ldp::parse_oracle_kind(f.oracle);  // names the bad value
  if (f.oracle != "olh" && f.oracle != "flh" && f.oracle != "auto" && (f.olh_g != 0 || f.olh_variant != "pure-ldp")) {
    throw InvalidParameter("--olh-g and --olh-variant apply to --oracle olh|flh only (got --oracle " + f.oracle + ")");
  }
  if (f.oracle == "flh" && (f.flh_pool < 1 || f.flh_pool > ldp::kMaxFlhPool)) {
    throw InvalidParameter("--flh-pool must be in [1, 2^20] (got " + std::to_string(f.flh_pool) + ")");
  }
  if (f.oracle != "flh" && f.flh_pool_option != nullptr && f.flh_pool_option->count() > 0) {
    throw InvalidParameter("--flh-pool applies to --oracle flh only (got --oracle " + f.oracle + ")");
  }
}

ldp::FrequencyOracle build_oracle(const OracleFlags& f, std::uint64_t domain, std::uint64_t pool_seed) {
  ldp::OracleOptions opt;
  opt.olh_g = f.olh_g;
  if (f.oracle == "flh") {
    opt.flh_pool = f.flh_pool;
    opt.flh_pool_seed = pool_seed;
  }
  opt.olh_variant = f.olh_variant == "wang" ? ldp::OlhVariant::wang : ldp::OlhVariant::pure_ldp;
  return ldp::make_oracle(f.oracle, f.epsilon, domain, opt);
}

std::vector<std::uint64_t> read_counts(const std::string& path, const std::string& flag) {
  std::ifstream file;
  std::istream& in = open_input(path, flag, file);
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
      if (!all_digits(tok, 15)) {
        throw InputError(flag + ": line " + std::to_string(line_no) + " of '" + path +
                         "': counts must be non-negative integers below 10^15 (got '" + shown(tok) + "')");
      }
      counts.push_back(std::stoull(tok));
      if (counts.size() > kMaxToolDomain) {
        throw InputError(flag + ": more than " + std::to_string(kMaxToolDomain) + " items in '" + path + "'");
      }
    }
  }
  if (counts.empty()) throw InputError(flag + ": no counts in '" + path + "'");
  return counts;
}

std::vector<std::uint64_t> read_items(const std::string& path, std::uint64_t domain) {
  std::ifstream file;
  std::istream& in = open_input(path, "--items", file);
  std::vector<std::uint64_t> items;
  std::string line;
  std::size_t line_no = 0;
  bool first_data_line = true;
  while (std::getline(in, line)) {
    ++line_no;
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    const std::string tok = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    const bool header = first_data_line && tok == "item";
    first_data_line = false;
    if (header) continue;
    std::uint64_t v = domain;
    if (all_digits(tok, 19)) v = std::stoull(tok);
    if (v >= domain) {
      throw InputError("--items: line " + std::to_string(line_no) + " of '" + path +
                       "': an item must be an integer in [0, " + std::to_string(domain) + ") (got '" + shown(tok) +
                       "')");
    }
    items.push_back(v);
  }
  if (in.bad()) throw InputError("--items: read error in '" + path + "'");
  if (items.empty()) throw InputError("--items: no items in '" + path + "' (need at least one user)");
  return items;
}

UserItems UserItems::from_items(std::vector<std::uint64_t> items) {
  UserItems u;
  u.users_ = items.size();
  u.data_ = std::move(items);
  return u;
}

UserItems UserItems::from_counts(std::vector<std::uint64_t> counts) {
  UserItems u;
  u.counts_ = true;
  for (const std::uint64_t c : counts) u.users_ += c;
  u.data_ = std::move(counts);
  u.left_of_item_ = u.data_.empty() ? 0 : u.data_[0];
  return u;
}

void UserItems::next(std::size_t size, std::vector<std::uint64_t>& out) {
  out.clear();
  if (!counts_) {
    const auto first = static_cast<std::ptrdiff_t>(position_);
    out.assign(data_.begin() + first, data_.begin() + first + static_cast<std::ptrdiff_t>(size));
    position_ += size;
    return;
  }
  while (out.size() < size) {  // position_ is the current item
    while (left_of_item_ == 0) left_of_item_ = data_[++position_];
    const std::uint64_t take = std::min<std::uint64_t>(left_of_item_, size - out.size());
    out.insert(out.end(), take, position_);
    left_of_item_ -= take;
  }
}

double perturb_in_chunks(const ldp::FrequencyOracle& o, UserItems& users, std::uint64_t seed, int threads,
                         const std::function<void(const ldp::ReportBatch&)>& consume) {
  double perturb_s = 0;
  std::vector<std::uint64_t> items;
  const std::uint64_t n = users.users();
  for (std::uint64_t first = 0, chunk = 0; first < n; first += kChunkUsers, ++chunk) {
    users.next(static_cast<std::size_t>(std::min<std::uint64_t>(kChunkUsers, n - first)), items);
    paperkit::Stopwatch p;
    const auto batch = o.perturb_all(items, seed, chunk + 2, threads);
    perturb_s += p.seconds();
    consume(batch);
  }
  return perturb_s;
}

}  // namespace paperkit::ldp_tool
