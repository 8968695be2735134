// paperkit-attention sim: the sequence-parallel simulator (spec B3, §7) from the command line.
// Thin: parse, validate every flag, run the schedule, write one summary row (or the whole byte
// ledger with --per-link): the bytes each link carries per step against the spec's formula, and
// the error against the single-device fp64 oracle.
//
// The bytes always come from the schedule at the requested shape (size-only buffers when the shape
// is too big to compute, e.g. N = 65536). The error is measured at the requested N when
// batch * q_heads * N^2 * d <= 2^28 multiply-adds, else at check_N, the smallest valid N >= 64
// (same P, heads, d, mask) so a large run still checks the schedule's arithmetic; --no-check skips it.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "attention_cmd_support.hpp"
#include "cli.hpp"
#include "paperkit/attention/attention.hpp"
#include "paperkit/attention/sequence_parallel.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"

namespace attn = paperkit::attention;
using paperkit::InvalidParameter;

namespace paperkit::attention_app {
namespace {

constexpr double kCheckWork = 268435456.0;  // 2^28 multiply-adds for the fp64 oracle
constexpr std::int64_t kMinCheckN = 64;
constexpr std::int64_t kMaxDevices = 1024;

struct SimArgs {
  paperkit::cli::CommonOptions common;
  std::int64_t devices = 8;
  std::int64_t n = 65536;
  std::int64_t batch = 1;
  std::int64_t q_heads = 32;
  std::int64_t kv_heads = 8;
  std::int64_t head_dim = 128;
  std::string variant = "ring";
  std::string mask = "causal";
  std::int64_t window = 0;
  std::int64_t bytes_per_element = 2;
  bool no_check = false;
  bool per_link = false;
};

void require(bool ok, const std::string& message) {
  if (!ok) throw InvalidParameter(message);
}

double work(const attn::Shape& s) {
  return static_cast<double>(s.batch * s.q_heads * s.head_dim) * static_cast<double>(s.q_len) *
         static_cast<double>(s.q_len);
}

struct Check {
  std::int64_t n = 0;  // 0: not checked
  double out_rel_err = std::nan("");
  double lse_max_err = std::nan("");
  attn::SpResult result;  // the computing run (its ledger is used when n is the requested N)
};

// Runs the scheme on seeded random inputs at `shape` and measures it against the fp64 oracle.
Check check_at(const attn::Shape& shape, const attn::Mask& mask, const attn::SpConfig& config, std::uint64_t seed) {
  Check c;
  c.n = shape.q_len;
  const auto q = paperkit::attention_app::seeded_tensor(shape.q_elements(), seed, 0);
  const auto k = paperkit::attention_app::seeded_tensor(shape.kv_elements(), seed, 1);
  const auto v = paperkit::attention_app::seeded_tensor(shape.kv_elements(), seed, 2);
  const double scale = attn::default_scale(shape.head_dim);
  c.result = attn::simulate_sequence_parallel(shape, q, k, v, mask, static_cast<float>(scale), config);
  std::vector<double> ref_out;
  std::vector<double> ref_lse;
  if (attn::sp_is_softmax(config.scheme)) {
    attn::Reference ref = attn::reference_attention(shape, q, k, v, mask, scale);
    ref_out = std::move(ref.out);
    ref_lse = std::move(ref.lse);
  } else {
    ref_out = attn::reference_linear_attention(shape, q, k, v, mask, scale);
  }
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < ref_out.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(c.result.out[i]) - ref_out[i]));
    norm = std::max(norm, std::abs(ref_out[i]));
  }
  c.out_rel_err = norm > 0.0 ? diff / norm : diff;
  if (!ref_lse.empty()) {
    double lse_err = 0.0;
    for (std::size_t i = 0; i < ref_lse.size(); ++i) {
      const double got = c.result.lse[i];
      if (std::isinf(ref_lse[i]) && std::isinf(got) && got < 0) continue;  // both "no key"
      lse_err = std::max(lse_err, std::abs(got - ref_lse[i]));             // a NaN or a lone inf stays inf
      if (std::isnan(got)) lse_err = std::numeric_limits<double>::infinity();
    }
    c.lse_max_err = lse_err;
  }
  return c;
}

// The size every transfer of a direction had (0 if none), or -1 if they differ.
std::int64_t common_size(const attn::ByteLedger& ledger, attn::LinkDirection direction) {
  std::int64_t size = 0;
  for (const attn::Transfer& t : ledger.transfers) {
    if (t.direction != direction) continue;
    if (size == 0) size = t.bytes;
    if (t.bytes != size) return -1;
  }
  return size;
}

