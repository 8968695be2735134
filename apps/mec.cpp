// paperkit-mec: minimum-entropy couplings and their bounds from the command line.
// Thin by design: parse, validate, call paperkit::mec, write.
#include <cmath>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/common/timer.hpp"
#include "paperkit/mec/mec.hpp"

namespace mec = paperkit::mec;

namespace paperkit::mec_app {
void add_mcg_command(CLI::App& app);  // apps/mec_mcg.cpp: the Markov coding game
}
using paperkit::InvalidParameter;
using paperkit::Table;
using paperkit::cli::CommonOptions;

namespace {

// Statements the tool prints with every result: what is proven, what is a design choice or
// unverified in the spec (mec_awrs.md part a), and the parameter that controls it.
const std::vector<std::string> kNotes = {
    "greedy: Kocaoglu et al. 2017 Alg. 1; ties -> lowest index; H(greedy) - H(meet) <= log2(e) is proven "
    "(Compton 2022)",
    "greedy --dust (relative residual dropped as rounding noise) is a design choice [I], not from the papers",
    "greedy <= H(meet) + 1 for k = 2 is unverified (spec A2); reported as a gap, never assumed",
    "exact: vertex enumeration by DFS (method [I], spec A3), checked against Compton's values for the spec example; "
    "k = 2 and n + m <= --max-lines only",
    "marginals: |sum - 1| <= --tolerance unless --normalize; each is divided by its sum before coupling",
    "sla: successive linearization (spec B4) is an inference [I] of the paper's baseline (its code was not "
    "available): exact transportation LPs on c = -log2 max(P, 1e-300) from greedy's coupling until the support "
    "is unchanged; k = 2 only"};

constexpr std::size_t kMaxGenerated = 100'000'000;

struct SourceArgs {
  std::vector<std::string> files, inline_values;
  std::vector<std::size_t> dirichlet;
  double alpha = 1.0;
  double tolerance = 1e-9;
  bool normalize = false;
};

void add_source_flags(CLI::App& app, SourceArgs& a) {
  app.add_option("--marginal", a.files, "Marginal p_i from a file: probabilities separated by commas or newlines")
      ->take_all();
  app.add_option("--marginal-str", a.inline_values, "Marginal given inline, e.g. 0.5,0.4,0.1 (repeat per marginal)")
      ->take_all();
  app.add_option("--dirichlet", a.dirichlet, "Generate k marginals of sizes N1,N2,... ~ Dirichlet(alpha) from --seed")
      ->delimiter(',');
  app.add_option("--alpha", a.alpha, "Dirichlet concentration alpha (> 0)")->capture_default_str();
  app.add_option("--tolerance", a.tolerance, "Allowed |sum - 1| of each marginal (>= 0)")->capture_default_str();
  app.add_flag("--normalize", a.normalize, "Accept any positive sum and rescale each marginal to 1");
}

std::vector<mec::Marginal> load_marginals(const SourceArgs& a, std::uint64_t seed, std::size_t min_count = 2) {
  // Files and inline marginals combine (files first, then inline, each in flag order);
  // generated ones stand alone so a seed alone reproduces the input.
  const bool given = !a.files.empty() || !a.inline_values.empty();
  if (given == !a.dirichlet.empty()) {
    throw InvalidParameter("give marginals by --marginal/--marginal-str or by --dirichlet (exactly one of the two)");
  }
  if (!(a.alpha > 0) || !std::isfinite(a.alpha)) {
    throw InvalidParameter("--alpha must be finite and > 0 (got " + std::to_string(a.alpha) + ")");
  }
  if (!(a.tolerance >= 0) || !std::isfinite(a.tolerance)) {
    throw InvalidParameter("--tolerance must be finite and >= 0 (got " + std::to_string(a.tolerance) + ")");
  }
  std::vector<mec::Marginal> raw;
  for (const auto& f : a.files) raw.push_back(mec::read_marginal(f));
  for (std::size_t i = 0; i < a.inline_values.size(); ++i) {
    raw.push_back(mec::parse_marginal(a.inline_values[i], "--marginal-str " + std::to_string(i + 1)));
  }
  if (!a.dirichlet.empty()) {
    paperkit::Rng rng(seed);
    for (std::size_t n : a.dirichlet) {
      // Indices are 32-bit; the cap keeps a typo from exhausting memory.
      if (n == 0 || n > kMaxGenerated) {
        throw InvalidParameter("--dirichlet sizes must be in [1, " + std::to_string(kMaxGenerated) + "] (got " +
                               std::to_string(n) + ")");
      }
      raw.push_back(mec::dirichlet(n, a.alpha, rng));
    }
  }
  if (raw.size() < min_count) {
    throw InvalidParameter("need k >= " + std::to_string(min_count) + " marginals (got " + std::to_string(raw.size()) +
                           ")");
  }
  mec::MarginalOptions o;
  o.sum_tolerance = a.tolerance;
  o.normalize = a.normalize;
  return mec::prepare_marginals(raw, o, min_count);
}

// Entropies every output shares: each marginal, the lower bound and the independent coupling.
nlohmann::json describe(const std::vector<mec::Marginal>& ps, std::uint64_t seed) {
  nlohmann::json j;
  j["seed"] = seed;
  j["k"] = ps.size();
  std::vector<std::size_t> sizes;
  std::vector<double> hs;
  for (const auto& p : ps) {
    sizes.push_back(p.size());
    hs.push_back(mec::entropy_bits(std::span<const double>(p)));
  }
  j["sizes"] = sizes;
  j["H_marginals"] = hs;
  j["H_max_marginal"] = *std::max_element(hs.begin(), hs.end());
  j["H_meet"] = mec::meet_entropy(ps);
  j["H_independent"] = mec::independent_entropy(ps);
  return j;
}

struct CoupleArgs {
  CommonOptions common;
  SourceArgs source;
  std::string algo = "greedy";
  double dust = mec::GreedyOptions{}.dust;
  std::size_t max_lines = 12;
  std::size_t max_iterations = 100;
  std::string sla_start = "greedy";
};

// The exact search is exponential: measured here 1.2 s at 6 + 6 lines, 56 s and 2.2 GB at 7 + 7,
// over 2 minutes and 5.5 GB at 8 + 8; a tool must never hang, so 12 is the cap.
void check_max_lines(std::size_t lines) {
  if (lines < 2 || lines > 12) {
    throw InvalidParameter("--max-lines must be in [2, 12] (got " + std::to_string(lines) + ")");
  }
}

void check_dust(double dust) {
  if (!(dust >= 0 && dust < 1e-6))
    throw InvalidParameter("--dust must be in [0, 1e-6) (got " + std::to_string(dust) + ")");
}

// `extra` receives what an algorithm reports beyond the coupling (SLA: iterations, trace).
mec::Coupling couple(const std::vector<mec::Marginal>& ps, const CoupleArgs& a, nlohmann::json& extra) {
  if (a.algo == "greedy") return mec::greedy_coupling(ps, {a.dust});
  if (a.algo == "independent") return mec::independent_coupling(ps);
  if (ps.size() != 2)
    throw InvalidParameter("--algo " + a.algo + " needs k = 2 marginals (got " + std::to_string(ps.size()) + ")");
  if (a.algo == "sla") {
    mec::SlaOptions o;
    o.max_iterations = a.max_iterations;
    o.start = a.sla_start == "greedy" ? mec::SlaStart::greedy : mec::SlaStart::independent;
    auto r = mec::sla_coupling(ps[0], ps[1], o);
    extra["fidelity"] = "inference [I]: successive linearization as described in the spec (B4), not the authors' code";
    extra["sla_start"] = a.sla_start;
    extra["iterations"] = r.iterations;
    extra["converged"] = r.converged;
    extra["pivots"] = r.pivots;
    extra["entropy_trace"] = r.entropy_trace;
    return std::move(r.coupling);
  }
  return mec::exact_coupling(ps[0], ps[1], a.max_lines).coupling;
}

void run_couple(CoupleArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.algo != "greedy" && a.algo != "exact" && a.algo != "independent" && a.algo != "sla") {
    throw InvalidParameter("--algo must be greedy, exact, independent or sla (got " + a.algo + ")");
  }
  if (a.max_iterations < 1) throw InvalidParameter("--max-iterations must be >= 1 (got 0)");
  if (a.sla_start != "greedy" && a.sla_start != "independent") {
    throw InvalidParameter("--sla-start must be greedy or independent (got " + a.sla_start + ")");
  }
  check_dust(a.dust);
  check_max_lines(a.max_lines);
  paperkit::cli::Output out(a.common.out);
  const auto ps = load_marginals(a.source, a.common.seed);
  paperkit::Stopwatch clock;
  nlohmann::json extra = nlohmann::json::object();
  const mec::Coupling j = couple(ps, a, extra);
  const double seconds = clock.seconds();
  nlohmann::json info = describe(ps, a.common.seed);
  info.update(extra);
  info["command"] = "couple";
  info["algo"] = a.algo;
  info["dust"] = a.dust;
  info["H_joint"] = mec::entropy_bits(j);
  info["gap_to_meet"] = info["H_joint"].get<double>() - info["H_meet"].get<double>();
  info["cells"] = j.cells();
  info["seconds"] = seconds;
  info["notes"] = kNotes;
  if (a.common.format == "csv") {
    std::vector<std::string> columns;
    for (std::size_t i = 1; i <= j.k; ++i) columns.push_back("i" + std::to_string(i));
    columns.push_back("mass");
    Table t(columns);
    for (std::size_t c = 0; c < j.cells(); ++c) {
      std::vector<Table::Cell> row;
      for (auto idx : j.cell(c)) row.emplace_back(static_cast<std::uint64_t>(idx));
      row.emplace_back(j.mass[c]);
      t.add_row(std::move(row));
    }
    t.write_csv(out.stream());
  } else {
    nlohmann::json full = info;
    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t c = 0; c < j.cells(); ++c) {
      const auto idx = j.cell(c);
      cells.push_back({{"index", std::vector<std::uint32_t>(idx.begin(), idx.end())}, {"mass", j.mass[c]}});
    }
    full["coupling"] = cells;
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

struct BoundsArgs {
  CommonOptions common;
  SourceArgs source;
  double dust = mec::GreedyOptions{}.dust;
  std::size_t max_lines = 12;
};

void run_bounds(BoundsArgs& a) {
  paperkit::cli::validate_common(a.common);
  check_dust(a.dust);
  check_max_lines(a.max_lines);
  paperkit::cli::Output out(a.common.out);
  const auto ps = load_marginals(a.source, a.common.seed);
  nlohmann::json info = describe(ps, a.common.seed);
  info["command"] = "bounds";
  const double hg = mec::entropy_bits(mec::greedy_coupling(ps, {a.dust}));
  info["H_greedy"] = hg;
  info["gap"] = hg - info["H_meet"].get<double>();
  info["gap_bound"] = mec::greedy_meet_gap_bound;
  // The exact optimum where the oracle is cheap (k = 2, supports n + m <= --max-lines).
  std::size_t lines = 0;
  for (const auto& p : ps)
    lines += static_cast<std::size_t>(std::count_if(p.begin(), p.end(), [](double x) { return x > 0; }));
  if (ps.size() == 2 && lines <= a.max_lines) {
    info["H_exact"] = mec::exact_coupling(ps[0], ps[1], a.max_lines).entropy;
  } else {
    info["H_exact"] = nullptr;
  }
  info["notes"] = kNotes;
  if (a.common.format == "csv") {
    Table t({"k", "H_max_marginal", "H_meet", "H_greedy", "gap", "H_exact", "H_independent", "seed"});
    const Table::Cell exact =
        info["H_exact"].is_null() ? Table::Cell(std::string()) : Table::Cell(info["H_exact"].get<double>());
    t.add_row({static_cast<std::uint64_t>(ps.size()), info["H_max_marginal"].get<double>(),
               info["H_meet"].get<double>(), hg, info["gap"].get<double>(), exact, info["H_independent"].get<double>(),
               a.common.seed});
    t.write_csv(out.stream());
    for (const auto& note : kNotes) out.stream() << "# " << note << '\n';
  } else {
    out.stream() << info.dump(2) << '\n';
  }
  out.finish();
  if (a.common.verbose) std::cerr << "summary: " << info.dump() << '\n';
}

struct EbimArgs {
  CommonOptions common;
  std::string px_file, px_str;
  std::size_t dirichlet = 0;
  double alpha = 1.0, tolerance = 1e-9, rate = 0;
  bool normalize = false;
  bool refine = false, no_crossings = false, all_maps = false;
  std::size_t grid = 256;
};

const std::vector<std::string> kEbimNotes = {
    "ebim: deterministic greedy search, the paper's Algorithm 1 as in the authors' coupling.py (spec A4 [V]); "
    "ties -> cell with the smallest symbol",
    "guarantee I(X;T) >= I_EBIM(p_X, R) - h(p2) (Theorem 2) is from secondary summaries [S]; h_p2 is reported",
    "--refine: Theorem 3 moves (+eps to a new column, -eps to the largest column; [S]) traced over delta in "
    "[0, p(cell)] on --grid points from every map Algorithm 1 visits; finite delta is an inference [I], as is "
    "the bisection at H(T) = R (off with --no-crossings); --all-maps adds every set partition (the paper's Fig. 2 "
    "envelope); I_XT/H_T stay Algorithm 1's, the refined values are under refined"};

void run_ebim(EbimArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (!(a.rate >= 0) || !std::isfinite(a.rate)) {
    throw InvalidParameter("--rate must be finite and >= 0 (got " + std::to_string(a.rate) + ")");
  }
  SourceArgs source;
  if (!a.px_file.empty()) source.files.push_back(a.px_file);
  if (!a.px_str.empty()) source.inline_values.push_back(a.px_str);
  if (a.dirichlet > 0) source.dirichlet.push_back(a.dirichlet);
  if (source.files.size() + source.inline_values.size() + source.dirichlet.size() != 1) {
    throw InvalidParameter("give p_X by exactly one of --px, --px-str, --dirichlet");
  }
  source.alpha = a.alpha;
  source.tolerance = a.tolerance;
  source.normalize = a.normalize;
  paperkit::cli::Output out(a.common.out);
  const auto p = load_marginals(source, a.common.seed, 1).front();
  if (a.grid < 1 || a.grid > 1'000'000) {
    throw InvalidParameter("--grid must be in [1, 1000000] (got " + std::to_string(a.grid) + ")");
  }
  const auto r = mec::ebim_deterministic(p, a.rate);
  mec::EbimRefineResult refined;
  if (a.refine) refined = mec::ebim_refine(p, a.rate, {a.grid, !a.no_crossings, a.all_maps});
  nlohmann::json info;
  info["command"] = "ebim";
  info["seed"] = a.common.seed;
  info["rate"] = a.rate;
  info["n"] = p.size();
  info["H_X"] = mec::entropy_bits(std::span<const double>(p));
  info["H_T"] = r.mutual_information;
  info["I_XT"] = r.mutual_information;
  info["h_p2"] = mec::ebim_gap_bound(p);
  info["cells"] = r.cells.size();
  if (a.refine) {
    info["refined"] = {{"grid", a.grid},
                       {"crossings", !a.no_crossings},
                       {"all_maps", a.all_maps},
                       {"H_T", refined.h_t},
                       {"I_XT", refined.mutual_information},
                       {"gain", refined.mutual_information - r.mutual_information},
                       {"maps_traced", refined.maps},
                       {"source_map", refined.source_map},
                       {"move", std::string(1, refined.move.kind)},
                       {"move_x", refined.move.x},
                       {"move_from", refined.move.from},
                       {"move_to", refined.move.to},
                       {"delta", refined.move.delta},
                       {"fidelity", "Theorem 3 [S]; finite delta and crossing bisection [I]"}};
  }
  info["notes"] = kEbimNotes;
  if (a.common.format == "csv" && a.refine) {
    // The refined encoder p(t|x), nonzero entries only.
    Table t({"x", "t", "p_t_given_x"});
    for (std::size_t x = 0; x < refined.encoder.size(); ++x) {
      for (std::size_t c = 0; c < refined.encoder[x].size(); ++c) {
        if (refined.encoder[x][c] > 0) {
          t.add_row({static_cast<std::uint64_t>(x), static_cast<std::uint64_t>(c), refined.encoder[x][c]});
        }
      }
    }
    t.write_csv(out.stream());
  } else if (a.common.format == "csv") {
    Table t({"cell", "symbols", "mass"});
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      std::string symbols;
      for (auto x : r.cells[c]) symbols += (symbols.empty() ? "" : ";") + std::to_string(x);
      t.add_row({static_cast<std::uint64_t>(c), symbols, r.masses[c]});
    }
    t.write_csv(out.stream());
  } else {
    nlohmann::json full = info;
    full["partition"] = r.cells;
    full["p_T"] = r.masses;
    if (a.refine) {
      full["refined"]["encoder"] = refined.encoder;
      full["refined"]["p_T"] = refined.p_t;
    }
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

struct EbimBruteArgs {
  CommonOptions common;
  std::string px_str;
  std::vector<double> rates;
  std::size_t codes = 3, steps = 24, polish = 20000;
};

// Brute-force EBIM reference for tiny |X| (Fig. 2): grid over stochastic encoders plus local polish.
void run_ebim_brute(EbimBruteArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (a.rates.empty()) throw InvalidParameter("--rates needs at least one rate");
  for (double r : a.rates) {
    if (!(r >= 0) || !std::isfinite(r)) {
      throw InvalidParameter("--rates must be finite and >= 0 (got " + std::to_string(r) + ")");
    }
  }
  if (a.codes < 1 || a.codes > 8)
    throw InvalidParameter("--codes must be in [1, 8] (got " + std::to_string(a.codes) + ")");
  if (a.steps < 1) throw InvalidParameter("--steps must be >= 1 (got 0)");
  SourceArgs source;
  source.inline_values.push_back(a.px_str);
  paperkit::cli::Output out(a.common.out);
  const auto p = load_marginals(source, a.common.seed, 1).front();
  paperkit::Rng rng(a.common.seed);
  mec::EbimBruteOptions o;
  o.codes = a.codes;
  o.steps = a.steps;
  o.polish = a.polish;
  paperkit::Stopwatch clock;
  const auto best = mec::ebim_brute_force(p, a.rates, rng, o);
  const double seconds = clock.seconds();
  if (a.common.format == "csv") {
    Table t({"rate", "I_XT_brute"});
    for (std::size_t i = 0; i < best.size(); ++i) t.add_row({a.rates[i], best[i]});
    t.write_csv(out.stream());
  } else {
    nlohmann::json j = {{"command", "ebim-brute"},
                        {"seed", a.common.seed},
                        {"codes", a.codes},
                        {"steps", a.steps},
                        {"polish", a.polish},
                        {"rates", a.rates},
                        {"I_XT_brute", best},
                        {"seconds", seconds},
                        {"note", "lower estimate of max I(X;T) s.t. H(T) <= R over encoders with --codes values"}};
    out.stream() << j.dump(2) << '\n';
  }
  out.finish();
}

struct MecbArgs {
  CommonOptions common;
  std::string px_file, px_str, py_file, py_str, encoder = "greedy";
  double tolerance = 1e-9, rate = 0;
  bool normalize = false;
};

const std::vector<std::string> kMecbNotes = {
    "mecb: cells <- EBIM at rate R, J_TY <- greedy(p_T, p_Y), p(x,y) = sum_t p(x,t) J_TY(t,y) / p_T(t), as the "
    "authors' bottlenecked_min_ent_coupling (spec A6 [V])",
    "--encoder greedy: Algorithm 1 (spec A4 [V], the spec CLI's `search`); uniform: scalar quantization with "
    "floor(2^R) contiguous blocks (baseline B3 [V])",
    "I(X;Y) <= H(T) <= R holds since the encoders are deterministic and X - T - Y is a Markov chain; EBIM's "
    "I(X;T) >= I_EBIM(p_X, R) - h(p2) is from secondary summaries [S]",
    "greedy ties -> lowest index; --tolerance/--normalize as for couple"};

// One marginal from exactly one of a file or an inline string (`what` names it in errors).
mec::Marginal load_one(const std::string& file, const std::string& inline_values, const MecbArgs& a,
                       const std::string& what) {
  if (file.empty() == inline_values.empty()) {
    throw InvalidParameter("give " + what + " by exactly one of --" + what + ", --" + what + "-str");
  }
  SourceArgs source;
  if (!file.empty()) source.files.push_back(file);
  if (!inline_values.empty()) source.inline_values.push_back(inline_values);
  source.tolerance = a.tolerance;
  source.normalize = a.normalize;
  return load_marginals(source, a.common.seed, 1).front();
}

void run_mecb(MecbArgs& a) {
  paperkit::cli::validate_common(a.common);
  if (!(a.rate >= 0) || !std::isfinite(a.rate)) {
    throw InvalidParameter("--rate must be finite and >= 0 (got " + std::to_string(a.rate) + ")");
  }
  if (a.encoder == "search") a.encoder = "greedy";  // the spec's name for Algorithm 1
  if (a.encoder != "greedy" && a.encoder != "uniform") {
    throw InvalidParameter("--encoder must be greedy or uniform (got " + a.encoder + ")");
  }
  paperkit::cli::Output out(a.common.out);
  const auto px = load_one(a.px_file, a.px_str, a, "px");
  const auto py = load_one(a.py_file, a.py_str, a, "py");
  const auto r =
      mec::mecb(px, py, a.rate, a.encoder == "greedy" ? mec::MecbEncoder::greedy : mec::MecbEncoder::uniform);
  nlohmann::json info;
  info["command"] = "mecb";
  info["encoder"] = a.encoder;
  info["rate"] = a.rate;
  info["sizes"] = {px.size(), py.size()};
  info["H_X"] = mec::entropy_bits(std::span<const double>(px));
  info["H_Y"] = mec::entropy_bits(std::span<const double>(py));
  info["H_T"] = r.h_t;
  info["I_XT"] = r.i_xt;
  info["I_TY"] = r.i_ty;
  info["I_XY"] = r.i_xy;
  info["H_XY"] = r.h_xy;
  info["cells"] = r.encoder.cells.size();
  info["notes"] = kMecbNotes;
  if (a.common.format == "csv") {
    Table t({"x", "y", "mass"});
    for (std::size_t c = 0; c < r.joint.cells(); ++c) {
      const auto idx = r.joint.cell(c);
      t.add_row({static_cast<std::uint64_t>(idx[0]), static_cast<std::uint64_t>(idx[1]), r.joint.mass[c]});
    }
    t.write_csv(out.stream());
  } else {
    nlohmann::json full = info;
    full["partition"] = r.encoder.cells;
    full["p_T"] = r.encoder.masses;
    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t c = 0; c < r.joint.cells(); ++c) {
      const auto idx = r.joint.cell(c);
      cells.push_back({{"index", std::vector<std::uint32_t>(idx.begin(), idx.end())}, {"mass", r.joint.mass[c]}});
    }
    full["joint"] = cells;
    out.stream() << full.dump(2) << '\n';
  }
  out.finish();
  if (!a.common.quiet) std::cerr << "summary: " << info.dump() << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "paperkit-mec: minimum-entropy couplings of k >= 2 marginals (entropies in bits).\n"
      "Example: paperkit-mec couple --marginal-str 0.5,0.4,0.1 --marginal-str 0.6,0.2,0.2 --format json\n"
      "         paperkit-mec bounds --dirichlet 10,10 --alpha 1 --seed 3\n"
      "         paperkit-mec ebim --px-str 0.7,0.2,0.1 --rate 0.8 --refine --format json\n"
      "         paperkit-mec mecb --px-str 0.7,0.2,0.1 --py-str 0.5,0.5 --rate 0.9\n"
      "         paperkit-mec mcg --msg 512 --rho 0.5 --log-beta -6 --episodes 200 --encoder search"};
  app.set_version_flag("--version", paperkit::cli::version_line("paperkit-mec"));
  app.require_subcommand(1);

