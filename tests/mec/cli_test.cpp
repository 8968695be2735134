// paperkit-mec end to end: outputs, entropies, seeds, and one exit code per bad input.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::write_file;

const std::string tool = PAPERKIT_MEC_TOOL;
const std::string spec_pair = " --marginal-str 0.5,0.4,0.1 --marginal-str 0.6,0.2,0.2";

TEST(CliMec, CoupleCsvOnSpecExample) {
  const auto r = run_tool(tool + " couple" + spec_pair + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "i1,i2,mass\n0,0,0.5\n1,1,0.20000000000000001\n1,2,0.20000000000000001\n2,0,0.099999999999999978\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliMec, CoupleJsonHasEntropiesAndGap) {
  const auto r = run_tool(tool + " couple" + spec_pair + " --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["H_joint"].get<double>(), 1.76096, 5e-6);
  EXPECT_NEAR(j["H_meet"].get<double>(), 1.48548, 5e-6);
  EXPECT_NEAR(j["gap_to_meet"].get<double>(), 1.76096 - 1.48548, 1e-5);
  EXPECT_EQ(j["coupling"].size(), 4u);
  EXPECT_EQ(j["k"], 2);
  EXPECT_FALSE(j["notes"].empty());
}

TEST(CliMec, CoupleExactAndIndependent) {
  auto r = run_tool(tool + " couple" + spec_pair + " --algo exact --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(nlohmann::json::parse(r.out)["H_joint"].get<double>(), 1.76096, 5e-6);
  r = run_tool(tool + " couple" + spec_pair + " --algo independent --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["H_joint"].get<double>(), j["H_independent"].get<double>(), 1e-12);
  EXPECT_EQ(j["coupling"].size(), 9u);
}

TEST(CliMec, BoundsFromFiles) {
  write_file(scratch_dir() / "p.csv", "# p\n0.5\n0.4\n0.1\n");
  write_file(scratch_dir() / "q.csv", "0.6,0.2,0.2\n");
  const auto r = run_tool(tool + " bounds --marginal " + (scratch_dir() / "p.csv").string() + " --marginal " +
                          (scratch_dir() / "q.csv").string() + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["H_meet"].get<double>(), 1.48548, 5e-6);
  EXPECT_NEAR(j["H_greedy"].get<double>(), 1.76096, 5e-6);
  EXPECT_NEAR(j["H_exact"].get<double>(), 1.76096, 5e-6);
  EXPECT_LE(j["gap"].get<double>(), j["gap_bound"].get<double>());
}

TEST(CliMec, BoundsCsvRowAndNotes) {
  const auto r = run_tool(tool + " bounds" + spec_pair);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("k,H_max_marginal,H_meet,H_greedy,gap,H_exact,H_independent,seed\n2,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("# "), std::string::npos);
  EXPECT_NE(r.out.find("[I]"), std::string::npos);
}

TEST(CliMec, DirichletSameSeedSameOutput) {
  const auto a = run_tool(tool + " couple --dirichlet 50,40,30 --alpha 0.5 --seed 7 --quiet");
  const auto b = run_tool(tool + " couple --dirichlet 50,40,30 --alpha 0.5 --seed 7 --quiet");
  const auto c = run_tool(tool + " couple --dirichlet 50,40,30 --alpha 0.5 --seed 8 --quiet");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(a.out.rfind("i1,i2,i3,mass\n", 0), 0u);
}

TEST(CliMec, LargeDirichletBoundsHasNoExact) {
  const auto r = run_tool(tool + " bounds --dirichlet 100,100 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["H_exact"].is_null());
}

TEST(CliMec, NormalizeFlag) {
  auto r = run_tool(tool + " couple --marginal-str 2,6 --marginal-str 1,1 --quiet");
  EXPECT_EQ(r.exit_code, 3);
  r = run_tool(tool + " couple --marginal-str 2,6 --marginal-str 1,1 --normalize --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliMec, EbimSpecValues) {
  auto r = run_tool(tool + " ebim --px-str 0.7,0.2,0.1 --rate 0.8 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cell,symbols,mass\n0,0;1,0.89999999999999991\n1,2,0.10000000000000001\n");
  r = run_tool(tool + " ebim --px-str 0.7,0.2,0.1 --rate 0.9 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["I_XT"].get<double>(), 0.8813, 5e-5);
  EXPECT_EQ(j["partition"], nlohmann::json({{0}, {1, 2}}));
  EXPECT_NEAR(j["h_p2"].get<double>(), 0.72193, 5e-5);
}

const std::string spec_mecb = " mecb --px-str .4,.25,.15,.1,.06,.04 --py-str .35,.25,.2,.12,.08";

TEST(CliMec, MecbSpecValuesJson) {
  const auto r = run_tool(tool + spec_mecb + " --rate 1.0 --format json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["H_T"].get<double>(), 0.9219, 1e-4);
  EXPECT_NEAR(j["I_XY"].get<double>(), 0.8439, 1e-4);
  EXPECT_EQ(j["encoder"], "greedy");
  EXPECT_FALSE(j["notes"].empty());
  double total = 0;
  for (const auto& c : j["joint"]) total += c["mass"].get<double>();
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(CliMec, MecbCsvFromFilesUniform) {
  write_file(scratch_dir() / "px.csv", "0.5\n0.5\n");
  write_file(scratch_dir() / "py.csv", "0.5,0.5\n");
  // R = 0: one block, so the joint is independent.
  const auto r = run_tool(tool + " mecb --px " + (scratch_dir() / "px.csv").string() + " --py " +
                          (scratch_dir() / "py.csv").string() + " --rate 0 --encoder uniform");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "x,y,mass\n0,0,0.25\n0,1,0.25\n1,0,0.25\n1,1,0.25\n");
  EXPECT_NE(r.err.find("summary: "), std::string::npos);
}

// ---- one test per bad input: one line "error: ..." and the DESIGN.md exit code ----------

void expect_error(const std::string& args, int code, const std::string& fragment) {
  const auto r = run_tool(tool + args);
  EXPECT_EQ(r.exit_code, code) << args << "\n" << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliMecBadInput, NegativeProbability) {
  expect_error(" couple --marginal-str 1.2,-0.2 --marginal-str 1", 3, ">= 0");
}
TEST(CliMecBadInput, NaNProbability) {
  expect_error(" couple --marginal-str nan,1 --marginal-str 1", 3, "finite");
}
TEST(CliMecBadInput, SumNotOne) {
  expect_error(" bounds --marginal-str 0.5,0.4 --marginal-str 1", 3, "sum to 1");
}
TEST(CliMecBadInput, EmptyMarginal) {
  write_file(scratch_dir() / "empty.csv", "# nothing\n");
  expect_error(" couple --marginal " + (scratch_dir() / "empty.csv").string() + " --marginal-str 1", 3, "empty");
}
TEST(CliMecBadInput, NotANumber) {
  expect_error(" couple --marginal-str 0.5,abc --marginal-str 1", 3, "not a number");
}
TEST(CliMecBadInput, MissingFile) {
  expect_error(" couple --marginal /nonexistent/p.csv --marginal-str 1", 3, "cannot read");
}
TEST(CliMecBadInput, OneMarginal) {
  expect_error(" couple --marginal-str 1", 2, "k >= 2");
}
TEST(CliMecBadInput, TwoSources) {
  expect_error(" couple --marginal-str 1 --dirichlet 3,3", 2, "exactly one");
}
TEST(CliMecBadInput, BadAlpha) {
  expect_error(" couple --dirichlet 3,3 --alpha 0", 2, "--alpha");
}
TEST(CliMecBadInput, ZeroDirichletSize) {
  expect_error(" couple --dirichlet 3,0", 2, "--dirichlet");
}
TEST(CliMecBadInput, HugeDirichletSize) {
  expect_error(" couple --dirichlet 3,1000000000000", 2, "--dirichlet");
}
TEST(CliMecBadInput, MaxLinesTooLarge) {
  expect_error(" bounds --dirichlet 3,3 --max-lines 40", 2, "--max-lines");
}
TEST(CliMecBadInput, NegativeRate) {
  expect_error(" ebim --px-str 0.7,0.2,0.1 --rate -1", 2, "--rate");
}
TEST(CliMecBadInput, MissingRate) {
  expect_error(" ebim --px-str 0.7,0.2,0.1", 2, "rate");
}
TEST(CliMecBadInput, EbimTwoSources) {
  expect_error(" ebim --px-str 1 --dirichlet 3 --rate 1", 2, "exactly one");
}
TEST(CliMecBadInput, MecbBadRate) {
  expect_error(spec_mecb + " --rate nan", 2, "--rate");
  expect_error(spec_mecb + " --rate -0.5", 2, "--rate");
}
TEST(CliMecBadInput, MecbMissingMarginal) {
  expect_error(" mecb --px-str 0.5,0.5 --rate 1", 2, "py");
}
TEST(CliMecBadInput, MecbBadEncoder) {
  expect_error(spec_mecb + " --rate 1 --encoder sla", 2, "--encoder");
}
TEST(CliMecBadInput, MecbBadProbability) {
  expect_error(" mecb --px-str 0.5,0.6 --py-str 1 --rate 1", 3, "sum to 1");
}
TEST(CliMecBadInput, BadTolerance) {
  expect_error(" couple --dirichlet 3,3 --tolerance -1", 2, "--tolerance");
}
TEST(CliMecBadInput, BadAlgo) {
  expect_error(" couple --dirichlet 3,3 --algo zero-seeking", 2, "--algo");
}
TEST(CliMecBadInput, BadDust) {
  expect_error(" couple --dirichlet 3,3 --dust 0.5", 2, "--dust");
}
TEST(CliMecBadInput, ExactTooLarge) {
  expect_error(" couple --dirichlet 10,10 --algo exact", 2, "exponential");
}
TEST(CliMecBadInput, ExactNeedsTwo) {
  expect_error(" couple --dirichlet 2,2,2 --algo exact", 2, "k = 2");
}
TEST(CliMecBadInput, BadFormat) {
  expect_error(" couple --dirichlet 3,3 --format xml", 2, "--format");
}
TEST(CliMecBadInput, UnknownFlag) {
  expect_error(" couple --dirichlet 3,3 --bogus", 2, "bogus");
}

}  // namespace
