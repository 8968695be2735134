// pure-LDP's TreeHist and SFP heavy-hitter variants (spec ldp.md §3, [src] for the budget split only;
// the server rules below are this library's reading). Every user sends two reports of eps/2 (sequential
// composition: eps per user): one "fragment" report in a group that the user pool assigns once, and
// one whole-item report; the whole-item reports of all users estimate the final candidates.
//   TreeHist: groups = prefix levels f, 2f, ..., m (f = fragment_bits). Level 1 estimates all 2^f
//     prefixes; a prefix survives when its estimate >= threshold_sd x sd (the oracle's sd at c_v = 0,
//     scaled to n), at most max_survivors (0 = 4k) of them, else the top k; survivors x {0,1}^f form
//     the next level's candidates.
//   SFP: groups = fragment positions j = 0..L-1 (L = ceil(m / f)); a user of group j reports
//     (h(item) mod 2^hash_bits) || fragment_j(item), h a fixed 64-bit mixer (pure-LDP: a 256-bucket
//     hash, CMS oracle by default; here any oracle). Per bucket and position the fragments passing
//     the threshold are kept (top t with t^L <= max_survivors, 0 = 64), and the bucket's candidates
//     are the products of its fragments; pure-LDP's decoding also joins per bucket.
// Simulation caveat: reports use this library's candidate-domain encoding (heavy_hitters.hpp), the
// whole-item report is encoded once the candidates are known; for OLH the law of the estimates is that
// of a full-domain report.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/ldp/detail/hh_groups.hpp"
#include "paperkit/ldp/heavy_hitters.hpp"

namespace paperkit::ldp {
namespace {

void validate_split(const SplitOptions& s, int bits, bool sfp) {
  if (s.fragment_bits < 1 || s.fragment_bits > 16 || s.fragment_bits > bits)
    throw InvalidParameter("--fragment-bits must be in [1, min(16, bits)] (got " + std::to_string(s.fragment_bits) +
                           ")");
  if (sfp && (s.hash_bits < 0 || s.hash_bits + s.fragment_bits > 20))
    throw InvalidParameter("--hash-bits must be >= 0 with hash-bits + fragment-bits <= 20 (got " +
                           std::to_string(s.hash_bits) + ")");
  if (!(s.threshold_sd >= 0) || !std::isfinite(s.threshold_sd))
    throw InvalidParameter("--threshold-sd must be finite and >= 0 (got " + std::to_string(s.threshold_sd) + ")");
  if (s.max_survivors > 4096) throw InvalidParameter("max survivors must be <= 4096");
}

Item bucket_of(Item item, int hash_bits) {
  if (hash_bits == 0) return 0;
  std::uint64_t state = item;
  return splitmix64(state) >> (64 - hash_bits);
}

// Survivors of one estimate table: passing `bar`, at most `cap` by estimate; none pass -> top `fallback`.
std::vector<std::size_t> survivors(const std::vector<double>& est, const std::vector<Item>& cand, double bar,
                                   std::size_t cap, std::size_t fallback) {
  auto order = detail::top_indices(est, cand, est.size());
  std::vector<std::size_t> out;
  for (std::size_t i : order) {
    if (out.size() >= cap || est[i] < bar) break;
    out.push_back(i);
  }
  if (out.empty())
    out.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(fallback, order.size())));
  return out;
}

struct SplitRun {
  HeavyHitterResult result;
  detail::UserPool pool;
  detail::GroupEstimator estimator;
  std::vector<std::uint32_t> everyone;  // every user, for the whole-item reports
  SplitRun(const Population& pop, const HeavyHitterOptions& o, const std::string& method)
      : pool(pop, o.seed, true, o.record_users), estimator(pop, o, result) {
    result.method = method;
    result.users_total = pop.users();
  }
  std::span<const std::uint32_t> take(std::uint64_t count, std::int32_t group) {
    const auto users = pool.take(0, count, group);
    everyone.insert(everyone.end(), users.begin(), users.end());
    return users;
  }
  // Whole-item reports of every user estimate `candidates`; the top-k is the answer.
  void finish(const Population& pop, const HeavyHitterOptions& o, std::vector<Item> candidates, std::uint64_t tag) {
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    GroupRecord rec;
    rec.phase = "whole-item";
    const auto est =
        estimator.estimate(everyone, pop.bits, candidates, o.epsilon / 2, 1.0, detail::group_stream(tag, 0, 1000), rec);
    result.top = top_k_estimates(candidates, est, o.k);
    detail::finish_accounting(pool, o, result);
    result.epsilon_per_user = o.epsilon;  // two reports of eps/2 each
  }
};

double scaled_sd(const FrequencyOracle& fo, std::uint64_t group, std::uint64_t n) {
  if (group == 0) return 0.0;
  return std::sqrt(fo.variance(static_cast<double>(group))) * static_cast<double>(n) / static_cast<double>(group);
}

}  // namespace

