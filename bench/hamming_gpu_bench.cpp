// GPU benchmark of paperkit::hamming_cuda (spec A8, section 8): kernel-only time and cells/s of
// the bit-plane kernel on E. coli (m = 1024, 16384, 65536) and on random 10^6-symbol texts,
// beside one CPU thread running `bitpar` (or `naive-simd` where bitpar is not registered or
// the alphabet is not DNA), plus the measured __popc throughput (the spec's 16/clk/SM is
// recalled, not checked).
//
// Usage: hamming_gpu_bench [--text FILE] [--input fasta|raw|u32le] [--reps R] [--cpu-budget S]
//                          [--csv FILE]
//   --text        default data/ecoli.fna.gz (FASTA; gzip is read as is)
//   --reps        back-to-back kernel launches timed per shape (default 20)
//   --cpu-budget  run the CPU only where its estimated time is <= S seconds (default 4);
//                 elsewhere the GPU output is checked with the O(n + m) total-matches identity
// Prints a table, then one `summary:` line per shape that tools/gpu-check.sh collects.
// Exit codes: 0 every output checked equal, 1 a difference, 2 usage, 3 input, 4 no CUDA device.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/hamming/gpu.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "paperkit/hamming/io.hpp"

namespace hd = paperkit::hamming;

namespace {

struct Args {
  std::string text = std::string(PAPERKIT_SOURCE_DIR) + "/data/ecoli.fna.gz";
  std::string input = "fasta";
  std::string csv;
  int reps = 20;
  double cpu_budget = 4;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw paperkit::InvalidParameter("missing value after " + flag);
    const std::string value = argv[++i];
    if (flag == "--text") {
      a.text = value;
    } else if (flag == "--input") {
      a.input = value;
    } else if (flag == "--csv") {
      a.csv = value;
    } else if (flag == "--reps") {
      a.reps = std::atoi(value.c_str());
      if (a.reps < 1) throw paperkit::InvalidParameter("--reps must be >= 1 (got " + value + ")");
    } else if (flag == "--cpu-budget") {
      a.cpu_budget = std::atof(value.c_str());
    } else {
      throw paperkit::InvalidParameter("unknown flag " + flag);
    }
  }
  return a;
}

struct Row {
  std::string dataset;
  std::size_t n = 0, m = 0;
  int planes = 0;
  double kernel_ms = 0, gpu_cells_per_s = 0, e2e_ms = 0;
  std::string cpu_algo = "-";
  double cpu_s = 0, cpu_cells_per_s = 0;
  std::string check;
};

// One CPU thread's rough rate (cells/s) from the spec's measurements, to stay in budget.
double cpu_rate_estimate(const std::string& algo) {
  return algo == "bitpar" ? 5e10 : 3e10;
}

