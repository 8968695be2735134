// Pure local-DP frequency oracles (Wang, Blocki, Li, Jha, USENIX Security 2017; spec ldp.md §2.1):
// GRR, SUE (basic RAPPOR), OUE, OLH, BLH (OLH with g = 2) and Hadamard response (HR); plus FLH,
// a heuristic: OLH with its users' hash seeds drawn from a fixed pool (OracleOptions::flh_pool).
//
// Every oracle is one FrequencyOracle object with one interface:
//   client  perturb(item, rng, batch)         one user, one report (reports_per_user = 1)
//   server  support_counts / estimate         unbiased counts  c^_v = (C_v - n q*) / (p* - q*)
//           for all d items, or for a candidate subset (what PEM / TAP need)
//   theory  variance(n, c_v) = n q*(1-q*)/(p*-q*)^2 + c_v (1-p*-q*)/(p*-q*)
//   aggregate mode  simulate_aggregate(true counts, rng): draws the support counts from their
//           law given the true counts (no per-user reports) and returns unbiased estimates.
// A report y "supports" item v with probability p* when v is the user's item and q* otherwise.
//
// Items are 0-based, in [0, d). Domain sizes are 64-bit: GRR and OLH/BLH work on huge domains
// (e.g. 2^48 prefixes) when only candidates are decoded; SUE/OUE store d bits per report and HR
// K = 2^ceil(log2(d+1)) counters, so those need a domain that fits in memory.
//
// Compatibility with pure-LDP 1.2.0 (tests/ldp/fixtures): pure-LDP's items are 1-based and its
// default index_mapper is x - 1, so its item x is our item x - 1. OLH (OlhVariant::pure_ldp)
// hashes xxh32(decimal string of our 0-based item, seed mod 2^32) mod g with g = round(e^eps)+1.
// Decoding the same reports gives the same estimates to 1e-9 relative (only the floating-point
// order of the final affine map differs).
//
// Aggregate-mode laws (documented per oracle; tests check mean and variance agree with per-user):
//   GRR   exact: each user keeps its item w.p. alpha = (e^eps-1)/(e^eps+d-1), otherwise reports a
//         uniform item of all d; so C = Binom(c_v, alpha) per item + Multinomial(rest, uniform).
//   SUE/OUE exact: bits are independent, C_v = Binom(c_v, p*) + Binom(n - c_v, q*), independent.
//   OLH/BLH product law of an ideal (fully random) hash family: as for UE with q* = 1/g.
//         Per-user mode uses xxh32, so it matches this law to the quality of xxh32 as a hash.
//   HR    full domain: exact law of the output histogram (Binom(c_v, 2p-1) users uniform on C_v,
//         the rest uniform on all K columns); candidate subset: exact per-candidate marginals
//         Binom(c_v, p*) + Binom(n - c_v, 1/2), drawn independently (pairwise correlation ignored).
//   Candidate-subset aggregate for GRR is exact (the uniform part restricted to the candidates).
//   FLH   exact given its pool (full domain, or simulate_aggregate_flh for the values users hold):
//         users of each item split multinomially over the pool's seeds, then OLH's law per seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::ldp {

enum class OracleKind { grr, sue, oue, olh, blh, hr };

// "grr", "sue", "oue", "olh", "blh", "hr".
std::string_view to_string(OracleKind kind) noexcept;
// Parses one of the names above (also "de"/"krr" for grr, "rappor" for sue, and "flh" for olh:
// FLH reports are OLH reports; make_oracle("flh") adds the seed pool); "auto" is not an
// oracle kind: use choose_auto. Throws InvalidParameter naming the value.
OracleKind parse_oracle_kind(std::string_view name);

// How OLH picks g and its keep probability.
enum class OlhVariant {
  pure_ldp,  // g = round(e^eps) + 1, report h(v) w.p. e^eps/(e^eps+g-1) (pure-LDP 1.2.0 LHClient; Wang'17)
  wang,      // g = floor(e^eps) + 1, report h(v) w.p. 1/2 (Wang's pem/fo.py); ratio floor(e^eps) <= e^eps
};

