// `paperkit-attention prefill`: Sarathi chunked prefill (spec B2). A prompt of L tokens is
// processed in chunks of C queries: chunk [p, p + C) attends to KV [0, p + C) through one
// partial_attention call with a causal (or sliding-window) mask of offset delta = p. The output is
// compared with one-shot prefill (one partial_attention call over all L rows) and with the fp64
// oracle (1e-5 relative, the library's fp32 bound). Chunked and one-shot are expected to agree bit
// for bit (max_abs_diff_vs_one_shot = 0): a row's arithmetic depends only on its own query, the
// keys it sees and the key-tile grid anchored at key 0, never on which other rows share the call.
// With --device gpu both run on the GPU (partial_attention_gpu); there the split count follows the
// key range, so chunked and one-shot agree within the 1e-5 bound rather than bit for bit.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "attention_cmd_support.hpp"
#include "attention_device.hpp"
#include "cli.hpp"
#include "paperkit/attention/attention.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"

namespace attn = paperkit::attention;
using paperkit::InvalidParameter;

namespace {

struct PrefillArgs {
  paperkit::cli::CommonOptions common;
  attn::Shape shape{1, 8, 8, 1, 512, 64};  // kv_len = prompt length L; q_len is set to L
  std::int64_t chunk = 128;
  std::string mask = "causal";
  std::int64_t window = 0;
  bool no_check = false;
  std::string device = "cpu";
};

attn::Mask prefill_mask(const PrefillArgs& a, std::int64_t offset) {
  if (a.mask == "causal") return attn::Mask{attn::MaskKind::causal, offset, 0, false};
  if (a.mask == "window") return attn::Mask{attn::MaskKind::window, offset, a.window, false};
  throw InvalidParameter("--mask must be causal|window for prefill, got '" + a.mask + "'");
}

void validate_prefill(PrefillArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.shape.kv_len < 1) {
    throw InvalidParameter("--kv-len (prompt length) must be >= 1, got " + std::to_string(a.shape.kv_len));
  }
  a.shape.q_len = a.shape.kv_len;
  attn::validate(a.shape);
  if (a.chunk < 1) throw InvalidParameter("--chunk must be >= 1, got " + std::to_string(a.chunk));
  if (a.mask == "window" && a.window < 1) {
    throw InvalidParameter("--window must be >= 1 with --mask window, got " + std::to_string(a.window));
  }
  (void)prefill_mask(a, 0);
  if (paperkit::attention_app::parse_device(a.device) == paperkit::attention_app::Device::gpu) {
    paperkit::attention_app::require_gpu();
  }
}

// Offsets of query rows [p, p + c) of (sequence, head) bh in the full [B, H, L, d] layout and in
// the chunk's [B, H, c, d] layout.
struct RowSpan {
  std::size_t full_at, chunk_at, count;
};
RowSpan row_span(const attn::Shape& full, std::int64_t bh, std::int64_t p, std::int64_t c) {
  const std::int64_t d = full.head_dim;
  return RowSpan{static_cast<std::size_t>((bh * full.q_len + p) * d), static_cast<std::size_t>(bh * c * d),
                 static_cast<std::size_t>(c * d)};
}