Row run_shape(const std::string& dataset, const std::vector<hd::Symbol>& text, std::size_t m, bool dna,
              const Args& args, paperkit::Rng& rng) {
  const std::size_t offset = rng.uniform_below(text.size() - m + 1);
  const std::span<const hd::Symbol> pattern(text.data() + offset, m);
  Row row;
  row.dataset = dataset;
  row.n = text.size();
  row.m = m;
  const auto timing = hd::bench_gpu(text, pattern, args.reps);
  row.planes = timing.planes;
  row.kernel_ms = timing.kernel_ms;
  row.gpu_cells_per_s = static_cast<double>(timing.cells) / (timing.kernel_ms * 1e-3);
  paperkit::Stopwatch e2e;
  const auto gpu = hd::distances_gpu(text, pattern);  // encode + copies + kernel
  row.e2e_ms = e2e.seconds() * 1e3;
  bool ok = gpu == timing.distances && gpu[offset] == 0;

  row.cpu_algo = dna && hd::is_algorithm("bitpar") ? "bitpar" : "naive-simd";
  if (static_cast<double>(timing.cells) / cpu_rate_estimate(row.cpu_algo) <= args.cpu_budget) {
    hd::Options o;
    o.algorithm = row.cpu_algo;
    o.threads = 1;
    paperkit::Stopwatch clock;
    const auto cpu = hd::distances(text, pattern, o);
    row.cpu_s = clock.seconds();
    row.cpu_cells_per_s = static_cast<double>(timing.cells) / row.cpu_s;
    ok = ok && cpu == gpu;
    row.check = ok ? "exact" : "DIFFERENT";
  } else {
    row.cpu_algo += " (skipped)";
    ok = ok && hd::sum_matches(gpu, m) == hd::total_matches_by_counting(text, pattern);
    row.check = ok ? "sum-ok" : "SUM-DIFFERENT";
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args args = parse(argc, argv);
    if (!hd::gpu_available()) {
      std::fprintf(stderr, "error: no CUDA device\n");
      return 4;
    }
    std::printf("device: %s\n", hd::gpu_device_name().c_str());
    paperkit::Rng rng(20231013);
    std::vector<Row> rows;
    const auto ecoli = hd::read_sequence(args.text, hd::parse_input_format(args.input));
    const bool ecoli_dna = hd::count_distinct(ecoli) <= 4;
    const bool default_text = args.text.ends_with("/data/ecoli.fna.gz");
    const std::string text_name = default_text ? "ecoli" : args.text.substr(args.text.find_last_of('/') + 1);
    for (std::size_t m : {1024, 16384, 65536}) {
      if (m <= ecoli.size()) rows.push_back(run_shape(text_name, ecoli, m, ecoli_dna, args, rng));
    }
    for (std::uint64_t sigma : {4, 256}) {
      std::vector<hd::Symbol> random(1'000'000);
      for (auto& s : random) s = static_cast<hd::Symbol>(rng.uniform_below(sigma));
      const std::string name = "random-sigma" + std::to_string(sigma);
      for (std::size_t m : {1024, 16384}) rows.push_back(run_shape(name, random, m, sigma <= 4, args, rng));
    }

    std::printf("\n%-18s %9s %6s %6s %10s %11s %9s  %-22s %9s %11s %8s  %s\n", "dataset", "n", "m", "planes",
                "kernel_ms", "gpu_cells/s", "e2e_ms", "cpu (1 thread)", "cpu_s", "cpu_cells/s", "speedup", "check");
    bool all_ok = true;
    for (const Row& r : rows) {
      const double speedup = r.cpu_s > 0 ? r.cpu_s * 1e3 / r.kernel_ms : 0;
      std::printf("%-18s %9zu %6zu %6d %10.4f %11.3e %9.2f  %-22s %9.3f %11.3e %8.1f  %s\n", r.dataset.c_str(), r.n,
                  r.m, r.planes, r.kernel_ms, r.gpu_cells_per_s, r.e2e_ms, r.cpu_algo.c_str(), r.cpu_s,
                  r.cpu_cells_per_s, speedup, r.check.c_str());
      all_ok = all_ok && (r.check == "exact" || r.check == "sum-ok");
    }
    const auto popc = hd::gpu_popc_throughput();
    std::printf("\npopc: %.3e per s = %.2f per clk per SM at the %.2f GHz peak clock, %d SMs (spec: 16, unverified)\n",
                popc.popc_per_s, popc.popc_per_clk_per_sm, popc.clock_ghz, popc.sms);

    for (const Row& r : rows) {
      std::printf("summary: hamming-bitplane-%d %s n=%zu m=%zu kernel_ms=%.4f cells_per_s=%.3e %s\n", r.planes,
                  r.dataset.c_str(), r.n, r.m, r.kernel_ms, r.gpu_cells_per_s, r.check.c_str());
    }
    std::printf("summary: popc per_s=%.3e per_clk_per_sm=%.2f\n", popc.popc_per_s, popc.popc_per_clk_per_sm);

    if (!args.csv.empty()) {
      std::ofstream csv(args.csv);
      csv << "dataset,n,m,planes,kernel_ms,gpu_cells_per_s,e2e_ms,cpu_algo,cpu_s,cpu_cells_per_s,check\n";
      for (const Row& r : rows) {
        csv << r.dataset << ',' << r.n << ',' << r.m << ',' << r.planes << ',' << r.kernel_ms << ','
            << r.gpu_cells_per_s << ',' << r.e2e_ms << ',' << r.cpu_algo << ',' << r.cpu_s << ',' << r.cpu_cells_per_s
            << ',' << r.check << '\n';
      }
      if (!csv) throw paperkit::InputError("cannot write --csv " + args.csv);
    }
    return all_ok ? 0 : 1;
  } catch (const paperkit::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: %s\n", e.what());
    return 1;
  }
}
