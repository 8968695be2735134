// The checkpoint of `paperkit-robust sweep --checkpoint FILE`: every run is appended to FILE (one
// JSON line, flushed) as soon as it finishes, so a sweep stopped part way (a killed job, a session's
// end) can be started again with the same grid and FILE and runs only what is missing. The outputs
// of a resumed sweep are byte-identical to those of an uninterrupted one (the numbers are stored
// with round-trip precision), except the seconds column, which is each run's own time either way.
//
// FILE's first line names the tool build (the --version line, git sha included) and the number of
// runs; every other line is one finished run: its index, its settings, its seconds and its curve. A
// FILE from another build or another grid is refused rather than mixed in: results from two builds
// need not agree to the bit. A last line cut short by a kill (no newline) is dropped and rerun.
#pragma once

#include <cstddef>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paperkit/robust/train.hpp"

namespace paperkit::robust_app {

struct FinishedRun {
  std::size_t index = 0;
  std::vector<robust::CurveRow> curve;
  double seconds = 0;
};

class SweepCheckpoint {
 public:
  // Opens or creates `path` and reads the runs it already holds, checking each against
  // `settings[index]`. Throws InputError when the file cannot be opened or written, was written by
  // another build (`tool`) or for another grid, or holds a line that is not a finished run.
  SweepCheckpoint(const std::string& path, const std::string& tool, const std::vector<nlohmann::json>& settings);

  const std::vector<FinishedRun>& finished() const { return finished_; }

  // Appends one finished run and flushes it to the file. Safe to call from several threads.
  void append(std::size_t index, const nlohmann::json& settings, const std::vector<robust::CurveRow>& curve,
              double seconds);

 private:
  std::string path_;
  std::vector<FinishedRun> finished_;
  std::ofstream file_;
  std::mutex mutex_;
};

}  // namespace paperkit::robust_app
