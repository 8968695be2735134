// paperkit-ldp fo: outputs, determinism across --threads, and exit codes for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

using paperkit::test::run_tool;

namespace {

const std::string kTool = PAPERKIT_LDP_TOOL;

}  // namespace

TEST(CliLdpFo, JsonHasParamsPrivacySummaryTiming) {
  const auto r = run_tool(kTool + " fo --oracle olh --epsilon 1 --domain 64 --users 20000 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["privacy"]["reports_per_user"], 1);
  EXPECT_EQ(j["privacy"]["epsilon"], 1.0);
  EXPECT_EQ(j["privacy"]["mechanism"], "olh(g=4)");
  EXPECT_EQ(j["params"]["users"], 20000);
  EXPECT_EQ(j["items"].size(), 64U);
  EXPECT_TRUE(j["timing"].contains("decode_s"));
  std::uint64_t total = 0;
  for (const auto& it : j["items"]) total += it["true_count"].get<std::uint64_t>();
  EXPECT_EQ(total, 20000U);
  // MSE over 64 items vs the theoretical mean variance: a loose sanity band (chi2_64 / 64 lies in
  // [0.4, 1.9] with probability > 1 - 1e-6 for near-normal errors).
  const double ratio = j["summary"]["mse_over_theory"];
  EXPECT_GT(ratio, 0.4);
  EXPECT_LT(ratio, 1.9);
}

TEST(CliLdpFo, CsvAndThreadsIdenticalAndAggregate) {
  for (const std::string oracle : {"grr", "sue", "oue", "olh", "blh", "hr", "auto"}) {
    const std::string base =
        kTool + " fo --oracle " + oracle + " --epsilon 2 --domain 50 --users 3000 --seed 9 --quiet";
    const auto a = run_tool(base + " --threads 1");
    const auto b = run_tool(base + " --threads 2");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out) << oracle;
    EXPECT_EQ(a.out.substr(0, a.out.find('\n')), "item,true_count,estimate,error,theoretical_sd");
    const auto c = run_tool(base + " --mode aggregate");
    EXPECT_EQ(c.exit_code, 0) << c.err;
  }
}

TEST(CliLdpFo, CountsFile) {
  const auto path = paperkit::test::scratch_dir() / "counts.csv";
  paperkit::test::write_file(path, "10,0,5\n7\n");
  const auto r = run_tool(kTool + " fo --oracle grr --epsilon 1 --counts " + path.string() + " --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["domain"], 4);
  EXPECT_EQ(j["params"]["users"], 22);
  EXPECT_EQ(j["items"][3]["true_count"], 7);
}

TEST(CliLdpFo, BadInputOneLineAndExitCode) {
  struct Case {
    std::string args;
    int code;
    std::string needle;
  };
  const auto bad = paperkit::test::scratch_dir() / "bad_counts.csv";
  paperkit::test::write_file(bad, "1,2,x\n");
  const auto zero = paperkit::test::scratch_dir() / "zero_counts.csv";
  paperkit::test::write_file(zero, "0,0\n");
  const Case cases[] = {
      {"fo --epsilon 0 --domain 8 --users 10", 2, "--epsilon"},
      {"fo --epsilon -1 --domain 8 --users 10", 2, "--epsilon"},
      {"fo --epsilon nan --domain 8 --users 10", 2, "--epsilon"},
      {"fo --epsilon 31 --domain 8 --users 10", 2, "--epsilon"},
      {"fo --epsilon 30 --oracle olh --domain 8 --users 10", 2, "olh"},
      {"fo --epsilon 1 --domain 0 --users 10", 2, "--domain"},
      {"fo --epsilon 1 --domain 8 --users 0", 2, "--users"},
      {"fo --epsilon 1 --domain 8 --users 10 --oracle foo", 2, "--oracle"},
      {"fo --epsilon 1 --domain 8 --users 10 --mode bulk", 2, "--mode"},
      {"fo --epsilon 1 --domain 8 --users 10 --format xml", 2, "--format"},
      {"fo --epsilon 1 --counts " + bad.string(), 3, "--counts"},
      {"fo --epsilon 1 --counts " + zero.string(), 3, "sum to 0"},
      {"fo --epsilon 1 --counts /nonexistent/file", 3, "--counts"},
      {"fo --domain 8 --users 10", 2, "epsilon"},
  };
  for (const auto& c : cases) {
    const auto r = run_tool(kTool + " " + c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
}
