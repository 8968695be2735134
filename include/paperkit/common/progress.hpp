// A progress bar on stderr, drawn only when stderr is a terminal and the run has already
// taken about a second, so quick runs and pipes stay clean.
#pragma once

#include <cstdint>
#include <string>

#include "paperkit/common/timer.hpp"

namespace paperkit {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total, bool enabled = true);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Report that `done` of `total` units are finished. Cheap when nothing is drawn.
  void update(std::uint64_t done);
  void finish();

 private:
  std::string label_;
  std::uint64_t total_;
  bool active_;
  bool drawn_ = false;
  int last_percent_ = -1;
  Stopwatch clock_;
};

}  // namespace paperkit
