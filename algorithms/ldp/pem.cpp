// PEM (Wang, Li, Jha 2017) in the layout of Wang's reference pem/pem.py (spec ldp.md §3), and the
// per-party PEM federated baseline. Departure from the reference, on purpose: a level's estimates are
// scaled by n / n_group (exact group-size ratio) instead of x G; the two agree when G divides n.
#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/detail/hh_groups.hpp"
#include "paperkit/ldp/heavy_hitters.hpp"

namespace paperkit::ldp {
namespace {

constexpr int kMaxStartBits = 24;  // level 0 enumerates 2^gamma prefixes

struct PemPlan {
  int start = 0;
  int step = 1;
  std::size_t keep = 0;
  std::size_t groups = 0;
};

PemPlan plan_pem(int bits, std::size_t k, const PemOptions& o, std::size_t default_keep) {
  PemPlan p;
  if (o.start_bits < 0 || o.start_bits > bits)
    throw InvalidParameter("--start-bits must be in [0, bits = " + std::to_string(bits) + "] (got " +
                           std::to_string(o.start_bits) + ")");
  if (o.step_bits < 1 || o.step_bits > 20)
    throw InvalidParameter("--step-bits must be in [1, 20] (got " + std::to_string(o.step_bits) + ")");
  p.start = o.start_bits > 0 ? o.start_bits : std::min(bits, static_cast<int>(std::bit_width(k)));  // floor(log2 k)+1
  if (p.start > kMaxStartBits)
    throw InvalidParameter("--start-bits must be <= " + std::to_string(kMaxStartBits) + " (got " +
                           std::to_string(p.start) + ")");
  p.step = o.step_bits;
  p.keep = o.keep > 0 ? o.keep : default_keep;
  if (p.keep > 4096) throw InvalidParameter("--keep must be <= 4096 (got " + std::to_string(p.keep) + ")");
  const int rest = bits - p.start;
  p.groups = 1 + static_cast<std::size_t>((rest + p.step - 1) / p.step);
  if ((std::uint64_t{1} << p.step) * p.keep > (std::uint64_t{1} << 26))
    throw InvalidParameter("--keep * 2^step-bits must be <= 2^26 candidates per level");
  return p;
}

// One party's PEM: returns its top-`plan.keep` full items with estimates scaled to the party.
std::vector<RankedItem> pem_one_party(const Population& pop, detail::UserPool& pool, std::size_t party,
                                      const HeavyHitterOptions& o, const PemPlan& plan, std::uint64_t tag,
                                      std::int32_t& group_id, detail::GroupEstimator& estimator) {
  const std::uint64_t n = pool.size(party);
  std::vector<Item> candidates(std::size_t{1} << plan.start);
  for (std::size_t i = 0; i < candidates.size(); ++i) candidates[i] = i;
  int len = plan.start;
  std::vector<double> est;
  for (std::size_t g = 0; g < plan.groups; ++g) {
    if (g > 0) {
      const int step = std::min(plan.step, pop.bits - len);
      candidates = detail::extend_prefixes(candidates, step);
      len += step;
    }
    // Equal groups; the first n mod G groups get one user more.
    const std::uint64_t size = n / plan.groups + (g < n % plan.groups ? 1 : 0);
    const auto users = pool.take(party, size, group_id++);
    const double scale = size > 0 ? static_cast<double>(n) / static_cast<double>(size) : 0.0;
    GroupRecord rec;
    rec.phase = "pem-level";
    rec.party = party;
    rec.level = g;
    est = estimator.estimate(users, len, candidates, o.epsilon, scale, detail::group_stream(tag, party, g), rec);
    auto keep = detail::top_indices(est, candidates, plan.keep);
    std::sort(keep.begin(), keep.end());  // candidates stay sorted
    std::vector<Item> next;
    std::vector<double> next_est;
    for (std::size_t i : keep) {
      next.push_back(candidates[i]);
      next_est.push_back(est[i]);
    }
    candidates = std::move(next);
    est = std::move(next_est);
  }
  return top_k_estimates(candidates, est, plan.keep);
}

}  // namespace

HeavyHitterResult pem(const Population& population, const HeavyHitterOptions& o, const PemOptions& pem_options) {
  validate_heavy_hitter_options(population, o);
  const PemPlan plan = plan_pem(population.bits, o.k, pem_options, o.k);
  HeavyHitterResult result;
  result.method = "pem";
  result.users_total = population.users();
  detail::UserPool pool(population, o.seed, /*pooled=*/true, o.record_users);
  detail::GroupEstimator estimator(population, o, result);
  std::int32_t group_id = 0;
  auto top = pem_one_party(population, pool, 0, o, plan, 0x9e11, group_id, estimator);
  std::vector<Item> items;
  std::vector<double> counts;
  for (const auto& r : top) items.push_back(r.item), counts.push_back(r.count);
  result.top = top_k_estimates(items, counts, o.k);
  detail::finish_accounting(pool, o, result);
  return result;
}

HeavyHitterResult per_party_pem(const Population& population, const HeavyHitterOptions& o,
                                const PemOptions& pem_options, double keep_factor) {
  validate_heavy_hitter_options(population, o);
  if (!(keep_factor >= 1) || !std::isfinite(keep_factor) || keep_factor > 64)
    throw InvalidParameter("--keep-factor must be in [1, 64] (got " + std::to_string(keep_factor) + ")");
  const auto report = static_cast<std::size_t>(std::ceil(keep_factor * static_cast<double>(o.k)));
  const PemPlan plan = plan_pem(population.bits, o.k, pem_options, report);
  HeavyHitterResult result;
  result.method = "per-party-pem";
  result.users_total = population.users();
  detail::UserPool pool(population, o.seed, /*pooled=*/false, o.record_users);
  detail::GroupEstimator estimator(population, o, result);
  std::int32_t group_id = 0;
  std::map<Item, double> total;  // server: sum of the parties' reports, 0 where unreported
  for (std::size_t j = 0; j < pool.parties(); ++j) {
    const auto top = pem_one_party(population, pool, j, o, plan, 0x9e12, group_id, estimator);
    for (std::size_t r = 0; r < std::min(report, top.size()); ++r) total[top[r].item] += top[r].count;
  }
  std::vector<Item> items;
  std::vector<double> counts;
  for (const auto& [item, c] : total) items.push_back(item), counts.push_back(c);
  result.top = top_k_estimates(items, counts, o.k);
  detail::finish_accounting(pool, o, result);
  return result;
}

}  // namespace paperkit::ldp