struct OracleOptions {
  OlhVariant olh_variant = OlhVariant::pure_ldp;
  std::uint64_t olh_g = 0;  // 0: g from the variant's rule; otherwise an explicit g >= 2 (OLH only)
  // FLH (OLH only; heuristic, see below): > 0 draws every user's hash seed uniformly from a fixed
  // pool of this many distinct 32-bit seeds, derived from flh_pool_seed. 0: exact OLH.
  std::uint64_t flh_pool = 0;
  std::uint64_t flh_pool_seed = 0;
};

// FLH ("fast local hashing", spec §2.1; pure-LDP's FastLH idea, our own code) is OLH whose users
// draw their hash seed from a fixed pool of k_s seeds instead of a fresh 63-bit seed each. Each
// report is still an OLH report for its seed (same p*, q*, the same eps-LDP: the seed is public
// and independent of the item), so the same decoder applies, and it bins users by seed:
// support(v) = sum over pool seeds s of hist_s[h_s(v)], O(n + k_s |C|) instead of O(n |C|).
// HEURISTIC: users sharing a hash function are correlated. Given one pool the estimates are
// biased (item u adds to v's support whenever h_s(u) = h_s(v) for the pool's seeds); they are
// unbiased only in expectation over pool draws (ideal hash family), with the extra variance
//   Var_FLH[c^_v] ~= Var_OLH[c^_v] + sum_{u != v} c_u^2 / (k_s (g - 1))     (flh_extra_variance)
// (from Var over pools of the collision rate, (1/g)(1-1/g)/k_s, times (c_u (p* - q')/(p* - q*))^2
// with q' = (1-p*)/(g-1) and (p* - q')/(p* - q*) = g/(g-1) for the pure-LDP keep probability).
inline constexpr std::uint64_t kMaxFlhPool = std::uint64_t{1} << 20;

// Largest accepted epsilon: e^eps must stay exact enough in double and g = round(e^eps)+1 must
// fit the report; larger values are rejected with InvalidParameter (spec §6.4: no overflow).
inline constexpr double kMaxEpsilon = 30.0;
// Largest domain for SUE/OUE (d bits per report) and HR (K counters) in full-domain calls.
inline constexpr std::uint64_t kMaxDenseDomain = std::uint64_t{1} << 28;

// The reports of many users for one oracle, column-oriented (one entry per user).
//   grr:      values[i] = reported item in [0, d)
//   olh/blh:  values[i] = reported hash value in [0, g), seeds[i] = the user's hash seed
//   hr:       values[i] = reported column in [0, K)
//   sue/oue:  bits row i = bits[i*words_per_report, (i+1)*words_per_report), bit v of the row is
//             bit (v % 64) of word v / 64; bits past d are zero
struct ReportBatch {
  OracleKind kind = OracleKind::grr;
  std::uint64_t domain = 0;
  std::size_t users = 0;
  std::vector<std::uint64_t> values;
  std::vector<std::uint64_t> seeds;
  std::size_t words_per_report = 0;
  std::vector<std::uint64_t> bits;

  std::size_t size() const noexcept { return users; }
  bool row_bit(std::size_t user, std::uint64_t item) const noexcept {
    return (bits[user * words_per_report + item / 64] >> (item % 64)) & 1U;
  }
};

class FrequencyOracle {
 public:
  // Validates: epsilon finite, > 0 and <= kMaxEpsilon; domain >= 1 (and <= kMaxDenseDomain for
  // sue/oue/hr); olh_g >= 2 when given. Throws InvalidParameter naming the rule and the value.
  FrequencyOracle(OracleKind kind, double epsilon, std::uint64_t domain, const OracleOptions& options = {});

