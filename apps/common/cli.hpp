// What every paperkit tool shares (DESIGN.md "Every command-line tool"): the common flags,
// the output sink, --version, and the mapping from paperkit errors to one-line messages and
// exit codes. A tool's main is `return paperkit::cli::run_tool(argc, argv, build)`.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <fstream>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/common/table.hpp"

namespace paperkit::cli {

// The shared flags. One name means one thing in every tool.
struct CommonOptions {
  std::uint64_t seed = Rng::default_seed;  // --seed: echoed in the output, never the clock
  int threads = 1;                         // --threads: results identical for any value
  std::string format = "csv";              // --format csv|json
  std::string out = "-";                   // --out PATH ("-" = stdout)
  bool quiet = false;                      // --quiet: no warnings or progress on stderr
  bool verbose = false;                    // --verbose: parameters and timers on stderr
};

// Adds --seed --threads --format --out --quiet --verbose to a subcommand.
void add_common_flags(CLI::App& app, CommonOptions& options);

// Validates the shared flags (threads >= 1, --format one of `formats`); throws InvalidParameter.
void validate_common(const CommonOptions& options, const std::vector<std::string>& formats = {"csv", "json"});

// "paperkit-<lib> 0.1.0 (git abc123) OpenMP 4.5 FFTW 3.3.10 CUDA 13.0|no": the --version line.
std::string version_line(const std::string& tool);

// stdout, or the file named by --out (created or truncated). Throws InputError when the file
// cannot be opened; `finish()` flushes and throws InputError when a write failed.
class Output {
 public:
  explicit Output(const std::string& path, bool binary = false);
  std::ostream& stream();
  void finish();

 private:
  std::string path_;
  std::unique_ptr<std::ofstream> file_;
};

// Warnings and logs (stderr), silenced by --quiet.
void warn(const CommonOptions& options, const std::string& message);
void log_verbose(const CommonOptions& options, const std::string& message);

// Parses argv with `app`, runs the selected callback, and turns every failure into one line
// on stderr ("error: ...") and its exit code: 0 ok, 1 internal, 2 usage, 3 input/output,
// 4 backend unavailable. Never lets an exception escape.
int run_tool(CLI::App& app, int argc, char** argv);

}  // namespace paperkit::cli
