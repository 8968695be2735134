// The heavy-hitter data-source flags shared by `hh` and `gen`: a Zipf generator, a word list with
// Zipf counts, the AOL query file, or a population CSV, optionally split over parties (Dirichlet).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "paperkit/ldp/data.hpp"

namespace paperkit::ldp_tool {

struct SourceArgs {
  std::string source = "zipf";  // zipf | words | aol | file
  std::string path;             // --items / --aol / --words file
  int bits = 16;
  std::uint64_t users = 50'000;
  double zipf_s = 1.3;
  std::uint64_t support = 0;
  std::size_t width_bytes = 6;
  std::size_t parties = 1;
  double alpha = 1.0;
  std::int64_t data_seed = -1;  // -1: the run's seed
};

// Adds --source, --items/--aol/--words, --bits, --users, --zipf-s, --support, --width-bytes,
// --parties, --alpha, --data-seed.
void add_source_flags(CLI::App& app, SourceArgs& args);
// Validates the flags (InvalidParameter naming the flag) before any work.
void validate_source(const SourceArgs& args);
// Builds the population for one run seed.
paperkit::ldp::Population load_population(const SourceArgs& args, std::uint64_t seed);
// True when the population does not depend on the seed (files, or a fixed --data-seed).
bool source_is_fixed(const SourceArgs& args);
// The source flags as JSON (echoed in the output).
nlohmann::json source_json(const SourceArgs& args);

}  // namespace paperkit::ldp_tool
