// paperkit-mec couple --algo sla, ebim --refine and ebim-brute end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;

const std::string tool = PAPERKIT_MEC_TOOL;

TEST(CliMecSla, CoupleSlaJson) {
  const auto r = run_tool(tool + " couple --dirichlet 9,7 --seed 4 --algo sla --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["algo"], "sla");
  EXPECT_EQ(j["sla_start"], "greedy");
  EXPECT_TRUE(j["converged"].get<bool>());
  EXPECT_GE(j["iterations"].get<int>(), 1);
  EXPECT_NE(j["fidelity"].get<std::string>().find("[I]"), std::string::npos);
  const auto trace = j["entropy_trace"].get<std::vector<double>>();
  EXPECT_NEAR(trace.back(), j["H_joint"].get<double>(), 1e-12);
  // Never above greedy's entropy on the same pair (SLA starts there and cannot increase H).
  const auto g = run_tool(tool + " couple --dirichlet 9,7 --seed 4 --format json --quiet");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_LE(j["H_joint"].get<double>(), nlohmann::json::parse(g.out)["H_joint"].get<double>() + 1e-12);
  EXPECT_NEAR(trace.front(), nlohmann::json::parse(g.out)["H_joint"].get<double>(), 1e-12);
}

TEST(CliMecSla, SlaErrors) {
  auto r = run_tool(tool + " couple --dirichlet 5,5,5 --algo sla --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("k = 2"), std::string::npos) << r.err;
  r = run_tool(tool + " couple --dirichlet 5,5 --algo sla --max-iterations 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-iterations"), std::string::npos) << r.err;
  r = run_tool(tool + " couple --dirichlet 5,5 --algo sla --sla-start nowhere --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--sla-start"), std::string::npos) << r.err;
}

TEST(CliMecSla, EbimRefineReportsBoth) {
  const auto r = run_tool(tool + " ebim --px-str 0.7,0.2,0.1 --rate 0.8 --refine --grid 256 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["I_XT"].get<double>(), 0.4690, 5e-5);  // Algorithm 1 (spec 6.5)
  const auto& f = j["refined"];
  EXPECT_GE(f["I_XT"].get<double>(), j["I_XT"].get<double>());
  EXPECT_LE(f["H_T"].get<double>(), 0.8);
  EXPECT_EQ(f["grid"], 256);
  EXPECT_EQ(f["encoder"].size(), 3u);
  const auto bad = run_tool(tool + " ebim --px-str 0.7,0.2,0.1 --rate 0.8 --refine --grid 0 --quiet");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--grid"), std::string::npos) << bad.err;
}

TEST(CliMecSla, EbimBrute) {
  const auto r = run_tool(tool + " ebim-brute --px-str 0.7,0.2,0.1 --rates 0.5,1.2 --steps 8 --polish 200 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("rate,I_XT_brute\n", 0), 0u) << r.out;
  const auto bad = run_tool(tool + " ebim-brute --px-str 0.7,0.2,0.1 --rates -1 --quiet");
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