  CoupleArgs couple_args;
  auto* couple_cmd = app.add_subcommand(
      "couple", "A coupling J with the given marginals (CSV i1..ik,mass; JSON adds entropies and the gap to H(meet))");
  add_source_flags(*couple_cmd, couple_args.source);
  paperkit::cli::add_common_flags(*couple_cmd, couple_args.common);
  couple_cmd
      ->add_option("--algo", couple_args.algo,
                   "greedy | exact (k = 2, small) | independent | sla (k = 2: successive linearization, [I])")
      ->capture_default_str();
  couple_cmd->add_option("--max-iterations", couple_args.max_iterations, "sla: most transportation LPs (>= 1)")
      ->capture_default_str();
  couple_cmd->add_option("--sla-start", couple_args.sla_start, "sla: greedy (spec) | independent (option [I])")
      ->capture_default_str();
  couple_cmd->add_option("--dust", couple_args.dust, "greedy: relative residual dropped as rounding, [0, 1e-6) [I]")
      ->capture_default_str();
  couple_cmd->add_option("--max-lines", couple_args.max_lines, "exact: largest n + m of the supports, [2, 12]")
      ->capture_default_str();
  couple_cmd->callback([&] { run_couple(couple_args); });

  BoundsArgs bounds_args;
  auto* bounds_cmd = app.add_subcommand(
      "bounds", "max H(p_i), H(meet) lower bound, H(greedy), gap, exact OPT (k = 2, small), H(independent)");
  add_source_flags(*bounds_cmd, bounds_args.source);
  paperkit::cli::add_common_flags(*bounds_cmd, bounds_args.common);
  bounds_cmd->add_option("--dust", bounds_args.dust, "greedy: relative residual dropped as rounding, [0, 1e-6) [I]")
      ->capture_default_str();
  bounds_cmd->add_option("--max-lines", bounds_args.max_lines, "exact: computed only when n + m <= this, [2, 12]")
      ->capture_default_str();
  bounds_cmd->callback([&] { run_bounds(bounds_args); });

