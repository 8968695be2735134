// Heavy-hitter workloads: users of P parties, each holding one m-bit item (spec ldp.md §5 "Datasets").
//
// A Population stores distinct items with a per-party user count; heavy-hitter algorithms expand it
// into one entry per user (users.hpp) and partition those users into disjoint groups.
// Sources:
//   - zipf_population: Zipf(s) over `support` distinct random m-bit items, n users drawn iid;
//   - word_population: a word list (Debian wamerican, /usr/share/dict/words) with seeded Zipf counts,
//     each word encoded as a fixed-width byte string (truncated / space padded, duplicates merged);
//   - read_aol: the PEM paper's AOL 6-byte query counts (gzip, "<6 bytes>\t<count>" per line);
//   - read_population_csv: the `paperkit-ldp gen` CSV (item,party,count).
// dirichlet_split turns a one-party population into P parties: for every item a share vector
// pi ~ Dirichlet(alpha, ..., alpha), then the item's users are split multinomially by pi.
// Byte strings map to integers big-endian (first byte = most significant bits), so an item's
// bit prefix is a byte-string prefix, as in PEM's reference code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace paperkit::ldp {

using Item = std::uint64_t;
inline constexpr int kMaxItemBits = 64;

struct Population {
  int bits = 0;                                    // m: every item is < 2^m, 1 <= m <= 64
  std::vector<Item> items;                         // distinct items
  std::vector<std::vector<std::uint64_t>> counts;  // counts[party][i]: users of `party` holding items[i]
  std::size_t width_bytes = 0;                     // > 0 when items are byte strings (for display only)

  std::size_t parties() const { return counts.size(); }
  std::uint64_t users() const;
  std::uint64_t users(std::size_t party) const;
  // Counts summed over the parties, aligned with `items`.
  std::vector<std::uint64_t> pooled_counts() const;
};

// Throws InputError naming `where` unless: 1 <= bits <= 64, items distinct and < 2^bits, at least one
// party, every counts[party] the size of items, at least one user.
void validate_population(const Population& population, const std::string& where);

struct ZipfOptions {
  int bits = 16;                 // m
  std::uint64_t users = 50'000;  // n
  double exponent = 1.3;         // s > 0: P(rank r) proportional to r^-s
  std::uint64_t support = 0;     // distinct items; 0 = min(2^m, 65536); <= min(2^m, 2^24)
};
Population zipf_population(const ZipfOptions& options, std::uint64_t seed);

// Splits a one-party population into `parties` parties (Dirichlet(alpha) shares per item, multinomial
// user split). parties >= 1, alpha finite and > 0.
Population dirichlet_split(const Population& pooled, std::size_t parties, double alpha, std::uint64_t seed);

// Fixed-width byte strings <-> items (width 1..8 bytes, big-endian; short strings padded with `pad`).
Item bytes_to_item(std::string_view bytes, std::size_t width, char pad = ' ');
std::string item_to_bytes(Item item, std::size_t width);
// Printable form of a byte string: bytes outside 0x20..0x7e and '\\' become \xHH.
std::string escape_bytes(std::string_view bytes);

// One word per line; blank lines skipped, CR stripped. InputError when unreadable or empty.
std::vector<std::string> read_word_list(const std::string& path);

struct WordOptions {
  std::size_t width_bytes = 6;   // each word truncated / padded to this many bytes (m = 8 * width)
  std::uint64_t users = 50'000;  // n
  double exponent = 1.3;         // Zipf s over the shuffled distinct words
};
Population word_population(const std::vector<std::string>& words, const WordOptions& options, std::uint64_t seed);

// The AOL query file: gzip or plain text, "<width bytes>\t<count>" per line (the item may itself
// contain tabs or spaces; the count follows the last tab). width 6 gives 48-bit items.
Population read_aol(const std::string& path, std::size_t width_bytes = 6);

// CSV "item,party,count" with that header; item in decimal (or "0x" hex), party 0-based.
// Optional first line "# bits=M" (and "width_bytes=W") sets m; otherwise m is the bit length of the
// largest item. Repeated (item, party) rows add up.
Population read_population_csv(const std::string& path);
void write_population_csv(std::ostream& out, const Population& population);

}  // namespace paperkit::ldp
