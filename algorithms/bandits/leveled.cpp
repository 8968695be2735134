// A3: the leveled "selective promotion" variants (log, loglog, log*), one loop for all three;
// they differ only in their LevelSchedule. Each level holds a king, its stored mean, a pull
// counter and at most one queued arm promoted from below, so at most 2L arms are retained.
// Correct by default where the authors' code is not (spec defects): pulls are charged at the
// pulled arm (Q1, done by StreamEnv), the final pick takes the best level (Q5), a cleared
// level forgets its mean and every pull counts against T (Q6). compat (--compat authors)
// restores Q1 (in regret_authors), Q5 and Q6's stale means.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "factories.hpp"

namespace paperkit::bandits::detail {
namespace {

constexpr double kNone = -std::numeric_limits<double>::infinity();

struct Level {
  std::optional<ArmId> king, queued;
  double king_mean = kNone;
  // c_l: comparison samples since the level was last cleared, in the schedule's real-valued
  // s_l (as the spec adds them), so c_l <= cap_l admits exactly the authors' number of arms
  // even when s_l = 1/eps^2 is a hair above an integer and its pull count rounds up.
  double pulls = 0;
};

class Leveled final : public Algorithm {
 public:
  Leveled(LevelSchedule s, bool compat) : schedule_(std::move(s)), compat_(compat) {
    for (double x : schedule_.samples) n_.push_back(to_count(x));
  }

  std::size_t memory_bound(std::size_t /*K*/) const override { return 2 * schedule_.levels(); }

  void run(StreamEnv& env, Rng& /*rng*/) const override {
    const std::size_t L = schedule_.levels();
    std::vector<Level> level(L);
    std::size_t max_level = 0;
    for (;;) {
      for (std::size_t l = 0; l < L; ++l) {
        if (l > max_level) max_level = l;
        Level& lv = level[l];
        // The top level never promotes (there is nowhere to go): it keeps comparing.
        const bool full = lv.pulls > schedule_.caps[l] && l + 1 < L;
        if (full) {
          promote(env, level, l);
          continue;  // the promoted arm is handled at level l + 1 in this same sweep
        }
        if (!lv.king) {  // only level 0 is ever empty here: higher levels receive a king first
          const auto arm = env.next();
          if (!arm) return finish(env, level, max_level);
          lv.king = arm;
          const double m = env.pull(*arm, n_[l]);
          lv.king_mean = compat_ ? std::max(lv.king_mean, m) : m;  // Q6: the authors keep a stale mean
          lv.pulls += schedule_.samples[l];
        } else {
          std::optional<ArmId> challenger;
          if (l == 0) {
            challenger = env.next();
            if (!challenger) return finish(env, level, max_level);
          } else if (lv.queued) {
            challenger = std::exchange(lv.queued, std::nullopt);
          } else {
            // A king just promoted into an empty level: measure it at this level's accuracy.
            lv.king_mean = env.pull(*lv.king, n_[l]);
            if (env.exhausted()) return commit_top(env, level);
            break;
          }
          // Q1: the authors charge a challenger at the king's gap (regret_authors only).
          const double m = env.pull_charged_as(*challenger, n_[l], compat_ ? *lv.king : *challenger);
          lv.pulls += schedule_.samples[l];
          if (m > lv.king_mean) {
            env.release(*lv.king);
            lv.king = challenger;
            lv.king_mean = m;
          } else {
            env.release(*challenger);
          }
        }
        if (env.exhausted()) return commit_top(env, level);
        break;
      }
    }
  }

 private:
  void promote(StreamEnv& env, std::vector<Level>& level, std::size_t l) const {
    Level& lv = level[l];
    ArmId winner = *lv.king;
    if (lv.queued) {
      const double a = env.pull(*lv.king, n_[l]);
      const double b = env.pull(*lv.queued, n_[l]);
      const ArmId loser = a > b ? *lv.queued : *lv.king;  // strict >: a tie promotes the queued arm
      winner = a > b ? *lv.king : *lv.queued;
      env.release(loser);
    }
    const double stale = lv.king_mean;
    lv = Level{};  // cleared, its stored mean forgotten (the authors keep it: Q6)
    if (compat_) lv.king_mean = stale;
    Level& up = level[l + 1];
    if (!up.king) {
      up.king = winner;
      up.king_mean = kNone;
    } else {
      up.queued = winner;
    }
  }

  // Budget spent mid-stream: commit to the king of the highest non-empty level.
  void commit_top(StreamEnv& env, std::vector<Level>& level) const {
    std::size_t top = 0;
    for (std::size_t l = 0; l < level.size(); ++l) {
      if (level[l].king) top = l;
    }
    commit_only(env, level, *level[top].king);
  }

  // End of stream: if T - used >= max_level * s_0, pull every level's king s_0 times and
  // commit to the best (strict >, lowest level on ties); otherwise the top level's king.
  void finish(StreamEnv& env, std::vector<Level>& level, std::size_t max_level) const {
    if (static_cast<double>(env.remaining()) < static_cast<double>(max_level) * schedule_.samples[0]) {
      return commit_top(env, level);
    }
    std::optional<ArmId> best;
    double best_mean = compat_ ? 0.0 : kNone;
    for (auto& lv : level) {
      if (!lv.king) continue;
      const double m = env.pull(*lv.king, n_[0]);
      if (!best || m > best_mean) {
        best = lv.king;
        // Q5: the authors never update the maximum, so the last level with a positive mean wins.
        if (!compat_) best_mean = m;
      }
    }
    if (compat_ && !best) return commit_top(env, level);
    commit_only(env, level, *best);
  }

  static void commit_only(StreamEnv& env, std::vector<Level>& level, ArmId chosen) {
    for (auto& lv : level) {
      for (auto* slot : {&lv.king, &lv.queued}) {
        if (*slot && **slot != chosen) env.release(**slot);
      }
      lv = Level{};
    }
    env.commit(chosen);
  }

  LevelSchedule schedule_;
  bool compat_;
  std::vector<std::uint64_t> n_;
};

}  // namespace

std::unique_ptr<Algorithm> make_leveled(LevelSchedule schedule, bool compat_authors) {
  return std::make_unique<Leveled>(std::move(schedule), compat_authors);
}

}  // namespace paperkit::bandits::detail
