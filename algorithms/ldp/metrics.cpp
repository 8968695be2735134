#include "paperkit/ldp/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "paperkit/common/errors.hpp"

namespace paperkit::ldp {

std::vector<RankedItem> true_top_k(const std::vector<Item>& items, const std::vector<std::uint64_t>& counts,
                                   std::size_t k) {
  if (items.size() != counts.size()) throw InvalidParameter("true_top_k: items and counts differ in size");
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t kk = std::min(k, items.size());
  auto heavier = [&](std::size_t a, std::size_t b) {
    return counts[a] != counts[b] ? counts[a] > counts[b] : items[a] < items[b];
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kk), order.end(), heavier);
  std::vector<RankedItem> top;
  top.reserve(kk);
  for (std::size_t r = 0; r < kk; ++r) top.push_back({items[order[r]], static_cast<double>(counts[order[r]])});
  return top;
}

TopKMetrics evaluate_top_k(const std::vector<RankedItem>& answer, const std::vector<Item>& items,
                           const std::vector<std::uint64_t>& counts, std::size_t k) {
  if (k == 0) throw InvalidParameter("k must be >= 1 (got 0)");
  TopKMetrics m;
  m.k = k;
  m.returned = answer.size();
  const auto truth = true_top_k(items, counts, k);
  std::unordered_map<Item, std::size_t> rank;  // 1-based rank in T
  for (std::size_t r = 0; r < truth.size(); ++r) rank.emplace(truth[r].item, r + 1);
  std::unordered_map<Item, std::uint64_t> true_count;
  true_count.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) true_count.emplace(items[i], counts[i]);

  const double kd = static_cast<double>(k);
  double rank_mass = 0, abs_err = 0, rel_err = 0;
  std::unordered_set<Item> counted;  // a repeated item counts once
  for (const auto& a : answer) {
    const auto tc = true_count.find(a.item);
    const double c = tc == true_count.end() ? 0.0 : static_cast<double>(tc->second);
    abs_err += std::abs(a.count - c);
    rel_err += std::abs(a.count - c) / std::max(c, 1.0);
    if (!counted.insert(a.item).second) continue;
    const auto r = rank.find(a.item);
    if (r == rank.end()) continue;
    ++m.hits;
    rank_mass += kd - static_cast<double>(r->second) + 1.0;
  }
  m.precision = answer.empty() ? 0.0 : static_cast<double>(m.hits) / static_cast<double>(answer.size());
  m.recall = static_cast<double>(m.hits) / kd;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  m.ncr = rank_mass / (kd * (kd + 1) / 2);
  if (!answer.empty()) {
    m.count_mae = abs_err / static_cast<double>(answer.size());
    m.count_mean_rel = rel_err / static_cast<double>(answer.size());
  }
  return m;
}

}  // namespace paperkit::ldp