  OracleKind kind() const noexcept { return kind_; }
  double epsilon() const noexcept { return epsilon_; }
  std::uint64_t domain() const noexcept { return domain_; }
  // OLH/BLH: hash range g; GRR: d; HR: K; SUE/OUE: 2.
  std::uint64_t g() const noexcept { return g_; }
  // HR: K = 2^ceil(log2(d+1)) (item v uses Hadamard row v+1); 0 for the others.
  std::uint64_t hadamard_order() const noexcept { return hadamard_order_; }
  double p_star() const noexcept { return p_star_; }
  double q_star() const noexcept { return q_star_; }
  // Probability that the client reports its own (hashed / one-hot) value unchanged.
  double keep_probability() const noexcept { return keep_; }
  // OLH's variant (pure_ldp for every other oracle).
  OlhVariant olh_variant() const noexcept { return olh_variant_; }
  // FLH: an OLH oracle whose clients draw seeds from a fixed pool (see OracleOptions).
  bool is_flh() const noexcept { return !flh_seeds_.empty(); }
  std::span<const std::uint32_t> flh_seeds() const noexcept { return flh_seeds_; }
  // The tool name: "flh" for FLH, otherwise to_string(kind()).
  std::string name() const { return is_flh() ? "flh" : std::string(to_string(kind_)); }
  // FLH's extra variance over pool draws for an item whose other items' counts have the given sum
  // of squares (sum_{u != v} c_u^2): that sum / (k_s (g - 1)); 0 for every other oracle.
  double flh_extra_variance(double other_counts_sum_of_squares) const noexcept;
  // e.g. "olh(g=4)", "grr", "hr(K=64)".
  std::string description() const;

  // Var[c^_v] from n reports when the true count is c_v (spec §2.1, includes the c_v term).
  double variance(double n, double true_count = 0.0) const noexcept;
  // (C_v - n q*) / (p* - q*).
  double unbias(double support, double n) const noexcept { return (support - n * q_star_) / (p_star_ - q_star_); }

  // ---- client (per-user mode) ----
  ReportBatch empty_batch(std::size_t reserve_users = 0) const;
  // Appends one user's report for `item` (in [0, d), else InvalidParameter). OLH/BLH draw the
  // user's seed from rng (pure-LDP convention: a 63-bit seed; xxh32 uses its low 32 bits); FLH
  // draws a uniform index into its seed pool and reports that pool seed.
  void perturb(std::uint64_t item, Rng& rng, ReportBatch& out) const;
  // Reports of every user: the randomness of block b = i / kBlockUsers derives from
  // Rng::for_block(seed, stream, b) only, so the batch is identical for any thread count (it is
  // not the same stream as calling perturb() in a loop; both follow the same law). Prefer this
  // to perturb() in loops: it is several times faster (inlined generator).
  static constexpr std::size_t kBlockUsers = 4096;
  ReportBatch perturb_all(std::span<const std::uint64_t> items, std::uint64_t seed, std::uint64_t stream = 0,
                          int threads = 1) const;

  // ---- server ----
  // Support counts C_v for every v in [0, d) (needs a dense domain for sue/oue/hr/olh/blh:
  // OLH full-domain decoding is O(n d) hashes). OpenMP over fixed blocks: identical for any threads.
  std::vector<std::uint64_t> support_counts(const ReportBatch& reports, int threads = 1) const;
  // Support counts for the listed candidate items only (each in [0, d)); works for huge domains
  // for grr/olh/blh. Cost: grr O(n + |C| log), ue O(n |C|) bit reads, olh O(n |C|) hashes,
  // hr O(n |C|) parities (or one FWHT when cheaper). OLH/BLH reports with few distinct seeds
  // (FLH pools: at most n/4 distinct seeds and |C| >= 8) are binned by seed, O(n + seeds |C|)
  // hashes; the counts are the same integers either way.
  std::vector<std::uint64_t> support_counts(const ReportBatch& reports, std::span<const std::uint64_t> candidates,
                                            int threads = 1) const;
  // Unbiased count estimates (C_v - n q*)/(p* - q*) for all items / for the candidates.
  // Zero users: throws InvalidParameter (no NaN output).
  std::vector<double> estimate(const ReportBatch& reports, int threads = 1) const;
  std::vector<double> estimate(const ReportBatch& reports, std::span<const std::uint64_t> candidates,
                               int threads = 1) const;
  // Unbiased estimates from support counts of n users (the affine map applied by estimate()).
  std::vector<double> estimate_from_support(std::span<const std::uint64_t> support, std::uint64_t n_users) const;

