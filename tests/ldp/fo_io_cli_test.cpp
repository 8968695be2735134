// paperkit-ldp fo perturb | decode | variance end to end: perturb -> decode equals the in-process
// estimate of `fo simulate` for the same seed, output identical for any --threads, the analytic
// variance, and one exit code per bad input (one line on stderr, nothing on stdout).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::slurp;
using paperkit::test::write_file;

const std::string kTool = PAPERKIT_LDP_TOOL;

// One column of a CSV table (by header name), as text: compares doubles digit for digit.
std::vector<std::string> csv_column(const std::string& csv, const std::string& name) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header, values;
  std::stringstream h(line);
  for (std::string f; std::getline(h, f, ',');) header.push_back(f);
  const auto col = static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  while (std::getline(in, line)) {
    std::stringstream r(line);
    std::string f;
    for (std::size_t i = 0; i <= col && std::getline(r, f, ','); ++i) {
    }
    values.push_back(f);
  }
  return values;
}

std::string path(const std::string& name) {
  return (scratch_dir() / name).string();
}

}  // namespace

TEST(CliLdpFoPerturbDecode, RoundTripEqualsInProcessEstimate) {
  const std::string counts = path("rt_counts.csv");
  write_file(counts, "40,0,7,300,1,1,25,0,9,2\n");
  for (const std::string oracle : {"grr", "sue", "oue", "olh", "blh", "hr"}) {
    const std::string flags = " --oracle " + oracle + " --epsilon 1.5 --counts " + counts + " --seed 7 --quiet";
    const auto sim = run_tool(kTool + " fo simulate" + flags);
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    const auto expected = csv_column(sim.out, "estimate");
    ASSERT_EQ(expected.size(), 10U);
    for (const std::string enc : {"text", "binary"}) {
      SCOPED_TRACE(oracle + " " + enc);
      const std::string reports = path("rt_" + oracle + "." + enc);
      const auto p = run_tool(kTool + " fo perturb" + flags + " --format " + enc + " --out " + reports);
      ASSERT_EQ(p.exit_code, 0) << p.err;
      EXPECT_EQ(slurp(reports).rfind("#paperkit-ldp-reports v1 oracle=" + oracle + " epsilon=1.5 domain=10 ", 0), 0U);
      const auto d = run_tool(kTool + " fo decode --reports " + reports + " --quiet");
      ASSERT_EQ(d.exit_code, 0) << d.err;
      EXPECT_EQ(csv_column(d.out, "estimate"), expected);
      EXPECT_EQ(d.out.substr(0, d.out.find('\n')), "item,support,estimate");
    }
  }
}

TEST(CliLdpFoPerturbDecode, OldFormIsSimulate) {
  const std::string flags = " --oracle oue --epsilon 2 --domain 20 --users 500 --seed 3 --quiet";
  const auto old_form = run_tool(kTool + " fo" + flags);
  const auto simulate = run_tool(kTool + " fo simulate" + flags + " --format csv");
  ASSERT_EQ(old_form.exit_code, 0) << old_form.err;
  ASSERT_EQ(simulate.exit_code, 0) << simulate.err;
  EXPECT_EQ(old_form.out, simulate.out);
  // The spec's flag names are aliases of the tool's.
  const auto spec = run_tool(kTool + " fo simulate --mech oue --eps 2 --domain 20 --n 500 --seed 3 --quiet");
  EXPECT_EQ(spec.out, simulate.out);
}

TEST(CliLdpFoPerturbDecode, ItemsFileInItemOrderGivesTheCountsReports) {
  // Users listed in item order are the users --counts expands, so the report files are identical.
  const std::string counts = path("io_counts.csv"), items = path("io_items.txt");
  write_file(counts, "3\n0\n2\n");
  write_file(items, "item\n0\n0\n# comment\n0\n\n2\n2\n");
  const std::string flags = " fo perturb --oracle olh --epsilon 1 --domain 3 --seed 11 --quiet";
  const auto a = run_tool(kTool + flags + " --counts " + counts);
  const auto b = run_tool(kTool + flags + " --items " + items);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 6);  // header + 5 users
}

