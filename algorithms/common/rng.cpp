#include "paperkit/common/rng.hpp"

namespace paperkit {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

Rng::Rng(std::uint64_t seed) noexcept {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

Rng Rng::for_block(std::uint64_t seed, std::uint64_t stream, std::uint64_t block) noexcept {
  // Mix the three coordinates through SplitMix64 so neighbouring blocks get unrelated seeds.
  std::uint64_t state = seed;
  std::uint64_t h = splitmix64(state);
  state = h ^ (stream * 0xd1342543de82ef95ULL);
  h = splitmix64(state);
  state = h ^ (block * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  return Rng(splitmix64(state));
}

std::uint64_t Rng::next() noexcept {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
std::uint64_t Rng::uniform_below(std::uint64_t bound) noexcept {
  // Lemire, "Fast random integer generation in an interval" (2019): multiply-shift with a
  // rejection step that removes the bias.
  using u128 = unsigned __int128;  // GCC and Clang extension, on every 64-bit target we build for
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

#pragma GCC diagnostic pop

}  // namespace paperkit
