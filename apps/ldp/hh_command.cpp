// paperkit-ldp hh: heavy hitters (PEM, per-party PEM, pooled PEM, TAP, TAPS, TreeHist, SFP) on a
// generated or read population; prints the estimated top-k with F1 / NCR against the true counts.
// Thin by design: parse, validate, call paperkit::ldp, write.
#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "hh_source.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/ldp/heavy_hitters.hpp"

namespace paperkit::ldp_tool {
namespace {

namespace ldp = paperkit::ldp;
using paperkit::InvalidParameter;
using paperkit::cli::CommonOptions;

const std::vector<std::string> kMethods = {"pem", "pooled-pem", "per-party-pem", "tap", "taps", "treehist", "sfp"};

struct HhArgs {
  CommonOptions common;
  SourceArgs source;
  std::string methods = "taps";
  std::size_t k = 32;
  double eps = 4.0;
  std::string fo = "olh";
  std::string olh_variant = "pure-ldp";
  std::uint64_t flh_pool = 100;
  CLI::Option* flh_pool_option = nullptr;
  std::string mode = "aggregate";
  std::size_t runs = 1;
  std::size_t show = 0;  // top items printed per run (JSON); 0 = k
  ldp::PemOptions pem;
  ldp::TapOptions tap;
  ldp::SplitOptions split;
  bool fixed_step = false;
};

std::string fidelity_of(const std::string& method) {
  if (method == "tap" || method == "taps") return "reconstructed";
  if (method == "per-party-pem") return "reconstructed-baseline";
  if (method == "treehist" || method == "sfp") return "pure-ldp-variant";
  return "reference";  // PEM in the layout of Wang's pem.py
}

ldp::HeavyHitterResult run_method(const std::string& m, const ldp::Population& p, const ldp::HeavyHitterOptions& o,
                                  const HhArgs& a) {
  if (m == "pem") return ldp::pem(p, o, a.pem);
  if (m == "pooled-pem") {  // the non-federated reference of per-party PEM: same keep (c k per level)
    auto pem = a.pem;
    if (pem.keep == 0) pem.keep = static_cast<std::size_t>(std::ceil(a.tap.keep_factor * static_cast<double>(a.k)));
    auto r = ldp::pem(p, o, pem);
    r.method = m;
    return r;
  }
  if (m == "per-party-pem") return ldp::per_party_pem(p, o, a.pem, a.tap.keep_factor);
  if (m == "tap") return ldp::tap(p, o, a.tap);
  if (m == "taps") return ldp::taps(p, o, a.tap);
  if (m == "treehist") return ldp::treehist(p, o, a.split);
  return ldp::sfp(p, o, a.split);
}

std::vector<std::string> split_methods(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string m;
  while (std::getline(ss, m, ',')) {
    if (std::find(kMethods.begin(), kMethods.end(), m) == kMethods.end())
      throw InvalidParameter("method must be one of pem, pooled-pem, per-party-pem, tap, taps, treehist, sfp (got '" +
                             m + "')");
    out.push_back(m);
  }
  if (out.empty()) throw InvalidParameter("give at least one method");
  return out;
}

std::string item_text(ldp::Item v, const ldp::Population& p) {
  return p.width_bytes > 0 ? ldp::escape_bytes(ldp::item_to_bytes(v, p.width_bytes)) : std::to_string(v);
}

void run_hh(HhArgs& a) {
  paperkit::cli::validate_common(a.common);
  validate_source(a.source);
  const auto methods = split_methods(a.methods);
  if (a.runs < 1 || a.runs > 10000)
    throw InvalidParameter("--runs must be in [1, 10000] (got " + std::to_string(a.runs) + ")");
  if (a.k < 1) throw InvalidParameter("--k must be >= 1 (got 0)");
  if (!(a.tap.keep_factor >= 1 && a.tap.keep_factor <= 64))
    throw InvalidParameter("--keep-factor must be in [1, 64] (got " + std::to_string(a.tap.keep_factor) + ")");
  ldp::HeavyHitterOptions o;
  o.k = a.k;
  o.epsilon = a.eps;
  o.oracle = a.fo;
  o.mode = ldp::parse_simulation_mode(a.mode);
  o.threads = a.common.threads;
  if (a.olh_variant == "pure-ldp") {
    o.oracle_options.olh_variant = ldp::OlhVariant::pure_ldp;
  } else if (a.olh_variant == "wang") {
    o.oracle_options.olh_variant = ldp::OlhVariant::wang;
  } else {
    throw InvalidParameter("--olh-variant must be pure-ldp or wang (got " + a.olh_variant + ")");
  }
  if (a.fo == "flh") {
    o.oracle_options.flh_pool = a.flh_pool;  // the pool seed is each run's seed (GroupEstimator)
  } else if (a.flh_pool_option->count() > 0) {
    throw InvalidParameter("--flh-pool applies to --fo flh only (got --fo " + a.fo + ")");
  }
  a.tap.adaptive = !a.fixed_step;
  paperkit::cli::Output out(a.common.out);

  nlohmann::json runs = nlohmann::json::array();
  paperkit::Table table({"method", "run", "seed", "k", "eps", "fo", "mode", "parties", "users", "precision", "recall",
                         "f1", "ncr", "count_mae", "count_mean_rel", "groups", "seconds"});
  double load_s = 0, run_s = 0;
  std::unique_ptr<ldp::Population> fixed;
  nlohmann::json groups_json;
  for (std::size_t r = 0; r < a.runs; ++r) {
    const std::uint64_t seed = a.common.seed + r;
    paperkit::Stopwatch load;
    if (!fixed || !source_is_fixed(a.source))
      fixed = std::make_unique<ldp::Population>(load_population(a.source, seed));
    load_s += load.seconds();
    const ldp::Population& pop = *fixed;
    const auto truth = pop.pooled_counts();
    for (const auto& m : methods) {
      o.seed = seed;
      paperkit::Stopwatch clock;
      const auto res = run_method(m, pop, o, a);
      const double secs = clock.seconds();
      run_s += secs;
      const auto met = ldp::evaluate_top_k(res.top, pop.items, truth, a.k);
      table.add_row({m, static_cast<std::uint64_t>(r), seed, static_cast<std::uint64_t>(a.k), a.eps, a.fo, a.mode,
                     static_cast<std::uint64_t>(pop.parties()), pop.users(), met.precision, met.recall, met.f1, met.ncr,
                     met.count_mae, met.count_mean_rel, static_cast<std::uint64_t>(res.groups.size()), secs});
      if (a.common.format != "json") continue;
      nlohmann::json j;
      j["method"] = m;
      j["run"] = r;
      j["seed"] = seed;
      j["fidelity"] = fidelity_of(m) + (a.fo == "flh" ? "; heuristic oracle (flh)" : "");
      j["users"] = pop.users();
      j["parties"] = pop.parties();
      j["metrics"] = {{"precision", met.precision},
                      {"recall", met.recall},
                      {"f1", met.f1},
                      {"ncr", met.ncr},
                      {"hits", met.hits},
                      {"count_mae", met.count_mae},
                      {"count_mean_rel", met.count_mean_rel}};
      std::unordered_map<ldp::Item, std::uint64_t> true_count;
      for (std::size_t i = 0; i < pop.items.size(); ++i) true_count.emplace(pop.items[i], truth[i]);
      nlohmann::json top = nlohmann::json::array();
      const std::size_t show = a.show == 0 ? a.k : a.show;
      for (std::size_t i = 0; i < std::min(show, res.top.size()); ++i) {
        const auto it = true_count.find(res.top[i].item);
        top.push_back({{"item", res.top[i].item},
                       {"text", item_text(res.top[i].item, pop)},
                       {"estimate", res.top[i].count},
                       {"true", it == true_count.end() ? 0 : it->second}});
      }
      j["top"] = top;
      nlohmann::json groups = nlohmann::json::array();
      for (const auto& g : res.groups)
        groups.push_back({{"phase", g.phase},
                          {"party", g.party},
                          {"level", g.level},
                          {"users", g.users},
                          {"prefix_bits", g.prefix_bits},
                          {"candidates", g.candidates},
                          {"eps", g.epsilon},
                          {"oracle", g.oracle}});
      j["privacy"] = {{"eps", a.eps},
                      {"delta", 0},
                      {"per_user_eps", res.epsilon_per_user},
                      {"users_total", res.users_total},
                      {"users_assigned", res.users_assigned},
                      {"accounting",
                       "every user of every party is in exactly one group and reports once (split methods: two "
                       "reports of eps/2), so the whole run is eps-LDP"},
                      {"groups", groups}};
      j["seconds"] = secs;
      runs.push_back(j);
    }
  }
  if (a.common.format == "json") {
    bool reconstructed = false;
    for (const auto& m : methods) reconstructed |= fidelity_of(m) != "reference";
    nlohmann::json doc;
    doc["tool"] = "paperkit-ldp hh";
    doc["fidelity"] =
        std::string(reconstructed ? "reconstructed" : "reference") + (a.fo == "flh" ? "; heuristic oracle (flh)" : "");
    doc["params"] = {{"methods", methods},
                     {"k", a.k},
                     {"eps", a.eps},
                     {"fo", a.fo},
                     {"olh_variant", a.olh_variant},
                     {"mode", a.mode},
                     {"seed", a.common.seed},
                     {"runs", a.runs},
                     {"data", source_json(a.source)},
                     {"pem", {{"start_bits", a.pem.start_bits}, {"step_bits", a.pem.step_bits}, {"keep", a.pem.keep}}},
                     {"tap",
                      {{"shallow_bits", a.tap.shallow_bits},
                       {"min_step_bits", a.tap.min_step_bits},
                       {"max_step_bits", a.tap.max_step_bits},
                       {"phase1_share", a.tap.phase1_share},
                       {"keep_factor", a.tap.keep_factor},
                       {"noise_z", a.tap.noise_z},
                       {"max_candidates", a.tap.max_candidates},
                       {"adaptive", a.tap.adaptive},
                       {"consensus_fraction", a.tap.consensus_fraction}}},
                     {"split",
                      {{"fragment_bits", a.split.fragment_bits},
                       {"hash_bits", a.split.hash_bits},
                       {"threshold_sd", a.split.threshold_sd}}}};
    if (a.fo == "flh") {
      doc["params"]["flh_pool"] = a.flh_pool;
      doc["oracle_note"] =
          "heuristic: flh is OLH whose users draw their hash seed from a pool of flh_pool seeds derived from each "
          "run's seed (one pool for all groups); users sharing a seed are correlated, so estimates are unbiased "
          "only over pool draws (extra variance sum_{u!=v} c_u^2/(k_s (g-1)))";
    }
    doc["runs"] = runs;
    doc["timing"] = {{"load_seconds", load_s}, {"run_seconds", run_s}, {"threads", a.common.threads}};
    out.stream() << doc.dump(2) << '\n';
  } else {
    table.write(out.stream(), paperkit::TableFormat::csv);
  }
  out.finish();
}

}  // namespace

void add_hh_command(CLI::App& app) {
  auto* sub = app.add_subcommand("hh", "Heavy hitters: top-k items under eps-LDP, single-party and federated");
  auto a = std::make_shared<HhArgs>();
  sub->add_option("method", a->methods,
                  "pem | pooled-pem | per-party-pem | tap | taps | treehist | sfp, or a comma list (run side by side)")
      ->required();
  paperkit::cli::add_common_flags(*sub, a->common);
  add_source_flags(*sub, a->source);
  sub->add_option("--k", a->k, "k: size of the top-k (1 <= k <= 2^m, <= 4096)")->capture_default_str();
  sub->add_option("--eps,--epsilon", a->eps, "eps: per-user budget of the whole run (0, 30]")->capture_default_str();
  sub->add_option("--fo,--oracle", a->fo,
                  "Frequency oracle per group: grr | oue | olh | flh | blh | sue | hr | auto (flh: heuristic)")
      ->capture_default_str();
  a->flh_pool_option =
      sub->add_option("--flh-pool", a->flh_pool, "--fo flh: hash seeds in the pool, in [1, 2^20], derived from --seed")
          ->capture_default_str();
  sub->add_option("--olh-variant", a->olh_variant,
                  "OLH: pure-ldp (g = round(e^eps)+1) or wang (g = floor(e^eps)+1, keep 1/2)")
      ->capture_default_str();
  sub->add_option("--mode", a->mode, "aggregate (oracle law from true group counts) or per-user (every report)")
      ->capture_default_str();
  sub->add_option("--runs", a->runs, "Repeat with seeds seed, seed+1, ... (one row per run and method)")
      ->capture_default_str();
  sub->add_option("--show", a->show, "JSON: top items listed per run (0 = k)")->capture_default_str();
  sub->add_option("--start-bits", a->pem.start_bits, "PEM gamma: first prefix length (0 = floor(log2 k)+1)")
      ->capture_default_str();
  sub->add_option("--step-bits", a->pem.step_bits, "PEM eta: bits added per level")->capture_default_str();
  sub->add_option("--keep", a->pem.keep, "PEM: candidates kept per level (0 = k; per-party and pooled PEM: ceil(c k))")
      ->capture_default_str();
  sub->add_option("--keep-factor", a->tap.keep_factor, "c: TAP/TAPS keep c*k per level; per-party PEM reports c*k")
      ->capture_default_str();
  sub->add_option("--shallow-bits", a->tap.shallow_bits, "TAP s: Phase-I prefix length (0 = floor(log2 ck)+1)")
      ->capture_default_str();
  sub->add_option("--phase1-share", a->tap.phase1_share, "TAP rho: share of each party's users in Phase I (0,1)")
      ->capture_default_str();
  sub->add_option("--max-step-bits", a->tap.max_step_bits, "TAP eta_max: largest extension per level")
      ->capture_default_str();
  sub->add_option("--min-step-bits", a->tap.min_step_bits, "TAP: smallest extension per level")->capture_default_str();
  sub->add_option("--noise-z", a->tap.noise_z, "TAP adaptive rule: z in sd*z*sqrt(2 ln|C'|) <= ck-th estimate")
      ->capture_default_str();
  sub->add_option("--max-candidates", a->tap.max_candidates, "TAP: cap on |C| 2^eta per level")->capture_default_str();
  sub->add_flag("--fixed-step", a->fixed_step, "TAP: always extend by --max-step-bits (no adaptive rule)");
  sub->add_option("--consensus-fraction", a->tap.consensus_fraction,
                  "TAPS: prior candidates with summed estimate >= fraction x k-th prior sum join the consensus")
      ->capture_default_str();
  sub->add_option("--fragment-bits", a->split.fragment_bits, "TreeHist step / SFP fragment length in bits")
      ->capture_default_str();
  sub->add_option("--hash-bits", a->split.hash_bits, "SFP: bits of the item hash paired with each fragment")
      ->capture_default_str();
  sub->add_option("--threshold-sd", a->split.threshold_sd, "TreeHist/SFP: keep estimates >= this many sd")
      ->capture_default_str();
  sub->footer(
      "Example: paperkit-ldp hh taps,per-party-pem --source zipf --bits 32 --users 200000 --parties 4 --k 16 "
      "--eps 4 --format json\n"
      "         paperkit-ldp hh pem --source aol --aol ../shared/data/aol_query_6bytes_sorted.txt.gz --k 32 --eps 4");
  sub->callback([a] { run_hh(*a); });
}

}  // namespace paperkit::ldp_tool
