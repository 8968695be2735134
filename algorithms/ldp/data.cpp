#include "paperkit/ldp/data.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <ostream>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"

namespace paperkit::ldp {
namespace {

constexpr std::uint64_t kMaxSupport = std::uint64_t{1} << 24;
constexpr std::uint64_t kMaxUsers = std::uint64_t{1} << 32;  // user indices are 32-bit

Item domain_mask(int bits) {
  return bits >= 64 ? ~Item{0} : (Item{1} << bits) - 1;
}

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError("cannot read " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError("cannot read " + path);
  return std::move(buffer).str();
}

std::string gunzip_if_needed(std::string bytes, const std::string& where) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f || static_cast<unsigned char>(bytes[1]) != 0x8b)
    return bytes;
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw InputError("cannot start gzip decoding of " + where);
  stream.next_in = reinterpret_cast<Bytef*>(bytes.data());
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  std::vector<char> chunk(1 << 16);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      throw InputError(where + " is not valid gzip data");
    }
    out.append(chunk.data(), chunk.size() - stream.avail_out);
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      throw InputError(where + " is a truncated gzip file");
    }
  }
  inflateEnd(&stream);
  return out;
}

// Lines of a text blob without their '\n' / "\r\n".
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

std::uint64_t parse_u64(std::string_view field, const std::string& what) {
  int base = 10;
  if (field.size() > 2 && field[0] == '0' && (field[1] == 'x' || field[1] == 'X')) {
    field.remove_prefix(2);
    base = 16;
  }
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value, base);
  if (field.empty() || ec != std::errc() || ptr != field.data() + field.size())
    throw InputError(what + ": expected an unsigned integer (got '" + escape_bytes(field) + "')");
  return value;
}

// Zipf(s) probabilities over ranks 1..support, as a cumulative table.
std::vector<double> zipf_cdf(std::uint64_t support, double exponent) {
  std::vector<double> cdf(support);
  double total = 0;
  for (std::uint64_t r = 0; r < support; ++r) {
    total += std::pow(static_cast<double>(r + 1), -exponent);
    cdf[r] = total;
  }
  for (double& c : cdf) c /= total;
  cdf.back() = 1.0;
  return cdf;
}

// n iid draws from the Zipf table, returned as a count per rank.
std::vector<std::uint64_t> zipf_rank_counts(const std::vector<double>& cdf, std::uint64_t users, Rng& rng) {
  std::vector<std::uint64_t> counts(cdf.size(), 0);
  for (std::uint64_t u = 0; u < users; ++u) {
    const double x = rng.uniform01();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
    const auto rank = static_cast<std::size_t>(
        std::min<std::ptrdiff_t>(it - cdf.begin(), static_cast<std::ptrdiff_t>(cdf.size()) - 1));
    ++counts[rank];
  }
  return counts;
}

void check_zipf_common(std::uint64_t users, double exponent) {
  if (users == 0 || users >= kMaxUsers)
    throw InvalidParameter("users must be in [1, 2^32) (got " + std::to_string(users) + ")");
  if (!(exponent > 0) || !std::isfinite(exponent))
    throw InvalidParameter("Zipf exponent must be finite and > 0 (got " + std::to_string(exponent) + ")");
}

// Keeps only items with at least one user (all parties).
Population drop_empty(Population p) {
  Population out;
  out.bits = p.bits;
  out.width_bytes = p.width_bytes;
  out.counts.resize(p.parties());
  for (std::size_t i = 0; i < p.items.size(); ++i) {
    std::uint64_t sum = 0;
    for (const auto& c : p.counts) sum += c[i];
    if (sum == 0) continue;
    out.items.push_back(p.items[i]);
    for (std::size_t j = 0; j < p.parties(); ++j) out.counts[j].push_back(p.counts[j][i]);
  }
  return out;
}

}  // namespace

std::uint64_t Population::users() const {
  std::uint64_t total = 0;
  for (std::size_t j = 0; j < parties(); ++j) total += users(j);
  return total;
}

std::uint64_t Population::users(std::size_t party) const {
  const auto& c = counts.at(party);
  return std::accumulate(c.begin(), c.end(), std::uint64_t{0});
}

