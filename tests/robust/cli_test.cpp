// paperkit-robust end to end: outputs on the spec's example and one exit code per bad input.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::write_file;

const std::string tool = PAPERKIT_ROBUST_TOOL;

std::string spec_file() {
  const auto p = scratch_dir() / "x.csv";
  write_file(p, "# the spec's 3 x 3 example\n1,2,3\n4,5,6\n7,8,9\n");
  return p.string();
}

TEST(CliRobust, AggregateNnaCsv) {
  const auto r = run_tool(tool + " aggregate --rule nna --f 1 --pivot 1 --in " + spec_file());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2.5,3.5,4.5\n");
}

TEST(CliRobust, AggregateJsonListsSelection) {
  const auto r = run_tool(tool + " aggregate --rule multikrum --krum-neighbors 1 --f 1 --in " + spec_file() +
                          " --format json --float32");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output"], nlohmann::json::parse("[2.5,3.5,4.5]"));
  EXPECT_EQ(j["selected"], nlohmann::json::parse("[0,1]"));
  EXPECT_EQ(j["dtype"], "float32");
}

TEST(CliRobust, AttackSignFlipAndAlie) {
  auto r = run_tool(tool + " attack --type sf --f 1 --honest " + spec_file());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "-4,-5,-6\n");
  r = run_tool(tool + " attack --type alie --z 1.5 --f 1 --honest " + spec_file());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "8.5,9.5,10.5\n");
  r = run_tool(tool + " attack --type foe --agg nna --f 1 --honest " + spec_file() + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["trace"].size(), 16u);
}

TEST(CliRobust, BadInputExitCodes) {
  const auto x = spec_file();
  write_file(scratch_dir() / "ragged.csv", "1,2\n3\n");
  write_file(scratch_dir() / "text.csv", "1,2\n3,abc\n");
  const std::vector<std::pair<std::string, int>> cases = {
      {" aggregate --rule nna --f 2 --in " + x, 2},      // n <= 2f
      {" aggregate --rule nna --f -1 --in " + x, 2},     // f < 0
      {" aggregate --rule bulyan --in " + x, 2},         // unknown rule
      {" aggregate --rule nna --pivot 3 --in " + x, 2},  // pivot out of range
      {" aggregate --rule gm --gm-nu 0 --in " + x, 2},   // nu <= 0
      {" aggregate --rule nna --in " + (scratch_dir() / "ragged.csv").string(), 3},
      {" aggregate --rule nna --in " + (scratch_dir() / "text.csv").string(), 3},
      {" aggregate --rule nna --in /nonexistent/x.csv", 3},
      {" attack --type gaussian --f 1 --honest " + x, 2},  // unknown attack
      {" attack --type alie --f 1 --evals 0 --honest " + x, 2},
      {" attack --type alie --f 3 --honest " + x, 2},  // n = 6 <= 2f
      {" attack --type lf --f 1 --honest " + x, 2},    // lf needs --lf-step
  };
  for (const auto& [args, code] : cases) {
    const auto r = run_tool(tool + args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << "\n" << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
}

const std::string digits = std::string(PAPERKIT_SOURCE_DIR) + "/data/digits.csv.gz";

TEST(CliRobust, TrainSmallRunWritesTheCurve) {
  const auto r = run_tool(tool + " train --data digits:" + digits +
                          " --model logreg --n 7 --f 2 --steps 20 --batch 10 --eval-every 10 --eval-node all --seed 3"
                          " --json " +
                          (scratch_dir() / "s.json").string() + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("step,lr,acc_node0,acc_min,acc_mean,spread,drift,grads_computed,loss,attack_z\n0,", 0), 0u)
      << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);  // header + steps 0, 10, 20
  const auto j = nlohmann::json::parse(paperkit::test::slurp(scratch_dir() / "s.json"));
  EXPECT_EQ(j["grads_computed"], 5 * 20);
  EXPECT_EQ(j["parameters"], 650);
  const auto again = run_tool(tool + " train --data digits:" + digits +
                              " --model logreg --n 7 --f 2 --steps 20 --batch 10 --eval-every 10 --eval-node all"
                              " --seed 3 --quiet");
  EXPECT_EQ(again.out, r.out);
}

TEST(CliRobust, TrainBadInputExitCodes) {
  write_file(scratch_dir() / "bad_digits.csv", "1,2,3\n");
  const std::string base = " train --steps 2 --data digits:" + digits;
  const std::vector<std::pair<std::string, int>> cases = {
      {base + " --n 4 --f 2", 2},  // n <= 2f
      {base + " --f -1", 2},
      {base + " --attack gaussian", 2},
      {base + " --agg bulyan", 2},
      {base + " --receive some", 2},
      {base + " --beta 1", 2},
      {base + " --model cnn", 2},
      {base + " --dirichlet 0", 2},
      {" train --steps 2 --data mnist:/x", 2},
      {" train --steps 2 --data digits:/nonexistent/d.csv", 3},
      {" train --steps 2 --data digits:" + (scratch_dir() / "bad_digits.csv").string(), 3},
      {" train --steps 2 --data idx:/nonexistent", 3},
  };
  for (const auto& [args, code] : cases) {
    const auto r = run_tool(tool + args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << "\n" << r.err;
  }
}

TEST(CliRobust, SweepSameRowsForAnyJobs) {
  write_file(scratch_dir() / "grid.json", "{\"base\": {\"data\": \"digits:" + digits +
                                              "\", \"steps\": 10, \"n\": 7, \"f\": 2},"
                                              " \"grid\": {\"agg\": [\"nna\", \"cwtm\"], \"seed\": [1, 2]}}");
  const std::string cmd = tool + " sweep " + (scratch_dir() / "grid.json").string() + " --format json --jobs ";
  const auto one = run_tool(cmd + "1");
  const auto two = run_tool(cmd + "2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);
  ASSERT_EQ(a.size(), 4u);
  for (auto* j : {&a, &b}) {
    for (auto& row : *j) row.erase("seconds");
  }
  EXPECT_EQ(a, b);
  write_file(scratch_dir() / "bad.json", "{\"grid\": {\"speed\": [1]}}");
  EXPECT_EQ(run_tool(tool + " sweep " + (scratch_dir() / "bad.json").string()).exit_code, 2);
  write_file(scratch_dir() / "broken.json", "{");
  EXPECT_EQ(run_tool(tool + " sweep " + (scratch_dir() / "broken.json").string()).exit_code, 3);
}

}  // namespace