  EbimArgs ebim_args;
  auto* ebim_cmd = app.add_subcommand(
      "ebim", "EBIM encoder: partition of X with H(T) <= R maximizing I(X;T) (CSV cell,symbols,mass; JSON adds H(T))");
  ebim_cmd->add_option("--px", ebim_args.px_file, "p_X from a file: probabilities separated by commas or newlines");
  ebim_cmd->add_option("--px-str", ebim_args.px_str, "p_X inline, e.g. 0.7,0.2,0.1");
  ebim_cmd->add_option("--dirichlet", ebim_args.dirichlet, "Generate p_X of this size ~ Dirichlet(alpha) from --seed");
  ebim_cmd->add_option("--alpha", ebim_args.alpha, "Dirichlet concentration alpha (> 0)")->capture_default_str();
  ebim_cmd->add_option("--rate", ebim_args.rate, "Rate R: the bound on H(T) in bits (>= 0)")->required();
  ebim_cmd->add_option("--tolerance", ebim_args.tolerance, "Allowed |sum - 1| of p_X (>= 0)")->capture_default_str();
  ebim_cmd->add_flag("--normalize", ebim_args.normalize, "Accept any positive sum and rescale p_X to 1");
  ebim_cmd->add_flag("--refine", ebim_args.refine, "Also run the Theorem 3 refinement (stochastic encoder)");
  ebim_cmd->add_option("--grid", ebim_args.grid, "--refine: delta points per move, [1, 1e6]")->capture_default_str();
  ebim_cmd->add_flag("--no-crossings", ebim_args.no_crossings, "--refine: grid points only, no bisection at H(T) = R");
  ebim_cmd->add_flag("--all-maps", ebim_args.all_maps,
                     "--refine: also trace every set partition of the support (<= 10 symbols; Fig. 2)");
  paperkit::cli::add_common_flags(*ebim_cmd, ebim_args.common);
  ebim_cmd->callback([&] { run_ebim(ebim_args); });

