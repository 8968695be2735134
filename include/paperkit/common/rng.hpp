// Seeded random numbers whose streams are split by block, not by thread.
//
// A computation that needs randomness divides its work into fixed blocks (independent of the
// thread count) and draws block b's numbers from Rng::for_block(seed, stream, b). Whichever
// thread runs block b, it sees the same numbers, so results are identical for any --threads.
// Generator: xoshiro256** seeded through SplitMix64 (Blackman and Vigna).
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace paperkit {

// SplitMix64 step: a good 64-bit mixer, used for seeding and for hashing (seed, stream, block).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  using result_type = std::uint64_t;
  static constexpr std::uint64_t default_seed = 20231013;  // fixed default, never the clock

  explicit Rng(std::uint64_t seed = default_seed) noexcept;

  // The generator for block `block` of stream `stream` under `seed`.
  static Rng for_block(std::uint64_t seed, std::uint64_t stream, std::uint64_t block) noexcept;

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept { return next(); }

  std::uint64_t next() noexcept;
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's method).
  std::uint64_t uniform_below(std::uint64_t bound) noexcept;
  // Uniform double in [0, 1) with 53 random bits.
  double uniform01() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace paperkit
