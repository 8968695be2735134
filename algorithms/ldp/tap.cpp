// TAP (target-aligning prefix tree) and TAPS (TAP + consensus-based pruning), Zhang, Ye, Hu, SIGMOD'25
// (arXiv 2412.14832). Only the phase structure is from the abstract; every rule below is the spec's
// reconstruction (ldp.md §2.5, [R]) and every constant is a TapOptions field, so results carry
// fidelity "reconstructed".
//
// Phase I: each party sends round(rho n_j) users to report their s-bit prefix (all 2^s prefixes
//   estimated); the server sums the parties' scaled estimates and keeps the top K = ceil(c k) as the
//   shared shallow trie F0.
// Phase II: each party extends F0 alone with its remaining users. At each level with R bits left and
//   U users left the group size is fixed first, n_g = U / ceil(R / max_step) (the levels the largest
//   step would still need), then the step is the largest eta in [min_step, min(max_step, R)] with
//     |C| 2^eta <= max_candidates  and  sd(n_g) * z * sqrt(2 ln(|C| 2^eta)) <= T,
//   sd(n_g) being the oracle's standard deviation at c_v = 0 for a domain of |C| 2^eta (+1) scaled to
//   the party (x n_j / n_g) and T the K-th largest estimate of the level before (Phase I: the K-th
//   global estimate x n_j / n): the widest extension whose maximal noise stays under the current K-th
//   candidate (the "adaptive extension", i.e. M_j of the spec). When R <= max_step the plan's last
//   group holds every user left, so that level finishes (eta = R). No step passes: max_step (a narrower
//   step would not reach the target and only add levels; measured: falling back to min_step on AOL,
//   k = 16, eps = 4, P = 4 gave ~40 one-bit levels and F1 0.44 vs 0.8 for PEM with step 4). Smaller steps
//   mean more levels, so later groups shrink (n_g is recomputed per level); the last level takes every
//   user left, so the party's users are used exactly once. When s = m there is one level that
//   re-estimates F0 (eta = 0).
//   The party reports its final K items with estimates; the server sums them (0 where unreported).
// TAPS: parties run in order. Before party j's levels the server gives it the prior global candidates
//   (items reported by parties < j with summed estimate >= consensus_fraction x the k-th prior sum).
//   At each level their prefixes join C (consensus); after estimating, candidates whose own estimate is
//   <= 0 and which extend no prior candidate are pruned before the top-K cut; the last level estimates
//   every prior candidate, and the party reports its top-K plus its estimates of the prior candidates.
#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/detail/hh_groups.hpp"
#include "paperkit/ldp/heavy_hitters.hpp"

