#include "paperkit/bandits/environment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "paperkit/bandits/sampling.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::bandits {

StreamEnv::StreamEnv(std::span<const double> means, std::uint64_t horizon, Rng rng, PullModel model)
    : means_(means.begin(), means.end()), horizon_(horizon), rng_(rng), model_(model) {
  if (means_.empty()) throw InvalidParameter("K (number of arms) must be >= 1 (got 0)");
  for (std::size_t i = 0; i < means_.size(); ++i) {
    if (!std::isfinite(means_[i]) || means_[i] < 0 || means_[i] > 1) {
      throw InvalidParameter("arm " + std::to_string(i) + ": mean must be in [0, 1] (got " + std::to_string(means_[i]) +
                             ")");
    }
  }
  if (horizon_ < means_.size()) {
    throw InvalidParameter("T (horizon) must be >= K = " + std::to_string(means_.size()) + " (got " +
                           std::to_string(horizon_) + ")");
  }
  best_ = *std::max_element(means_.begin(), means_.end());
  ledger_.assign(means_.size(), 0);
  retained_.assign(means_.size(), false);
}

std::optional<ArmId> StreamEnv::next() {
  if (arrived_ == means_.size()) return std::nullopt;
  const ArmId arm = arrived_++;
  retained_[arm] = true;
  peak_memory_ = std::max(peak_memory_, ++memory_);
  return arm;
}

void StreamEnv::check_retained(ArmId arm, const char* what) const {
  if (!retained(arm)) {
    throw InternalError(std::string("memory auditor: ") + what + " of arm " + std::to_string(arm) +
                        ", which is not retained (discarded or not yet arrived)");
  }
}

std::uint64_t StreamEnv::charge(ArmId arm, std::uint64_t n, int phase, ArmId charged_at) {
  n = std::min(n, remaining());
  used_ += n;
  ledger_[arm] += n;
  // Charged at the pulled arm's own gap (the authors charge the level king's: defect Q1).
  regret_[phase] += static_cast<double>(n) * (best_ - means_[arm]);
  regret_authors_ += static_cast<double>(n) * (best_ - means_[charged_at]);
  return n;
}

double StreamEnv::pull(ArmId arm, std::uint64_t n) {
  return pull_charged_as(arm, n, arm);
}

double StreamEnv::pull_charged_as(ArmId arm, std::uint64_t n, ArmId charged_at) {
  check_retained(arm, "pull");
  if (charged_at >= means_.size()) throw InternalError("charged_at is not an arm");
  if (committed_) throw InternalError("pull after commit");
  n = charge(arm, n, 0, charged_at);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double p = means_[arm];
  const double dn = static_cast<double>(n);
  if (model_ == PullModel::authors_gauss && n > 100000) {
    return p + 2.0 / std::sqrt(dn) * standard_normal(rng_);
  }
  return static_cast<double>(binomial(rng_, n, p)) / dn;
}

void StreamEnv::commit(ArmId arm) {
  check_retained(arm, "commit");
  if (committed_) throw InternalError("commit called twice");
  commit_pulls_ = charge(arm, remaining(), 1, arm);
  committed_ = arm;
}

void StreamEnv::release(ArmId arm) {
  check_retained(arm, "release");
  retained_[arm] = false;
  --memory_;
}

double StreamEnv::oracle_top_gap() const {
  if (means_.size() < 2) return 0;
  double first = -1, second = -1;
  for (double m : means_) {
    if (m > first) {
      second = first;
      first = m;
    } else if (m > second) {
      second = m;
    }
  }
  return first - second;
}

double StreamEnv::ledger_regret() const {
  long double sum = 0;
  for (std::size_t i = 0; i < means_.size(); ++i) {
    sum += static_cast<long double>(ledger_[i]) * static_cast<long double>(best_ - means_[i]);
  }
  return static_cast<double>(sum);
}

}  // namespace paperkit::bandits
