// paperkit::hamming_cuda on a real device (suites CudaHamming*, label cuda): the GPU output
// must equal the CPU `naive` oracle exactly. Every test skips where no CUDA device is usable.
// CudaHammingSmall holds the cheap cases that tools/gpu-check.sh also runs under
// compute-sanitizer memcheck.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "hamming/reference.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/hamming/gpu.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "paperkit/hamming/io.hpp"
#include "support/seeds.hpp"

namespace paperkit::hamming {
namespace {

using test::from;
using test::random_symbols;

std::vector<Distance> cpu(std::span<const Symbol> text, std::span<const Symbol> pattern,
                          const std::string& algorithm = "naive") {
  Options o;
  o.algorithm = algorithm;
  o.threads = 2;
  return distances(text, pattern, o);
}

TEST(CudaHammingSmall, SpecCases) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  EXPECT_EQ(distances_gpu(from("abcabc"), from("abc")), (std::vector<Distance>{0, 3, 3, 0}));
  EXPECT_EQ(distances_gpu(from("aaaabaaaa"), from("aaaa")), (std::vector<Distance>{0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(distances_gpu(from("abcd"), from("abce")), (std::vector<Distance>{1}));        // m = n
  EXPECT_EQ(distances_gpu(from("abca"), from("a")), (std::vector<Distance>{0, 1, 1, 0}));  // m = 1
  EXPECT_EQ(distances_gpu(from("x"), from("x")), (std::vector<Distance>{0}));
  EXPECT_TRUE(distances_gpu(from("ab"), from("abc")).empty());  // n < m
  EXPECT_TRUE(distances_gpu({}, from("a")).empty());
}

TEST(CudaHammingSmall, EmptyPatternIsAnError) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  EXPECT_THROW(distances_gpu(from("abc"), {}), InvalidParameter);
}

TEST(CudaHammingSmall, RandomSmallInputs) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  const std::uint64_t seed = paperkit::test::base_seed() + 10;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::uint64_t sigma : {1ull, 2ull, 4ull, 26ull, 256ull, 1ull << 20}) {
    for (std::size_t m : {1, 31, 32, 33, 63, 64, 65}) {
      const std::size_t n = m + rng.uniform_below(2500);
      const std::uint64_t offset = sigma <= 256 ? 0 : (1ull << 32) - sigma;
      const auto text = random_symbols(rng, n, sigma, offset);
      const auto pattern = random_symbols(rng, m, sigma, offset);
      ASSERT_EQ(distances_gpu(text, pattern), cpu(text, pattern)) << "sigma=" << sigma << " m=" << m << " n=" << n;
    }
  }
}

// 8192 symbols per staged chunk: the boundaries and a 70000-symbol all-mismatch pattern,
// whose counts exceed 16 bits.
TEST(CudaHammingSmall, PatternLongerThanOneChunk) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  Rng rng(paperkit::test::base_seed() + 11);
  for (std::size_t m : {8191, 8192, 8193, 16384 + 33}) {
    const auto text = random_symbols(rng, m + 1500, 4);
    const std::vector<Symbol> pattern(text.begin() + 7, text.begin() + 7 + static_cast<std::ptrdiff_t>(m));
    ASSERT_EQ(distances_gpu(text, pattern), cpu(text, pattern)) << "m=" << m;
  }
  EXPECT_EQ(distances_gpu(std::vector<Symbol>(70010, 7), std::vector<Symbol>(70000, 9)),
            std::vector<Distance>(11, 70000));
}

TEST(CudaHammingRandom, EqualsNaiveOverAlphabetsAndLengths) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  const std::uint64_t seed = paperkit::test::base_seed() + 12;
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  Rng rng(seed);
  for (std::uint64_t sigma : {1ull, 2ull, 4ull, 26ull, 256ull, 1ull << 20}) {
    for (std::size_t m : {1, 31, 32, 33, 63, 64, 65, 1000, 5000}) {
      // n - m + 1 spans several tiles of 1024 shifts plus a remainder.
      const std::size_t n = m + 5 * 1024 + 1 + rng.uniform_below(1000);
      const std::uint64_t offset = sigma <= 256 ? 0 : (1ull << 32) - sigma;  // symbols up to 2^32 - 1
      const auto text = random_symbols(rng, n, sigma, offset);
      const auto pattern = random_symbols(rng, m, sigma, offset);
      ASSERT_EQ(distances_gpu(text, pattern), cpu(text, pattern)) << "sigma=" << sigma << " m=" << m << " n=" << n;
    }
  }
}

