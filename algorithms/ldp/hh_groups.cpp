#include "paperkit/ldp/detail/hh_groups.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"

namespace paperkit::ldp {

SimulationMode parse_simulation_mode(const std::string& name) {
  if (name == "aggregate") return SimulationMode::aggregate;
  if (name == "per-user" || name == "per_user") return SimulationMode::per_user;
  throw InvalidParameter("--mode must be aggregate or per-user (got " + name + ")");
}

std::string to_string(SimulationMode mode) {
  return mode == SimulationMode::aggregate ? "aggregate" : "per-user";
}

std::vector<RankedItem> top_k_estimates(const std::vector<Item>& items, const std::vector<double>& estimates,
                                        std::size_t k) {
  const auto idx = detail::top_indices(estimates, items, k);
  std::vector<RankedItem> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) out.push_back({items[i], estimates[i]});
  return out;
}

void validate_heavy_hitter_options(const Population& population, const HeavyHitterOptions& o) {
  validate_population(population, "population");
  if (population.bits > 63)
    throw InvalidParameter("heavy hitters need items of at most 63 bits (got " + std::to_string(population.bits) + ")");
  const std::uint64_t domain = std::uint64_t{1} << population.bits;
  if (o.k < 1 || o.k > domain)
    throw InvalidParameter("--k must be in [1, 2^bits = " + std::to_string(domain) + "] (got " + std::to_string(o.k) +
                           ")");
  if (o.k > 4096) throw InvalidParameter("--k must be <= 4096 (got " + std::to_string(o.k) + ")");
  if (!(o.epsilon > 0) || !std::isfinite(o.epsilon) || o.epsilon > kMaxEpsilon)
    throw InvalidParameter("--eps must be finite and in (0, " + std::to_string(kMaxEpsilon) + "] (got " +
                           std::to_string(o.epsilon) + ")");
  if (o.oracle != "auto") (void)parse_oracle_kind(o.oracle);
  if (o.oracle == "flh" && (o.oracle_options.flh_pool < 1 || o.oracle_options.flh_pool > kMaxFlhPool))
    throw InvalidParameter("--flh-pool must be in [1, 2^20] for --fo flh (got " +
                           std::to_string(o.oracle_options.flh_pool) + ")");
  if (o.oracle != "flh" && o.oracle_options.flh_pool != 0)
    throw InvalidParameter("--flh-pool applies to --fo flh only (got --fo " + o.oracle + ")");
  if (o.threads < 1) throw InvalidParameter("--threads must be >= 1 (got " + std::to_string(o.threads) + ")");
}

}  // namespace paperkit::ldp

