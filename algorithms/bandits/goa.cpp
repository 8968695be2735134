// A4: Game of Arms (`Game_of_Arms_regret_min` in the authors' code), a single-memory
// king/challenger epsilon-best routine with a side "fractional stream". Retains at most three
// arms: the full-stream king, the fractional king and the arriving arm.
#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "factories.hpp"

namespace paperkit::bandits::detail {
namespace {

class GameOfArms final : public Algorithm {
 public:
  GameOfArms(std::size_t K, double epsilon, const GoaConstants& c) : c_(c), epsilon_(epsilon) {
    const double lnK = std::log(static_cast<double>(K));
    inv_ = 1 / (epsilon * epsilon);
    full_cap_ = c.full_cap * static_cast<double>(K) * inv_;
    rounds_ = std::max(1.0, std::floor(c.rounds * std::log(lnK)));  // ln ln K < 0 for K <= 2
    if (!std::isfinite(rounds_)) rounds_ = 1;
    frac_n_ = to_count(lnK * inv_);
    frac_p_ = K < 2 ? 1.0 : std::min(1.0, c.frac_probability / lnK);
  }

  std::size_t memory_bound(std::size_t /*K*/) const override { return 3; }

  void run(StreamEnv& env, Rng& rng) const override {
    const auto first = env.next();
    std::optional<ArmId> king = first;       // full-stream king
    std::optional<ArmId> frac_king = first;  // fractional-stream king (may be the same arm)
    double budget = c_.king_init * inv_;
    double estimate = c_.estimate_init * epsilon_;
    double full_samples = 0;
    double frac_best = env.pull(*first, frac_n_);
    const double step = c_.oracle_gap ? env.oracle_top_gap() / 2 : c_.king_step * epsilon_;
    auto drop = [&](std::optional<ArmId>& slot) {  // release unless the other king holds it
      if (slot && slot != king && slot != frac_king) env.release(*slot);
      slot.reset();
    };
    while (!env.exhausted()) {
      std::optional<ArmId> arm = env.next();
      if (full_samples <= full_cap_) {
        budget += c_.king_increment * inv_;
        if (!arm) break;
        if (challenge(env, *arm, budget, estimate, full_samples, step)) {
          std::optional<ArmId> old = std::exchange(king, arm);
          drop(old);
        }
      } else {
        std::optional<ArmId> old = std::exchange(king, std::nullopt);
        drop(old);  // the full stream gave up: its king is never used again
        if (!arm) break;
      }
      if (rng.uniform01() < frac_p_) {
        const double m = env.pull(*arm, frac_n_);
        if (m > frac_best) {
          std::optional<ArmId> old = std::exchange(frac_king, arm);
          frac_best = m;
          drop(old);
        }
      }
      drop(arm);
    }
    const ArmId chosen = full_samples <= full_cap_ ? *king : *frac_king;
    for (auto* slot : {&king, &frac_king}) {
      if (*slot && **slot != chosen && env.retained(**slot)) env.release(**slot);
    }
    env.commit(chosen);
  }

 private:
  // The full-stream challenge of `arm`, round l with 2^l / eps^2 samples; true when `arm`
  // becomes the king (the king's budget ran out). RECONSTRUCTED: a challenger that survives
  // every round also becomes the king (the authors' code raises an error there).
  bool challenge(StreamEnv& env, ArmId arm, double& budget, double& estimate, double& full_samples, double step) const {
    for (double l = 0; l < rounds_; ++l) {
      const double batch = std::exp2(l) * inv_;
      if (budget < batch) break;
      const double m = env.pull(arm, to_count(batch));
      full_samples += batch;
      budget -= batch;
      if (m <= estimate - c_.discard * epsilon_) return false;  // discarded
    }
    budget = c_.king_init * inv_;
    const double m = env.pull(arm, to_count(c_.king_init * inv_));
    full_samples += c_.king_init * inv_;
    if (!std::isnan(m)) estimate = std::min(std::max(m, estimate + step), 1.0);
    return true;
  }

  GoaConstants c_;
  double epsilon_, inv_ = 0, full_cap_ = 0, rounds_ = 1, frac_p_ = 1;
  std::uint64_t frac_n_ = 1;
};

}  // namespace

std::unique_ptr<Algorithm> make_goa(std::size_t K, double epsilon, const GoaConstants& constants) {
  return std::make_unique<GameOfArms>(K, epsilon, constants);
}

}  // namespace paperkit::bandits::detail