// A long text (about 1000 tiles) and a pattern cut from it, so distances span 0..m.
TEST(CudaHammingRandom, ManyTilesAndMostlyMatchingShifts) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  Rng rng(paperkit::test::base_seed() + 13);
  const auto text = random_symbols(rng, 1'000'003, 4);
  for (std::size_t m : {33, 1000}) {
    const std::vector<Symbol> pattern(text.begin() + 123456, text.begin() + 123456 + static_cast<std::ptrdiff_t>(m));
    const auto gpu = distances_gpu(text, pattern);
    ASSERT_EQ(gpu, cpu(text, pattern, "naive-simd")) << "m=" << m;
    EXPECT_EQ(gpu[123456], 0u);
  }
}

// 2^22 + 5 distinct pattern symbols: 23 bit planes, the run-time plane count and more than
// 48 KiB of shared memory per CTA.
TEST(CudaHammingRandom, LargeAlphabetNeedsManyPlanes) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  Rng rng(paperkit::test::base_seed() + 14);
  const std::size_t m = (std::size_t{1} << 22) + 5;
  std::vector<Symbol> pattern(m);
  std::iota(pattern.begin(), pattern.end(), Symbol{0xffffffffu - static_cast<Symbol>(m) + 1});
  std::shuffle(pattern.begin(), pattern.end(), rng);
  std::vector<Symbol> text(pattern.begin(), pattern.end());
  text.insert(text.begin(), 150, 0xffffffffu);
  for (int i = 0; i < 150; ++i) text.push_back(static_cast<Symbol>(rng.uniform_below(1ull << 32)));
  const auto timing = bench_gpu(text, pattern, 1);
  EXPECT_EQ(timing.planes, 23);
  EXPECT_EQ(timing.distances, test::brute_force(text, pattern));
  EXPECT_EQ(timing.distances[150], 0u);
}

TEST(CudaHammingData, EcoliSliceEqualsCpu) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  const auto genome = read_sequence(std::string(PAPERKIT_SOURCE_DIR) + "/data/ecoli.fna.gz", InputFormat::fasta);
  ASSERT_GT(genome.size(), 400'000u);
  const std::span<const Symbol> text(genome.data() + 1'000'000, 300'000);
  for (std::size_t m : {1024, 16384}) {
    const auto pattern = text.subspan(5000, m);
    const auto gpu = distances_gpu(text, pattern);
    ASSERT_EQ(gpu, cpu(text, pattern, "naive-simd")) << "m=" << m;
    EXPECT_EQ(gpu[5000], 0u);
  }
}

// The O(n + m) total-matches identity checks a whole-genome run without an O(nm) oracle.
TEST(CudaHammingData, WholeEcoliMatchCountChecksum) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  const auto genome = read_sequence(std::string(PAPERKIT_SOURCE_DIR) + "/data/ecoli.fna.gz", InputFormat::fasta);
  const std::span<const Symbol> pattern(genome.data() + 2'000'000, 65536);
  const auto gpu = distances_gpu(genome, pattern);
  ASSERT_EQ(gpu.size(), genome.size() - pattern.size() + 1);
  EXPECT_EQ(sum_matches(gpu, pattern.size()), total_matches_by_counting(genome, pattern));
  EXPECT_EQ(gpu[2'000'000], 0u);
  EXPECT_LE(*std::max_element(gpu.begin(), gpu.end()), 65536u);
}

TEST(CudaHammingApi, DeviceNameAndTiming) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  EXPECT_FALSE(gpu_device_name().empty());
  Rng rng(paperkit::test::base_seed() + 15);
  const auto text = random_symbols(rng, 100'000, 4);
  const auto pattern = random_symbols(rng, 1000, 4);
  const auto timing = bench_gpu(text, pattern, 3);
  EXPECT_EQ(timing.distances, distances_gpu(text, pattern));
  EXPECT_EQ(timing.planes, 2);
  EXPECT_EQ(timing.cells, (100'000u - 1000u + 1u) * 1000u);
  EXPECT_GT(timing.kernel_ms, 0.0);
  EXPECT_THROW(bench_gpu(text, pattern, 0), InvalidParameter);
  EXPECT_THROW(bench_gpu(pattern, text, 1), InvalidParameter);  // n < m
}

TEST(CudaHammingApi, PopcThroughputIsPositive) {
  if (!paperkit::hamming::gpu_available()) GTEST_SKIP() << "no CUDA device";
  const auto popc = gpu_popc_throughput();
  EXPECT_GT(popc.popc_per_s, 0.0);
  EXPECT_GT(popc.sms, 0);
}

}  // namespace
}  // namespace paperkit::hamming
