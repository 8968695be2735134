// A self-contained GPU check of paperkit::hamming_cuda that needs nothing but nvcc:
//   nvcc -std=c++20 -O3 -arch=sm_90 -Iinclude cuda/hamming/hamming_cuda.cu
//        tests/cuda/hamming_cuda_smoke.cpp -o hamming_cuda_smoke
// It is the fallback of tools/gpu-check.sh when the full build cannot be configured on a lent
// machine (missing packages, no network), and a ctest (CudaHammingSmoke, label cuda) otherwise.
//
// Usage: hamming_cuda_smoke [--quick] [--text FILE]
//   random inputs against an inline brute force; without --quick also the kernel time and
//   cells/s for m in {1024, 16384, 65536} on FILE (one symbol per byte, e.g. the E. coli
//   sequence without header and newlines) and the POPC throughput.
// Exit codes: 0 all equal, 1 a mismatch or an error, 77 no CUDA device (ctest: skipped).
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/gpu.hpp"

namespace hd = paperkit::hamming;

namespace {

std::vector<hd::Distance> brute_force(const std::vector<hd::Symbol>& t, const std::vector<hd::Symbol>& p) {
  std::vector<hd::Distance> out;
  for (std::size_t i = 0; i + p.size() <= t.size(); ++i) {
    hd::Distance d = 0;
    for (std::size_t j = 0; j < p.size(); ++j) d += t[i + j] != p[j];
    out.push_back(d);
  }
  return out;
}

int random_cases(std::mt19937_64& rng) {
  int failures = 0, cases = 0;
  for (std::uint64_t sigma : {1ull, 2ull, 4ull, 26ull, 256ull, 1ull << 20}) {
    for (std::size_t m : {1, 31, 32, 33, 63, 64, 65, 1000, 5000, 8193}) {
      const std::size_t n = m + 3000 + rng() % 2000;
      const std::uint64_t offset = sigma <= 256 ? 0 : (1ull << 32) - sigma;
      std::vector<hd::Symbol> text(n), pattern(m);
      for (auto& s : text) s = static_cast<hd::Symbol>(offset + rng() % sigma);
      for (auto& s : pattern) s = static_cast<hd::Symbol>(offset + rng() % sigma);
      ++cases;
      if (hd::distances_gpu(text, pattern) != brute_force(text, pattern)) {
        std::printf("MISMATCH sigma=%llu m=%zu n=%zu\n", static_cast<unsigned long long>(sigma), m, n);
        ++failures;
      }
    }
  }
  std::printf("random cases: %d of %d equal brute force\n", cases - failures, cases);
  return failures;
}

// Kernel time on a text file for the spec's E. coli shapes; 1000 sampled shifts are checked
// against brute force.
int file_timings(const std::string& path, std::mt19937_64& rng) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("cannot open %s\n", path.c_str());
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<hd::Symbol> text(bytes.begin(), bytes.end());
  int failures = 0;
  for (std::size_t m : {1024, 16384, 65536}) {
    if (m > text.size()) continue;
    const std::size_t offset = rng() % (text.size() - m + 1);
    const std::vector<hd::Symbol> pattern(text.begin() + offset, text.begin() + offset + m);
    const auto timing = hd::bench_gpu(text, pattern, 10);
    int bad = timing.distances[offset] != 0;
    for (int s = 0; s < 1000; ++s) {
      const std::size_t i = rng() % timing.distances.size();
      hd::Distance d = 0;
      for (std::size_t j = 0; j < m; ++j) d += text[i + j] != pattern[j];
      bad += d != timing.distances[i];
    }
    failures += bad > 0;
    std::printf("summary: smoke-bitplane-%d file n=%zu m=%zu kernel_ms=%.4f cells_per_s=%.3e sampled=%s\n",
                timing.planes, text.size(), m, timing.kernel_ms,
                static_cast<double>(timing.cells) / (timing.kernel_ms * 1e-3), bad ? "MISMATCH" : "ok");
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string text_file;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[a], "--text") == 0 && a + 1 < argc) {
      text_file = argv[++a];
    } else {
      std::fprintf(stderr, "usage: hamming_cuda_smoke [--quick] [--text FILE]\n");
      return 2;
    }
  }
  if (!hd::gpu_available()) {
    std::printf("no CUDA device: skipped\n");
    return 77;
  }
  try {
    std::printf("device: %s\n", hd::gpu_device_name().c_str());
    std::mt19937_64 rng(12345);
    int failures = random_cases(rng);
    if (!quick && !text_file.empty()) failures += file_timings(text_file, rng);
    if (!quick) {
      const auto popc = hd::gpu_popc_throughput();
      std::printf("summary: popc per_s=%.3e per_clk_per_sm=%.2f sms=%d peak_clock_ghz=%.2f\n", popc.popc_per_s,
                  popc.popc_per_clk_per_sm, popc.sms, popc.clock_ghz);
    }
    std::printf("%s\n", failures == 0 ? "smoke: PASS" : "smoke: FAIL");
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
