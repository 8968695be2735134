// paperkit-hamming: text-to-pattern Hamming distances from the command line.
// Thin by design: parse, validate, call paperkit::hamming, write.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/progress.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/hamming/generate.hpp"
#include "paperkit/hamming/hamming.hpp"
#include "paperkit/hamming/io.hpp"
#ifdef PAPERKIT_WITH_HAMMING_CUDA
#include "paperkit/hamming/gpu.hpp"
#endif

namespace hd = paperkit::hamming;
using paperkit::InputError;
using paperkit::InvalidParameter;
using paperkit::Table;
using paperkit::cli::CommonOptions;

namespace {

constexpr int kVerifyDiffers = 5;  // `verify`: the two outputs differ (documented in README)

// Where the text and the pattern come from.
struct SequenceArgs {
  std::string text_file, text_str, pattern_file, pattern_str, input = "raw";
  std::vector<std::size_t> pattern_slice;  // OFFSET,LEN: the pattern is text[OFFSET, OFFSET+LEN)
};

void add_sequence_flags(CLI::App& app, SequenceArgs& args) {
  app.add_option("--text", args.text_file, "Text file T (length n); gzip is decompressed");
  app.add_option("--text-str", args.text_str, "Text given inline, one symbol per byte");
  app.add_option("--pattern", args.pattern_file, "Pattern file P (length m >= 1)");
  app.add_option("--pattern-str", args.pattern_str, "Pattern given inline, one symbol per byte");
  app.add_option("--pattern-slice", args.pattern_slice, "OFFSET,LEN: take P = T[OFFSET, OFFSET+LEN)")
      ->expected(2)
      ->delimiter(',');
  app.add_option("--input", args.input, "File format of --text and --pattern: raw, fasta or u32le")
      ->capture_default_str();
}

struct Sequences {
  std::vector<hd::Symbol> text, pattern;
};

Sequences load_sequences(const SequenceArgs& args) {
  const int text_sources = !args.text_file.empty() + !args.text_str.empty();
  if (text_sources != 1) throw InvalidParameter("give exactly one of --text and --text-str");
  const int pattern_sources = !args.pattern_file.empty() + !args.pattern_str.empty() + !args.pattern_slice.empty();
  if (pattern_sources != 1) throw InvalidParameter("give exactly one of --pattern, --pattern-str and --pattern-slice");
  const auto format = hd::parse_input_format(args.input);
  Sequences s;
  s.text = args.text_file.empty() ? hd::symbols_from_string(args.text_str) : hd::read_sequence(args.text_file, format);
  if (!args.pattern_slice.empty()) {
    const std::size_t offset = args.pattern_slice[0], len = args.pattern_slice[1];
    if (len == 0) throw InvalidParameter("--pattern-slice length must be >= 1 (got 0)");
    if (offset > s.text.size() || len > s.text.size() - offset) {
      throw InvalidParameter("--pattern-slice " + std::to_string(offset) + "," + std::to_string(len) +
                             " lies outside the text (n = " + std::to_string(s.text.size()) + ")");
    }
    s.pattern.assign(s.text.begin() + static_cast<std::ptrdiff_t>(offset),
                     s.text.begin() + static_cast<std::ptrdiff_t>(offset + len));
  } else if (!args.pattern_file.empty()) {
    s.pattern = hd::read_sequence(args.pattern_file, format);
  } else {
    s.pattern = hd::symbols_from_string(args.pattern_str);
  }
  if (s.pattern.empty()) throw InvalidParameter("the pattern is empty (m must be >= 1)");
  return s;
}

struct AlgoArgs {
  std::string algo = "auto";
  double threshold = 0;
  double alpha = hd::CostModel{}.alpha_ns_per_pair;
  double beta = hd::CostModel{}.beta_ns_per_fft_unit;
};

void add_algo_flags(CLI::App& app, AlgoArgs& args) {
  std::string names = "auto";
  for (const auto& a : hd::algorithms()) names += "|" + a.name;
  app.add_option("--algo", args.algo, "Algorithm: " + names)->capture_default_str();
  app.add_option("--threshold", args.threshold,
                 "abrahamson: heavy-symbol threshold t (> 0; default ceil(sqrt(m log2 m)))");
  app.add_option("--alpha", args.alpha, "hybrid cost model: ns per (text, pattern) occurrence pair (> 0)")
      ->capture_default_str();
  app.add_option("--beta", args.beta, "hybrid cost model: ns per L*log2(L) FFT unit (> 0)")->capture_default_str();
}

hd::Options make_options(const AlgoArgs& args, const CLI::App& app, const CommonOptions& common) {
  hd::Options o;
  o.algorithm = args.algo;
  o.threads = common.threads;
  if (app.count("--threshold") && !(args.threshold > 0 && std::isfinite(args.threshold))) {
    throw InvalidParameter("--threshold must be finite and > 0 (got " + std::to_string(args.threshold) + ")");
  }
  o.threshold = args.threshold;
  o.cost = {args.alpha, args.beta};
  hd::validate(o);
  return o;
}

// ---- exact --------------------------------------------------------------------------

struct ExactArgs {
  CommonOptions common;
  SequenceArgs seq;
  AlgoArgs algo;
  std::string summary_json;
  std::string device = "cpu";
};

// --device gpu runs the CUDA bit-plane kernel (paperkit::hamming_cuda) where the build has it.
// Checked before any input is read, so a missing GPU costs nothing.
void check_device(const std::string& device, const hd::Options& options) {
  if (device == "cpu") return;
  if (device != "gpu") throw InvalidParameter("--device must be cpu or gpu (got " + device + ")");
  if (options.algorithm != "auto") throw InvalidParameter("--algo " + options.algorithm + " needs --device cpu");
#ifdef PAPERKIT_WITH_HAMMING_CUDA
  if (!hd::gpu_available()) throw paperkit::BackendUnavailable("--device gpu: no CUDA device");
#else
  throw paperkit::BackendUnavailable("--device gpu: this build has no CUDA support");
#endif
}

std::vector<hd::Distance> distances_on(const std::string& device, const Sequences& s, const hd::Options& options) {
#ifdef PAPERKIT_WITH_HAMMING_CUDA
  if (device == "gpu") return hd::distances_gpu(s.text, s.pattern);
#endif
  (void)device;
  return hd::distances(s.text, s.pattern, options);
}

nlohmann::json summary(const Sequences& s, const std::vector<hd::Distance>& out, const hd::Options& o,
                       const std::string& algo_run, std::uint64_t seed, double seconds) {
  const double cells = static_cast<double>(out.size()) * static_cast<double>(s.pattern.size());
  nlohmann::json j;
  j["n"] = s.text.size();
  j["m"] = s.pattern.size();
  j["sigma_text"] = hd::count_distinct(s.text);
  j["sigma_pattern"] = hd::count_distinct(s.pattern);
  j["algo"] = algo_run;
  j["algo_requested"] = o.algorithm;
  j["seed"] = seed;
  j["threads"] = o.threads;
  j["seconds"] = seconds;
  j["cells_per_s"] = seconds > 0 ? cells / seconds : 0.0;
  j["checksum_fnv1a64"] = hd::checksum_fnv1a64(out);
  if (!out.empty()) {
    const auto it = std::min_element(out.begin(), out.end());
    j["min"] = *it;
    j["argmin"] = static_cast<std::size_t>(it - out.begin());
  } else {
    j["min"] = nullptr;
    j["argmin"] = nullptr;
  }
  j["sum_matches"] = hd::sum_matches(out, s.pattern.size());
  return j;
}

void run_exact(ExactArgs& a, const CLI::App& app) {
  paperkit::cli::validate_common(a.common, {"csv", "json", "u32le"});
  const hd::Options options = make_options(a.algo, app, a.common);
  check_device(a.device, options);
  paperkit::cli::Output out(a.common.out, a.common.format == "u32le");
  const Sequences s = load_sequences(a.seq);
  if (s.text.size() < s.pattern.size()) {
    paperkit::cli::warn(a.common, "text shorter than pattern (n = " + std::to_string(s.text.size()) +
                                      " < m = " + std::to_string(s.pattern.size()) + "): no shifts, empty result");
  }
  std::string algo_run = a.device == "gpu" ? "gpu-bitplanes" : options.algorithm;
  if (algo_run == "auto") algo_run = hd::resolve_algorithm(s.text, s.pattern, options);
  hd::Options run_options = options;
  run_options.algorithm = algo_run;
  paperkit::Stopwatch clock;
  const auto result = distances_on(a.device, s, run_options);
  const double seconds = clock.seconds();
  const auto info = summary(s, result, options, algo_run, a.common.seed, seconds);

  if (a.common.format == "u32le") {
    hd::write_u32le(out.stream(), result);
  } else if (a.common.format == "csv") {
    std::string buffer = "pos,dist\n";
    for (std::size_t i = 0; i < result.size(); ++i) {
      buffer += std::to_string(i);
      buffer += ',';
      buffer += std::to_string(result[i]);
      buffer += '\n';
    }
    out.stream() << buffer;
  } else {
    nlohmann::json j = info;
    j["distances"] = result;
    out.stream() << j.dump() << '\n';
  }
  out.finish();
  if (!a.summary_json.empty()) {
    paperkit::cli::Output sj(a.summary_json);
    sj.stream() << info.dump(2) << '\n';
    sj.finish();
  }
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

// ---- gen ----------------------------------------------------------------------------

struct GenArgs {
  CommonOptions common;
  std::string kind = "random", encoding = "u32le", base, base_input = "raw";
  std::int64_t n = 0, period = 16;  // signed so that a negative value is reported, not wrapped
  std::uint64_t sigma = 4;
  double rate = 0.01;
};

void run_gen(GenArgs& a) {
  paperkit::cli::validate_common(a.common);
  hd::GenSpec spec;
  spec.kind = hd::parse_gen_kind(a.kind);
  constexpr std::int64_t max_length = std::int64_t{1} << 32;
  if (a.n < 0 || a.n > max_length) {
    throw InvalidParameter("--n must be in [0, 2^32] (got " + std::to_string(a.n) + ")");
  }
  if (a.period < 1 || a.period > max_length) {
    throw InvalidParameter("--period must be in [1, 2^32] (got " + std::to_string(a.period) + ")");
  }
  spec.n = static_cast<std::size_t>(a.n);
  spec.sigma = a.sigma;
  spec.period = static_cast<std::size_t>(a.period);
  spec.mutation_rate = a.rate;
  spec.seed = a.common.seed;
  if (a.encoding != "u32le" && a.encoding != "raw" && a.encoding != "acgt") {
    throw InvalidParameter("--encoding must be u32le, raw or acgt (got " + a.encoding + ")");
  }
  if (a.encoding == "raw" && a.sigma > 256) {
    throw InvalidParameter("--encoding raw needs --sigma <= 256 (got " + std::to_string(a.sigma) + ")");
  }
  if (a.encoding == "acgt" && a.sigma > 4) {
    throw InvalidParameter("--encoding acgt needs --sigma <= 4 (got " + std::to_string(a.sigma) + ")");
  }
  std::vector<hd::Symbol> base;
  if (spec.kind == hd::GenKind::mutate) {
    if (a.base.empty()) throw InvalidParameter("--kind mutate needs --base FILE");
    base = hd::read_sequence(a.base, hd::parse_input_format(a.base_input));
  }
  const auto seq = hd::generate(spec, base);
  paperkit::cli::Output out(a.common.out, true);
  if (a.encoding == "u32le") {
    hd::write_u32le(out.stream(), seq);
  } else {
    std::string bytes(seq.size(), '\0');
    for (std::size_t i = 0; i < seq.size(); ++i) {
      bytes[i] = a.encoding == "acgt" ? "ACGT"[seq[i] & 3u] : static_cast<char>(seq[i]);
    }
    out.stream() << bytes;
  }
  out.finish();
}

// ---- verify -------------------------------------------------------------------------

struct VerifyArgs {
  std::string a, b;
};

int run_verify(const VerifyArgs& v) {
  const auto x = hd::read_sequence(v.a, hd::InputFormat::u32le);
  const auto y = hd::read_sequence(v.b, hd::InputFormat::u32le);
  const std::size_t common = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (x[i] != y[i]) {
      std::cout << "DIFFER at index " << i << ": " << x[i] << " vs " << y[i] << '\n';
      return kVerifyDiffers;
    }
  }
  if (x.size() != y.size()) {
    std::cout << "DIFFER in length: " << x.size() << " vs " << y.size() << " values\n";
    return kVerifyDiffers;
  }
  std::cout << "OK " << x.size() << " values\n";
  return 0;
}

// ---- bench --------------------------------------------------------------------------

struct BenchArgs {
  CommonOptions common;
  SequenceArgs seq;
  AlgoArgs algo;
  std::vector<std::size_t> ms;
  std::vector<std::string> algos;
  std::string dataset = "input";
  int reps = 1;
  bool calibrate = false;
};

// One row per (m, algorithm, repetition), all on the same text, in one process; patterns are
// taken from the text at a seeded offset. Output checksums must agree across algorithms.
void run_bench(BenchArgs& a, const CLI::App& app) {
  paperkit::cli::validate_common(a.common);
  if (a.calibrate) {  // measure hybrid's cost model on this machine, print it, and stop
    const hd::CostModel model = hd::calibrate_cost_model(a.common.threads);
    paperkit::cli::Output out(a.common.out);
    Table table({"threads", "alpha_ns_per_pair", "beta_ns_per_fft_unit"});
    table.add_row({std::int64_t{a.common.threads}, model.alpha_ns_per_pair, model.beta_ns_per_fft_unit});
    table.write(out.stream(), paperkit::parse_table_format(a.common.format));
    out.finish();
    return;
  }
  if (a.reps < 1) throw InvalidParameter("--reps must be >= 1 (got " + std::to_string(a.reps) + ")");
  if (a.ms.empty()) throw InvalidParameter("--m needs at least one pattern length");
  if (a.algos.empty()) {
    for (const auto& info : hd::algorithms()) a.algos.push_back(info.name);
  }
  hd::Options base = make_options(a.algo, app, a.common);
  for (const auto& name : a.algos) {
    if (!hd::is_algorithm(name)) throw InvalidParameter("--algos: unknown algorithm " + name);
  }
  if (a.seq.text_file.empty() && a.seq.text_str.empty()) throw InvalidParameter("bench needs --text or --text-str");
  const auto text = a.seq.text_file.empty() ? hd::symbols_from_string(a.seq.text_str)
                                            : hd::read_sequence(a.seq.text_file, hd::parse_input_format(a.seq.input));
  const std::size_t sigma = hd::count_distinct(text);
  paperkit::cli::Output out(a.common.out);
  Table table({"dataset", "n", "m", "sigma", "algo", "threads", "rep", "seconds", "cells_per_s", "checksum"});
  for (std::size_t m : a.ms) {  // every value checked before any work starts
    if (m == 0 || m > text.size()) {
      throw InvalidParameter("--m " + std::to_string(m) + " must be in [1, n = " + std::to_string(text.size()) + "]");
    }
  }
  paperkit::ProgressBar progress("bench", a.ms.size() * a.algos.size() * static_cast<std::size_t>(a.reps),
                                 !a.common.quiet);
  std::size_t runs_done = 0;
  paperkit::Rng rng(a.common.seed);
  for (std::size_t m : a.ms) {
    const std::size_t offset = rng.uniform_below(text.size() - m + 1);
    const std::span<const hd::Symbol> pattern(text.data() + offset, m);
    for (const auto& name : a.algos) {
      hd::Options o = base;
      o.algorithm = name;
      for (int rep = 0; rep < a.reps; ++rep) {
        paperkit::Stopwatch clock;
        const auto result = hd::distances(text, pattern, o);
        const double seconds = clock.seconds();
        const double cells = static_cast<double>(result.size()) * static_cast<double>(m);
        char checksum[24];
        std::snprintf(checksum, sizeof checksum, "%016llx",
                      static_cast<unsigned long long>(hd::checksum_fnv1a64(result)));
        table.add_row({a.dataset, std::uint64_t{text.size()}, std::uint64_t{m}, std::uint64_t{sigma}, name,
                       std::int64_t{o.threads}, std::int64_t{rep}, seconds, cells / seconds, std::string(checksum)});
        paperkit::cli::log_verbose(a.common, name + " m=" + std::to_string(m) + " " + std::to_string(seconds) + " s");
        progress.update(++runs_done);
      }
    }
  }
  progress.finish();
  table.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "paperkit-hamming: text-to-pattern Hamming distances HD[i] = #{j : P[j] != T[i+j]}, i in [0, n-m].\n"
      "Example: paperkit-hamming exact --text data/ecoli.fna.gz --input fasta --pattern-slice 1000,1024"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-hamming"));
  app.require_subcommand(1);

  ExactArgs exact;
  auto* exact_cmd = app.add_subcommand("exact", "Exact HD for every shift (CSV pos,dist; JSON; or raw u32le)");
  add_sequence_flags(*exact_cmd, exact.seq);
  add_algo_flags(*exact_cmd, exact.algo);
  paperkit::cli::add_common_flags(*exact_cmd, exact.common);
  exact_cmd->get_option("--format")->description("Output: csv (pos,dist), json, or u32le (raw little-endian)");
  exact_cmd->add_option("--summary-json", exact.summary_json, "Also write the run summary as JSON to this file");
  exact_cmd->add_option("--device", exact.device, "cpu, or gpu: the CUDA bit-plane kernel (exit 4 without CUDA)")
      ->capture_default_str();
  exact_cmd->callback([&] { run_exact(exact, *exact_cmd); });

  GenArgs gen;
  auto* gen_cmd = app.add_subcommand("gen", "Generate a synthetic text (u32le, raw bytes, or ACGT letters)");
  gen_cmd->add_option("--kind", gen.kind, "random, periodic, fibonacci or mutate")->capture_default_str();
  gen_cmd->add_option("--n", gen.n, "Length")->required();
  gen_cmd->add_option("--sigma", gen.sigma, "Alphabet size in [1, 2^32]")->capture_default_str();
  gen_cmd->add_option("--period", gen.period, "periodic: period length (>= 1)")->capture_default_str();
  gen_cmd->add_option("--rate", gen.rate, "periodic, mutate: substitution probability in [0, 1]")
      ->capture_default_str();
  gen_cmd->add_option("--base", gen.base, "mutate: the sequence to mutate");
  gen_cmd->add_option("--base-input", gen.base_input, "mutate: format of --base (raw, fasta, u32le)")
      ->capture_default_str();
  gen_cmd->add_option("--encoding", gen.encoding, "u32le, raw (sigma <= 256) or acgt (sigma <= 4)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*gen_cmd, gen.common);
  gen_cmd->callback([&] { run_gen(gen); });

  BenchArgs bench;
  auto* bench_cmd = app.add_subcommand("bench", "Time algorithms side by side on one text (CSV rows per rep)");
  add_sequence_flags(*bench_cmd, bench.seq);
  add_algo_flags(*bench_cmd, bench.algo);
  paperkit::cli::add_common_flags(*bench_cmd, bench.common);
  bench_cmd->add_option("--m", bench.ms, "Pattern lengths (comma separated)")->delimiter(',');
  bench_cmd->add_flag("--calibrate", bench.calibrate,
                      "Only measure hybrid's cost model here (--alpha, --beta in ns) and print it");
  bench_cmd->add_option("--algos", bench.algos, "Algorithms (comma separated; default all)")->delimiter(',');
  bench_cmd->add_option("--dataset", bench.dataset, "Name written in the dataset column")->capture_default_str();
  bench_cmd->add_option("--reps", bench.reps, "Repetitions (>= 1)")->capture_default_str();
  bench_cmd->callback([&] { run_bench(bench, *bench_cmd); });

  auto* list_cmd = app.add_subcommand("list", "List the algorithms (name, method and cost)");
  list_cmd->callback([] {
    for (const auto& info : hd::algorithms()) std::cout << info.name << '\t' << info.summary << '\n';
  });

  VerifyArgs verify;
  int verify_rc = 0;
  auto* verify_cmd =
      app.add_subcommand("verify", "Compare two u32le outputs: OK, or the first differing index (exit 5)");
  verify_cmd->add_option("A", verify.a, "First u32le file")->required();
  verify_cmd->add_option("B", verify.b, "Second u32le file")->required();
  verify_cmd->callback([&] { verify_rc = run_verify(verify); });

  const int rc = paperkit::cli::run_tool(app, argc, argv);
  return rc != 0 ? rc : verify_rc;
}