void run_sim(SimArgs& a) {
  paperkit::cli::validate_common(a.common);
  require(a.devices >= 1, "--P must be >= 1, got " + std::to_string(a.devices));
  require(a.devices <= kMaxDevices, "--P must be <= " + std::to_string(kMaxDevices) +
                                        " (the ledger keeps P^2 transfers), got " + std::to_string(a.devices));
  require(a.n >= 1, "--N must be >= 1, got " + std::to_string(a.n));
  require(a.bytes_per_element >= 1 && a.bytes_per_element <= 16,
          "--bytes-per-element must be in [1, 16], got " + std::to_string(a.bytes_per_element));
  const std::vector<std::string> variants = {"ring", "zigzag", "tokenring", "rsa", "lasp2"};
  require(std::find(variants.begin(), variants.end(), a.variant) != variants.end(),
          "--variant must be ring|zigzag|tokenring|rsa|lasp2, got '" + a.variant + "'");
  const attn::SpScheme scheme = attn::parse_sp_scheme(a.variant);
  const attn::Mask mask = paperkit::attention_app::parse_mask_flag(a.mask, a.window);
  const attn::Shape shape{a.batch, a.q_heads, a.kv_heads, a.n, a.n, a.head_dim};
  attn::SpConfig config{scheme, a.devices, a.bytes_per_element, false};
  attn::validate(shape, mask, config);  // names N, P and the rule
  // Every byte count must fit in int64: bound the largest volume (TokenRing's) in floating point.
  const double most = static_cast<double>(a.devices) * static_cast<double>(a.n) * static_cast<double>(a.batch) *
                      static_cast<double>(std::max(a.q_heads, a.kv_heads)) *
                      (2.0 * static_cast<double>(a.head_dim) * static_cast<double>(a.bytes_per_element) + 4.0) *
                      std::max(1.0, static_cast<double>(a.head_dim) * static_cast<double>(a.bytes_per_element));
  require(most < 1e18, "the shape is too large: byte counts would overflow (--N " + std::to_string(a.n) + ", --P " +
                           std::to_string(a.devices) + ", --head-dim " + std::to_string(a.head_dim) + ")");
  omp_set_num_threads(a.common.threads);

  paperkit::Stopwatch clock;
  Check check;
  attn::ByteLedger ledger;
  config.compute = true;
  if (!a.no_check && work(shape) <= kCheckWork) {
    check = check_at(shape, mask, config, a.common.seed);
    ledger = check.result.ledger;
  } else {
    if (!a.no_check) {
      const std::int64_t unit = scheme == attn::SpScheme::zigzag ? 2 * a.devices : a.devices;
      attn::Shape small = shape;
      small.q_len = small.kv_len = ((std::max(kMinCheckN, unit) + unit - 1) / unit) * unit;
      if (work(small) <= kCheckWork) check = check_at(small, mask, config, a.common.seed);
    }
    config.compute = false;
    ledger = attn::simulate_sequence_parallel(shape, {}, {}, {}, mask, 1.0f, config).ledger;
  }
  const double seconds = clock.seconds();
  config.compute = false;
  const attn::SpFormula f = attn::sp_byte_formula(shape, mask, config);

  paperkit::cli::Output out(a.common.out);
  const auto format = paperkit::parse_table_format(a.common.format);
  if (a.per_link) {
    paperkit::Table table({"variant", "step", "src", "dst", "direction", "payload_elements", "stat_elements", "bytes",
                           "formula_bytes", "agree"});
    for (const attn::Transfer& t : ledger.transfers) {
      const std::int64_t want =
          t.direction == attn::LinkDirection::forward ? f.forward_bytes_per_send : f.backward_bytes_per_send;
      table.add_row({a.variant, t.step, t.src, t.dst, std::string(attn::link_direction_name(t.direction)),
                     t.payload_elements, t.stat_elements, t.bytes, want, std::string(t.bytes == want ? "yes" : "no")});
    }
    table.write(out.stream(), format);
    out.finish();
    return;
  }

  const std::int64_t fwd = common_size(ledger, attn::LinkDirection::forward);
  const std::int64_t bwd = common_size(ledger, attn::LinkDirection::backward);
  std::vector<std::int64_t> sent(static_cast<std::size_t>(a.devices), 0);  // one pass: sent_by(r) per r is O(P^3)
  for (const attn::Transfer& t : ledger.transfers) sent[static_cast<std::size_t>(t.src)] += t.bytes;
  const std::int64_t per_device = *std::max_element(sent.begin(), sent.end());
  const std::int64_t fwd_sends = ledger.count(attn::LinkDirection::forward);
  const std::int64_t bwd_sends = ledger.count(attn::LinkDirection::backward);
  const bool agree = (fwd_sends == 0 || fwd == f.forward_bytes_per_send) &&
                     (bwd_sends == 0 || bwd == f.backward_bytes_per_send) && fwd_sends == f.forward_sends &&
                     bwd_sends == f.backward_sends && ledger.total() == f.total() && per_device == f.per_device_max;

  paperkit::Table table({"variant",
                         "P",
                         "N",
                         "batch",
                         "q_heads",
                         "kv_heads",
                         "head_dim",
                         "mask",
                         "bytes_per_element",
                         "steps",
                         "forward_bytes_per_link_step",
                         "forward_sends",
                         "backward_bytes_per_link_step",
                         "backward_sends",
                         "per_device_bytes",
                         "total_bytes",
                         "formula_forward_bytes",
                         "formula_backward_bytes",
                         "formula_per_device_bytes",
                         "formula_total_bytes",
                         "formula",
                         "agree",
                         "check_N",
                         "max_rel_err",
                         "lse_max_abs_err",
                         "seconds",
                         "seed"});
  table.add_row({a.variant,
                 a.devices,
                 a.n,
                 a.batch,
                 a.q_heads,
                 a.kv_heads,
                 a.head_dim,
                 a.mask,
                 a.bytes_per_element,
                 ledger.steps,
                 fwd,
                 fwd_sends,
                 bwd,
                 bwd_sends,
                 per_device,
                 ledger.total(),
                 f.forward_bytes_per_send,
                 f.backward_bytes_per_send,
                 f.per_device_max,
                 f.total(),
                 f.text,
                 std::string(agree ? "yes" : "no"),
                 check.n,
                 check.out_rel_err,
                 check.lse_max_err,
                 seconds,
                 a.common.seed});
  table.write(out.stream(), format);
  out.finish();
}

}  // namespace
}  // namespace paperkit::attention_app

