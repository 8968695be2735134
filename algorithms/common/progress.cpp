#include "paperkit/common/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace paperkit {

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), active_(enabled && total > 0 && isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(std::uint64_t done) {
  if (!active_) return;
  if (!drawn_ && clock_.seconds() < 1.0) return;  // quick runs never draw
  const int percent = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
  if (percent == last_percent_) return;
  last_percent_ = percent;
  drawn_ = true;
  const int width = 30;
  const int filled = percent * width / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled, "##############################", width - filled,
               "", percent);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (active_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  active_ = false;
}

}  // namespace paperkit
