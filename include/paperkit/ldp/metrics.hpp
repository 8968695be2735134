// Top-k quality of a heavy-hitter answer (spec ldp.md §6 "Heavy hitters" 1).
//
// Truth T = the k most frequent items (ties broken by the smaller item, so T is unique). For an
// answer S (at most k items, in the order returned):
//   precision = |S ∩ T| / |S| (0 when S is empty), recall = |S ∩ T| / k, F1 = 2PR / (P + R) (0 when P+R=0),
//   NCR = Σ_{v ∈ S∩T} (k − rank_T(v) + 1) / (k(k+1)/2), rank_T 1-based (the TAP paper's normalised
//   cumulative rank: 1 when S = T, heavier items weigh more).
// Count errors compare each returned item's estimate with its true count (0 for items no user holds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "paperkit/ldp/data.hpp"

namespace paperkit::ldp {

struct RankedItem {
  Item item = 0;
  double count = 0;  // true or estimated count
};

// The k most frequent items of (items, counts), heaviest first, ties by the smaller item.
// k is clamped to the number of items.
std::vector<RankedItem> true_top_k(const std::vector<Item>& items, const std::vector<std::uint64_t>& counts,
                                   std::size_t k);

struct TopKMetrics {
  std::size_t k = 0;
  std::size_t returned = 0;
  std::size_t hits = 0;  // |S ∩ T|
  double precision = 0, recall = 0, f1 = 0, ncr = 0;
  double count_mae = 0;       // mean |ĉ(v) − c(v)| over returned items (0 when none)
  double count_mean_rel = 0;  // mean |ĉ(v) − c(v)| / max(c(v), 1) over returned items
};

// `truth` is the full true count table (every item with users), used for the count errors; k >= 1.
TopKMetrics evaluate_top_k(const std::vector<RankedItem>& answer, const std::vector<Item>& items,
                           const std::vector<std::uint64_t>& counts, std::size_t k);

}  // namespace paperkit::ldp
