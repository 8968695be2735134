// paperkit-attention sim end to end: every variant agrees with its formula and the fp64 oracle on a
// small shape, the spec's large example gives its byte table without computing attention, and bad
// flags give one line and exit code 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;

const std::string tool = PAPERKIT_ATTENTION_TOOL;

TEST(CliAttentionSim, EveryVariantMatchesFormulaAndOracle) {
  for (const std::string variant : {"ring", "zigzag", "tokenring", "rsa", "lasp2"}) {
    for (const std::string mask : {"none", "causal"}) {
      const auto r = run_tool(tool + " sim --P 4 --N 64 --q-heads 4 --kv-heads 2 --head-dim 16 --variant " + variant +
                              " --mask " + mask + " --bytes-per-element 2 --format json --quiet");
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const auto j = nlohmann::json::parse(r.out);
      ASSERT_EQ(j.size(), 1u) << r.out;
      EXPECT_EQ(j[0]["agree"], "yes") << r.out;
      EXPECT_EQ(j[0]["check_N"], 64) << r.out;
      EXPECT_LE(j[0]["max_rel_err"].get<double>(), 1e-5) << r.out;
      EXPECT_EQ(j[0]["total_bytes"], j[0]["formula_total_bytes"]) << r.out;
    }
  }
}

TEST(CliAttentionSim, SpecExampleGivesTheByteTableQuickly) {
  // N = 65536 is far too big to compute here: bytes come from the size-only schedule, the error from
  // check_N = 64. Ring, fp16: 2 (N/P) H_kv d b = 2 * 8192 * 8 * 128 * 2 bytes per link per step.
  const auto r = run_tool(tool +
                          " sim --P 8 --N 65536 --variant ring --q-heads 32 --kv-heads 8 --head-dim 128 --mask causal"
                          " --bytes-per-element 2 --format csv --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(",33554432,56,"), std::string::npos) << r.out;  // bytes per link step, P(P-1) sends
  EXPECT_NE(r.out.find(",yes,64,"), std::string::npos) << r.out;       // agrees; checked at N = 64
  const auto no_check = run_tool(tool + " sim --P 8 --N 65536 --variant lasp2 --no-check --format json --quiet");
  ASSERT_EQ(no_check.exit_code, 0) << no_check.err;
  const auto j = nlohmann::json::parse(no_check.out);
  EXPECT_EQ(j[0]["check_N"], 0);
  EXPECT_EQ(j[0]["per_device_bytes"], 7 * 8 * 128 * 128 * 2);
}

TEST(CliAttentionSim, PerLinkRowsAllAgree) {
  const auto r = run_tool(tool +
                          " sim --P 3 --N 12 --q-heads 2 --kv-heads 2 --head-dim 4 --variant tokenring"
                          " --mask none --per-link --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 12u) << r.out;  // 3 devices x 2 forward + 3 x 2 backward
  for (const auto& row : j) EXPECT_EQ(row["agree"], "yes") << row;
}

TEST(CliAttentionSim, BadInputIsOneLineWithUsageExitCode) {
  const auto expect_usage = [](const std::string& args, const std::string& message) {
    const auto r = run_tool(tool + " sim " + args + " --quiet");
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
  };
  expect_usage("--P 0", "--P must be >= 1, got 0");
  expect_usage("--N 100 --P 3", "N must be divisible by P=3 for ring, got N=100 P=3");
  expect_usage("--N 24 --P 8 --variant zigzag", "N must be divisible by 2P=16 for zigzag");
  expect_usage("--variant ulysses", "--variant must be ring|zigzag|tokenring|rsa|lasp2, got 'ulysses'");
  expect_usage("--mask diagonal", "--mask must be none|causal|window");
  expect_usage("--bytes-per-element 0", "--bytes-per-element must be in [1, 16], got 0");
  expect_usage("--q-heads 6 --kv-heads 4", "q_heads must be a multiple of kv_heads");
  expect_usage("--variant lasp2 --mask window --window 4", "lasp2 supports masks none and causal");
  expect_usage("--P x", "--P");
  expect_usage("--P 2048", "--P must be <= 1024");
  expect_usage("--N 1099511627776 --P 1024 --head-dim 65536", "the shape is too large");
}

}  // namespace
