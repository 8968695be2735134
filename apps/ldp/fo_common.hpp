// What the `fo` subcommands share: the oracle flags, the readers of item and count files, and the
// chunked per-user perturbation that `fo simulate` and `fo perturb` both use, so that decoding the
// reports of `fo perturb` gives exactly the estimates of `fo simulate --mode per-user` for the
// same seed and users.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp_tool {

// One output row per item in the tools (CSV/JSON), so domains stay below this.
inline constexpr std::uint64_t kMaxToolDomain = std::uint64_t{1} << 24;
// Users per perturbation chunk: chunk c (users [c K, (c+1) K)) draws from Rng stream c + 2 of the
// seed, whatever --threads is (streams 0 and 1 are the aggregate mode and the Zipf counts).
inline constexpr std::size_t kChunkUsers = std::size_t{1} << 18;

struct OracleFlags {
  std::string oracle = "auto";
  double epsilon = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t domain = 0;
  std::uint64_t olh_g = 0;
  std::string olh_variant = "pure-ldp";
  std::uint64_t flh_pool = 100;           // --oracle flh: seeds in the pool (heuristic, see frequency_oracle.hpp)
  CLI::Option* epsilon_option = nullptr;  // to tell "missing" from a bad value
  CLI::Option* flh_pool_option = nullptr;
};

// --oracle/--mech, --epsilon/--eps, --domain, --olh-g/--g, --olh-variant, --flh-pool.
void add_oracle_flags(CLI::App& cmd, OracleFlags& flags, const std::string& domain_help);
// Checks epsilon, --olh-variant, --olh-g and that the OLH flags go with olh/auto (InvalidParameter).
void validate_oracle_flags(const OracleFlags& flags);
// The oracle for domain d (flags validated first; "auto" resolves to a kind). FLH's seed pool is
// derived from `pool_seed` (the run's --seed).
paperkit::ldp::FrequencyOracle build_oracle(const OracleFlags& flags, std::uint64_t domain,
                                            std::uint64_t pool_seed = 0);
// "17 significant digits" text of a double, for error messages.
std::string num(double v);

// True counts, one non-negative integer per item (commas, semicolons, tabs or lines between them);
// "-" reads stdin. InputError naming `flag`, the line and the token.
std::vector<std::uint64_t> read_counts(const std::string& path, const std::string& flag = "--counts");
// One 0-based item per user and line, each in [0, domain) (an optional first line "item" is a
// header; blank lines and lines starting with '#' are skipped); "-" reads stdin.
std::vector<std::uint64_t> read_items(const std::string& path, std::uint64_t domain);

// The users' items in a fixed order: either a list (one item per user) or counts expanded in
// item order (count[0] users hold item 0, then count[1] hold item 1, ...).
class UserItems {
 public:
  static UserItems from_items(std::vector<std::uint64_t> items);
  static UserItems from_counts(std::vector<std::uint64_t> counts);
  std::uint64_t users() const noexcept { return users_; }
  // Fills `out` with the items of the next `size` users.
  void next(std::size_t size, std::vector<std::uint64_t>& out);

 private:
  std::vector<std::uint64_t> data_;
  bool counts_ = false;
  std::uint64_t users_ = 0, position_ = 0, left_of_item_ = 0;
};

// Perturbs every user chunk by chunk (see kChunkUsers) and hands each chunk's reports to
// `consume`, in user order. Returns the seconds spent perturbing.
double perturb_in_chunks(const paperkit::ldp::FrequencyOracle& oracle, UserItems& users, std::uint64_t seed,
                         int threads, const std::function<void(const paperkit::ldp::ReportBatch&)>& consume);

// `fo perturb`, `fo decode`, `fo variance` (fo_perturb.cpp, fo_decode.cpp, fo_variance.cpp).
void add_fo_perturb_command(CLI::App& fo);
void add_fo_decode_command(CLI::App& fo);
void add_fo_variance_command(CLI::App& fo);

}  // namespace paperkit::ldp_tool