std::vector<std::uint64_t> Population::pooled_counts() const {
  std::vector<std::uint64_t> pooled(items.size(), 0);
  for (const auto& c : counts)
    for (std::size_t i = 0; i < c.size(); ++i) pooled[i] += c[i];
  return pooled;
}

void validate_population(const Population& p, const std::string& where) {
  if (p.bits < 1 || p.bits > kMaxItemBits)
    throw InputError(where + ": item bits must be in [1, 64] (got " + std::to_string(p.bits) + ")");
  if (p.counts.empty()) throw InputError(where + ": no parties");
  for (const auto& c : p.counts)
    if (c.size() != p.items.size()) throw InputError(where + ": counts and items differ in size");
  const Item mask = domain_mask(p.bits);
  std::unordered_set<Item> seen;
  seen.reserve(p.items.size());
  for (Item v : p.items) {
    if ((v & ~mask) != 0)
      throw InputError(where + ": item " + std::to_string(v) + " does not fit in " + std::to_string(p.bits) + " bits");
    if (!seen.insert(v).second) throw InputError(where + ": item " + std::to_string(v) + " appears twice");
  }
  const std::uint64_t n = p.users();
  if (n == 0) throw InputError(where + ": zero users");
  if (n >= kMaxUsers) throw InputError(where + ": more than 2^32 - 1 users");
}

Population zipf_population(const ZipfOptions& o, std::uint64_t seed) {
  if (o.bits < 1 || o.bits > kMaxItemBits)
    throw InvalidParameter("bits must be in [1, 64] (got " + std::to_string(o.bits) + ")");
  check_zipf_common(o.users, o.exponent);
  const std::uint64_t domain_cap = o.bits >= 24 ? kMaxSupport : (std::uint64_t{1} << o.bits);
  const std::uint64_t support = o.support == 0 ? std::min<std::uint64_t>(domain_cap, 65536) : o.support;
  if (support > domain_cap)
    throw InvalidParameter("support must be <= min(2^bits, 2^24) = " + std::to_string(domain_cap) + " (got " +
                           std::to_string(support) + ")");
  Rng rng = Rng::for_block(seed, /*stream=*/0x21f0, 0);
  // Rank r -> a distinct random m-bit item, so heavy prefixes are not an artefact of the ranking.
  std::vector<Item> ranked(support);
  if (o.bits <= 24) {
    std::vector<Item> domain(std::uint64_t{1} << o.bits);
    std::iota(domain.begin(), domain.end(), Item{0});
    for (std::uint64_t i = 0; i < support; ++i) {  // partial Fisher-Yates
      const std::uint64_t j = i + rng.uniform_below(domain.size() - i);
      std::swap(domain[i], domain[j]);
      ranked[i] = domain[i];
    }
  } else {
    std::unordered_set<Item> used;
    used.reserve(support * 2);
    const Item mask = domain_mask(o.bits);
    for (std::uint64_t i = 0; i < support;) {
      const Item v = rng.next() & mask;
      if (used.insert(v).second) ranked[i++] = v;
    }
  }
  Rng draws = Rng::for_block(seed, 0x21f1, 0);
  Population p;
  p.bits = o.bits;
  p.items = std::move(ranked);
  p.counts = {zipf_rank_counts(zipf_cdf(support, o.exponent), o.users, draws)};
  return drop_empty(std::move(p));
}

