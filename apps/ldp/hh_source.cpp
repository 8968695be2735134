#include "hh_source.hpp"

#include <cmath>

#include "paperkit/common/errors.hpp"

namespace paperkit::ldp_tool {

using paperkit::InvalidParameter;
namespace ldp = paperkit::ldp;

void add_source_flags(CLI::App& app, SourceArgs& a) {
  app.add_option("--source", a.source, "Data: zipf (generated), words (word list + Zipf counts), aol, file")
      ->capture_default_str();
  app.add_option("--items,--aol,--words", a.path,
                 "File for --source file (CSV item,party,count), aol (6-byte query counts, .gz ok) or words "
                 "(one word per line, e.g. /usr/share/dict/words)");
  app.add_option("--bits", a.bits, "zipf: item length m in bits (1..63)")->capture_default_str();
  app.add_option("--users", a.users, "zipf/words: number of users n")->capture_default_str();
  app.add_option("--zipf-s", a.zipf_s, "zipf/words: Zipf exponent s > 0")->capture_default_str();
  app.add_option("--support", a.support, "zipf: distinct items (0 = min(2^m, 65536))")->capture_default_str();
  app.add_option("--width-bytes", a.width_bytes, "words/aol: item width in bytes (m = 8 * width, 1..7)")
      ->capture_default_str();
  app.add_option("--parties", a.parties, "P parties: Dirichlet(alpha) split of every item's users (1 = none)")
      ->capture_default_str();
  app.add_option("--alpha", a.alpha, "Dirichlet concentration of the federated split (> 0)")->capture_default_str();
  app.add_option("--data-seed", a.data_seed, "Seed of the generated data (-1 = the run's seed)")->capture_default_str();
}

void validate_source(const SourceArgs& a) {
  if (a.source != "zipf" && a.source != "words" && a.source != "aol" && a.source != "file")
    throw InvalidParameter("--source must be zipf, words, aol or file (got " + a.source + ")");
  if (a.source != "zipf" && a.path.empty())
    throw InvalidParameter("--source " + a.source + " needs a file (--items/--aol/--words PATH)");
  // A file given with the generated source would be ignored without a word: refuse it.
  if (a.source == "zipf" && !a.path.empty())
    throw InvalidParameter("--items/--aol/--words need --source file, aol or words (got --source zipf, file " + a.path +
                           ")");
  if (a.bits < 1 || a.bits > 63)
    throw InvalidParameter("--bits must be in [1, 63] (got " + std::to_string(a.bits) + ")");
  if (a.users < 1 || a.users > 2'000'000'000ULL)
    throw InvalidParameter("--users must be in [1, 2e9] (got " + std::to_string(a.users) + ")");
  if (!(a.zipf_s > 0) || !std::isfinite(a.zipf_s))
    throw InvalidParameter("--zipf-s must be finite and > 0 (got " + std::to_string(a.zipf_s) + ")");
  if (a.width_bytes < 1 || a.width_bytes > 7)
    throw InvalidParameter("--width-bytes must be in [1, 7] (got " + std::to_string(a.width_bytes) + ")");
  if (a.parties < 1 || a.parties > 4096)
    throw InvalidParameter("--parties must be in [1, 4096] (got " + std::to_string(a.parties) + ")");
  if (!(a.alpha > 0) || !std::isfinite(a.alpha))
    throw InvalidParameter("--alpha must be finite and > 0 (got " + std::to_string(a.alpha) + ")");
  if (a.data_seed < -1) throw InvalidParameter("--data-seed must be >= -1 (got " + std::to_string(a.data_seed) + ")");
}

bool source_is_fixed(const SourceArgs& a) {
  return (a.source == "aol" || a.source == "file") || a.data_seed >= 0;
}

ldp::Population load_population(const SourceArgs& a, std::uint64_t seed) {
  const std::uint64_t ds = a.data_seed >= 0 ? static_cast<std::uint64_t>(a.data_seed) : seed;
  ldp::Population p;
  if (a.source == "zipf") {
    ldp::ZipfOptions o;
    o.bits = a.bits;
    o.users = a.users;
    o.exponent = a.zipf_s;
    o.support = a.support;
    p = ldp::zipf_population(o, ds);
  } else if (a.source == "words") {
    ldp::WordOptions o;
    o.width_bytes = a.width_bytes;
    o.users = a.users;
    o.exponent = a.zipf_s;
    p = ldp::word_population(ldp::read_word_list(a.path), o, ds);
  } else if (a.source == "aol") {
    p = ldp::read_aol(a.path, a.width_bytes);
  } else {
    p = ldp::read_population_csv(a.path);
  }
  if (a.parties > 1) {
    if (p.parties() != 1)
      throw InvalidParameter("--parties applies to one-party data (the file already has " +
                             std::to_string(p.parties()) + " parties)");
    p = ldp::dirichlet_split(p, a.parties, a.alpha, ds ^ 0x5151);
  }
  return p;
}

nlohmann::json source_json(const SourceArgs& a) {
  nlohmann::json j;
  j["source"] = a.source;
  if (!a.path.empty()) j["path"] = a.path;
  if (a.source == "zipf") {
    j["bits"] = a.bits;
    j["support"] = a.support;
  }
  if (a.source == "zipf" || a.source == "words") {
    j["users"] = a.users;
    j["zipf_s"] = a.zipf_s;
  }
  if (a.source == "words" || a.source == "aol") j["width_bytes"] = a.width_bytes;
  j["parties"] = a.parties;
  if (a.parties > 1) j["dirichlet_alpha"] = a.alpha;
  j["data_seed"] = a.data_seed;
  return j;
}

}  // namespace paperkit::ldp_tool
