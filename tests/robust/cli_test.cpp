// paperkit-robust end to end: outputs on the spec's example and one exit code per bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::slurp;
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

// A sweep stopped part way and resumed from its --checkpoint writes the same rows and curves, to the
// byte, as one that ran through; runs already in the file are not rerun; a checkpoint of another
// build, another grid or with a broken line is refused with exit code 3.
TEST(CliRobust, SweepResumedFromCheckpointWritesTheSameOutput) {
  const auto dir = scratch_dir() / "checkpoint";
  std::filesystem::create_directories(dir);
  const auto grid = (dir / "grid.json").string();
  write_file(grid, "{\"base\": {\"data\": \"digits:" + digits +
                       "\", \"steps\": 12, \"n\": 7, \"f\": 2, \"eval_every\": 4},"
                       " \"grid\": {\"agg\": [\"nna\", \"krum\"], \"attack\": [\"alie\", \"sf\"], \"seed\": [1, 2]}}");
  const auto sweep = [&](const std::string& name, const std::string& extra) {
    const auto r =
        run_tool(tool + " sweep " + grid + " --format json --quiet --out " + (dir / (name + ".json")).string() +
                 " --curves " + (dir / (name + "_curves.csv")).string() + extra);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    auto rows = nlohmann::json::parse(slurp(dir / (name + ".json")));
    return std::make_pair(rows, slurp(dir / (name + "_curves.csv")));
  };
  const auto without_seconds = [](nlohmann::json rows) {
    for (auto& row : rows) row.erase("seconds");
    return rows;
  };
  const auto [plain_rows, plain_curves] = sweep("plain", "");
  ASSERT_EQ(plain_rows.size(), 8u);
  const auto ck = (dir / "runs.jsonl").string();
  const auto [full_rows, full_curves] = sweep("full", " --jobs 2 --checkpoint " + ck);
  EXPECT_EQ(without_seconds(full_rows), without_seconds(plain_rows));
  EXPECT_EQ(full_curves, plain_curves);
  const std::string whole = slurp(ck);
  ASSERT_EQ(std::count(whole.begin(), whole.end(), '\n'), 9);  // the header and 8 runs

  // Stopped after 3 runs, in the middle of writing the 4th: the torn line is dropped and rerun.
  std::size_t cut = 0;
  for (int line = 0; line < 4; ++line) cut = whole.find('\n', cut) + 1;
  write_file(ck, whole.substr(0, cut + 40));
  const auto [resumed_rows, resumed_curves] = sweep("resumed", " --jobs 2 --checkpoint " + ck);
  EXPECT_EQ(without_seconds(resumed_rows), without_seconds(plain_rows));
  EXPECT_EQ(resumed_curves, plain_curves);
  const std::string after = slurp(ck);
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 9);
  EXPECT_EQ(after.substr(0, cut), whole.substr(0, cut));

  // Complete: nothing is rerun, so every run's seconds are the recorded ones, to the bit.
  const auto [again_rows, again_curves] = sweep("again", " --checkpoint " + ck);
  EXPECT_EQ(again_rows, resumed_rows);
  EXPECT_EQ(slurp(ck), after);

  const auto refused = [&](const std::string& content, const std::string& why) {
    write_file(ck, content);
    const auto r = run_tool(tool + " sweep " + grid + " --quiet --checkpoint " + ck);
    EXPECT_EQ(r.exit_code, 3) << why << "\n" << r.err;
    EXPECT_NE(r.err.find("--checkpoint"), std::string::npos) << why << "\n" << r.err;
  };
  const std::size_t sha = whole.find("(git ") + 5;
  std::string other_build = whole;
  other_build[sha] = other_build[sha] == '0' ? '1' : '0';
  refused(other_build, "another build");
  std::string other_grid = whole;
  other_grid.replace(other_grid.find("\"steps\":12"), 11, "\"steps\":13");
  refused(other_grid, "another grid");
  refused(whole.substr(0, cut) + "garbage\n", "a broken line");
  refused("{\"runs\": 8}\n", "not a checkpoint");
  const auto on_dir = run_tool(tool + " sweep " + grid + " --quiet --checkpoint " + dir.string());
  EXPECT_EQ(on_dir.exit_code, 3) << on_dir.err;
  EXPECT_NE(on_dir.err.find("is a directory"), std::string::npos) << on_dir.err;
}

}  // namespace
