// Internals shared by the heavy-hitter methods: the user pool that hands out disjoint groups, and
// the per-group candidate estimator. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "paperkit/ldp/heavy_hitters.hpp"

namespace paperkit::ldp::detail {

// The length-`len` prefix of an m-bit item (len in [0, m]).
inline Item prefix_of(Item item, int bits, int len) noexcept {
  return len <= 0 ? 0 : item >> (bits - len);
}

// Every candidate of length len + step extending one of `prefixes` (prefixes sorted ascending), sorted.
std::vector<Item> extend_prefixes(const std::vector<Item>& prefixes, int step);

// Users of every party, shuffled once per party from the run seed; take() hands out consecutive
// slices, so each user lands in exactly one group. `pooled` merges all parties into party 0.
class UserPool {
 public:
  UserPool(const Population& population, std::uint64_t seed, bool pooled, bool record_users);
  std::size_t parties() const noexcept { return items_.size(); }
  std::uint64_t size(std::size_t party) const { return items_.at(party).size(); }
  std::uint64_t remaining(std::size_t party) const { return items_.at(party).size() - next_.at(party); }
  // The next `count` users of `party` (their indices into Population::items); `group` is recorded.
  std::span<const std::uint32_t> take(std::size_t party, std::uint64_t count, std::int32_t group);
  std::uint64_t assigned() const;
  std::vector<std::int32_t> user_groups() const { return user_group_; }

 private:
  std::vector<std::vector<std::uint32_t>> items_;  // per party: item index of each (shuffled) user
  std::vector<std::vector<std::uint32_t>> ids_;    // per party: global user id (record_users only)
  std::vector<std::uint64_t> next_;
  std::vector<std::int32_t> user_group_;
};

// Runs one group's reports through the frequency oracle and records the group.
class GroupEstimator {
 public:
  GroupEstimator(const Population& population, const HeavyHitterOptions& options, HeavyHitterResult& result);
  // Estimated number of the group's users whose length-`len` prefix is candidates[j] (candidates sorted,
  // distinct, < 2^len), each report spending `epsilon`; scaled by `scale`. `stream` must be unique per group.
  std::vector<double> estimate(std::span<const std::uint32_t> users, int len, const std::vector<Item>& candidates,
                               double epsilon, double scale, std::uint64_t stream, const GroupRecord& record);
  // The same for any per-user value: value_of(item) in [0, 2^value_bits) is what a user reports.
  std::vector<double> estimate_values(std::span<const std::uint32_t> users, const std::function<Item(Item)>& value_of,
                                      int value_bits, const std::vector<Item>& candidates, double epsilon, double scale,
                                      std::uint64_t stream, const GroupRecord& record);
  // The oracle a group of this candidate count would use (for the adaptive rule's variance).
  // FLH: the domain is every length-len prefix (users report their own prefix, not an index).
  FrequencyOracle oracle_for(std::uint64_t candidate_count, int len, double epsilon) const;

 private:
  std::vector<double> estimate_flh(const FrequencyOracle& fo, std::span<const std::uint32_t> users,
                                   const std::function<Item(Item)>& value_of, const std::vector<Item>& candidates,
                                   std::uint64_t stream) const;

  const Population& population_;
  const HeavyHitterOptions& options_;
  HeavyHitterResult& result_;
};

// A stream id for (method, party, level) that never collides between groups of one run.
std::uint64_t group_stream(std::uint64_t method_tag, std::size_t party, std::size_t level);

// Sorted prefixes of the `keep` largest estimates (ties by the smaller prefix).
std::vector<std::size_t> top_indices(const std::vector<double>& estimates, const std::vector<Item>& candidates,
                                     std::size_t keep);

// Fills users_assigned / epsilon_per_user / user_group and checks the partition (InternalError if
// a user is unassigned).
void finish_accounting(const UserPool& pool, const HeavyHitterOptions& options, HeavyHitterResult& result);

}  // namespace paperkit::ldp::detail