Population dirichlet_split(const Population& pooled, std::size_t parties, double alpha, std::uint64_t seed) {
  if (parties < 1 || parties > 4096)
    throw InvalidParameter("parties must be in [1, 4096] (got " + std::to_string(parties) + ")");
  if (!(alpha > 0) || !std::isfinite(alpha))
    throw InvalidParameter("Dirichlet alpha must be finite and > 0 (got " + std::to_string(alpha) + ")");
  const auto total = pooled.pooled_counts();
  Population out;
  out.bits = pooled.bits;
  out.width_bytes = pooled.width_bytes;
  out.items = pooled.items;
  out.counts.assign(parties, std::vector<std::uint64_t>(pooled.items.size(), 0));
  std::vector<double> share(parties);
  for (std::size_t i = 0; i < pooled.items.size(); ++i) {
    // One generator per item: the split of an item does not depend on the items before it.
    Rng rng = Rng::for_block(seed, 0x21f2, i);
    std::gamma_distribution<double> gamma(alpha, 1.0);
    double sum = 0;
    for (double& s : share) sum += (s = gamma(rng));
    if (!(sum > 0)) {  // every gamma draw underflowed (tiny alpha): give the item to one party
      std::fill(share.begin(), share.end(), 0.0);
      share[rng.uniform_below(parties)] = 1.0;
      sum = 1.0;
    }
    // Sequential binomials: party j takes Binomial(left, share_j / remaining share).
    std::uint64_t left = total[i];
    double remaining = sum;
    for (std::size_t j = 0; j + 1 < parties && left > 0; ++j) {
      const double pj = remaining > 0 ? std::clamp(share[j] / remaining, 0.0, 1.0) : 0.0;
      std::binomial_distribution<std::uint64_t> binom(left, pj);
      const std::uint64_t take = binom(rng);
      out.counts[j][i] = take;
      left -= take;
      remaining -= share[j];
    }
    out.counts[parties - 1][i] += left;
  }
  return out;
}

Item bytes_to_item(std::string_view bytes, std::size_t width, char pad) {
  if (width < 1 || width > 8)
    throw InvalidParameter("byte width must be in [1, 8] (got " + std::to_string(width) + ")");
  Item v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const unsigned char c = i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : static_cast<unsigned char>(pad);
    v = (v << 8) | c;
  }
  return v;
}

std::string item_to_bytes(Item item, std::size_t width) {
  if (width < 1 || width > 8)
    throw InvalidParameter("byte width must be in [1, 8] (got " + std::to_string(width) + ")");
  std::string s(width, '\0');
  for (std::size_t i = 0; i < width; ++i) s[width - 1 - i] = static_cast<char>((item >> (8 * i)) & 0xff);
  return s;
}

std::string escape_bytes(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c <= 0x7e && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> read_word_list(const std::string& path) {
  const std::string text = gunzip_if_needed(read_file_bytes(path), path);
  std::vector<std::string> words;
  for (std::string_view line : split_lines(text))
    if (!line.empty()) words.emplace_back(line);
  if (words.empty()) throw InputError(path + ": no words (empty file)");
  return words;
}

Population word_population(const std::vector<std::string>& words, const WordOptions& o, std::uint64_t seed) {
  if (o.width_bytes < 1 || o.width_bytes > 8)
    throw InvalidParameter("--width-bytes must be in [1, 8] (got " + std::to_string(o.width_bytes) + ")");
  check_zipf_common(o.users, o.exponent);
  if (words.empty()) throw InputError("word list is empty");
  // Distinct encoded words in first-seen order, then a seeded shuffle decides their Zipf ranks.
  std::vector<Item> distinct;
  std::unordered_set<Item> seen;
  for (const auto& w : words) {
    const Item v = bytes_to_item(w, o.width_bytes);
    if (seen.insert(v).second) distinct.push_back(v);
  }
  if (distinct.size() > kMaxSupport) distinct.resize(kMaxSupport);
  Rng rng = Rng::for_block(seed, 0x21f3, 0);
  for (std::size_t i = distinct.size(); i > 1; --i) std::swap(distinct[i - 1], distinct[rng.uniform_below(i)]);
  Rng draws = Rng::for_block(seed, 0x21f4, 0);
  Population p;
  p.bits = static_cast<int>(8 * o.width_bytes);
  p.width_bytes = o.width_bytes;
  p.counts = {zipf_rank_counts(zipf_cdf(distinct.size(), o.exponent), o.users, draws)};
  p.items = std::move(distinct);
  return drop_empty(std::move(p));
}

Population read_aol(const std::string& path, std::size_t width_bytes) {
  if (width_bytes < 1 || width_bytes > 8)
    throw InvalidParameter("--width-bytes must be in [1, 8] (got " + std::to_string(width_bytes) + ")");
  const std::string text = gunzip_if_needed(read_file_bytes(path), path);
  Population p;
  p.bits = static_cast<int>(8 * width_bytes);
  p.width_bytes = width_bytes;
  p.counts.resize(1);
  std::unordered_map<Item, std::size_t> index;
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (line.empty()) continue;
    const std::size_t tab = line.rfind('\t');
    const std::string where = path + " line " + std::to_string(line_no);
    if (tab == std::string_view::npos) throw InputError(where + ": expected '<item>\\t<count>'");
    const std::string_view key = line.substr(0, tab);
    if (key.size() > width_bytes)
      throw InputError(where + ": item longer than " + std::to_string(width_bytes) + " bytes");
    const std::uint64_t count = parse_u64(line.substr(tab + 1), where);
    const Item v = bytes_to_item(key, width_bytes);
    auto [it, fresh] = index.try_emplace(v, p.items.size());
    if (fresh) {
      p.items.push_back(v);
      p.counts[0].push_back(0);
    }
    p.counts[0][it->second] += count;
  }
  validate_population(p, path);
  return drop_empty(std::move(p));
}

