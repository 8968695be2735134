// paperkit-attention prefill (Sarathi chunked prefill) and bench (decode vs context length beside
// the measured bandwidth): valid output, and one line with the right exit code for bad input
// (2 usage, 4 backend unavailable).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;

const std::string tool = PAPERKIT_ATTENTION_TOOL;

TEST(CliAttentionPrefill, ChunkedEqualsOneShotAndMatchesOracle) {
  for (const std::string mask : {"causal", "window --window 9"}) {
    const auto r = run_tool(tool + " prefill --batch 2 --q-heads 4 --kv-heads 2 --kv-len 70 --head-dim 16 --chunk 16" +
                            " --mask " + mask + " --threads 2 --format json --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j.size(), 1u) << r.out;
    EXPECT_EQ(j[0]["chunks"], 5);  // 16, 16, 16, 16, 6
    EXPECT_EQ(j[0]["prompt_len"], 70);
    EXPECT_EQ(j[0]["max_abs_diff_vs_one_shot"].get<double>(), 0.0) << mask;
    EXPECT_LE(j[0]["rel_err_vs_fp64"].get<double>(), 1e-5) << mask;
  }
}

TEST(CliAttentionPrefill, ChunkLargerThanPromptIsOneChunkAndCsvHasHeader) {
  const auto r = run_tool(tool + " prefill --kv-len 10 --chunk 64 --head-dim 8 --q-heads 2 --kv-heads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("device,batch,q_heads,kv_heads,prompt_len,head_dim,chunk,chunks,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(",64,1,causal,"), std::string::npos) << r.out;
}

TEST(CliAttentionPrefill, BadInputIsOneLineWithUsageExitCode) {
  auto r = run_tool(tool + " prefill --chunk 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--chunk must be >= 1, got 0"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --chunk -3 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--chunk must be >= 1, got -3"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --mask none --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mask must be causal|window for prefill"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --mask window --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--window must be >= 1"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --kv-len 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--kv-len (prompt length) must be >= 1, got 0"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --q-heads 6 --kv-heads 4 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("q_heads must be a multiple of kv_heads"), std::string::npos) << r.err;
  r = run_tool(tool + " prefill --chunk abc --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(CliAttentionBench, CpuRowsPerContextLength) {
  const auto r = run_tool(tool +
                          " bench --device cpu --kv-lens 64,200 --batch 2 --q-heads 8 --kv-heads 2 --head-dim 32"
                          " --repeats 3 --rotate-mib 1 --bandwidth-mib 4 --threads 2 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u) << r.out;
  EXPECT_EQ(j[0]["kv_len"], 64);
  EXPECT_EQ(j[1]["kv_len"], 200);
  for (const auto& row : j) {
    EXPECT_EQ(row["device"], "cpu");
    EXPECT_EQ(row["threads"], 2);
    // K and V once, fp32: 2 * batch * kv_heads * kv_len * head_dim * 4 bytes.
    EXPECT_EQ(row["kv_bytes"].get<double>(), 2.0 * 2 * 2 * row["kv_len"].get<double>() * 32 * 4);
    EXPECT_GT(row["seconds_median"].get<double>(), 0.0);
    EXPECT_LE(row["seconds_min"].get<double>(), row["seconds_median"].get<double>());
    EXPECT_GT(row["read_bw_gbs"].get<double>(), 0.0);
    EXPECT_GT(row["kv_sets"].get<int>(), 1);  // 1 MiB of rotation needs several small K/V sets
    EXPECT_NEAR(row["pct_of_read_bw"].get<double>(),
                100.0 * row["gbs"].get<double>() / row["read_bw_gbs"].get<double>(), 1e-9);
  }
}

// Without CUDA support, or with it but no usable device (every CI machine), --device gpu is exit
// code 4 with one line naming --device gpu; on a machine with a GPU it runs (tools/gpu-check.sh).
TEST(CliAttentionBench, GpuWithoutCudaIsBackendUnavailable) {
  const auto r = run_tool(tool + " bench --device gpu --kv-lens 64 --quiet");
  if (r.exit_code == 0) GTEST_SKIP() << "a usable GPU is present";
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("--device gpu"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliAttentionBench, BadInputIsOneLineWithUsageExitCode) {
  auto r = run_tool(tool + " bench --device tpu --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu|gpu, got 'tpu'"), std::string::npos) << r.err;
  for (const std::string lens : {"0", "1024,,2048", "12x", "-5", "", "99999999999"}) {
    r = run_tool(tool + " bench --kv-lens '" + lens + "' --quiet");
    EXPECT_EQ(r.exit_code, 2) << lens;
    EXPECT_NE(r.err.find("--kv-lens must"), std::string::npos) << lens << ": " << r.err;
  }
  r = run_tool(tool + " bench --repeats 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--repeats must be >= 1, got 0"), std::string::npos) << r.err;
  r = run_tool(tool + " bench --bandwidth-mib 0 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--bandwidth-mib must be >= 1, got 0"), std::string::npos) << r.err;
  r = run_tool(tool + " bench --rotate-mib -1 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--rotate-mib must be >= 0, got -1"), std::string::npos) << r.err;
  r = run_tool(tool + " bench --q-heads 6 --kv-heads 4 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("q_heads must be a multiple of kv_heads"), std::string::npos) << r.err;
  r = run_tool(tool + " bench --threads 0 --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
