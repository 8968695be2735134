// paperkit-hamming end to end: outputs, summaries, exit codes, thread independence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "paperkit/hamming/io.hpp"
#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::slurp;
using paperkit::test::write_file;

const std::string tool = PAPERKIT_HAMMING_TOOL;

TEST(CliHamming, ExactCsvOnSpecCase) {
  const auto r = run_tool(tool + " exact --text-str abcabc --pattern-str abc --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pos,dist\n0,0\n1,3\n2,3\n3,0\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliHamming, SummaryJsonHasTheSpecFields) {
  const auto path = scratch_dir() / "summary.json";
  const auto r = run_tool(tool + " exact --text-str aaaabaaaa --pattern-str aaaa --algo naive --quiet --summary-json " +
                          path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(path));
  for (const char* key : {"n", "m", "sigma_text", "sigma_pattern", "algo", "seed", "threads", "seconds", "cells_per_s",
                          "checksum_fnv1a64", "min", "argmin", "sum_matches"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["n"], 9);
  EXPECT_EQ(j["m"], 4);
  EXPECT_EQ(j["min"], 0);
  EXPECT_EQ(j["sum_matches"], 4 * 6 - 4);
}

TEST(CliHamming, JsonAndU32Outputs) {
  auto r = run_tool(tool + " exact --text-str abcabc --pattern-str abc --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["distances"], nlohmann::json({0, 3, 3, 0}));
  r = run_tool(tool + " exact --text-str abcabc --pattern-str abc --format u32le --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(paperkit::hamming::parse_sequence(r.out, paperkit::hamming::InputFormat::u32le, "out"),
            (std::vector<std::uint32_t>{0, 3, 3, 0}));
}

TEST(CliHamming, ThreadCountDoesNotChangeOutput) {
  const auto text = scratch_dir() / "gen.u32";
  auto r = run_tool(tool + " gen --kind random --n 200000 --sigma 4 --seed 9 --out " + text.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string outputs[2];
  for (int t = 1; t <= 2; ++t) {
    const auto out = scratch_dir() / ("hd" + std::to_string(t) + ".u32");
    r = run_tool(tool + " exact --text " + text.string() + " --input u32le --pattern-slice 500,300 --format u32le" +
                 " --quiet --threads " + std::to_string(t) + " --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    outputs[t - 1] = slurp(out);
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0].size(), 4u * (200000 - 300 + 1));
  r = run_tool(tool + " verify " + (scratch_dir() / "hd1.u32").string() + " " + (scratch_dir() / "hd2.u32").string());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, 2), "OK");
}

TEST(CliHamming, VerifyReportsFirstDifference) {
  write_file(scratch_dir() / "a.u32", std::string("\1\0\0\0\2\0\0\0", 8));
  write_file(scratch_dir() / "b.u32", std::string("\1\0\0\0\3\0\0\0", 8));
  const auto r =
      run_tool(tool + " verify " + (scratch_dir() / "a.u32").string() + " " + (scratch_dir() / "b.u32").string());
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.out.find("index 1"), std::string::npos) << r.out;
}

TEST(CliHamming, SameSeedSameGeneratedText) {
  const auto a = run_tool(tool + " gen --n 1000 --sigma 26 --encoding raw --seed 4");
  const auto b = run_tool(tool + " gen --n 1000 --sigma 26 --encoding raw --seed 4");
  const auto c = run_tool(tool + " gen --n 1000 --sigma 26 --encoding raw --seed 5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(a.out.size(), 1000u);
}

TEST(CliHamming, ShorterTextWarnsAndExitsZero) {
  const auto r = run_tool(tool + " exact --text-str ab --pattern-str abc");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "pos,dist\n");
  EXPECT_NE(r.err.find("warning: text shorter than pattern"), std::string::npos) << r.err;
}

TEST(CliHamming, BenchRowsAgreeOnChecksum) {
  const auto r = run_tool(tool + " bench --text-str abracadabraabracadabra --m 3,5 --algos naive,naive-simd --reps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "dataset,n,m,sigma,algo,threads,rep,seconds,cells_per_s,checksum");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1 + 2 * 2 * 2);
}

TEST(CliHamming, ListNamesEveryAlgorithm) {
  const auto r = run_tool(tool + " list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("naive\t", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nnaive-simd\t"), std::string::npos) << r.out;
}

// --device gpu: where the build or the machine has no CUDA device, exit 4 with one line;
// where it has one, the CPU's output.
TEST(CliHamming, DeviceGpuIsExactOrBackendUnavailable) {
  const auto cpu = run_tool(tool + " exact --text-str abcabc --pattern-str abc --quiet");
  const auto r = run_tool(tool + " exact --text-str abcabc --pattern-str abc --quiet --device gpu");
  if (r.exit_code == 0) {
    EXPECT_EQ(r.out, cpu.out);
    return;
  }
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: --device gpu: ", 0), 0u) << r.err;
}

TEST(CliHamming, DeviceMustBeCpuOrGpu) {
  auto r = run_tool(tool + " exact --text-str abc --pattern-str a --device tpu");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --device must be cpu or gpu (got tpu)\n");
  r = run_tool(tool + " exact --text-str abc --pattern-str a --device gpu --algo naive");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --algo naive needs --device cpu\n");
}

TEST(CliHamming, VersionAndHelp) {
  auto r = run_tool(tool + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("paperkit-hamming"), std::string::npos);
  r = run_tool(tool + " exact --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--algo"), std::string::npos);
}