namespace paperkit::ldp {
namespace {

constexpr int kMaxShallowBits = 20;

void validate_tap(const TapOptions& t, int bits) {
  if (t.shallow_bits < 0 || t.shallow_bits > std::min(bits, kMaxShallowBits))
    throw InvalidParameter("--shallow-bits must be in [0, min(bits, 20)] (got " + std::to_string(t.shallow_bits) + ")");
  if (t.min_step_bits < 1 || t.min_step_bits > t.max_step_bits || t.max_step_bits > 20)
    throw InvalidParameter("need 1 <= --min-step-bits <= --max-step-bits <= 20 (got " +
                           std::to_string(t.min_step_bits) + ", " + std::to_string(t.max_step_bits) + ")");
  if (!(t.phase1_share > 0 && t.phase1_share < 1))
    throw InvalidParameter("--phase1-share must be in (0, 1) (got " + std::to_string(t.phase1_share) + ")");
  if (!(t.keep_factor >= 1 && t.keep_factor <= 64))
    throw InvalidParameter("--keep-factor must be in [1, 64] (got " + std::to_string(t.keep_factor) + ")");
  if (!(t.noise_z >= 0) || !std::isfinite(t.noise_z))
    throw InvalidParameter("--noise-z must be finite and >= 0 (got " + std::to_string(t.noise_z) + ")");
  if (t.max_candidates < 2 || t.max_candidates > (std::uint64_t{1} << 26))
    throw InvalidParameter("--max-candidates must be in [2, 2^26] (got " + std::to_string(t.max_candidates) + ")");
  if (!(t.consensus_fraction >= 0) || !std::isfinite(t.consensus_fraction))
    throw InvalidParameter("--consensus-fraction must be finite and >= 0 (got " + std::to_string(t.consensus_fraction) +
                           ")");
}

std::vector<Item> sorted_unique(std::vector<Item> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The k-th largest value (or the smallest when fewer), 0 for an empty list.
double kth_largest(std::vector<double> v, std::size_t k) {
  if (v.empty()) return 0.0;
  const std::size_t i = std::min(k, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end(), std::greater<>());
  return v[i];
}

class TapRunner {
 public:
  TapRunner(const Population& pop, const HeavyHitterOptions& o, const TapOptions& t, bool consensus)
      : pop_(pop),
        o_(o),
        t_(t),
        consensus_(consensus),
        pool_(pop, o.seed, false, o.record_users),
        estimator_(pop, o, result_) {
    result_.method = consensus ? "taps" : "tap";
    result_.users_total = pop.users();
    keep_ = static_cast<std::size_t>(std::ceil(t.keep_factor * static_cast<double>(o.k)));
    shallow_ = t.shallow_bits > 0 ? t.shallow_bits
                                  : std::min({pop.bits, kMaxShallowBits, static_cast<int>(std::bit_width(keep_))});
  }

  HeavyHitterResult run() {
    phase_one();
    for (std::size_t j = 0; j < pool_.parties(); ++j) phase_two(j);
    std::vector<Item> items;
    std::vector<double> counts;
    for (const auto& [item, c] : total_) items.push_back(item), counts.push_back(c);
    result_.top = top_k_estimates(items, counts, o_.k);
    detail::finish_accounting(pool_, o_, result_);
    return std::move(result_);
  }

 private:
  std::uint64_t tag() const { return consensus_ ? 0x7a95 : 0x7a90; }

  void phase_one() {
    std::vector<Item> all(std::size_t{1} << shallow_);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::vector<double> global(all.size(), 0.0);
    for (std::size_t j = 0; j < pool_.parties(); ++j) {
      const std::uint64_t n = pool_.size(j);
      const auto size = static_cast<std::uint64_t>(std::llround(t_.phase1_share * static_cast<double>(n)));
      const auto users = pool_.take(j, size, group_id_++);
      GroupRecord rec;
      rec.phase = "tap-phase1";
      rec.party = j;
      const double scale = size > 0 ? static_cast<double>(n) / static_cast<double>(size) : 0.0;
      const auto est =
          estimator_.estimate(users, shallow_, all, o_.epsilon, scale, detail::group_stream(tag(), j, 0), rec);
      for (std::size_t i = 0; i < all.size(); ++i) global[i] += est[i];
    }
    auto keep = detail::top_indices(global, all, keep_);
    threshold_ = 0;
    for (std::size_t i : keep) shared_.push_back(all[i]);
    std::vector<double> kept;
    for (std::size_t i : keep) kept.push_back(global[i]);
    threshold_ = kth_largest(kept, keep_);
    shared_ = sorted_unique(shared_);
  }

  // Prior global candidates for TAPS: summed estimate >= fraction * k-th prior sum.
  std::vector<Item> prior_candidates() const {
    if (!consensus_ || total_.empty()) return {};
    std::vector<double> sums;
    for (const auto& [item, c] : total_) sums.push_back(c);
    const double bar = t_.consensus_fraction * kth_largest(sums, o_.k);
    std::vector<Item> out;
    for (const auto& [item, c] : total_)
      if (c >= bar) out.push_back(item);
    return out;
  }

  // Users of the next Phase-II group: the remaining users spread over the levels that the largest
  // step would still need (fixed before the step is chosen, so the rule cannot buy users by stepping).
  std::uint64_t planned_group(int bits_left, std::uint64_t users_left) const {
    const int top = std::max(1, std::min(t_.max_step_bits, bits_left));
    return users_left / static_cast<std::uint64_t>((bits_left + top - 1) / top);
  }

  int choose_step(std::size_t candidates, int bits_left, std::uint64_t group, double threshold, double party_n) const {
    const int top = std::min(t_.max_step_bits, bits_left);
    const int bottom = std::min(t_.min_step_bits, bits_left);
    if (!t_.adaptive || group == 0) return top;
    if (bits_left <= t_.max_step_bits) return bits_left;  // the plan's last level: its group holds every user left
    for (int eta = top; eta >= bottom; --eta) {
      const std::uint64_t width = static_cast<std::uint64_t>(candidates) << eta;
      if (width > t_.max_candidates) continue;
      const FrequencyOracle fo = estimator_.oracle_for(width, 0, o_.epsilon);
      const double sd = std::sqrt(fo.variance(static_cast<double>(group))) * party_n / static_cast<double>(group);
      const double max_noise =
          sd * t_.noise_z * std::sqrt(2.0 * std::log(static_cast<double>(std::max<std::uint64_t>(width, 2))));
      if (max_noise <= threshold) return eta;  // the largest extension whose noise stays under the K-th estimate
    }
    return top;  // no width brings the noise under the target: narrowing would only cost levels
  }

  void phase_two(std::size_t party) {
    const std::uint64_t n = pool_.size(party);
    const double party_n = static_cast<double>(n);
    const double n_all = static_cast<double>(result_.users_total);
    double threshold = threshold_ * party_n / n_all;
    const std::vector<Item> prior = prior_candidates();
    std::vector<Item> candidates = shared_;
    std::vector<double> est;
    int len = shallow_;
    std::size_t level = 1;
    bool done = false;
    while (!done) {
      const int bits_left = pop_.bits - len;
      if (consensus_) {  // consensus: prefixes of prior candidates join at this length
        for (Item v : prior) candidates.push_back(detail::prefix_of(v, pop_.bits, len));
        candidates = sorted_unique(std::move(candidates));
      }
      const std::uint64_t users_left = pool_.remaining(party);
      const std::uint64_t group = bits_left == 0 ? users_left : planned_group(bits_left, users_left);
      const int eta = bits_left == 0 ? 0 : choose_step(candidates.size(), bits_left, group, threshold, party_n);
      std::vector<Item> next = eta == 0 ? candidates : detail::extend_prefixes(candidates, eta);
      const int new_len = len + eta;
      done = new_len == pop_.bits;
      if (consensus_ && done) {  // the last group also estimates every prior global candidate
        next.insert(next.end(), prior.begin(), prior.end());
        next = sorted_unique(std::move(next));
      }
      const std::uint64_t size = done ? users_left : group;
      const auto users = pool_.take(party, size, group_id_++);
      GroupRecord rec;
      rec.phase = "tap-phase2";
      rec.party = party;
      rec.level = level;
      const double scale = size > 0 ? party_n / static_cast<double>(size) : 0.0;
      est =
          estimator_.estimate(users, new_len, next, o_.epsilon, scale, detail::group_stream(tag(), party, level), rec);
      if (consensus_) prune(next, est, prior, new_len);
      len = new_len;
      ++level;
      if (done) {
        report(party, next, est, prior);
        return;
      }
      auto keep = detail::top_indices(est, next, keep_);
      std::vector<double> kept;
      candidates.clear();
      for (std::size_t i : keep) candidates.push_back(next[i]), kept.push_back(est[i]);
      threshold = kth_largest(kept, keep_);
      candidates = sorted_unique(std::move(candidates));
    }
  }

  // TAPS: drop candidates with no support: own estimate <= 0 and no prior candidate below them.
  void prune(std::vector<Item>& next, std::vector<double>& est, const std::vector<Item>& prior, int len) const {
    std::set<Item> supported;
    for (Item v : prior) supported.insert(detail::prefix_of(v, pop_.bits, len));
    std::vector<Item> kept_items;
    std::vector<double> kept_est;
    for (std::size_t i = 0; i < next.size(); ++i) {
      if (est[i] > 0 || supported.count(next[i])) kept_items.push_back(next[i]), kept_est.push_back(est[i]);
    }
    next = std::move(kept_items);
    est = std::move(kept_est);
  }

  void report(std::size_t party, const std::vector<Item>& items, const std::vector<double>& est,
              const std::vector<Item>& prior) {
    (void)party;
    std::set<Item> sent;
    for (std::size_t i : detail::top_indices(est, items, keep_)) {
      total_[items[i]] += est[i];
      sent.insert(items[i]);
    }
    if (!consensus_) return;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (sent.count(items[i])) continue;
      if (std::binary_search(prior.begin(), prior.end(), items[i])) total_[items[i]] += est[i];
    }
  }

  const Population& pop_;
  const HeavyHitterOptions& o_;
  const TapOptions& t_;
  bool consensus_;
  HeavyHitterResult result_;
  detail::UserPool pool_;
  detail::GroupEstimator estimator_;
  std::size_t keep_ = 0;
  int shallow_ = 0;
  std::int32_t group_id_ = 0;
  std::vector<Item> shared_;
  double threshold_ = 0;
  std::map<Item, double> total_;
};

HeavyHitterResult run_tap(const Population& pop, const HeavyHitterOptions& o, const TapOptions& t, bool consensus) {
  validate_heavy_hitter_options(pop, o);
  validate_tap(t, pop.bits);
  if (static_cast<std::uint64_t>(std::ceil(t.keep_factor * static_cast<double>(o.k))) * 2 > t.max_candidates)
    throw InvalidParameter("--max-candidates must be >= 2 * ceil(keep-factor * k)");
  TapRunner runner(pop, o, t, consensus);
  return runner.run();
}

}  // namespace

HeavyHitterResult tap(const Population& population, const HeavyHitterOptions& options, const TapOptions& t) {
  return run_tap(population, options, t, false);
}

HeavyHitterResult taps(const Population& population, const HeavyHitterOptions& options, const TapOptions& t) {
  return run_tap(population, options, t, true);
}

}  // namespace paperkit::ldp
