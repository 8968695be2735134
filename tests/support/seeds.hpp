// Test seeds: a fixed default, overridden by the PAPERKIT_TEST_SEED environment variable.
// Tests that use a seed record it with SCOPED_TRACE so a failure prints it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace paperkit::test {

inline std::uint64_t base_seed() {
  if (const char* env = std::getenv("PAPERKIT_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return 12345;
}

inline std::string seed_note(std::uint64_t seed) {
  return "seed " + std::to_string(seed) + " (rerun with PAPERKIT_TEST_SEED=" + std::to_string(base_seed()) + ")";
}

}  // namespace paperkit::test
