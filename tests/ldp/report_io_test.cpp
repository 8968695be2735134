// Report files (paperkit/ldp/report_io.hpp): write -> read round trips for every oracle and both
// encodings, the documented header line, headerless text, and one InputError per malformed input.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/ldp.hpp"
#include "support/seeds.hpp"

namespace ldp = paperkit::ldp;
using ldp::FrequencyOracle;
using ldp::OracleKind;
using ldp::ReportEncoding;
using paperkit::InputError;

namespace {

const OracleKind kAll[] = {OracleKind::grr, OracleKind::sue, OracleKind::oue,
                           OracleKind::olh, OracleKind::blh, OracleKind::hr};

std::vector<std::uint64_t> some_items(std::size_t n, std::uint64_t d, std::uint64_t seed) {
  paperkit::Rng rng(seed);
  std::vector<std::uint64_t> items(n);
  for (auto& v : items) v = rng.uniform_below(d);
  return items;
}

// Header plus the rows of two batches written one after the other (as `fo perturb` does by chunk).
std::string write_file(const FrequencyOracle& o, const ldp::ReportBatch& a, const ldp::ReportBatch& b,
                       ReportEncoding enc) {
  std::ostringstream out;
  ldp::write_report_header(out, ldp::make_report_header(o, a.users + b.users, enc));
  ldp::write_report_rows(out, a, enc);
  ldp::write_report_rows(out, b, enc);
  return out.str();
}

ldp::ReportFile read_string(const std::string& s, const FrequencyOracle* headerless = nullptr) {
  std::istringstream in(s);
  return ldp::read_reports(in, "test", headerless);
}

void expect_same_batch(const ldp::ReportBatch& got, const ldp::ReportBatch& a, const ldp::ReportBatch& b) {
  ASSERT_EQ(got.users, a.users + b.users);
  auto cat = [](std::vector<std::uint64_t> x, const std::vector<std::uint64_t>& y) {
    x.insert(x.end(), y.begin(), y.end());
    return x;
  };
  EXPECT_EQ(got.values, cat(a.values, b.values));
  EXPECT_EQ(got.seeds, cat(a.seeds, b.seeds));
  EXPECT_EQ(got.bits, cat(a.bits, b.bits));
  EXPECT_EQ(got.words_per_report, a.words_per_report);
}

}  // namespace

TEST(UnitLdpReportIo, RoundTripEveryOracleBothEncodings) {
  const std::uint64_t seed = paperkit::test::base_seed();
  SCOPED_TRACE(paperkit::test::seed_note(seed));
  for (const std::uint64_t d : {1ULL, 2ULL, 70ULL}) {  // 70: unary rows span two words, the last partly
    for (const OracleKind kind : kAll) {
      const FrequencyOracle o(kind, 1.3, d);
      const auto a = o.perturb_all(some_items(300, d, seed), seed, 2);
      const auto b = o.perturb_all(some_items(5, d, seed + 1), seed, 3);
      for (const ReportEncoding enc : {ReportEncoding::text, ReportEncoding::binary}) {
        SCOPED_TRACE(o.description() + " d=" + std::to_string(d) + " " + std::string(ldp::to_string(enc)));
        const auto f = read_string(write_file(o, a, b, enc));
        EXPECT_TRUE(f.had_header);
        EXPECT_EQ(f.header.kind, kind);
        EXPECT_EQ(f.header.epsilon, 1.3);
        EXPECT_EQ(f.header.domain, d);
        EXPECT_EQ(f.header.g, o.g());
        EXPECT_EQ(f.header.users, 305U);
        EXPECT_EQ(f.header.encoding, enc);
        expect_same_batch(f.reports, a, b);
        // Decoding the file gives the counts of decoding the batches themselves.
        auto sa = o.support_counts(a), sb = o.support_counts(b);
        for (std::size_t v = 0; v < sa.size(); ++v) sa[v] += sb[v];
        EXPECT_EQ(ldp::oracle_for_header(f.header, "test").support_counts(f.reports), sa);
      }
    }
  }
}

TEST(UnitLdpReportIo, HeaderLineIsTheDocumentedOne) {
  const FrequencyOracle olh(OracleKind::olh, 1.0, 64);
  EXPECT_EQ(ldp::format_report_header(ldp::make_report_header(olh, 3, ReportEncoding::text)),
            "#paperkit-ldp-reports v1 oracle=olh epsilon=1 domain=64 g=4 olh_variant=pure-ldp users=3 encoding=text");
  const FrequencyOracle hr(OracleKind::hr, 0.5, 10);
  EXPECT_EQ(ldp::format_report_header(ldp::make_report_header(hr, 7, ReportEncoding::binary)),
            "#paperkit-ldp-reports v1 oracle=hr epsilon=0.5 domain=10 g=16 users=7 encoding=binary");
}

