// `paperkit-attention bench`: decode attention time against context length, beside the memory
// bandwidth measured in the same process (issue 7: CPU decode should reach >= 50% of it). Each row
// is one context length: the median of --repeats timed decode steps (q_len = 1, all q heads of a
// GQA group per pass over K/V), the bytes a step must move (K and V once, fp32), the GB/s that
// implies and its percentage of the measured read bandwidth (same thread count); the *_best
// columns use the fastest step, the statistic the bandwidth itself uses (best of 5, as STREAM).
// The *_cpu columns divide by process CPU time per thread instead of wall time (decode and the
// read kernel alike): on a shared machine they show what the kernels reach while they run; on an
// idle machine they equal the wall-time figures (up to OpenMP's spin-waiting).
//
// Caches: short contexts fit in the last-level cache, so the timed steps rotate over enough
// independent K/V sets that together exceed --rotate-mib (default 256 MiB, several times the
// 36 MiB L3 of the dev machine): every step reads its K/V from memory, as a decode step does
// after the other layers' K/V went through the cache.
//
// Devices: --device cpu runs here; --device gpu runs bench_gpu below (CUDA builds with a device;
// elsewhere exit code 4, backend unavailable).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "attention_cmd_support.hpp"
#include "attention_device.hpp"
#include "cli.hpp"
#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/bandwidth.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"

namespace attn = paperkit::attention;
using paperkit::InvalidParameter;

namespace {

struct BenchArgs {
  paperkit::cli::CommonOptions common;
  std::string device = "cpu";
  std::string kv_lens = "1024,4096,16384,65536";
  attn::Shape shape{1, 32, 8, 1, 1024, 128};  // kv_len comes from --kv-lens
  int repeats = 5;
  std::int64_t rotate_mib = 256;
  std::int64_t bandwidth_mib = 256;
};

std::vector<std::int64_t> parse_lengths(const std::string& text) {
  std::vector<std::int64_t> lengths;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || value < 1 || value > (std::int64_t{1} << 24)) {
      throw InvalidParameter("--kv-lens must be a comma-separated list of integers in [1, 16777216], got '" + text +
                             "'");
    }
    lengths.push_back(value);
  }
  if (lengths.empty()) throw InvalidParameter("--kv-lens must name at least one length, got '" + text + "'");
  return lengths;
}

void validate_bench(const BenchArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.device != "cpu" && a.device != "gpu") {
    throw InvalidParameter("--device must be cpu|gpu, got '" + a.device + "'");
  }
  if (a.repeats < 1) throw InvalidParameter("--repeats must be >= 1, got " + std::to_string(a.repeats));
  if (a.rotate_mib < 0) throw InvalidParameter("--rotate-mib must be >= 0, got " + std::to_string(a.rotate_mib));
  if (a.bandwidth_mib < 1) {
    throw InvalidParameter("--bandwidth-mib must be >= 1, got " + std::to_string(a.bandwidth_mib));
  }
  attn::Shape shape = a.shape;
  attn::validate(shape);
  (void)parse_lengths(a.kv_lens);
}

paperkit::Table bench_table() {
  return paperkit::Table({"device",
                          "batch",
                          "q_heads",
                          "kv_heads",
                          "head_dim",
                          "kv_len",
                          "threads",
                          "kv_sets",
                          "seconds_median",
                          "seconds_min",
                          "kv_bytes",
                          "gbs",
                          "read_bw_gbs",
                          "pct_of_read_bw",
                          "gbs_best",
                          "pct_of_read_bw_best",
                          "cpu_seconds_median",
                          "gbs_cpu",
                          "read_bw_gbs_cpu",
                          "pct_of_read_bw_cpu",
                          "copy_bw_gbs",
                          "seed"});
}

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const std::size_t n = x.size();
  return n % 2 == 1 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void bench_cpu(const BenchArgs& a, paperkit::Table& table) {
  omp_set_num_threads(a.common.threads);
  const attn::Bandwidth bw =
      attn::measure_bandwidth(a.common.threads, static_cast<std::size_t>(a.bandwidth_mib) << 20, 5);
  paperkit::cli::log_verbose(a.common, "measured bandwidth: read " + std::to_string(bw.read_gbs) + " GB/s, copy " +
                                           std::to_string(bw.copy_gbs) + " GB/s");
  const attn::Mask decode{attn::MaskKind::causal, 0, 0, true};
  const auto scale = static_cast<float>(attn::default_scale(a.shape.head_dim));
  for (const std::int64_t len : parse_lengths(a.kv_lens)) {
    attn::Shape shape = a.shape;
    shape.q_len = 1;
    shape.kv_len = len;
    const double bytes = attn::decode_kv_bytes(shape.batch, shape.kv_heads, len, shape.head_dim);
    const double rotate = static_cast<double>(a.rotate_mib) * 1048576.0;
    const auto sets = static_cast<int>(std::clamp(std::ceil(rotate / bytes), 1.0, 64.0));
    const auto q = paperkit::attention_app::seeded_tensor(shape.q_elements(), a.common.seed, 0);
    std::vector<std::vector<float>> k, v;
    for (int s = 0; s < sets; ++s) {
      k.push_back(paperkit::attention_app::seeded_tensor(shape.kv_elements(), a.common.seed, 1 + 2 * std::uint64_t(s)));
      v.push_back(paperkit::attention_app::seeded_tensor(shape.kv_elements(), a.common.seed, 2 + 2 * std::uint64_t(s)));
    }
    // One untimed step per set brings the pages in (first touch) before timing.
    for (int s = 0; s < sets; ++s) (void)attn::partial_attention(shape, q, k[s], v[s], attn::KeyRange{}, decode, scale);
    std::vector<double> seconds, cpu_seconds;
    for (int r = 0; r < a.repeats; ++r) {
      const auto s = static_cast<std::size_t>(r % sets);
      const double cpu_start = attn::process_cpu_seconds();
      paperkit::Stopwatch clock;
      const attn::Partial got = attn::partial_attention(shape, q, k[s], v[s], attn::KeyRange{}, decode, scale);
      seconds.push_back(clock.seconds());
      cpu_seconds.push_back((attn::process_cpu_seconds() - cpu_start) / a.common.threads);
      if (!std::isfinite(got.lse[0])) throw paperkit::InternalError("decode produced a non-finite lse");
    }
    const double med = median(seconds);
    const double best = *std::min_element(seconds.begin(), seconds.end());
    const double gbs = bytes / med / 1e9;
    const double gbs_best = bytes / best / 1e9;  // best of --repeats, as the bandwidth is best of 5 (STREAM)
    const double cpu_med = median(cpu_seconds);
    const double gbs_cpu = bytes / cpu_med / 1e9;
    table.add_row({std::string("cpu"),
                   shape.batch,
                   shape.q_heads,
                   shape.kv_heads,
                   shape.head_dim,
                   len,
                   static_cast<std::int64_t>(a.common.threads),
                   static_cast<std::int64_t>(sets),
                   med,
                   best,
                   bytes,
                   gbs,
                   bw.read_gbs,
                   100.0 * gbs / bw.read_gbs,
                   gbs_best,
                   100.0 * gbs_best / bw.read_gbs,
                   cpu_med,
                   gbs_cpu,
                   bw.read_gbs_cpu,
                   100.0 * gbs_cpu / bw.read_gbs_cpu,
                   bw.copy_gbs,
                   a.common.seed});
  }
}

