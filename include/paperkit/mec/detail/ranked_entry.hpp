// A positive residual with its index, ordered as greedy coupling needs (coupling.hpp): larger
// value first, and among equal values the lower index first (numpy argmax's rule).
//
// Positive doubles order exactly as their bit patterns read as unsigned integers, so the order is
// the lexicographic order of the 96-bit key (bits, ~index); no floating-point comparison, and a
// radix sort or radix heap can work on the key digits directly.
#pragma once

#include <bit>
#include <cstdint>

namespace paperkit::mec::detail {

struct RankedEntry {
  std::uint64_t bits;   // std::bit_cast<std::uint64_t>(value), value > 0 finite
  std::uint32_t index;  // position in the marginal

  static RankedEntry of(double value, std::uint32_t index) { return {std::bit_cast<std::uint64_t>(value), index}; }
  double value() const { return std::bit_cast<double>(bits); }
};

// True when `a` comes before `b`: a larger value, or an equal value and a lower index.
inline bool ranks_before(const RankedEntry& a, const RankedEntry& b) {
  return (a.bits > b.bits) | ((a.bits == b.bits) & (a.index < b.index));
}

// The highest bit in which the keys (bits, ~index) of `a` and `b` differ, counted from the least
// significant bit of ~index (0..31) through the value bits (32..95); -1 when the keys are equal.
inline int highest_differing_bit(const RankedEntry& a, const RankedEntry& b) {
  if (const std::uint64_t x = a.bits ^ b.bits) return 32 + 63 - std::countl_zero(x);
  if (const std::uint32_t y = a.index ^ b.index) return 31 - std::countl_zero(y);
  return -1;
}

}  // namespace paperkit::mec::detail