namespace paperkit::ldp::detail {

std::vector<Item> extend_prefixes(const std::vector<Item>& prefixes, int step) {
  std::vector<Item> out;
  const Item fan = Item{1} << step;
  out.reserve(prefixes.size() * fan);
  for (Item p : prefixes)
    for (Item t = 0; t < fan; ++t) out.push_back((p << step) | t);
  return out;
}

UserPool::UserPool(const Population& population, std::uint64_t seed, bool pooled, bool record_users) {
  const std::size_t parties = pooled ? 1 : population.parties();
  items_.assign(parties, {});
  if (record_users) ids_.assign(parties, {});
  next_.assign(parties, 0);
  std::uint32_t id = 0;
  for (std::size_t j = 0; j < population.parties(); ++j) {
    auto& dst = items_[pooled ? 0 : j];
    for (std::size_t i = 0; i < population.items.size(); ++i) {
      for (std::uint64_t u = 0; u < population.counts[j][i]; ++u) {
        dst.push_back(static_cast<std::uint32_t>(i));
        if (record_users) ids_[pooled ? 0 : j].push_back(id);
        ++id;
      }
    }
  }
  if (record_users) user_group_.assign(id, -1);
  for (std::size_t j = 0; j < parties; ++j) {
    // One shuffle per party from its own stream: groups are fixed before any report is drawn.
    Rng rng = Rng::for_block(seed, 0x5ee0, j);
    auto& v = items_[j];
    for (std::size_t i = v.size(); i > 1; --i) {
      const std::size_t r = static_cast<std::size_t>(rng.uniform_below(i));
      std::swap(v[i - 1], v[r]);
      if (record_users) std::swap(ids_[j][i - 1], ids_[j][r]);
    }
  }
}

std::span<const std::uint32_t> UserPool::take(std::size_t party, std::uint64_t count, std::int32_t group) {
  if (count > remaining(party))
    throw InternalError("user pool: party " + std::to_string(party) + " asked for " + std::to_string(count) +
                        " users, " + std::to_string(remaining(party)) + " left");
  const std::size_t begin = next_[party];
  next_[party] += count;
  if (!ids_.empty()) {
    for (std::size_t u = begin; u < begin + count; ++u) {
      auto& slot = user_group_[ids_[party][u]];
      if (slot != -1) throw InternalError("user pool: a user was assigned twice");
      slot = group;
    }
  }
  return std::span<const std::uint32_t>(items_[party]).subspan(begin, count);
}

std::uint64_t UserPool::assigned() const {
  return std::accumulate(next_.begin(), next_.end(), std::uint64_t{0});
}

GroupEstimator::GroupEstimator(const Population& population, const HeavyHitterOptions& options,
                               HeavyHitterResult& result)
    : population_(population), options_(options), result_(result) {}

FrequencyOracle GroupEstimator::oracle_for(std::uint64_t candidate_count, int len, double epsilon) const {
  // Candidates plus "not a candidate" unless they cover every prefix of this length.
  const bool covers = len < 63 && candidate_count == (std::uint64_t{1} << len);
  const std::uint64_t domain = candidate_count + (covers ? 0 : 1);
  if (options_.oracle == "flh") {
    // FLH users hash their own length-len prefix (domain 2^len), as pure-LDP's PEM does: folding
    // every non-candidate into one "other" symbol would make one huge item whose hash collisions
    // all users of a pool seed share (the FLH extra variance grows with sum c_u^2).
    OracleOptions oracle_options = options_.oracle_options;
    oracle_options.flh_pool_seed = options_.seed;  // one pool per run, for all groups
    const std::uint64_t prefixes = len >= 63 ? ~std::uint64_t{0} : std::uint64_t{1} << std::max(len, 0);
    return make_oracle("flh", epsilon, prefixes, oracle_options);
  }
  return make_oracle(options_.oracle, epsilon, domain, options_.oracle_options);
}

std::vector<double> GroupEstimator::estimate(std::span<const std::uint32_t> users, int len,
                                             const std::vector<Item>& candidates, double epsilon, double scale,
                                             std::uint64_t stream, const GroupRecord& record) {
  const int bits = population_.bits;
  return estimate_values(
      users, [bits, len](Item v) { return prefix_of(v, bits, len); }, len, candidates, epsilon, scale, stream, record);
}

std::vector<double> GroupEstimator::estimate_values(std::span<const std::uint32_t> users,
                                                    const std::function<Item(Item)>& value_of, int len,
                                                    const std::vector<Item>& candidates, double epsilon, double scale,
                                                    std::uint64_t stream, const GroupRecord& record) {
  const FrequencyOracle fo = oracle_for(candidates.size(), len, epsilon);
  GroupRecord rec = record;
  rec.users = users.size();
  rec.prefix_bits = len;
  rec.candidates = candidates.size();
  rec.epsilon = epsilon;
  rec.oracle = fo.description();
  result_.groups.push_back(rec);
  std::vector<double> est(candidates.size(), 0.0);
  if (users.empty() || candidates.empty()) return est;
  if (fo.is_flh()) {
    est = estimate_flh(fo, users, value_of, candidates, stream);
    for (double& e : est) e *= scale;
    return est;
  }

  // Each user's report input: the index of its prefix among the candidates, or `other`.
  const std::uint64_t other = candidates.size();
  std::vector<std::uint64_t> cand_idx(candidates.size());
  std::iota(cand_idx.begin(), cand_idx.end(), std::uint64_t{0});
  auto index_of = [&](std::uint32_t item_index) {
    const Item p = value_of(population_.items[item_index]);
    const auto it = std::lower_bound(candidates.begin(), candidates.end(), p);
    return it != candidates.end() && *it == p ? static_cast<std::uint64_t>(it - candidates.begin()) : other;
  };
  if (options_.mode == SimulationMode::aggregate) {
    std::vector<std::uint64_t> truth(candidates.size(), 0);
    for (std::uint32_t u : users) {
      const std::uint64_t j = index_of(u);
      if (j != other) ++truth[j];
    }
    Rng rng = Rng::for_block(options_.seed, stream, 0);
    est = fo.simulate_aggregate(users.size(), cand_idx, truth, rng);
  } else {
    std::vector<std::uint64_t> values(users.size());
    for (std::size_t i = 0; i < users.size(); ++i) values[i] = index_of(users[i]);
    const ReportBatch batch = fo.perturb_all(values, options_.seed, stream, options_.threads);
    est = fo.estimate(batch, cand_idx, options_.threads);
  }
  for (double& e : est) e *= scale;
  return est;
}

std::vector<double> GroupEstimator::estimate_flh(const FrequencyOracle& fo, std::span<const std::uint32_t> users,
                                                 const std::function<Item(Item)>& value_of,
                                                 const std::vector<Item>& candidates, std::uint64_t stream) const {
  std::vector<std::uint64_t> values(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) values[i] = value_of(population_.items[users[i]]);
  if (options_.mode == SimulationMode::per_user) {
    const ReportBatch batch = fo.perturb_all(values, options_.seed, stream, options_.threads);
    return fo.estimate(batch, candidates, options_.threads);
  }
  std::sort(values.begin(), values.end());
  std::vector<std::uint64_t> held, counts;
  for (const std::uint64_t v : values) {
    if (held.empty() || held.back() != v) {
      held.push_back(v);
      counts.push_back(0);
    }
    ++counts.back();
  }
  Rng rng = Rng::for_block(options_.seed, stream, 0);
  return fo.simulate_aggregate_flh(held, counts, candidates, rng);
}

std::uint64_t group_stream(std::uint64_t method_tag, std::size_t party, std::size_t level) {
  std::uint64_t state = method_tag * 0x9e3779b97f4a7c15ULL ^ (static_cast<std::uint64_t>(party) << 32) ^ level;
  return splitmix64(state);
}

std::vector<std::size_t> top_indices(const std::vector<double>& estimates, const std::vector<Item>& candidates,
                                     std::size_t keep) {
  std::vector<std::size_t> order(estimates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t kk = std::min(keep, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kk), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return estimates[a] != estimates[b] ? estimates[a] > estimates[b] : candidates[a] < candidates[b];
                    });
  order.resize(kk);
  return order;
}

void finish_accounting(const UserPool& pool, const HeavyHitterOptions& options, HeavyHitterResult& result) {
  result.users_assigned = pool.assigned();
  if (result.users_assigned != result.users_total)
    throw InternalError("privacy accounting: " + std::to_string(result.users_total - result.users_assigned) +
                        " users were never assigned to a group");
  double eps = 0;
  for (const auto& g : result.groups) eps = std::max(eps, g.epsilon);
  result.epsilon_per_user = eps;
  if (options.record_users) result.user_group = pool.user_groups();
}

}  // namespace paperkit::ldp::detail
