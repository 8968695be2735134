// A1 (uniform exploration) and A2 (naive epsilon-best): the same single-king loop, differing
// only in the pulls per arm. Correct by default: the first arm's mean is the king's mean
// (the authors keep 0 there, defect Q3, reproduced by --compat authors) and the last batch is
// cut at T (no overshoot).
#include <limits>

#include "factories.hpp"

namespace paperkit::bandits::detail {
namespace {

class SingleArm final : public Algorithm {
 public:
  SingleArm(double samples, bool compat) : n_(to_count(samples)), compat_(compat) {}

  void run(StreamEnv& env, Rng& /*rng*/) const override {
    std::optional<ArmId> king;
    double king_mean = -std::numeric_limits<double>::infinity();
    while (!env.exhausted()) {
      const auto arm = env.next();
      if (!arm) break;
      const double m = env.pull(*arm, n_);
      if (!king || m > king_mean) {  // strict: ties keep the earlier arm
        if (king) env.release(*king);
        king_mean = !king && compat_ ? 0.0 : m;  // Q3: the authors keep 0 for the first arm
        king = arm;
      } else {
        env.release(*arm);
      }
    }
    env.commit(*king);  // T >= K >= 1, so the first arm was always pulled
  }

  std::size_t memory_bound(std::size_t /*K*/) const override { return 2; }

 private:
  std::uint64_t n_;
  bool compat_;
};

}  // namespace

std::unique_ptr<Algorithm> make_single_arm(double samples, bool compat_authors) {
  return std::make_unique<SingleArm>(samples, compat_authors);
}

}  // namespace paperkit::bandits::detail
