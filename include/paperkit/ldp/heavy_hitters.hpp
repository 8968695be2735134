// Heavy-hitter identification under pure eps-LDP, single-party and federated (spec ldp.md §2.5, §3).
//
//   pem           PEM (Wang, Li, Jha 2017), Wang's reference layout: gamma = floor(log2 k)+1 start bits,
//                 step eta, G = 1 + ceil((m - gamma)/eta) equal user groups; group 0 estimates all 2^gamma
//                 prefixes, group i the top-keep x {0,1}^eta extensions. Pools every party ("pooled PEM",
//                 the non-federated upper reference).
//   per_party_pem federated baseline [R]: every party runs PEM alone, keeps its top-(c k) with counts;
//                 the server sums the reports (0 where unreported) and outputs the top-k.
//   tap / taps    TAP (target-aligning prefix tree) and TAPS (consensus pruning), Zhang-Ye-Hu SIGMOD'25,
//                 reconstructed from the abstract (fidelity "reconstructed"; rules in tap.cpp).
//   treehist/sfp  pure-LDP's variants: each user splits eps in two halves (prefix / fragment report and
//                 whole-item report) -- sequential composition, still eps-LDP per user.
//
// Every user of every party is assigned to exactly one group and reports once with the full eps
// (the split methods: two reports with eps/2 each), so the whole run is eps-LDP, not P*eps. Each result
// lists its groups (phase, party, users, prefix length, candidates, oracle) as the privacy accounting.
//
// Estimation per group: candidates C (prefixes of length l) form the oracle's domain, plus one extra
// symbol "not a candidate" when C does not cover all 2^l prefixes; each user reports the index of its
// own prefix. Estimates are scaled to the party (or population) by n_party / n_group (PEM's "x G").
//   mode aggregate: the oracle's aggregate law given the group's true candidate counts (fast; the law of
//                   the estimates, see frequency_oracle.hpp); per_user: every user perturbs, server decodes.
// Results are identical for any thread count (randomness split by group and by fixed user blocks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "paperkit/ldp/data.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"
#include "paperkit/ldp/metrics.hpp"

namespace paperkit::ldp {

enum class SimulationMode { aggregate, per_user };
SimulationMode parse_simulation_mode(const std::string& name);  // "aggregate" | "per-user"
std::string to_string(SimulationMode mode);

struct HeavyHitterOptions {
  std::size_t k = 32;                               // top-k, 1 <= k <= number of m-bit items
  double epsilon = 4.0;                             // per-user budget (whole run)
  std::string oracle = "olh";                       // grr | sue | oue | olh | flh | blh | hr | auto (per group)
  OracleOptions oracle_options;                     // OLH variant / g; flh: flh_pool (its seed: each run's seed)
  SimulationMode mode = SimulationMode::aggregate;  // see file comment
  std::uint64_t seed = 1;
  int threads = 1;
  bool record_users = false;  // fill HeavyHitterResult::user_group (tests: partition exactly once)
};

struct PemOptions {
  int start_bits = 0;    // gamma; 0 = floor(log2 k) + 1 (capped at m)
  int step_bits = 1;     // eta >= 1
  std::size_t keep = 0;  // candidates kept per level; 0 = k
};

// TAP/TAPS constants (spec §2.5, all [R]).
struct TapOptions {
  int shallow_bits = 0;       // s; 0 = floor(log2(c k)) + 1 (capped at m and at 20)
  int max_step_bits = 4;      // largest extension per Phase-II level (eta_max)
  int min_step_bits = 1;      // smallest extension per level
  double phase1_share = 0.2;  // rho: share of each party's users in Phase I
  double keep_factor = 2.0;   // c: keep c*k candidates per level
  double noise_z = 1.0;       // adaptive rule: sd * noise_z * sqrt(2 ln |C'|) <= c*k-th estimate
  std::uint64_t max_candidates = std::uint64_t{1} << 16;  // cap on |C| * 2^eta per level
  bool adaptive = true;                                   // false: fixed step max_step_bits
  double consensus_fraction = 0.5;  // TAPS: prior candidates with summed estimate >= fraction * (k-th prior sum)
};

// One group of users that reported once (the privacy accounting).
struct GroupRecord {
  std::string phase;  // e.g. "pem-level", "tap-phase1", "tap-phase2"
  std::size_t party = 0;
  std::size_t level = 0;
  std::uint64_t users = 0;
  int prefix_bits = 0;
  std::uint64_t candidates = 0;
  double epsilon = 0;  // budget of each report of this group
  std::string oracle;  // oracle description
};

struct HeavyHitterResult {
  std::string method;
  std::vector<RankedItem> top;  // estimated top-k, heaviest first, with estimated counts
  std::vector<GroupRecord> groups;
  std::uint64_t users_total = 0;
  std::uint64_t users_assigned = 0;  // == users_total: every user in exactly one group
  double epsilon_per_user = 0;       // max over users of the summed budgets of their reports
  // With record_users: the group index of every user (users numbered party by party, item by item
  // in Population order); -1 would mean unassigned.
  std::vector<std::int32_t> user_group;
};

// Validates k (1..2^m), epsilon, the oracle name, the population; throws InvalidParameter / InputError.
void validate_heavy_hitter_options(const Population& population, const HeavyHitterOptions& options);

HeavyHitterResult pem(const Population& population, const HeavyHitterOptions& options, const PemOptions& pem = {});
// keep_factor c: each party reports its top-(c k).
HeavyHitterResult per_party_pem(const Population& population, const HeavyHitterOptions& options,
                                const PemOptions& pem = {}, double keep_factor = 2.0);
HeavyHitterResult tap(const Population& population, const HeavyHitterOptions& options, const TapOptions& tap = {});
HeavyHitterResult taps(const Population& population, const HeavyHitterOptions& options, const TapOptions& tap = {});

// pure-LDP's TreeHist / SFP variants (pooled users).
struct SplitOptions {
  int fragment_bits = 8;          // TreeHist: n-gram step; SFP: fragment length
  int hash_bits = 8;              // SFP: bits of the item hash paired with the fragment (256 buckets)
  double threshold_sd = 2.0;      // a fragment / prefix survives when its estimate >= threshold_sd * sd
  std::size_t max_survivors = 0;  // TreeHist: prefixes kept per level; SFP: candidates per hash bucket (0 = 4k / 64)
};
HeavyHitterResult treehist(const Population& population, const HeavyHitterOptions& options,
                           const SplitOptions& split = {});
HeavyHitterResult sfp(const Population& population, const HeavyHitterOptions& options, const SplitOptions& split = {});

// The top-k of an estimate table (estimates[i] for items[i]), heaviest first, ties by the smaller item.
std::vector<RankedItem> top_k_estimates(const std::vector<Item>& items, const std::vector<double>& estimates,
                                        std::size_t k);

}  // namespace paperkit::ldp