void run_prefill(PrefillArgs& a) {
  validate_prefill(a);
  omp_set_num_threads(a.common.threads);
  const attn::Shape& full = a.shape;
  const std::int64_t len = full.kv_len;
  const auto q = paperkit::attention_app::seeded_tensor(full.q_elements(), a.common.seed, 0);
  const auto k = paperkit::attention_app::seeded_tensor(full.kv_elements(), a.common.seed, 1);
  const auto v = paperkit::attention_app::seeded_tensor(full.kv_elements(), a.common.seed, 2);
  const double scale = attn::default_scale(full.head_dim);
  const auto fscale = static_cast<float>(scale);
  const auto device = paperkit::attention_app::parse_device(a.device);

  // Chunked: C query rows at a time against the keys written so far.
  std::vector<float> chunked(full.q_elements());
  std::int64_t chunks = 0;
  paperkit::Stopwatch clock;
  for (std::int64_t p = 0; p < len; p += a.chunk) {
    const std::int64_t c = std::min(a.chunk, len - p);
    attn::Shape part = full;
    part.q_len = c;
    std::vector<float> q_chunk(part.q_elements());
    for (std::int64_t bh = 0; bh < full.batch * full.q_heads; ++bh) {
      const RowSpan r = row_span(full, bh, p, c);
      std::copy_n(q.data() + r.full_at, r.count, q_chunk.data() + r.chunk_at);
    }
    const attn::Partial got = paperkit::attention_app::partial(device, part, q_chunk, k, v, attn::KeyRange{0, p + c},
                                                               prefill_mask(a, p), fscale);
    for (std::int64_t bh = 0; bh < full.batch * full.q_heads; ++bh) {
      const RowSpan r = row_span(full, bh, p, c);
      std::copy_n(got.out.data() + r.chunk_at, r.count, chunked.data() + r.full_at);
    }
    ++chunks;
  }
  const double chunked_seconds = clock.seconds();

  clock.restart();
  const attn::Partial one_shot =
      paperkit::attention_app::partial(device, full, q, k, v, attn::KeyRange{}, prefill_mask(a, 0), fscale);
  const double one_shot_seconds = clock.seconds();

  double diff = 0.0;
  for (std::size_t i = 0; i < chunked.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(chunked[i] - one_shot.out[i])));
  }
  double rel_err = std::nan("");
  if (!a.no_check) {
    const attn::Reference ref = attn::reference_attention(full, q, k, v, prefill_mask(a, 0), scale);
    rel_err = paperkit::attention_app::max_relative_error(chunked, ref.out);
  }

  paperkit::Table table({"device", "batch", "q_heads", "kv_heads", "prompt_len", "head_dim", "chunk", "chunks", "mask",
                         "window", "seconds_chunked", "seconds_one_shot", "max_abs_diff_vs_one_shot", "rel_err_vs_fp64",
                         "threads", "seed"});
  table.add_row({a.device, full.batch, full.q_heads, full.kv_heads, len, full.head_dim, a.chunk, chunks, a.mask,
                 a.mask == "window" ? a.window : std::int64_t{0}, chunked_seconds, one_shot_seconds, diff, rel_err,
                 static_cast<std::int64_t>(a.common.threads), a.common.seed});
  paperkit::cli::Output out(a.common.out);
  table.write(out.stream(), paperkit::parse_table_format(a.common.format));
  out.finish();
}

}  // namespace

// Registers `prefill` on paperkit-attention (called from apps/attention.cpp).
void add_prefill_command(CLI::App& app) {
  auto args = std::make_shared<PrefillArgs>();
  auto* cmd = app.add_subcommand(
      "prefill",
      "Sarathi chunked prefill: chunks of --chunk queries against the keys so far (causal, delta = chunk start);\n"
      "time and error vs one-shot prefill and the fp64 oracle.\n"
      "Example: paperkit-attention prefill --kv-len 2048 --chunk 256 --q-heads 32 --kv-heads 8 --head-dim 128");
  cmd->add_option("--batch", args->shape.batch, "Sequences (>= 1)")->capture_default_str();
  cmd->add_option("--q-heads", args->shape.q_heads, "Query heads (a multiple of --kv-heads)")->capture_default_str();
  cmd->add_option("--kv-heads", args->shape.kv_heads, "Key/value heads (>= 1)")->capture_default_str();
  cmd->add_option("--kv-len", args->shape.kv_len, "Prompt length L (>= 1): queries and keys")->capture_default_str();
  cmd->add_option("--head-dim", args->shape.head_dim, "Head dimension d (>= 1)")->capture_default_str();
  cmd->add_option("--chunk", args->chunk, "Queries per chunk C (>= 1; Sarathi's chunk size)")->capture_default_str();
  cmd->add_option("--mask", args->mask, "causal|window")->capture_default_str();
  cmd->add_option("--window", args->window, "Visible keys per row for --mask window (>= 1)")->capture_default_str();
  cmd->add_flag("--no-check", args->no_check, "Skip the fp64 oracle (rel_err_vs_fp64 = nan)");
  cmd->add_option("--device", args->device, "cpu|gpu (gpu: CUDA builds with a device, else exit code 4)")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*cmd, args->common);
  cmd->callback([args] { run_prefill(*args); });
}
