// RAM-model reference (not a streaming algorithm): UCB over all K arms kept in memory, with
// batches that double an arm's pull count, so a horizon of 1e17 takes O(K log T) batches.
// Index: empirical mean + sqrt(2 ln(1/delta) / n) (delta = 1/T^2 by default). It explores
// until T is spent, then commits (with no trial left) to the most pulled arm.
#include <cmath>
#include <queue>
#include <utility>
#include <vector>

#include "factories.hpp"

namespace paperkit::bandits::detail {
namespace {

class BatchedUcb final : public Algorithm {
 public:
  explicit BatchedUcb(double delta) : log_inv_delta_(-std::log(delta)) {}

  std::size_t memory_bound(std::size_t K) const override { return K; }

  void run(StreamEnv& env, Rng& /*rng*/) const override {
    std::vector<double> mean;
    std::vector<std::uint64_t> count;
    while (auto arm = env.next()) {  // offline: every arm is read and kept
      const double m = env.pull(*arm, 1);
      mean.push_back(std::isnan(m) ? 0 : m);
      count.push_back(1);
    }
    auto index = [&](ArmId a) { return mean[a] + std::sqrt(2 * log_inv_delta_ / static_cast<double>(count[a])); };
    std::priority_queue<std::pair<double, ArmId>> heap;
    for (ArmId a = 0; a < mean.size(); ++a) heap.emplace(index(a), a);
    while (!env.exhausted()) {
      const ArmId a = heap.top().second;
      heap.pop();
      const std::uint64_t before = env.used();
      const double m = env.pull(a, count[a]);
      const std::uint64_t n = env.used() - before;
      mean[a] =
          (mean[a] * static_cast<double>(count[a]) + m * static_cast<double>(n)) / static_cast<double>(count[a] + n);
      count[a] += n;
      heap.emplace(index(a), a);
    }
    ArmId chosen = 0;
    for (ArmId a = 1; a < count.size(); ++a) {
      if (count[a] > count[chosen]) chosen = a;
    }
    for (ArmId a = 0; a < count.size(); ++a) {
      if (a != chosen) env.release(a);
    }
    env.commit(chosen);
  }

 private:
  double log_inv_delta_;
};

}  // namespace

std::unique_ptr<Algorithm> make_ucb(double delta) {
  return std::make_unique<BatchedUcb>(delta);
}

}  // namespace paperkit::bandits::detail