  // ---- aggregate mode (laws in the file comment) ----
  // true_counts has d entries (their sum is n >= 1); returns d unbiased estimates. FLH: the exact
  // law given this oracle's pool (users split multinomially over the pool's seeds).
  std::vector<double> simulate_aggregate(std::span<const std::uint64_t> true_counts, Rng& rng) const;
  // The same for a candidate subset: n_users in total, of whom candidate_true_counts[j] hold
  // candidates[j] (distinct items in [0, d)); every other user holds some non-candidate item.
  // Not for FLH (its law depends on which items the other users hold): InvalidParameter.
  std::vector<double> simulate_aggregate(std::uint64_t n_users, std::span<const std::uint64_t> candidates,
                                         std::span<const std::uint64_t> candidate_true_counts, Rng& rng) const;
  // FLH only: the exact law given the pool when held_counts[i] users hold held_values[i] (distinct
  // values in [0, d); any domain, e.g. 2^48 prefixes); estimates for the candidates.
  std::vector<double> simulate_aggregate_flh(std::span<const std::uint64_t> held_values,
                                             std::span<const std::uint64_t> held_counts,
                                             std::span<const std::uint64_t> candidates, Rng& rng) const;
  // Support counts drawn from the aggregate law (before the affine map), full domain.
  std::vector<std::uint64_t> sample_support_counts(std::span<const std::uint64_t> true_counts, Rng& rng) const;

  // ---- exact client law (tests, privacy audits) ----
  // P[report == y | item]: y indexes the output space (grr: d items; olh/blh: g values for the
  // given seed, which is ignored otherwise; hr: K columns; sue/oue: the 2^d bit patterns, d <= 16).
  std::uint64_t output_space_size() const;
  double output_probability(std::uint64_t item, std::uint64_t output, std::uint64_t olh_seed = 0) const;
  // The hashed value h_seed(item) in [0, g) for OLH/BLH.
  std::uint64_t olh_hash(std::uint64_t item, std::uint64_t seed) const noexcept;

 private:
  OracleKind kind_;
  double epsilon_;
  std::uint64_t domain_;
  std::uint64_t g_ = 0;
  std::uint64_t hadamard_order_ = 0;
  double p_star_ = 0, q_star_ = 0, keep_ = 0;
  OlhVariant olh_variant_ = OlhVariant::pure_ldp;
  double flip_ = 0;  // UE: probability that a 0 bit becomes 1 (q); GRR/OLH: prob. of one given other value
  std::vector<std::uint32_t> flh_seeds_;  // FLH pool (empty: exact OLH)
};

// The oracle with the smallest variance at c_v = 0 for (epsilon, d) among grr, oue, olh
// (ties: grr, then olh, then oue). OLH's g follows `options`.
OracleKind choose_auto(double epsilon, std::uint64_t domain, const OracleOptions& options = {});

// Builds an oracle from a tool name: one of the kinds, "flh" (OLH with options.flh_pool >= 1
// seeds; InvalidParameter when it is 0), or "auto".
FrequencyOracle make_oracle(std::string_view name, double epsilon, std::uint64_t domain,
                            const OracleOptions& options = {});

// xxHash32 (Yann Collet's public algorithm, XXH32): what pure-LDP's OLH hashes with.
std::uint32_t xxh32(const void* data, std::size_t length, std::uint32_t seed) noexcept;
// xxh32 of the decimal string of `value` (str(value) in Python): pure-LDP's OLH hash input.
std::uint32_t xxh32_decimal(std::uint64_t value, std::uint32_t seed) noexcept;

}  // namespace paperkit::ldp