  EbimBruteArgs brute_args;
  auto* brute_cmd = app.add_subcommand(
      "ebim-brute",
      "Brute-force EBIM reference for tiny p_X: best I(X;T) with H(T) <= R per rate (CSV rate,I_XT_brute)");
  brute_cmd->add_option("--px-str", brute_args.px_str, "p_X inline, e.g. 0.7,0.2,0.1")->required();
  brute_cmd->add_option("--rates", brute_args.rates, "Rates R, comma separated")->delimiter(',')->required();
  brute_cmd->add_option("--codes", brute_args.codes, "Values of T, [1, 8]")->capture_default_str();
  brute_cmd->add_option("--steps", brute_args.steps, "Grid resolution 1/steps of each row p(t|x)")
      ->capture_default_str();
  brute_cmd->add_option("--polish", brute_args.polish, "Random local moves per rate after the grid")
      ->capture_default_str();
  paperkit::cli::add_common_flags(*brute_cmd, brute_args.common);
  brute_cmd->callback([&] { run_ebim_brute(brute_args); });

  MecbArgs mecb_args;
  auto* mecb_cmd = app.add_subcommand(
      "mecb", "MEC-B: coupling of p_X and p_Y through a code T with H(T) <= R (CSV x,y,mass; JSON adds I(X;Y), H(T))");
  mecb_cmd->add_option("--px", mecb_args.px_file, "p_X from a file: probabilities separated by commas or newlines");
  mecb_cmd->add_option("--px-str", mecb_args.px_str, "p_X inline, e.g. 0.7,0.2,0.1");
  mecb_cmd->add_option("--py", mecb_args.py_file, "p_Y from a file: probabilities separated by commas or newlines");
  mecb_cmd->add_option("--py-str", mecb_args.py_str, "p_Y inline, e.g. 0.5,0.5");
  mecb_cmd->add_option("--rate", mecb_args.rate, "Rate R: the bound on H(T) in bits (>= 0)")->required();
  mecb_cmd->add_option("--encoder", mecb_args.encoder, "greedy (EBIM Alg. 1; alias search) | uniform (baseline)")
      ->capture_default_str();
  mecb_cmd->add_option("--tolerance", mecb_args.tolerance, "Allowed |sum - 1| of each marginal (>= 0)")
      ->capture_default_str();
  mecb_cmd->add_flag("--normalize", mecb_args.normalize, "Accept any positive sum and rescale each marginal to 1");
  paperkit::cli::add_common_flags(*mecb_cmd, mecb_args.common);
  mecb_cmd->callback([&] { run_mecb(mecb_args); });

  paperkit::mec_app::add_mcg_command(app);

  return paperkit::cli::run_tool(app, argc, argv);
}