// The GPU rows: the same columns, with the device-to-device copy bandwidth (read + write counted)
// as the ceiling in the read_bw columns; a step is one CUDA-graph replay of split-K decode (tiled
// kernel + merge, automatic splits) over input sets together larger than 3x L2; seconds_min is the
// first quartile (the benchmark keeps quartiles, not the minimum); CPU-time columns are NaN.
// Sequence 0 of each length is checked against the fp64 oracle (1e-5) before its row is written.
void bench_gpu(const BenchArgs& a, paperkit::Table& table) {
  paperkit::attention_app::require_gpu();
  const double copy = paperkit::attention_app::gpu_copy_bandwidth_gbs();
  const attn::Mask decode{attn::MaskKind::causal, 0, 0, true};
  const double nan = std::nan("");
  for (const std::int64_t len : parse_lengths(a.kv_lens)) {
    attn::Shape shape = a.shape;
    shape.q_len = 1;
    shape.kv_len = len;
    const auto t =
        paperkit::attention_app::gpu_decode_timing(shape, false, decode, 0, std::max(a.repeats, 20), a.common.seed);
    if (!(t.max_rel_err <= 1e-5)) {
      throw paperkit::InternalError("GPU decode at kv_len " + std::to_string(len) + ": error vs fp64 " +
                                    std::to_string(t.max_rel_err) + " exceeds 1e-5");
    }
    const double bytes = attn::decode_kv_bytes(shape.batch, shape.kv_heads, len, shape.head_dim);
    const double med = t.median_ms * 1e-3, q1 = t.q1_ms * 1e-3;
    table.add_row({std::string("gpu"),
                   shape.batch,
                   shape.q_heads,
                   shape.kv_heads,
                   shape.head_dim,
                   len,
                   std::int64_t{0},
                   std::int64_t{t.sets},
                   med,
                   q1,
                   bytes,
                   bytes / med / 1e9,
                   copy,
                   100.0 * bytes / med / 1e9 / copy,
                   bytes / q1 / 1e9,
                   100.0 * bytes / q1 / 1e9 / copy,
                   nan,
                   nan,
                   nan,
                   nan,
                   copy,
                   a.common.seed});
  }
}

void run_bench(const BenchArgs& a) {
  validate_bench(a);
  paperkit::Table table = bench_table();
  if (a.device == "gpu") {
    bench_gpu(a, table);
  } else {
    bench_cpu(a, table);
  }
  paperkit::cli::Output out(a.common.out);
  table.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

}  // namespace

// Registers `bench` on paperkit-attention (called from apps/attention.cpp).
void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Decode time vs context length beside the measured memory bandwidth (GB/s, % of read bandwidth).\n"
      "Example: paperkit-attention bench --device cpu --kv-lens 1024,4096,16384,65536 --threads 2 --format json");
  cmd->add_option("--device", args->device, "cpu|gpu (gpu: CUDA builds only, else exit code 4)")->capture_default_str();
  cmd->add_option("--kv-lens", args->kv_lens, "Context lengths, comma-separated, each in [1, 2^24]")
      ->capture_default_str();
  cmd->add_option("--batch", args->shape.batch, "Sequences (>= 1)")->capture_default_str();
  cmd->add_option("--q-heads", args->shape.q_heads, "Query heads (a multiple of --kv-heads)")->capture_default_str();
  cmd->add_option("--kv-heads", args->shape.kv_heads, "Key/value heads (>= 1)")->capture_default_str();
  cmd->add_option("--head-dim", args->shape.head_dim, "Head dimension d (>= 1)")->capture_default_str();
  cmd->add_option("--repeats", args->repeats, "Timed decode steps per length (>= 1; the median is reported)")
      ->capture_default_str();
  cmd->add_option("--rotate-mib", args->rotate_mib, "K/V sets rotate until they span this many MiB (0: one set)")
      ->capture_default_str();
  cmd->add_option("--bandwidth-mib", args->bandwidth_mib, "Buffer size of the bandwidth measurement (>= 1)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*cmd, args->common);
  cmd->callback([args] { run_bench(*args); });
}
