// paperkit-bandits end to end: outputs, summaries, thread independence, exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::slurp;
using paperkit::test::write_file;

const std::string tool = PAPERKIT_BANDITS_TOOL;

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(CliBandits, RunCsvHasOneRowPerSeedAndAlgo) {
  const auto r = run_tool(tool + " run --K 100 --T 1e9 --seeds 3 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 1 + 3 * 6u);
  EXPECT_EQ(
      r.out.substr(0, r.out.find('\n')),
      "seed,replication,instance,K,T,algo,epsilon,regret,regret_explore,regret_commit,regret_ledger,regret_authors,"
      "pulls,"
      "pulls_explore,pulls_commit,peak_memory,memory_bound,committed_arm,committed_mean,best_mean,epsilon_best");
  EXPECT_NE(r.out.find(",1000000000,"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(CliBandits, JsonRowsAndSummary) {
  const auto path = scratch_dir() / "summary.json";
  const auto r = run_tool(tool + " run --algo loglog,uniform --K 200 --T 8e9 --seeds 4 --format json --summary-json " +
                          path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[0]["pulls"], 8000000000ULL);
  const auto j = nlohmann::json::parse(slurp(path));
  ASSERT_EQ(j["summary"].size(), 2u);
  EXPECT_EQ(j["summary"][0]["algo"], "loglog");
  EXPECT_TRUE(j["summary"][0].contains("ratio_to_uniform_median"));
  EXPECT_EQ(j["seed"], 20231013);
}

TEST(CliBandits, ReconstructedPartsAreSaid) {
  auto r = run_tool(tool + " run --algo goa --K 30 --T 1e7 --instance needle-jackpot");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: goa"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needle-jackpot"), std::string::npos) << r.err;
}

TEST(CliBandits, CompatAuthorsRunsAndSaysWhatItReproduces) {
  const auto path = scratch_dir() / "compat.json";
  const auto r = run_tool(tool + " run --K 300 --T 2.7e10 --seeds 3 --compat authors --format json --summary-json " +
                          path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: --compat authors"), std::string::npos) << r.err;
  for (const auto& row : nlohmann::json::parse(r.out)) EXPECT_EQ(row["pulls"], 27000000000ULL);
  const auto j = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(j["compat"], "authors");
  EXPECT_EQ(j["pull_model"], "authors-gauss");
  EXPECT_TRUE(j["summary"][2].contains("authors_ratio_to_uniform_of_means"));
}

TEST(CliBandits, BenchTimesEachAlgorithm) {
  const auto r = run_tool(tool + " bench --K 500 --T 1.25e11 --reps 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& row : rows) EXPECT_GE(row["seconds_best"].get<double>(), 0.0);
}

TEST(CliBandits, ThreadCountDoesNotChangeOutput) {
  const std::string cmd = tool + " sweep --K 20,60 --alpha 100 --seeds 5 --instance mix-in --quiet --seed 7";
  const auto a = run_tool(cmd + " --threads 1");
  const auto b = run_tool(cmd + " --threads 2");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(count_lines(a.out), 1 + 2 * 5 * 6u);
  const auto c = run_tool(cmd + " --threads 2 --seed 8");
  EXPECT_NE(a.out, c.out);
}

TEST(CliBandits, GenAndCsvInstanceRoundTrip) {
  const auto gen = run_tool(tool + " gen --instance clear-cut --K 40 --seed 3");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_EQ(count_lines(gen.out), 41u);
  // Column 2 of gen's CSV is the mean; write one mean per line and run on it.
  std::string means, line;
  std::istringstream in(gen.out);
  std::getline(in, line);
  while (std::getline(in, line)) means += line.substr(line.find(',') + 1) + "\n";
  const auto file = scratch_dir() / "means.csv";
  write_file(file, "mean\n" + means);
  const auto r = run_tool(tool + " run --algo uniform --T 1e6 --instance csv:" + file.string() + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(",40,1000000,uniform,"), std::string::npos) << r.out;
}

TEST(CliBandits, DeterministicCsvCommitsToTheMeanOneArm) {
  const auto file = scratch_dir() / "det.csv";
  write_file(file, "0\n0\n1\n0\n");
  const auto r = run_tool(tool + " run --T 1e6 --instance csv:" + file.string() + " --quiet --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& row : nlohmann::json::parse(r.out)) {
    EXPECT_EQ(row["committed_arm"], 2) << row["algo"];
    EXPECT_EQ(row["epsilon_best"], 1);
  }
}

struct BadCase {
  const char* args;
  int exit_code;
  const char* message;
};

TEST(CliBanditsBadInput, OneLineErrorAndExitCode) {
  const auto malformed = scratch_dir() / "bad.csv";
  write_file(malformed, "0.5\nzero point one\n");
  const auto outside = scratch_dir() / "outside.csv";
  write_file(outside, "0.5\n1.5\n");
  const std::string m = malformed.string(), o = outside.string();
  const BadCase cases[] = {
      {"run --K 0", 2, "--K must be an integer >= 1"},
      {"run --K 100 --T 50", 2, "--T must be >= K"},
      {"run --K 10.5", 2, "--K must be an integer"},
      {"run --epsilon 0", 2, ""},  // 0 means default: accepted, checked below separately
      {"run --epsilon 1.5", 2, "--epsilon must be in (0, 1)"},
      {"run --epsilon -0.1", 2, "--epsilon must be in (0, 1)"},
      {"run --algo ucb --delta 1", 2, "--delta must be in (0, 1)"},
      {"run --algo ucb --delta -1", 2, "--delta must be in (0, 1)"},
      {"run --algo best", 2, "--algo must be one of"},
      {"run --instance zipf", 2, "--instance must be"},
      {"run --pull-model gauss", 2, "--pull-model must be"},
      {"run --compat paper", 2, "--compat must be none or authors"},
      {"run --seeds 0", 2, "--seeds must be >= 1"},
      {"run --threads 0", 2, "--threads must be >= 1"},
      {"run --log-cap -1", 2, "--log-cap must be finite and > 0"},
      {"run --bogus", 2, "bogus"},
      {"sweep --beta 0.5", 2, "--beta must be"},
      {"gen --K 0", 2, "--K must be an integer >= 1"},
      {"bench --reps 0", 2, "--reps must be >= 1"},
      {"run --instance csv:/nonexistent.csv", 3, "cannot read means file"},
  };
  for (const auto& c : cases) {
    if (std::string(c.message).empty()) continue;
    const auto r = run_tool(tool + " " + c.args + " --quiet");
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << ": " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << c.args << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1u) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
  auto r = run_tool(tool + " run --T 1e6 --instance csv:" + m);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.csv:2: not a number"), std::string::npos) << r.err;
  r = run_tool(tool + " run --T 1e6 --instance csv:" + o);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("mean must be in [0, 1]"), std::string::npos) << r.err;
  r = run_tool(tool + " run --K 10 --T 1e6 --out /nonexistent/dir/x.csv --quiet");
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

}  // namespace
