// paperkit-ldp gen: writes a heavy-hitter population (CSV item,party,count, read back by
// `hh --source file --items`) or, with --format json, a summary with its true top items.
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "hh_source.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/metrics.hpp"

namespace paperkit::ldp_tool {
namespace {

namespace ldp = paperkit::ldp;

struct GenArgs {
  paperkit::cli::CommonOptions common;
  SourceArgs source;
  std::string kind;
  std::size_t top = 10;
};

void run_gen(GenArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.kind == "federated") {  // a Zipf population split over parties
    a.source.source = "zipf";
    if (a.source.parties < 2) a.source.parties = 4;
  } else {
    a.source.source = a.kind;
  }
  validate_source(a.source);
  paperkit::cli::Output out(a.common.out);
  const auto pop = load_population(a.source, a.common.seed);
  if (a.common.format == "csv") {
    ldp::write_population_csv(out.stream(), pop);
  } else {
    nlohmann::json j;
    j["tool"] = "paperkit-ldp gen";
    j["params"] = source_json(a.source);
    j["params"]["seed"] = a.common.seed;
    j["bits"] = pop.bits;
    j["distinct_items"] = pop.items.size();
    j["users"] = pop.users();
    std::vector<std::uint64_t> per_party;
    for (std::size_t p = 0; p < pop.parties(); ++p) per_party.push_back(pop.users(p));
    j["users_per_party"] = per_party;
    nlohmann::json top = nlohmann::json::array();
    for (const auto& r : ldp::true_top_k(pop.items, pop.pooled_counts(), a.top)) {
      top.push_back({{"item", r.item},
                     {"text", pop.width_bytes > 0 ? ldp::escape_bytes(ldp::item_to_bytes(r.item, pop.width_bytes))
                                                  : std::to_string(r.item)},
                     {"count", r.count}});
    }
    j["top"] = top;
    out.stream() << j.dump(2) << '\n';
  }
  out.finish();
}

}  // namespace

void add_gen_command(CLI::App& app) {
  auto* sub = app.add_subcommand("gen", "Heavy-hitter data: Zipf items, word lists, the AOL file, federated splits");
  auto a = std::make_shared<GenArgs>();
  sub->add_option("kind", a->kind, "zipf | words | aol | file | federated (Zipf split over --parties, default 4)")
      ->required()
      ->check(CLI::IsMember({"zipf", "words", "aol", "file", "federated"}));
  paperkit::cli::add_common_flags(*sub, a->common);
  add_source_flags(*sub, a->source);
  sub->add_option("--top", a->top, "JSON: number of true top items listed")->capture_default_str();
  sub->footer("Example: paperkit-ldp gen federated --bits 24 --users 100000 --parties 4 --alpha 0.5 > pop.csv");
  sub->callback([a] { run_gen(*a); });
}

}  // namespace paperkit::ldp_tool