Population read_population_csv(const std::string& path) {
  const std::string text = gunzip_if_needed(read_file_bytes(path), path);
  const auto lines = split_lines(text);
  std::size_t pos = 0;
  int bits = 0;
  std::size_t width = 0;
  while (pos < lines.size() && !lines[pos].empty() && lines[pos][0] == '#') {
    std::istringstream meta{std::string(lines[pos].substr(1))};
    std::string kv;
    while (meta >> kv) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = kv.substr(0, eq);
      const std::string where = path + " line " + std::to_string(pos + 1) + " " + key;
      if (key == "bits") bits = static_cast<int>(std::min<std::uint64_t>(parse_u64(kv.substr(eq + 1), where), 1000));
      if (key == "width_bytes") width = std::min<std::uint64_t>(parse_u64(kv.substr(eq + 1), where), 1000);
    }
    ++pos;
  }
  if (pos >= lines.size() || lines[pos] != "item,party,count")
    throw InputError(path + ": expected the header line 'item,party,count'");
  ++pos;
  std::map<std::pair<Item, std::uint64_t>, std::uint64_t> cells;
  std::uint64_t max_party = 0;
  Item max_item = 0;
  for (; pos < lines.size(); ++pos) {
    const std::string_view line = lines[pos];
    if (line.empty()) continue;
    const std::string where = path + " line " + std::to_string(pos + 1);
    const auto c1 = line.find(',');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos)
      throw InputError(where + ": expected 3 fields item,party,count");
    const Item item = parse_u64(line.substr(0, c1), where + " item");
    const std::uint64_t party = parse_u64(line.substr(c1 + 1, c2 - c1 - 1), where + " party");
    const std::uint64_t count = parse_u64(line.substr(c2 + 1), where + " count");
    if (party >= 4096) throw InputError(where + ": party must be < 4096 (got " + std::to_string(party) + ")");
    if (count > (std::uint64_t{1} << 32)) throw InputError(where + ": count too large");
    cells[{item, party}] += count;
    max_party = std::max(max_party, party);
    max_item = std::max(max_item, item);
  }
  if (cells.empty()) throw InputError(path + ": no data rows");
  Population p;
  p.bits = bits > 0 ? bits : std::max(1, static_cast<int>(64 - std::countl_zero(max_item)));
  p.width_bytes = width;
  if (width > 8) throw InputError(path + ": width_bytes must be <= 8");
  p.counts.assign(max_party + 1, {});
  std::unordered_map<Item, std::size_t> index;
  for (const auto& [key, count] : cells) {
    auto [it, fresh] = index.try_emplace(key.first, p.items.size());
    if (fresh) {
      p.items.push_back(key.first);
      for (auto& c : p.counts) c.push_back(0);
    }
    p.counts[key.second][it->second] += count;
  }
  validate_population(p, path);
  return p;
}

void write_population_csv(std::ostream& out, const Population& p) {
  out << "# bits=" << p.bits;
  if (p.width_bytes > 0) out << " width_bytes=" << p.width_bytes;
  out << "\nitem,party,count\n";
  for (std::size_t j = 0; j < p.parties(); ++j)
    for (std::size_t i = 0; i < p.items.size(); ++i)
      if (p.counts[j][i] > 0) out << p.items[i] << ',' << j << ',' << p.counts[j][i] << '\n';
}

}  // namespace paperkit::ldp