TEST(UnitLdpReportIo, EpsilonAndOlhVariantRoundTripExactly) {
  ldp::OracleOptions wang;
  wang.olh_variant = ldp::OlhVariant::wang;
  for (const double eps : {0.1, 1.0 / 3.0, 2.718281828459045, 29.999999999999996}) {
    const FrequencyOracle o(OracleKind::grr, eps, 5);
    const auto h = ldp::parse_report_header(
        ldp::format_report_header(ldp::make_report_header(o, 1, ReportEncoding::text)), "test");
    EXPECT_EQ(h.epsilon, eps);
  }
  const FrequencyOracle o(OracleKind::olh, 3.0, 100, wang);
  const auto h =
      ldp::parse_report_header(ldp::format_report_header(ldp::make_report_header(o, 1, ReportEncoding::text)), "t");
  EXPECT_EQ(h.olh_variant, ldp::OlhVariant::wang);
  EXPECT_EQ(ldp::oracle_for_header(h, "t").description(), o.description());
  EXPECT_EQ(ldp::oracle_for_header(h, "t").keep_probability(), o.keep_probability());
}

TEST(UnitLdpReportIo, HeaderlessTextNeedsTheOracle) {
  const FrequencyOracle olh(OracleKind::olh, 2.0, 10);  // g = 8
  const auto f = read_string("12,3\r\n\n99,7\n", &olh);
  EXPECT_FALSE(f.had_header);
  EXPECT_EQ(f.reports.users, 2U);
  EXPECT_EQ(f.reports.seeds, (std::vector<std::uint64_t>{12, 99}));
  EXPECT_EQ(f.reports.values, (std::vector<std::uint64_t>{3, 7}));
  EXPECT_EQ(f.header.users, 2U);
  EXPECT_THROW(read_string("12,3\n"), InputError);
  const FrequencyOracle oue(OracleKind::oue, 1.0, 3);
  const auto u = read_string("101\n000\n", &oue);
  EXPECT_TRUE(u.reports.row_bit(0, 0));
  EXPECT_FALSE(u.reports.row_bit(0, 1));
  EXPECT_TRUE(u.reports.row_bit(0, 2));
  EXPECT_EQ(u.reports.bits[1], 0U);
}

TEST(UnitLdpReportIo, MalformedInputIsAnInputError) {
  const std::string grr4 = "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=2 encoding=text\n";
  const std::string bad[] = {
      "#paperkit-ldp-reports v2 oracle=grr epsilon=1 domain=4 g=4 users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=1 encoding=text color=red\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 users=1 encoding=text\n0\n",  // no g
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=5 users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=foo epsilon=1 domain=4 g=4 users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=-1 domain=4 g=4 users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1x domain=4 g=4 users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 olh_variant=wang users=1 encoding=text\n0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=1 users=1 encoding=text\n0\n",
      grr4 + "0\n",        // fewer rows than users
      grr4 + "0\n1\n2\n",  // more rows than users
      grr4 + "0\n4\n",     // item out of range
      grr4 + "0\n-1\n",    // not a number
      grr4 + "0\n1 2\n",   // two fields
      "#paperkit-ldp-reports v1 oracle=olh epsilon=1 domain=4 g=4 olh_variant=pure-ldp users=1 encoding=text\n5\n",
      "#paperkit-ldp-reports v1 oracle=olh epsilon=1 domain=4 g=4 olh_variant=pure-ldp users=1 encoding=text\n5,4\n",
      "#paperkit-ldp-reports v1 oracle=olh epsilon=1 domain=4 g=4 olh_variant=pure-ldp users=1 encoding=text\n"
      "9223372036854775808,1\n",  // seed 2^63
      "#paperkit-ldp-reports v1 oracle=oue epsilon=1 domain=4 g=2 users=1 encoding=text\n010\n",
      "#paperkit-ldp-reports v1 oracle=oue epsilon=1 domain=4 g=2 users=1 encoding=text\n01a0\n",
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=1 encoding=binary\n" +
          std::string(7, '\0'),  // truncated row
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=1 encoding=binary\n" +
          std::string(9, '\0'),  // a byte too many
      "#paperkit-ldp-reports v1 oracle=grr epsilon=1 domain=4 g=4 users=1 encoding=binary\n\x04" +
          std::string(7, '\0'),  // item 4 out of range
      "#paperkit-ldp-reports v1 oracle=oue epsilon=1 domain=4 g=2 users=1 encoding=binary\n\x10" +
          std::string(7, '\0'),  // bit 4 set past d = 4
  };
  for (const std::string& s : bad) {
    EXPECT_THROW(read_string(s), InputError) << s;
  }
  EXPECT_NO_THROW(read_string(grr4 + "0\n3\n"));
}

TEST(UnitLdpReportIo, EncodingNames) {
  EXPECT_EQ(ldp::parse_report_encoding("binary"), ReportEncoding::binary);
  EXPECT_EQ(ldp::parse_report_encoding("text"), ReportEncoding::text);
  EXPECT_THROW(ldp::parse_report_encoding("csv"), paperkit::InvalidParameter);
}
