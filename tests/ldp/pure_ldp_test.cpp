// Decoding pure-LDP 1.2.0's own reports gives pure-LDP's own estimates (spec §6.3).
// Fixture: tests/ldp/fixtures/pure_ldp_fixture.json, made by make_pure_ldp_fixture.py.
// Support counts are integers, so they agree exactly; the estimates differ only in the order of
// the final affine map's floating-point operations (pure-LDP: a*C - b with a = g/(pg-1); ours
// (C - n q*)/(p* - q*)): tolerance 1e-9 * max(1, |estimate|).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "paperkit/ldp/ldp.hpp"

namespace ldp = paperkit::ldp;

namespace {

nlohmann::json load_fixture() {
  std::ifstream in(std::string(PAPERKIT_SOURCE_DIR) + "/tests/ldp/fixtures/pure_ldp_fixture.json");
  EXPECT_TRUE(in.good()) << "missing fixture";
  return nlohmann::json::parse(in);
}

}  // namespace

TEST(UnitPureLdp, Xxh32VectorsFromPythonXxhash) {
  const auto doc = load_fixture();
  for (const auto& v : doc["xxh32_vectors"]) {
    const std::string text = v["input"].get<std::string>();
    const auto seed = v["seed"].get<std::uint64_t>();
    // python-xxhash takes the seed modulo 2^32 (pure-LDP passes 63-bit seeds).
    EXPECT_EQ(ldp::xxh32(text.data(), text.size(), static_cast<std::uint32_t>(seed)), v["xxh32"].get<std::uint32_t>())
        << text << " seed " << seed;
  }
}

TEST(UnitPureLdp, SameReportsSameEstimates) {
  const auto doc = load_fixture();
  ASSERT_GE(doc["cases"].size(), 7U);
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"];
    const auto kind = ldp::parse_oracle_kind(c["oracle"].get<std::string>());
    const double eps = c["epsilon"];
    const auto d = c["domain"].get<std::uint64_t>();
    const ldp::FrequencyOracle o(kind, eps, d);
    if (c.contains("g")) {
      ASSERT_EQ(o.g(), c["g"].get<std::uint64_t>()) << name;  // g = round(e^eps)+1 (olh) or 2 (blh)
    }
    ldp::ReportBatch batch = o.empty_batch();
    for (const auto& r : c["reports"]) {
      if (kind == ldp::OracleKind::olh || kind == ldp::OracleKind::blh) {
        batch.values.push_back(r[0].get<std::uint64_t>());
        batch.seeds.push_back(r[1].get<std::uint64_t>());
      } else if (kind == ldp::OracleKind::oue || kind == ldp::OracleKind::sue) {
        const std::string bits = r;
        ASSERT_EQ(bits.size(), d);
        const std::size_t at = batch.bits.size();
        batch.bits.resize(at + batch.words_per_report, 0);
        for (std::uint64_t v = 0; v < d; ++v) {
          if (bits[v] == '1') batch.bits[at + v / 64] |= std::uint64_t{1} << (v % 64);
        }
      } else {
        batch.values.push_back(r.get<std::uint64_t>());
      }
      ++batch.users;
    }
    ASSERT_EQ(batch.users, c["users"].get<std::size_t>());
    const auto est = o.estimate(batch);
    const auto& want = c["estimates"];
    ASSERT_EQ(est.size(), want.size()) << name;
    for (std::size_t v = 0; v < est.size(); ++v) {
      const double w = want[v];
      EXPECT_NEAR(est[v], w, 1e-9 * std::max(1.0, std::abs(w))) << name << " item " << v;
    }
  }
}