HeavyHitterResult treehist(const Population& pop, const HeavyHitterOptions& o, const SplitOptions& s) {
  validate_heavy_hitter_options(pop, o);
  validate_split(s, pop.bits, false);
  SplitRun run(pop, o, "treehist");
  const std::uint64_t n = run.pool.size(0);
  const std::size_t levels = static_cast<std::size_t>((pop.bits + s.fragment_bits - 1) / s.fragment_bits);
  const std::size_t cap = s.max_survivors > 0 ? s.max_survivors : 4 * o.k;
  std::vector<Item> cand(std::size_t{1} << s.fragment_bits);
  for (std::size_t i = 0; i < cand.size(); ++i) cand[i] = i;
  int len = s.fragment_bits;
  for (std::size_t l = 0; l < levels; ++l) {
    if (l > 0) {
      const int step = std::min(s.fragment_bits, pop.bits - len);
      cand = detail::extend_prefixes(cand, step);
      len += step;
    }
    const std::uint64_t size = n / levels + (l < n % levels ? 1 : 0);
    const auto users = run.take(size, static_cast<std::int32_t>(l));
    GroupRecord rec;
    rec.phase = "treehist-level";
    rec.level = l;
    const double scale = size > 0 ? static_cast<double>(n) / static_cast<double>(size) : 0.0;
    const auto est =
        run.estimator.estimate(users, len, cand, o.epsilon / 2, scale, detail::group_stream(0x7e01, 0, l), rec);
    const double bar = s.threshold_sd * scaled_sd(run.estimator.oracle_for(cand.size(), len, o.epsilon / 2), size, n);
    auto keep = survivors(est, cand, bar, cap, o.k);
    std::vector<Item> next;
    for (std::size_t i : keep) next.push_back(cand[i]);
    std::sort(next.begin(), next.end());
    cand = std::move(next);
  }
  run.finish(pop, o, cand, 0x7e01);
  return std::move(run.result);
}

HeavyHitterResult sfp(const Population& pop, const HeavyHitterOptions& o, const SplitOptions& s) {
  validate_heavy_hitter_options(pop, o);
  validate_split(s, pop.bits, true);
  SplitRun run(pop, o, "sfp");
  const std::uint64_t n = run.pool.size(0);
  const int f = s.fragment_bits;
  const std::size_t positions = static_cast<std::size_t>((pop.bits + f - 1) / f);
  const std::size_t per_bucket = s.max_survivors > 0 ? s.max_survivors : 64;
  const auto per_position = static_cast<std::size_t>(std::max(
      1.0, std::floor(std::pow(static_cast<double>(per_bucket), 1.0 / static_cast<double>(positions)) + 1e-9)));
  const int value_bits = s.hash_bits + f;
  std::vector<Item> all(std::size_t{1} << value_bits);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  // fragments[bucket][position] = surviving fragments (with their bit width)
  std::map<Item, std::vector<std::vector<Item>>> fragments;
  std::vector<int> widths(positions);
  for (std::size_t j = 0; j < positions; ++j) {
    const int start = static_cast<int>(j) * f;
    const int width = std::min(f, pop.bits - start);
    widths[j] = width;
    const int bits = pop.bits;
    const int hb = s.hash_bits;
    auto value_of = [bits, start, width, hb, f](Item v) {
      const Item frag = (v >> (bits - start - width)) & ((Item{1} << width) - 1);
      return (bucket_of(v, hb) << f) | frag;
    };
    const std::uint64_t size = n / positions + (j < n % positions ? 1 : 0);
    const auto users = run.take(size, static_cast<std::int32_t>(j));
    GroupRecord rec;
    rec.phase = "sfp-fragment";
    rec.level = j;
    const double scale = size > 0 ? static_cast<double>(n) / static_cast<double>(size) : 0.0;
    const auto est = run.estimator.estimate_values(users, value_of, value_bits, all, o.epsilon / 2, scale,
                                                   detail::group_stream(0x5f01, 0, j), rec);
    const double bar =
        s.threshold_sd * scaled_sd(run.estimator.oracle_for(all.size(), value_bits, o.epsilon / 2), size, n);
    // Per bucket: fragments passing the bar, top per_position by estimate.
    std::map<Item, std::vector<std::pair<double, Item>>> passing;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (est[i] >= bar && (Item{i} & ((Item{1} << f) - 1)) < (Item{1} << width))
        passing[Item{i} >> f].push_back({est[i], Item{i} & ((Item{1} << f) - 1)});
    for (auto& [bucket, list] : passing) {
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      if (list.size() > per_position) list.resize(per_position);
      auto& slots = fragments[bucket];
      slots.resize(positions);
      for (const auto& [e, frag] : list) slots[j].push_back(frag);
    }
  }
  // Candidates: per bucket, every combination of its surviving fragments, whose hash lands in the bucket.
  std::vector<Item> candidates;
  for (const auto& [bucket, slots] : fragments) {
    if (slots.size() != positions) continue;
    bool complete = true;
    for (const auto& sl : slots) complete &= !sl.empty();
    if (!complete) continue;
    std::vector<Item> partial = {0};
    for (std::size_t j = 0; j < positions; ++j) {
      std::vector<Item> grown;
      for (Item p : partial)
        for (Item frag : slots[j]) grown.push_back((p << widths[j]) | frag);
      partial = std::move(grown);
    }
    for (Item v : partial)
      if (bucket_of(v, s.hash_bits) == bucket) candidates.push_back(v);
  }
  run.finish(pop, o, candidates, 0x5f01);
  return std::move(run.result);
}

}  // namespace paperkit::ldp
