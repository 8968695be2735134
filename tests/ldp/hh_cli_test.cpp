// paperkit-ldp hh / gen end to end: JSON blocks, thread determinism, gen -> hh round trip, and one
// exit code per bad input (k = 0, k > domain, zero users, malformed item files, bad flags).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_tool.hpp"

namespace {

using paperkit::test::run_tool;
using paperkit::test::scratch_dir;
using paperkit::test::write_file;

const std::string tool = PAPERKIT_LDP_TOOL;

nlohmann::json without_timing(const std::string& out) {
  auto j = nlohmann::json::parse(out);
  j.erase("timing");
  for (auto& r : j["runs"]) r.erase("seconds");
  return j;
}

TEST(CliLdpHh, JsonCarriesParamsPrivacyFidelityTiming) {
  const auto r = run_tool(tool + " hh taps,pem --bits 20 --users 20000 --parties 3 --k 5 --eps 3 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["fidelity"], "reconstructed");
  EXPECT_EQ(j["params"]["k"], 5);
  EXPECT_TRUE(j.contains("timing"));
  ASSERT_EQ(j["runs"].size(), 2u);
  const auto& taps = j["runs"][0];
  EXPECT_EQ(taps["method"], "taps");
  EXPECT_EQ(taps["fidelity"], "reconstructed");
  EXPECT_EQ(taps["privacy"]["users_assigned"], 20000);
  EXPECT_EQ(taps["privacy"]["per_user_eps"], 3.0);
  std::uint64_t users = 0;
  for (const auto& g : taps["privacy"]["groups"]) users += g["users"].get<std::uint64_t>();
  EXPECT_EQ(users, 20000u);
  EXPECT_EQ(taps["top"].size(), 5u);
  EXPECT_GE(taps["metrics"]["f1"].get<double>(), 0.0);
  EXPECT_EQ(j["runs"][1]["fidelity"], "reference");
}

TEST(CliLdpHh, SameSeedSameJsonForOneAndTwoThreads) {
  for (const std::string mode : {"per-user", "aggregate"}) {
    const std::string cmd = tool +
                            " hh pem,tap,taps,per-party-pem --bits 16 --users 6000 --parties 2 --k 4 --eps 2 "
                            "--seed 9 --format json --mode " +
                            mode;
    const auto a = run_tool(cmd + " --threads 1");
    const auto b = run_tool(cmd + " --threads 2");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(without_timing(a.out), without_timing(b.out)) << mode;
  }
}

TEST(CliLdpHh, GenThenHhFromFile) {
  const auto pop = scratch_dir() / "hh_pop.csv";
  auto r = run_tool(tool + " gen federated --bits 12 --users 3000 --parties 3 --out " + pop.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_tool(tool + " hh tap --source file --items " + pop.string() + " --k 3 --eps 4 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"][0]["parties"], 3);
  EXPECT_EQ(j["runs"][0]["users"], 3000);
  r = run_tool(tool + " gen zipf --bits 12 --users 100 --format json --top 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["top"].size(), 3u);
}

TEST(CliLdpHh, BadInputGetsOneLineAndExitCode) {
  struct Case {
    std::string args;
    int code;
    std::string needle;
  };
  const auto bad_csv = scratch_dir() / "hh_bad.csv";
  write_file(bad_csv, "item,party,count\n12,zero,3\n");
  const auto zero_csv = scratch_dir() / "hh_zero.csv";
  write_file(zero_csv, "item,party,count\n12,0,0\n");
  const std::vector<Case> cases = {
      {"hh pem --k 0", 2, "--k"},
      {"hh pem --bits 4 --k 17", 2, "--k"},
      {"hh pem --users 0", 2, "--users"},
      {"hh pem --eps -1", 2, "--eps"},
      {"hh pem --fo nope", 2, "nope"},
      {"hh magic", 2, "method"},
      {"hh pem --source file", 2, "--source file"},
      {"hh pem --items " + bad_csv.string(), 2, "--source zipf"},
      {"hh pem --source file --items " + bad_csv.string(), 3, "party"},
      {"hh pem --source file --items " + zero_csv.string(), 3, "zero users"},
      {"hh pem --source aol --aol /nonexistent/aol.gz", 3, "cannot open"},
      {"hh tap --phase1-share 1.5", 2, "--phase1-share"},
      {"hh pem --mode sometimes", 2, "--mode"},
  };
  for (const auto& c : cases) {
    const auto r = run_tool(tool + " " + c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << ": " << r.err;
  }
}

}  // namespace
