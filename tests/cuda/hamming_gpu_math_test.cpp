// The GPU kernel's math on the CPU (suite UnitHammingGpuMath, runs in CI without a GPU): the
// PAPERKIT_HOST_DEVICE functions of detail/gpu_bitplanes.hpp, compiled here by the plain C++
// compiler, and emulate(), which runs the kernel's phases thread by thread, against brute force.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "hamming/reference.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/hamming/gpu.hpp"
#include "support/seeds.hpp"

#define PAPERKIT_HAMMING_INTERNAL
#include "paperkit/hamming/detail/gpu_bitplanes.hpp"

namespace paperkit::hamming {
namespace {

namespace g = detail::gpu;
using test::brute_force;
using test::from;
using test::random_symbols;

TEST(UnitHammingGpuMath, ExtractIsA64BitFunnelShift) {
  Rng rng(paperkit::test::base_seed());
  for (int trial = 0; trial < 200; ++trial) {
    const auto lo = static_cast<g::Word>(rng.next()), hi = static_cast<g::Word>(rng.next());
    for (unsigned r = 0; r < 32; ++r) {
      std::uint32_t expected = 0;  // bit b = bit r + b of hi:lo, written out bit by bit
      for (unsigned b = 0; b < 32; ++b) {
        const unsigned src = r + b;
        const unsigned bit = src < 32 ? (lo >> src) & 1u : (hi >> (src - 32)) & 1u;
        expected |= bit << b;
      }
      ASSERT_EQ(g::extract(lo, hi, r), expected) << "r=" << r;
    }
  }
}

TEST(UnitHammingGpuMath, WordMaskKeepsExactlyThePatternPositions) {
  for (std::uint64_t m = 1; m <= 200; ++m) {
    for (std::uint64_t w = 0; w < 10; ++w) {
      const g::Word mask = g::word_mask(m, w);
      const std::uint64_t valid = m > 32 * w ? std::min<std::uint64_t>(32, m - 32 * w) : 0;
      EXPECT_EQ(std::popcount(mask), static_cast<int>(valid)) << "m=" << m << " w=" << w;
      EXPECT_EQ(mask, valid == 32 ? ~g::Word{0} : (g::Word{1} << valid) - 1) << "m=" << m << " w=" << w;
    }
  }
}

TEST(UnitHammingGpuMath, PopcountCountsBits) {
  EXPECT_EQ(g::popcount(0u), 0u);
  EXPECT_EQ(g::popcount(~0u), 32u);
  EXPECT_EQ(g::popcount(0x80000001u), 2u);
}

// Reads code(position k) back out of the planes.
g::Word code_at(const std::vector<g::Word>& planes, std::uint64_t words, int count, std::size_t k) {
  g::Word c = 0;
  for (int b = 0; b < count; ++b) c |= ((planes[b * words + k / 32] >> (k % 32)) & 1u) << b;
  return c;
}

TEST(UnitHammingGpuMath, EncodingPreservesEqualityAndUsesFewPlanes) {
  struct Case {
    const char* text;
    const char* pattern;
    int planes;
  };
  for (const Case& c : {Case{"ACGTTGCA", "ACGT", 2}, Case{"ACGTN", "ACGT", 3}, Case{"ACGTN", "ACG", 2},
                        Case{"aaaa", "a", 1}, Case{"abab", "a", 1}, Case{"abcdefgh", "abcdefgh", 3}}) {
    SCOPED_TRACE(c.text);
    const auto text = from(c.text), pattern = from(c.pattern);
    const auto e = g::encode(text, pattern);
    EXPECT_EQ(e.planes, c.planes);
    for (std::size_t i = 0; i < text.size(); ++i) {
      for (std::size_t j = 0; j < pattern.size(); ++j) {
        const bool same_code =
            code_at(e.text, e.text_words, e.planes, i) == code_at(e.pattern, e.pattern_words, e.planes, j);
        EXPECT_EQ(same_code, text[i] == pattern[j]) << i << "," << j;
      }
    }
  }
}

TEST(UnitHammingGpuMath, EncodingOfSymbolsNearTheTopOfU32) {
  const std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  const std::vector<Symbol> pattern{top, top - 1, 0, top};
  const std::vector<Symbol> text{0, top, 5, top - 1, top - 2, top};
  const auto e = g::encode(text, pattern);
  EXPECT_EQ(e.planes, 2);  // 3 pattern codes + "other"
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (std::size_t j = 0; j < pattern.size(); ++j) {
      EXPECT_EQ(code_at(e.text, e.text_words, 2, i) == code_at(e.pattern, e.pattern_words, 2, j),
                text[i] == pattern[j]);
    }
  }
}

// One unrolled step of the kernel against the definition, on a random shared-memory image.
TEST(UnitHammingGpuMath, GroupMismatchBitsMatchTheDefinition) {
  Rng rng(paperkit::test::base_seed() + 1);
  for (int planes : {1, 2, 3, 4, 7}) {
    std::vector<g::Word> smem(g::shared_bytes(planes) / sizeof(g::Word));
    for (auto& w : smem) w = static_cast<g::Word>(rng.next());
    const g::Word* pattern = smem.data() + planes * g::kTextStage;
    for (unsigned r : {0u, 1u, 17u, 31u}) {
      g::Word d[g::kShiftsPerThread][g::kGroupWords];
      const int text_offset = 8, pattern_offset = 4;
      const auto run = [&](auto planes_tag) {
        g::group_mismatch_bits<decltype(planes_tag)::value>(smem.data() + text_offset, pattern + pattern_offset, planes,
                                                            r, d);
      };
      g::dispatch_planes(planes, run);
      for (int k = 0; k < g::kShiftsPerThread; ++k) {
        for (int u = 0; u < g::kGroupWords; ++u) {
          for (unsigned bit = 0; bit < 32; ++bit) {
            // Bit `bit` is set iff the codes of text position (k + u) * 32 + r + bit and pattern
            // position u * 32 + bit differ in some plane.
            bool differ = false;
            for (int b = 0; b < planes; ++b) {
              const unsigned pos = r + bit;
              const g::Word* t = smem.data() + b * g::kTextStage + text_offset + k + u;
              const unsigned tb = pos < 32 ? (t[0] >> pos) & 1u : (t[1] >> (pos - 32)) & 1u;
              const unsigned pb = (pattern[b * g::kChunkWords + pattern_offset + u] >> bit) & 1u;
              differ = differ || tb != pb;
            }
            ASSERT_EQ(((d[k][u] >> bit) & 1u) != 0, differ)
                << "planes=" << planes << " r=" << r << " k=" << k << " u=" << u << " bit=" << bit;
          }
        }
      }
    }
  }
}

TEST(UnitHammingGpuMath, EmulationOnSpecSmallCases) {
  EXPECT_EQ(g::emulate_distances(from("abcabc"), from("abc")), (std::vector<Distance>{0, 3, 3, 0}));
  EXPECT_EQ(g::emulate_distances(from("aaaabaaaa"), from("aaaa")), (std::vector<Distance>{0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(g::emulate_distances(from("abcd"), from("abce")), (std::vector<Distance>{1}));
  EXPECT_EQ(g::emulate_distances(from("abca"), from("a")), (std::vector<Distance>{0, 1, 1, 0}));
  EXPECT_TRUE(g::emulate_distances(from("ab"), from("abc")).empty());
}

TEST(UnitHammingGpuMath, EmulationEqualsBruteForceOnRandomInputs) {
  const std::uint64_t seed = paperkit::test::base_seed() + 2;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::uint64_t sigma : {1ull, 2ull, 4ull, 26ull, 256ull, 1ull << 20}) {
    for (std::size_t m : {1, 31, 32, 33, 63, 64, 65, 1000, 5000}) {
      // n - m + 1 = 1100 + a random remainder: one or two tiles, never a multiple of 1024.
      const std::size_t n = m + 1099 + rng.uniform_below(900);
      const std::uint64_t offset = sigma <= 256 ? 0 : (1ull << 32) - sigma;  // symbols up to 2^32 - 1
      const auto text = random_symbols(rng, n, sigma, offset);
      const auto pattern = random_symbols(rng, m, sigma, offset);
      ASSERT_EQ(g::emulate_distances(text, pattern), brute_force(text, pattern))
          << "sigma=" << sigma << " m=" << m << " n=" << n;
    }
  }
}

TEST(UnitHammingGpuMath, EmulationAcrossPatternChunks) {
  // Patterns longer than one staged chunk (8192 symbols): chunk boundaries, a partial last
  // word, and text drawn from the pattern so that many shifts nearly match.
  const std::uint64_t seed = paperkit::test::base_seed() + 3;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::size_t m : {8191, 8192, 8193, 16384 + 33}) {
    auto text = random_symbols(rng, m + 40, 4);
    const std::vector<Symbol> pattern(text.begin() + 20, text.begin() + 20 + static_cast<std::ptrdiff_t>(m));
    for (int mutations = 0; mutations < 50; ++mutations) text[rng.uniform_below(text.size())] = 3;
    ASSERT_EQ(g::emulate_distances(text, pattern), brute_force(text, pattern)) << "m=" << m;
  }
}

TEST(UnitHammingGpuMath, EmulationCountsPastTheU16Limit) {
  const std::vector<Symbol> text(70010, 7), pattern(70000, 9);
  EXPECT_EQ(g::emulate_distances(text, pattern), std::vector<Distance>(11, 70000));
}

// Without a device the public API refuses cleanly (exit code 4 in the tool).
TEST(UnitHammingGpuApi, NoDeviceMeansBackendUnavailable) {
  if (gpu_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(distances_gpu(from("abcabc"), from("abc")), BackendUnavailable);
  EXPECT_THROW(bench_gpu(from("abcabc"), from("abc"), 1), BackendUnavailable);
  EXPECT_THROW(gpu_device_name(), BackendUnavailable);
  EXPECT_THROW(gpu_popc_throughput(), BackendUnavailable);
  try {
    distances_gpu(from("abcabc"), from("abc"));
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::backend);
    EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
  }
}

TEST(UnitHammingGpuApi, EmptyPatternIsAnErrorEvenWithoutADevice) {
  EXPECT_THROW(distances_gpu(from("abc"), {}), InvalidParameter);
  EXPECT_THROW(bench_gpu(from("abc"), from("a"), 0), InvalidParameter);
}

}  // namespace
}  // namespace paperkit::hamming
