// Internals shared by the ldp sources (not installed): xxh32 pieces for hashing one fixed
// decimal key under many seeds, exact Bernoulli words, binomial draws and the Walsh-Hadamard
// transform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::ldp::detail {

inline constexpr std::uint32_t kPrime32_1 = 0x9E3779B1U;
inline constexpr std::uint32_t kPrime32_2 = 0x85EBCA77U;
inline constexpr std::uint32_t kPrime32_3 = 0xC2B2AE3DU;
inline constexpr std::uint32_t kPrime32_4 = 0x27D4EB2FU;
inline constexpr std::uint32_t kPrime32_5 = 0x165667B1U;

constexpr std::uint32_t rotl32(std::uint32_t x, int r) noexcept {
  return (x << r) | (x >> (32 - r));
}

constexpr std::uint32_t xxh32_avalanche(std::uint32_t h) noexcept {
  h ^= h >> 15;
  h *= kPrime32_2;
  h ^= h >> 13;
  h *= kPrime32_3;
  h ^= h >> 16;
  return h;
}

// Writes the decimal digits of value (no sign, no leading zeros) and returns their count.
std::size_t decimal_digits(std::uint64_t value, char* out) noexcept;

// The decimal string of one item, pre-split for xxh32 so that hashing it under many seeds is a
// short branch-free loop (strings under 16 bytes: the seed only enters the initial accumulator).
struct DecimalKey {
  explicit DecimalKey(std::uint64_t value) noexcept;
  std::size_t length = 0;
  std::uint32_t words[4] = {0, 0, 0, 0};
  std::uint32_t tail[4] = {0, 0, 0, 0};
  int word_count = 0, tail_count = 0;
  std::string long_input;  // values with >= 16 digits take the general path

  std::uint32_t hash(std::uint32_t seed) const noexcept {
    std::uint32_t h = seed + kPrime32_5 + static_cast<std::uint32_t>(length);
    for (int i = 0; i < word_count; ++i) h = rotl32(h + words[i] * kPrime32_3, 17) * kPrime32_4;
    for (int i = 0; i < tail_count; ++i) h = rotl32(h + tail[i] * kPrime32_5, 11) * kPrime32_1;
    return xxh32_avalanche(h);
  }
  bool is_short() const noexcept { return length < 16; }
};

// xoshiro256** with its state in registers (the shared Rng::next is out of line): seeded with 256
// bits drawn from a paperkit Rng, so all randomness still comes from the passed-in generator.
class FastRng {
 public:
  explicit FastRng(Rng& parent) noexcept {
    for (auto& w : s_) w = parent.next();
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the one invalid state
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl64(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl64(s_[3], 45);
    return result;
  }
  double uniform01() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound), bound > 0, unbiased (Lemire's multiply-shift with rejection).
  std::uint64_t uniform_below(std::uint64_t bound) noexcept {
    __extension__ using u128 = unsigned __int128;
    u128 product = static_cast<u128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<u128>(next()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }

 private:
  static constexpr std::uint64_t rotl64(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Draws 64 independent Bernoulli(q) bits per call, exactly for the double q: lane j's bit is
// [U_j < q] for a uniform U_j whose binary digits are drawn lazily, most significant first, and
// compared with q's binary expansion; a lane stops at its first differing digit. Expected random
// words per call: about log2(64) + 2.
class BernoulliWords {
 public:
  explicit BernoulliWords(double q);
  template <typename Gen>
  std::uint64_t next(Gen& rng) const noexcept {
    std::uint64_t undecided = ~std::uint64_t{0}, result = 0;
    for (const std::uint8_t digit : digits_) {
      const std::uint64_t r = rng.next();
      if (digit) {
        result |= undecided & ~r;  // U's digit 0 < q's digit 1: U < q
        undecided &= r;
      } else {
        undecided &= ~r;  // U's digit 1 > q's digit 0: U > q
      }
      if (undecided == 0) break;
    }
    return result;  // lanes still undecided have U >= q (U's prefix equals all of q's digits)
  }

 private:
  std::vector<std::uint8_t> digits_;  // binary digits of q after the point, up to the last 1
};

// Binomial(n, p) from the standard library's exact sampler, fed by our generator.
inline std::uint64_t binomial(std::uint64_t n, double p, Rng& rng) {
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  std::binomial_distribution<std::uint64_t> dist(n, p);
  return dist(rng);
}

// Multinomial(n, uniform over `cells` cells) by conditional binomials; calls emit(cell, count)
// for every cell with count > 0, cells in increasing order.
template <typename Emit>
void uniform_multinomial(std::uint64_t n, std::uint64_t cells, Rng& rng, Emit&& emit) {
  std::uint64_t left = n;
  for (std::uint64_t c = 0; c < cells && left > 0; ++c) {
    const std::uint64_t k = (c + 1 == cells) ? left : binomial(left, 1.0 / static_cast<double>(cells - c), rng);
    if (k > 0) emit(c, k);
    left -= k;
  }
}

// In-place unnormalised fast Walsh-Hadamard transform (Sylvester order: H[i][j] = (-1)^popcount(i&j)).
void fwht(std::vector<std::int64_t>& a);

inline int parity(std::uint64_t x) noexcept {
  return __builtin_parityll(x);
}

}  // namespace paperkit::ldp::detail
