#include "cli.hpp"

#include <omp.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <new>

#ifndef PAPERKIT_VERSION
#define PAPERKIT_VERSION "unknown"
#endif
#include "paperkit_git_sha.h"  // generated at build time: PAPERKIT_GIT_SHA

namespace paperkit::cli {

void add_common_flags(CLI::App& app, CommonOptions& options) {
  app.add_option("--seed", options.seed, "Random seed; the same seed gives the same output")->capture_default_str();
  app.add_option("--threads", options.threads, "OpenMP threads (>= 1); output is identical for any value")
      ->capture_default_str();
  app.add_option("--format", options.format, "Table output format: csv or json")->capture_default_str();
  app.add_option("--out", options.out, "Output file ('-' = stdout)")->capture_default_str();
  app.add_flag("--quiet", options.quiet, "No warnings or progress bar on stderr");
  app.add_flag("--verbose", options.verbose, "Print parameters and timers on stderr");
}

void validate_common(const CommonOptions& options, const std::vector<std::string>& formats) {
  if (options.threads < 1) {
    throw InvalidParameter("--threads must be >= 1 (got " + std::to_string(options.threads) + ")");
  }
  std::string names;
  for (const auto& f : formats) {
    if (f == options.format) return;
    names += (names.empty() ? "" : ", ") + f;
  }
  throw InvalidParameter("--format must be one of " + names + " (got " + options.format + ")");
}

std::string version_line(const std::string& tool) {
  std::string line = tool + " " PAPERKIT_VERSION " (git " PAPERKIT_GIT_SHA ")";
  line += " OpenMP " + std::to_string(_OPENMP);
#ifdef PAPERKIT_FFTW_VERSION
  line += " FFTW " PAPERKIT_FFTW_VERSION;
#endif
#ifdef PAPERKIT_WITH_CUDA
  line += " CUDA " PAPERKIT_CUDA_VERSION;
#else
  line += " CUDA no";
#endif
  return line;
}

Output::Output(const std::string& path, bool binary) : path_(path) {
  if (path == "-") return;
  auto mode = std::ios::out | std::ios::trunc;
  if (binary) mode |= std::ios::binary;
  file_ = std::make_unique<std::ofstream>(path, mode);
  if (!*file_) throw InputError("cannot write --out " + path + ": " + std::strerror(errno));
}

std::ostream& Output::stream() {
  return file_ ? *file_ : std::cout;
}

void Output::finish() {
  stream().flush();
  if (!stream()) throw InputError("writing " + (path_ == "-" ? std::string("stdout") : path_) + " failed");
}

void warn(const CommonOptions& options, const std::string& message) {
  if (!options.quiet) std::cerr << "warning: " << message << '\n';
}

void log_verbose(const CommonOptions& options, const std::string& message) {
  if (options.verbose && !options.quiet) std::cerr << message << '\n';
}

namespace {

// CLI11 checks required options and subcommands before it reports unknown arguments, so
// `tool --bogus` and `tool sub --bogus` used to hide the real mistake behind "... is required". When
// arguments are left over, name the first of them instead (also for CLI11's own "not expected"
// error, so the wording is one); every other parse error keeps CLI11's message.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  const std::vector<std::string> left = app.remaining(true);
  const bool hides =
      dynamic_cast<const CLI::RequiredError*>(&e) != nullptr || dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
  if (!hides || left.empty()) return e.what();
  const std::string& first = left.front();
  if (!first.empty() && first[0] == '-') return "unknown option " + first;
  if (!app.get_subcommands().empty()) return "unexpected argument '" + first + "'";
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return "unknown subcommand '" + first + "'" + (names.empty() ? "" : " (expected one of " + names + ")");
}

}  // namespace

int run_tool(CLI::App& app, int argc, char** argv) {
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);
      std::cerr << "error: " << parse_error_message(app, e) << " (see --help)\n";
      return static_cast<int>(ExitCode::usage);
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return static_cast<int>(e.exit_code());
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory\n";
    return static_cast<int>(ExitCode::internal);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << '\n';
    return static_cast<int>(ExitCode::internal);
  }
}

}  // namespace paperkit::cli