TEST(CliLdpFoPerturbDecode, ThreadCountDoesNotChangeReportsOrEstimates) {
  // 300000 users: two chunks of 2^18 and many blocks of 4096, so threads really split the work.
  const std::string counts = path("th_counts.csv");
  write_file(counts, "100000,50000,0,150000\n");
  for (const std::string oracle : {"grr", "olh"}) {
    const std::string base = kTool + " fo perturb --oracle " + oracle + " --epsilon 1 --counts " + counts +
                             " --seed 5 --format binary --quiet --out ";
    const std::string r1 = path("th1_" + oracle), r2 = path("th2_" + oracle);
    ASSERT_EQ(run_tool(base + r1 + " --threads 1").exit_code, 0);
    ASSERT_EQ(run_tool(base + r2 + " --threads 2").exit_code, 0);
    EXPECT_EQ(slurp(r1), slurp(r2)) << oracle;
    const auto d1 = run_tool(kTool + " fo decode --quiet --threads 1 --reports " + r1);
    const auto d2 = run_tool(kTool + " fo decode --quiet --threads 2 --reports " + r2);
    ASSERT_EQ(d1.exit_code, 0) << d1.err;
    EXPECT_EQ(d1.out, d2.out) << oracle;
    const auto sim = run_tool(kTool + " fo simulate --oracle " + oracle + " --epsilon 1 --counts " + counts +
                              " --seed 5 --quiet --threads 2");
    EXPECT_EQ(csv_column(d1.out, "estimate"), csv_column(sim.out, "estimate")) << oracle;
  }
}

TEST(CliLdpFoPerturbDecode, PipesThroughStdinAndStdout) {
  // perturb writes to stdout and decode reads '-' (stdin), binary included: same as via files.
  const std::string counts = path("pipe_counts.csv"), file = path("pipe_reports.bin");
  write_file(counts, "9,1,4\n");
  const std::string perturb =
      kTool + " fo perturb --oracle hr --epsilon 1 --counts " + counts + " --seed 2 --format binary --quiet";
  ASSERT_EQ(run_tool(perturb + " --out " + file).exit_code, 0);
  const auto via_file = run_tool(kTool + " fo decode --quiet --reports " + file);
  const auto via_pipe = run_tool("sh -c '" + perturb + " | " + kTool + " fo decode --quiet --reports -'");
  ASSERT_EQ(via_file.exit_code, 0) << via_file.err;
  ASSERT_EQ(via_pipe.exit_code, 0) << via_pipe.err;
  EXPECT_EQ(via_pipe.out, via_file.out);
  const auto items = run_tool("sh -c 'printf \"0\\n2\\n\" | " + kTool +
                              " fo perturb --oracle grr --epsilon 1 --domain 3 --items - --quiet'");
  ASSERT_EQ(items.exit_code, 0) << items.err;
  EXPECT_EQ(std::count(items.out.begin(), items.out.end(), '\n'), 3);
}

