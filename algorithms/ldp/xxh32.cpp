// XXH32 from the public xxHash specification (doc/xxhash_spec.md, Yann Collet): little-endian
// reads, five 32-bit primes, 16-byte stripes in four lanes, then a tail and an avalanche.
#include <cstring>

#include "internal.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

namespace {

std::uint32_t read32(const unsigned char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);  // x86 and every target we build for are little-endian, as the spec reads
  return v;
}

std::uint32_t stripe_round(std::uint32_t acc, std::uint32_t input) noexcept {
  return detail::rotl32(acc + input * detail::kPrime32_2, 13) * detail::kPrime32_1;
}

}  // namespace

std::uint32_t xxh32(const void* data, std::size_t length, std::uint32_t seed) noexcept {
  using namespace detail;
  const auto* p = static_cast<const unsigned char*>(data);
  const unsigned char* const end = p + length;
  std::uint32_t h;
  if (length >= 16) {
    std::uint32_t v1 = seed + kPrime32_1 + kPrime32_2, v2 = seed + kPrime32_2, v3 = seed, v4 = seed - kPrime32_1;
    const unsigned char* const limit = end - 16;
    do {
      v1 = stripe_round(v1, read32(p));
      v2 = stripe_round(v2, read32(p + 4));
      v3 = stripe_round(v3, read32(p + 8));
      v4 = stripe_round(v4, read32(p + 12));
      p += 16;
    } while (p <= limit);
    h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
  } else {
    h = seed + kPrime32_5;
  }
  h += static_cast<std::uint32_t>(length);
  while (p + 4 <= end) {
    h = rotl32(h + read32(p) * kPrime32_3, 17) * kPrime32_4;
    p += 4;
  }
  while (p < end) {
    h = rotl32(h + static_cast<std::uint32_t>(*p) * kPrime32_5, 11) * kPrime32_1;
    ++p;
  }
  return xxh32_avalanche(h);
}

std::uint32_t xxh32_decimal(std::uint64_t value, std::uint32_t seed) noexcept {
  char buf[24];
  const std::size_t len = detail::decimal_digits(value, buf);
  return xxh32(buf, len, seed);
}

namespace detail {

std::size_t decimal_digits(std::uint64_t value, char* out) noexcept {
  char tmp[24];
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

DecimalKey::DecimalKey(std::uint64_t value) noexcept {
  char buf[24];
  length = decimal_digits(value, buf);
  if (length >= 16) {
    long_input.assign(buf, buf + length);
    return;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(buf);
  std::size_t i = 0;
  for (; i + 4 <= length; i += 4) words[word_count++] = read32(p + i);
  for (; i < length; ++i) tail[tail_count++] = static_cast<std::uint32_t>(p[i]);
}

}  // namespace detail

}  // namespace paperkit::ldp
