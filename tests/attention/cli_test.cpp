// paperkit-attention end to end: decode through both layouts matches the fp64 oracle, and bad
// flags give one line and exit code 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;

const std::string tool = PAPERKIT_ATTENTION_TOOL;

TEST(CliAttention, DecodeBothLayoutsMatchOracle) {
  for (const std::string layout : {"contiguous", "paged"}) {
    const auto r = run_tool(tool + " decode --batch 2 --q-heads 4 --kv-heads 2 --kv-len 100 --head-dim 16 --splits 3" +
                            " --layout " + layout + " --format json --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j.size(), 1u) << r.out;
    EXPECT_EQ(j[0]["layout"], layout);
    EXPECT_LE(j[0]["rel_err_vs_fp64"].get<double>(), 1e-5);
  }
}

TEST(CliAttention, BadInputIsOneLineWithUsageExitCode) {
  auto r = run_tool(tool + " decode --q-heads 6 --kv-heads 4 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("q_heads must be a multiple of kv_heads"), std::string::npos) << r.err;
  r = run_tool(tool + " decode --kv-len 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("kv_len must be >= 1, got 0"), std::string::npos) << r.err;
  r = run_tool(tool + " decode --mask window --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--window must be >= 1"), std::string::npos) << r.err;
  r = run_tool(tool + " decode --layout blocked --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--layout must be contiguous|paged"), std::string::npos) << r.err;
  r = run_tool(tool + " decode --splits 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--splits must be >= 1 on the CPU"), std::string::npos) << r.err;
  r = run_tool(tool + " decode --device tpu --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu|gpu, got 'tpu'"), std::string::npos) << r.err;
}

}  // namespace
