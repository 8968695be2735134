// paperkit-attention: partial attention, LSE merge and split-K decode (spec module B) from the
// command line. Thin by design: parse, validate, build seeded inputs, call paperkit::attention,
// write one table row (time, and the error against the fp64 oracle unless --no-check).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attention_cmd_support.hpp"
#include "attention_device.hpp"
#include "cli.hpp"
#include "paperkit/attention/attention.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"

void add_prefill_command(CLI::App& app);  // apps/attention_prefill.cpp: Sarathi chunked prefill
void add_bench_command(CLI::App& app);    // apps/attention_bench_cmd.cpp: decode vs context, bandwidth
void add_sim_command(CLI::App& app);      // apps/attention_sim.cpp: sequence-parallel simulator

namespace attn = paperkit::attention;
using paperkit::InvalidParameter;
using paperkit::cli::CommonOptions;

namespace {

struct DecodeArgs {
  CommonOptions common;
  attn::Shape shape{1, 8, 8, 1, 1024, 64};
  std::string layout = "contiguous";
  std::int64_t page_size = attn::kDefaultPageSize;
  std::int64_t splits = 4;
  std::int64_t granule = 16;
  std::string mask = "causal";
  std::int64_t window = 0;
  std::int64_t offset = 0;
  bool no_check = false;
  std::string device = "cpu";
};

attn::Mask parse_mask(const DecodeArgs& a) {
  attn::Mask mask = paperkit::attention_app::parse_mask_flag(a.mask, a.window);
  mask.offset = a.offset;
  mask.window = a.window;
  mask.align_to_end = true;  // decode rows sit at the end of the sequence
  return mask;
}

void run_decode(DecodeArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.layout != "contiguous" && a.layout != "paged") {
    throw InvalidParameter("--layout must be contiguous|paged, got '" + a.layout + "'");
  }
  attn::validate(a.shape);
  const attn::Mask mask = parse_mask(a);
  const auto device = paperkit::attention_app::parse_device(a.device);
  const attn::SplitOptions split{a.splits, a.granule};
  if (device == paperkit::attention_app::Device::gpu) {
    if (a.splits < 0)
      throw InvalidParameter("--splits must be >= 0 (0 = automatic, GPU only), got " + std::to_string(a.splits));
    if (a.granule < 1) throw InvalidParameter("--granule must be >= 1, got " + std::to_string(a.granule));
    paperkit::attention_app::require_gpu();
  } else {
    if (a.splits < 1) {
      throw InvalidParameter("--splits must be >= 1 on the CPU (0 = automatic is GPU only), got " +
                             std::to_string(a.splits));
    }
    attn::validate(split);
  }
  omp_set_num_threads(a.common.threads);

  const auto q = paperkit::attention_app::seeded_tensor(a.shape.q_elements(), a.common.seed, 0);
  const auto k = paperkit::attention_app::seeded_tensor(a.shape.kv_elements(), a.common.seed, 1);
  const auto v = paperkit::attention_app::seeded_tensor(a.shape.kv_elements(), a.common.seed, 2);
  const double scale = attn::default_scale(a.shape.head_dim);

  attn::Partial got;
  paperkit::Stopwatch clock;
  if (a.layout == "paged") {
    const std::vector<std::int64_t> lens(static_cast<std::size_t>(a.shape.batch), a.shape.kv_len);
    const attn::PagedStorage paged = attn::to_paged(a.shape, k, v, lens, a.page_size, a.common.seed);
    clock.restart();  // time the attention, not the page scatter
    got = paperkit::attention_app::split_k_paged(device, a.shape, q, paged.view(), mask, static_cast<float>(scale),
                                                 a.splits, a.granule);
  } else {
    got = paperkit::attention_app::split_k(device, a.shape, q, k, v, mask, static_cast<float>(scale), a.splits,
                                           a.granule);
  }
  const double seconds = clock.seconds();

  double rel_err = std::nan("");
  if (!a.no_check) {
    const attn::Reference ref = attn::reference_attention(a.shape, q, k, v, mask, scale);
    double diff = 0.0, norm = 0.0;
    for (std::size_t i = 0; i < ref.out.size(); ++i) {
      diff = std::max(diff, std::abs(static_cast<double>(got.out[i]) - ref.out[i]));
      norm = std::max(norm, std::abs(ref.out[i]));
    }
    rel_err = norm > 0.0 ? diff / norm : diff;
  }

  paperkit::Table table({"device", "layout", "batch", "q_heads", "kv_heads", "q_len", "kv_len", "head_dim", "mask",
                         "splits", "seconds", "rel_err_vs_fp64", "seed"});
  table.add_row({a.device, a.layout, a.shape.batch, a.shape.q_heads, a.shape.kv_heads, a.shape.q_len, a.shape.kv_len,
                 a.shape.head_dim, a.mask, a.splits, seconds, rel_err, a.common.seed});
  paperkit::cli::Output out(a.common.out);
  table.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "paperkit-attention: partial attention, LSE merge, split-K decode, paged KV (spec module B).\n"
      "Example: paperkit-attention decode --batch 4 --q-heads 32 --kv-heads 8 --kv-len 4096 --head-dim 128 \\\n"
      "           --layout paged --splits 8 --format json"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-attention"));
  app.require_subcommand(1);

  DecodeArgs dec;
  auto* dec_cmd = app.add_subcommand(
      "decode", "Split-K attention of seeded random Q/K/V (contiguous or paged KV); time and error vs fp64");
  dec_cmd->add_option("--batch", dec.shape.batch, "Sequences (>= 1)")->capture_default_str();
  dec_cmd->add_option("--q-heads", dec.shape.q_heads, "Query heads (a multiple of --kv-heads)")->capture_default_str();
  dec_cmd->add_option("--kv-heads", dec.shape.kv_heads, "Key/value heads (>= 1)")->capture_default_str();
  dec_cmd->add_option("--q-len", dec.shape.q_len, "Query rows per sequence (1 = decode)")->capture_default_str();
  dec_cmd->add_option("--kv-len", dec.shape.kv_len, "Cached tokens per sequence (>= 1)")->capture_default_str();
  dec_cmd->add_option("--head-dim", dec.shape.head_dim, "Head dimension d (>= 1)")->capture_default_str();
  dec_cmd->add_option("--layout", dec.layout, "contiguous|paged")->capture_default_str();
  dec_cmd->add_option("--page-size", dec.page_size, "Tokens per page (paged layout)")->capture_default_str();
  dec_cmd->add_option("--splits", dec.splits, "Key chunks per sequence (>= 1)")->capture_default_str();
  dec_cmd->add_option("--granule", dec.granule, "Chunk sizes rounded up to a multiple of this")->capture_default_str();
  dec_cmd->add_option("--mask", dec.mask, "none|causal|window (aligned to the sequence end)")->capture_default_str();
  dec_cmd->add_option("--window", dec.window, "Visible keys per row for --mask window")->capture_default_str();
  dec_cmd->add_option("--offset", dec.offset, "Extra causal offset delta")->capture_default_str();
  dec_cmd->add_flag("--no-check", dec.no_check, "Skip the fp64 oracle (rel_err_vs_fp64 = nan)");
  dec_cmd
      ->add_option("--device", dec.device,
                   "cpu|gpu (gpu: CUDA builds with a device, else exit code 4; --splits 0 = auto)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*dec_cmd, dec.common);
  dec_cmd->callback([&] { run_decode(dec); });

  add_prefill_command(app);
  add_bench_command(app);
  add_sim_command(app);
  return paperkit::cli::run_tool(app, argc, argv);
}
