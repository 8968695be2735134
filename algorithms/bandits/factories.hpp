// Private to paperkit::bandits: one factory per algorithm source file.
#pragma once

#include <memory>

#include "paperkit/bandits/algorithms.hpp"

namespace paperkit::bandits::detail {

// A1/A2: one king, `samples` pulls per arriving arm, strict > to replace the king.
std::unique_ptr<Algorithm> make_single_arm(double samples, bool compat_authors);
// A3: the leveled selective-promotion schedule.
std::unique_ptr<Algorithm> make_leveled(LevelSchedule schedule, bool compat_authors);
// A4: Game of Arms.
std::unique_ptr<Algorithm> make_goa(std::size_t K, double epsilon, const GoaConstants& constants);
// RAM-model reference: batched UCB over all K arms.
std::unique_ptr<Algorithm> make_ucb(double delta);

}  // namespace paperkit::bandits::detail