// Bad input: one line naming the problem, the documented exit code, never a crash.
struct BadInput {
  std::string args;
  int exit_code;
  std::string message;
};

class CliHammingBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliHammingBadInput, OneLineErrorAndExitCode) {
  const auto dir = scratch_dir();
  write_file(dir / "bad.fa", "ACGT\nACGT\n");
  write_file(dir / "odd.u32", "abcde");
  std::string args = GetParam().args;
  for (std::string key : {"@DIR@"}) {
    for (std::size_t at; (at = args.find(key)) != std::string::npos;) args.replace(at, key.size(), dir.string());
  }
  const auto r = run_tool(tool + " " + args);
  EXPECT_EQ(r.exit_code, GetParam().exit_code) << r.err;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliHammingBadInput,
    ::testing::Values(
        BadInput{"exact --text /nonexistent --pattern-str a", 3, "cannot open /nonexistent"},
        BadInput{"exact --text-str abc --pattern-str ''", 2, "pattern"},
        BadInput{"exact --text @DIR@/bad.fa --input fasta --pattern-str A", 3, "malformed FASTA"},
        BadInput{"exact --text-str abc --pattern-str a --algo quantum", 2, "--algo must be one of"},
        BadInput{"exact --text-str abc --pattern-str a --threshold 0", 2, "--threshold must be finite and > 0"},
        BadInput{"exact --text-str abc --pattern-str a --threshold -3", 2, "--threshold must be finite and > 0"},
        BadInput{"exact --text @DIR@/odd.u32 --input u32le --pattern-str a", 3, "not a multiple of 4"},
        BadInput{"exact --text-str abc --pattern-str a --threads 0", 2, "--threads must be >= 1"},
        BadInput{"exact --text-str abc --pattern-str a --format xml", 2, "--format must be"},
        BadInput{"exact --text-str abc --pattern-str a --input bam --text @DIR@/x", 2, "exactly one of --text"},
        BadInput{"exact --text-str abc --pattern-str a --input bam", 2, "--input must be raw, fasta or u32le"},
        BadInput{"exact --text-str abc --pattern-slice 2,5", 2, "lies outside the text"},
        BadInput{"exact --text-str abc --pattern-str a --out /nonexistent/dir/out.csv", 3, "cannot write --out"},
        BadInput{"exact --pattern-str a", 2, "exactly one of --text"}, BadInput{"frobnicate", 2, "error: "},
        BadInput{"gen --n 10 --sigma 0", 2, "--sigma must be in [1, 2^32]"},
        BadInput{"gen --n -5", 2, "--n must be in [0, 2^32]"},
        BadInput{"gen --n 10 --kind periodic --period -1", 2, "--period must be in [1, 2^32]"},
        BadInput{"exact --text @DIR@ --pattern-str a", 3, "it is a directory"},
        BadInput{"gen --n 10 --kind zipf", 2, "--kind must be"},
        BadInput{"gen --n 10 --sigma 300 --encoding raw", 2, "--encoding raw needs --sigma <= 256"},
        BadInput{"bench --text-str abc --m 5", 2, "--m 5 must be in [1, n = 3]"},
        BadInput{"verify /nonexistent @DIR@/odd.u32", 3, "cannot open /nonexistent"}),
    [](const ::testing::TestParamInfo<BadInput>& param_info) { return "case" + std::to_string(param_info.index); });

}  // namespace
