// GPU benchmark of paperkit::attention_cuda (spec module B, sections 7-8): the measured
// device-to-device copy bandwidth (the ceiling), then split-K decode (tiled kernel, and the
// generic kernel for comparison) over contiguous and paged fp32 KV caches as CUDA-graph replays
// on input sets that together exceed 3x L2. Each row: shape, kernel, splits, median/IQR time of
// one replay (split kernel + merge), the same median measured again, bytes moved once, GB/s,
// % of copy bandwidth, and the error of sequence 0 vs the fp64 oracle.
//
// Usage: attention_gpu_bench [--quick] [--csv FILE]
// Prints a table, then `summary:` lines that tools/gpu-check.sh collects.
// Exit codes: 0 ok (every check within 1e-5), 1 a check failed, 2 usage, 4 no CUDA device.
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "paperkit/attention/gpu.hpp"
#include "paperkit/common/errors.hpp"

namespace attn = paperkit::attention;

namespace {

struct Case {
  attn::Shape shape;
  bool paged;
  attn::GpuKernel kernel;
};

const char* kernel_name(attn::GpuKernel k) {
  return k == attn::GpuKernel::generic ? "generic" : "tiled";
}

int run(int argc, char** argv) {
  bool quick = false;
  std::string csv;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--quick") {
      quick = true;
    } else if (flag == "--csv" && i + 1 < argc) {
      csv = argv[++i];
    } else {
      throw paperkit::InvalidParameter("unknown flag " + flag + " (usage: attention_gpu_bench [--quick] [--csv FILE])");
    }
  }
  std::printf("device: %s\n", attn::gpu_device_name().c_str());
  const double copy_gbs = attn::gpu_copy_bandwidth_gbs(std::size_t{2} << 30);
  std::printf("device-to-device copy: %.1f GB/s (2 GiB buffers, read + write counted)\n", copy_gbs);
  std::printf("summary: copy bandwidth %.1f GB/s\n", copy_gbs);

  std::vector<Case> cases;
  const std::vector<std::int64_t> lens =
      quick ? std::vector<std::int64_t>{8192} : std::vector<std::int64_t>{1024, 2048, 8192, 32768};
  for (std::int64_t len : lens) {
    cases.push_back({attn::Shape{16, 32, 8, 1, len, 128}, false, attn::GpuKernel::automatic});
    cases.push_back({attn::Shape{16, 32, 8, 1, len, 128}, true, attn::GpuKernel::automatic});
  }
  cases.push_back({attn::Shape{1, 32, 8, 1, quick ? 32768 : 131072, 128}, false, attn::GpuKernel::automatic});
  cases.push_back({attn::Shape{16, 32, 32, 1, 8192, 128}, false, attn::GpuKernel::automatic});  // MHA
  cases.push_back({attn::Shape{16, 32, 8, 1, 8192, 64}, false, attn::GpuKernel::automatic});
  cases.push_back({attn::Shape{16, 32, 8, 1, 8192, 128}, false, attn::GpuKernel::generic});

  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    if (!out) throw paperkit::InputError("cannot write --csv " + csv);
    out << "layout,batch,q_heads,kv_heads,kv_len,head_dim,kernel,splits,sets,median_ms,q1_ms,q3_ms,repeat_median_ms,"
           "bytes,gbs,pct_of_copy,max_rel_err\n";
  }
  std::printf("%-10s %5s %4s %4s %7s %4s %-8s %6s %9s %9s %9s %9s %8s %7s %9s\n", "layout", "B", "Hq", "Hkv", "L", "d",
              "kernel", "splits", "median_ms", "q1_ms", "q3_ms", "again_ms", "GB/s", "%copy", "rel_err");
  bool ok = true;
  for (const Case& c : cases) {
    attn::DecodeBenchConfig config;
    config.shape = c.shape;
    config.paged = c.paged;
    config.options.kernel = c.kernel;
    config.mask = attn::Mask{attn::MaskKind::causal, 0, 0, true};
    const attn::DecodeBenchResult r = attn::bench_split_k_decode_gpu(config);
    const double pct = 100.0 * r.gbs / copy_gbs;
    const char* layout = c.paged ? "paged16" : "contiguous";
    std::printf("%-10s %5lld %4lld %4lld %7lld %4lld %-8s %6lld %9.4f %9.4f %9.4f %9.4f %8.1f %6.1f%% %9.2e\n", layout,
                static_cast<long long>(c.shape.batch), static_cast<long long>(c.shape.q_heads),
                static_cast<long long>(c.shape.kv_heads), static_cast<long long>(c.shape.kv_len),
                static_cast<long long>(c.shape.head_dim), r.kernel.c_str(), static_cast<long long>(r.num_splits),
                r.median_ms, r.q1_ms, r.q3_ms, r.repeat_median_ms, r.gbs, pct, r.max_rel_err);
    std::printf("summary: decode %s B=%lld Hq=%lld Hkv=%lld L=%lld d=%lld %s: %.4f ms, %.0f GB/s, %.1f%% of copy\n",
                layout, static_cast<long long>(c.shape.batch), static_cast<long long>(c.shape.q_heads),
                static_cast<long long>(c.shape.kv_heads), static_cast<long long>(c.shape.kv_len),
                static_cast<long long>(c.shape.head_dim), kernel_name(c.kernel), r.median_ms, r.gbs, pct);
    if (out) {
      out << layout << ',' << c.shape.batch << ',' << c.shape.q_heads << ',' << c.shape.kv_heads << ','
          << c.shape.kv_len << ',' << c.shape.head_dim << ',' << r.kernel << ',' << r.num_splits << ',' << r.sets << ','
          << r.median_ms << ',' << r.q1_ms << ',' << r.q3_ms << ',' << r.repeat_median_ms << ',' << r.bytes << ','
          << r.gbs << ',' << pct << ',' << r.max_rel_err << '\n';
    }
    if (!(r.max_rel_err <= 1e-5)) {
      std::printf("CHECK FAILED: relative error %.3e > 1e-5\n", r.max_rel_err);
      ok = false;
    }
    std::fflush(stdout);
  }
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const paperkit::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