TEST(CliLdpFoPerturbDecode, DecodeJsonAndHeaderlessReports) {
  // Headerless text reports (e.g. from another tool) decode when the flags name the oracle.
  const std::string reports = path("headerless.txt");
  write_file(reports, "0\n0\n1\n3\n");
  const auto r = run_tool(kTool + " fo decode --reports " + reports +
                          " --oracle grr --epsilon 1 --domain 4 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["users"], 4);
  EXPECT_EQ(j["params"]["header"], false);
  EXPECT_EQ(j["privacy"]["mechanism"], "grr");
  EXPECT_EQ(j["items"][0]["support"], 2);
  // GRR, eps 1, d 4: p* = e/(e+3), q* = 1/(e+3); c^_0 = (2 - 4 q*)/(p* - q*).
  const double e = std::exp(1.0), p = e / (e + 3), q = 1 / (e + 3);
  EXPECT_NEAR(j["items"][0]["estimate"].get<double>(), (2 - 4 * q) / (p - q), 1e-12);
  EXPECT_TRUE(j["timing"].contains("decode_s"));
}

TEST(CliLdpFoVariance, MatchesTheFormula) {
  const auto r = run_tool(kTool + " fo variance --eps 1 --domain 8 --n 1000 --count 10 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 6U);
  const double e = std::exp(1.0);
  for (const auto& row : j["rows"]) {
    const double p = row["p_star"], q = row["q_star"];
    const double want = 1000 * q * (1 - q) / ((p - q) * (p - q)) + 10 * (1 - p - q) / (p - q);
    EXPECT_NEAR(row["variance"].get<double>(), want, 1e-9 * want) << row["oracle"];
  }
  // Spec §2.1 table at c_v = 0: GRR (e^eps+d-2)/(e^eps-1)^2, OUE 4e^eps/(e^eps-1)^2 per user.
  const auto grr = run_tool(kTool + " fo variance --mech grr --eps 1 --domain 8 --n 1");
  const auto oue = run_tool(kTool + " fo variance --mech oue --eps 1 --domain 8 --n 1");
  ASSERT_EQ(grr.exit_code, 0) << grr.err;
  EXPECT_NEAR(std::stod(csv_column(grr.out, "variance")[0]), (e + 6) / ((e - 1) * (e - 1)), 1e-12);
  EXPECT_NEAR(std::stod(csv_column(oue.out, "variance")[0]), 4 * e / ((e - 1) * (e - 1)), 1e-12);
  // `all` skips (with a warning) what cannot be built: OLH at eps 30 needs g > 2^20.
  const auto big = run_tool(kTool + " fo variance --eps 30 --domain 8 --format json");
  ASSERT_EQ(big.exit_code, 0) << big.err;
  const auto jb = nlohmann::json::parse(big.out);
  EXPECT_EQ(jb["rows"].size(), 5U);
  EXPECT_EQ(jb["skipped"][0]["oracle"], "olh");
  EXPECT_NE(big.err.find("olh skipped"), std::string::npos);
}

TEST(CliLdpFoBadInput, OneLineAndExitCode) {
  struct Case {
    std::string args;
    int code;
    std::string needle;
  };
  const std::string counts = path("bad_in_counts.csv"), items = path("bad_in_items.txt");
  write_file(counts, "5,5\n");
  write_file(items, "0\n1\nx\n");
  const std::string olh = path("bad_in_olh.txt"), broken = path("bad_in_broken.txt"), empty = path("bad_in_empty.txt");
  ASSERT_EQ(
      run_tool(kTool + " fo perturb --oracle olh --epsilon 1 --counts " + counts + " --quiet --out " + olh).exit_code,
      0);
  std::string text = slurp(olh);
  write_file(broken, text.substr(0, text.find('\n') + 1) + "12;3\n" + text.substr(text.find('\n') + 1));
  write_file(empty, text.substr(0, text.find("users=")) + "users=0 encoding=text\n");
  const Case cases[] = {
      {"fo perturb --oracle foo --epsilon 1 --counts " + counts, 2, "--oracle"},
      {"fo perturb --epsilon 0 --counts " + counts, 2, "--epsilon"},
      {"fo perturb --epsilon -2 --counts " + counts, 2, "--epsilon"},
      {"fo perturb --counts " + counts, 2, "--epsilon is required"},
      {"fo perturb --epsilon 1 --domain 8", 2, "--items"},
      {"fo perturb --epsilon 1 --items " + items, 2, "--domain"},
      {"fo perturb --epsilon 1 --domain 8 --items " + items, 3, "line 3"},
      {"fo perturb --epsilon 1 --domain 1 --items " + items, 3, "[0, 1)"},
      {"fo perturb --epsilon 1 --domain 8 --items /nonexistent/items", 3, "--items"},
      {"fo perturb --epsilon 1 --counts " + counts + " --format csv", 2, "--format"},
      {"fo perturb --epsilon 1 --counts " + counts + " --domain 3", 2, "--domain"},
      {"fo decode --reports " + broken, 3, "line 2"},
      {"fo decode --reports " + olh + " --oracle grr", 3, "--oracle grr"},
      {"fo decode --reports " + olh + " --domain 9", 3, "--domain 9"},
      {"fo decode --reports " + olh + " --epsilon 2", 3, "--epsilon 2"},
      {"fo decode --reports " + olh + " --oracle bogus", 2, "--oracle"},
      {"fo decode --reports " + counts, 3, "header"},
      {"fo decode --reports " + empty, 3, "zero users"},
      {"fo decode --reports /nonexistent/reports", 3, "--reports"},
      {"fo decode", 2, "--reports"},
      {"fo variance --eps 0 --domain 8", 2, "--epsilon"},
      {"fo variance --eps 1 --domain 8 --mech grr,nope", 2, "--oracle"},
      {"fo variance --eps 1 --domain 0", 2, "--domain"},
      {"fo variance --eps 1 --domain 8 --n 5 --count 6", 2, "--count"},
      {"fo variance --eps 30 --domain 8 --mech olh", 2, "olh"},
      {"fo perturb --epsilon 1 --counts " + counts + " --bogus", 2, "--bogus"},
  };
  for (const auto& c : cases) {
    const auto r = run_tool(kTool + " " + c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
}

TEST(CliLdpFoBadInput, UnknownTopLevelArgumentIsNamed) {
  const auto flag = run_tool(kTool + " --bogus");
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("unknown option --bogus"), std::string::npos) << flag.err;
  EXPECT_EQ(std::count(flag.err.begin(), flag.err.end(), '\n'), 1) << flag.err;
  const auto word = run_tool(kTool + " bogus");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_NE(word.err.find("unknown subcommand 'bogus' (expected one of fo, hh, gen)"), std::string::npos) << word.err;
  const auto none = run_tool(kTool);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("subcommand is required"), std::string::npos) << none.err;
}

// Inside a subcommand, too, an unknown flag or word is named even when a required option is also
// missing (CLI11 alone would report only the missing option).
TEST(CliLdpFoBadInput, UnknownSubcommandArgumentIsNamed) {
  const auto flag = run_tool(kTool + " fo --bogus");
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("unknown option --bogus"), std::string::npos) << flag.err;
  EXPECT_EQ(std::count(flag.err.begin(), flag.err.end(), '\n'), 1) << flag.err;
  const auto word = run_tool(kTool + " fo bogus");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_NE(word.err.find("unexpected argument 'bogus'"), std::string::npos) << word.err;
}
