// One error hierarchy for every paperkit library. Each error knows the tool exit code it maps
// to (DESIGN.md): 1 internal, 2 usage, 3 invalid or unreadable input / unwritable output,
// 4 backend unavailable.
#pragma once

#include <stdexcept>
#include <string>

namespace paperkit {

enum class ExitCode : int { ok = 0, internal = 1, usage = 2, input = 3, backend = 4 };

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, ExitCode code = ExitCode::internal) : std::runtime_error(what), code_(code) {}
  ExitCode exit_code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// A parameter outside its documented range (a flag or a constructor argument).
class InvalidParameter : public Error {
 public:
  explicit InvalidParameter(const std::string& what) : Error(what, ExitCode::usage) {}
};

// Input data that is malformed, or a file that cannot be read or written.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(what, ExitCode::input) {}
};

// A requested backend (CUDA, a library) that this build or machine does not have.
class BackendUnavailable : public Error {
 public:
  explicit BackendUnavailable(const std::string& what) : Error(what, ExitCode::backend) {}
};

// A broken internal invariant, e.g. an exactness guard that tripped: a bug, never bad input.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what) : Error(what, ExitCode::internal) {}
};

}  // namespace paperkit
