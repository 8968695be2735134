// Internals shared by the ldp sources (not installed): xxh32 pieces for hashing one fixed
// decimal key under many seeds, exact Bernoulli words, binomial draws and the Walsh-Hadamard
// transform.
#pragma once

#if defined(__AVX512BW__)
#include <immintrin.h>
#endif

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

// 64 independent, exactly Bernoulli(q) bits per call. Eight xoshiro256** lanes (seeded from the caller's Rng) make 64
// uniform bytes per step; byte j is the first 8 binary digits U8 of lane j's uniform U, compared with q's first 8
// digits Q8: U8 < Q8 means U < q (bit 1), U8 > Q8 means U > q (bit 0), and U8 == Q8 (probability 1/256) continues digit
// by digit with bits from the scalar generator `more`. (The previous scheme compared all 64 lanes bit-serially, about 7
// random words and a mispredicted exit per 64 bits; this one is one 512-bit generator step, two byte compares and a
// rare tie loop: 2-2.5x less CPU time.) Byte j is byte j % 8 of lane j / 8's word (little-endian), with or without
// AVX-512, so the bits are the same on every machine.
class BernoulliBytes {
 public:
  BernoulliBytes(const std::vector<std::uint8_t>& digits, Rng& parent) noexcept : digits_(digits) {
    for (int i = 0; i < 8; ++i) {
      s0_[i] = parent.next();
      s1_[i] = parent.next();
      s2_[i] = parent.next();
      s3_[i] = parent.next();
      if ((s0_[i] | s1_[i] | s2_[i] | s3_[i]) == 0) s0_[i] = 1;
    }
    for (std::size_t i = 0; i < 8; ++i)
      q8_ = static_cast<std::uint8_t>((q8_ << 1) | (i < digits.size() ? digits[i] : 0));
  }
  // q's binary digits after the point, up to its last 1 (exact for a double).
  static std::vector<std::uint8_t> digits_of(double q);

  template <typename Gen>
  std::uint64_t next(Gen& more) noexcept {
    step();
    std::uint64_t less = 0, equal = 0;
#if defined(__AVX512BW__)
    const auto block = reinterpret_cast<__m512i>(out_);
    const __m512i c = _mm512_set1_epi8(static_cast<char>(q8_));
    less = _mm512_cmplt_epu8_mask(block, c);
    equal = _mm512_cmpeq_epu8_mask(block, c);
#else
    for (int j = 0; j < 64; ++j) {
      const auto b = static_cast<std::uint8_t>(out_[j / 8] >> (8 * (j % 8)));
      less |= static_cast<std::uint64_t>(b < q8_) << j;
      equal |= static_cast<std::uint64_t>(b == q8_) << j;
    }
#endif
    while (equal != 0) {  // rare: resolve each tied lane with further digits
      const int j = __builtin_ctzll(equal);
      equal &= equal - 1;
      std::uint64_t bits = 0;
      int left = 0;
      for (std::size_t i = 8; i < digits_.size(); ++i) {
        if (left == 0) {
          bits = more.next();
          left = 64;
        }
        const auto digit = static_cast<std::uint8_t>(bits & 1U);
        bits >>= 1;
        --left;
        if (digit != digits_[i]) {
          if (digits_[i]) less |= std::uint64_t{1} << j;  // U's digit 0 < q's digit 1
          break;
        }
      }  // all of q's digits matched: U >= q, bit 0
    }
    return less;
  }

 private:
  // One xoshiro256** step of all 8 lanes (GCC vector extensions: one AVX-512 register per state
  // word with -march=native, plain scalar code elsewhere; the same numbers either way).
  void step() noexcept {
    Lanes a = s1_, b0 = s0_, b2 = s2_, b3 = s3_;
    Lanes x = (a << 2) + a;  // s1 * 5
    x = (x << 7) | (x >> 57);
    out_ = (x << 3) + x;  // * 9
    const Lanes t = a << 17;
    b2 ^= b0;
    b3 ^= a;
    a ^= b2;
    b0 ^= b3;
    b2 ^= t;
    b3 = (b3 << 45) | (b3 >> 19);
    s0_ = b0;
    s1_ = a;
    s2_ = b2;
    s3_ = b3;
  }
  typedef std::uint64_t Lanes __attribute__((vector_size(64)));
  Lanes s0_, s1_, s2_, s3_, out_;
  const std::vector<std::uint8_t>& digits_;
  std::uint8_t q8_ = 0;
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