// Registers `sim` on the tool's CLI::App (declared in apps/attention.cpp).
void add_sim_command(CLI::App& app) {
  using paperkit::attention_app::run_sim;
  using paperkit::attention_app::SimArgs;
  static SimArgs a;
  auto* cmd = app.add_subcommand(
      "sim",
      "Sequence-parallel attention over P virtual devices (ring, zigzag, tokenring, rsa, lasp2): bytes per link per "
      "step vs the spec formula, and the error vs single-device fp64 attention.\n"
      "Example: paperkit-attention sim --P 8 --N 65536 --variant tokenring --q-heads 32 --kv-heads 8 --head-dim 128 "
      "--mask causal --bytes-per-element 2 --format json");
  cmd->add_option("--P", a.devices, "Virtual devices P (>= 1; N divisible by P, by 2P for zigzag)")
      ->capture_default_str();
  cmd->add_option("--N", a.n, "Sequence length N (q_len = kv_len)")->capture_default_str();
  cmd->add_option("--variant", a.variant, "ring|zigzag|tokenring|rsa|lasp2 (lasp2: linear attention)")
      ->capture_default_str();
  cmd->add_option("--batch", a.batch, "Sequences (>= 1); every volume scales with it")->capture_default_str();
  cmd->add_option("--q-heads", a.q_heads, "Query heads H_q (a multiple of --kv-heads)")->capture_default_str();
  cmd->add_option("--kv-heads", a.kv_heads, "Key/value heads H_kv (>= 1)")->capture_default_str();
  cmd->add_option("--head-dim", a.head_dim, "Head dimension d (>= 1)")->capture_default_str();
  cmd->add_option("--mask", a.mask, "none|causal|window (lasp2: none|causal)")->capture_default_str();
  cmd->add_option("--window", a.window, "Visible keys per row for --mask window")->capture_default_str();
  cmd->add_option("--bytes-per-element", a.bytes_per_element,
                  "b: bytes per transferred element for the ledger (4 fp32, 2 fp16); lse always 4")
      ->capture_default_str();
  cmd->add_flag("--no-check", a.no_check, "Skip the oracle check (check_N = 0, errors nan)");
  cmd->add_flag("--per-link", a.per_link, "One row per transfer (step, src, dst, direction, bytes) instead");
  paperkit::cli::add_common_flags(*cmd, a.common);
  cmd->callback([] { run_sim(a); });
}
