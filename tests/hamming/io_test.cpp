// Reading sequences: raw, FASTA, u32le, gzip; and the generator.
#include <gtest/gtest.h>

#include <sstream>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/generate.hpp"
#include "paperkit/hamming/io.hpp"
#include "reference.hpp"
#include "support/run_tool.hpp"

namespace paperkit::hamming {
namespace {

using test::from;

TEST(UnitIo, RawIsOneSymbolPerByte) {
  EXPECT_EQ(parse_sequence("ab\n", InputFormat::raw, "x"), (std::vector<Symbol>{'a', 'b', '\n'}));
  EXPECT_EQ(parse_sequence(std::string("\xff", 1), InputFormat::raw, "x"), (std::vector<Symbol>{255}));
}

TEST(UnitIo, FastaDropsHeadersAndLineBreaks) {
  EXPECT_EQ(parse_sequence(">chr1 test\nACG\r\nT\n\n>chr2\nGG\n", InputFormat::fasta, "x"), from("ACGTGG"));
}

TEST(UnitIo, MalformedFastaRejected) {
  EXPECT_THROW(parse_sequence("ACGT\n", InputFormat::fasta, "x"), InputError);  // no header
  EXPECT_THROW(parse_sequence(">only a header\n", InputFormat::fasta, "x"), InputError);
  EXPECT_THROW(parse_sequence("", InputFormat::fasta, "x"), InputError);
  EXPECT_THROW(parse_sequence("AC\n>h\nGT\n", InputFormat::fasta, "x"), InputError);  // sequence before header
}

TEST(UnitIo, U32RoundTripAndSizeCheck) {
  const std::vector<std::uint32_t> values{0, 1, 0xdeadbeef, 0xffffffff};
  std::ostringstream out;
  write_u32le(out, values);
  EXPECT_EQ(out.str().size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(out.str()[8]), 0xefu);  // little-endian
  EXPECT_EQ(parse_sequence(out.str(), InputFormat::u32le, "x"), values);
  EXPECT_THROW(parse_sequence("abcde", InputFormat::u32le, "x"), InputError);
}

TEST(UnitIo, GzipIsDecompressed) {
  const auto dir = paperkit::test::scratch_dir();
  paperkit::test::write_file(dir / "plain.fa", ">h\nACGTACGT\n");
  ASSERT_EQ(std::system(("gzip -kf " + (dir / "plain.fa").string()).c_str()), 0);
  EXPECT_EQ(read_sequence((dir / "plain.fa.gz").string(), InputFormat::fasta), from("ACGTACGT"));
  // A truncated gzip file is an input error, not a crash.
  const auto gz = paperkit::test::slurp(dir / "plain.fa.gz");
  paperkit::test::write_file(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  EXPECT_THROW(read_sequence((dir / "cut.gz").string(), InputFormat::fasta), InputError);
}

TEST(UnitIo, MissingFileIsInputError) {
  EXPECT_THROW(read_sequence("/nonexistent/file", InputFormat::raw), InputError);
  EXPECT_THROW(parse_input_format("bam"), InvalidParameter);
}

TEST(UnitGenerate, DeterministicAndInRange) {
  GenSpec spec;
  spec.n = 1000;
  spec.sigma = 26;
  spec.seed = 3;
  const auto a = generate(spec), b = generate(spec);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](Symbol s) { return s < 26; }));
  spec.seed = 4;
  EXPECT_NE(generate(spec), a);
}

TEST(UnitGenerate, FibonacciWordPrefix) {
  GenSpec spec;
  spec.kind = GenKind::fibonacci;
  spec.n = 13;
  EXPECT_EQ(generate(spec), (std::vector<Symbol>{0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1}));
}

TEST(UnitGenerate, MutateChangesAboutRateOfPositions) {
  GenSpec spec;
  spec.kind = GenKind::mutate;
  spec.sigma = 4;
  spec.mutation_rate = 0.1;
  const std::vector<Symbol> base(100000, 2);
  const auto out = generate(spec, base);
  const auto changed = std::count_if(out.begin(), out.end(), [](Symbol s) { return s != 2; });
  // Binomial(1e5, 0.1): sd 95, so +-600 is over 6 sd (false-failure rate < 1e-9).
  EXPECT_NEAR(static_cast<double>(changed), 10000.0, 600.0);
}

TEST(UnitGenerate, BadParametersRejected) {
  GenSpec spec;
  spec.sigma = 0;
  EXPECT_THROW(generate(spec), InvalidParameter);
  spec.sigma = (1ULL << 32) + 1;
  EXPECT_THROW(generate(spec), InvalidParameter);
  spec = {};
  spec.kind = GenKind::periodic;
  spec.period = 0;
  EXPECT_THROW(generate(spec), InvalidParameter);
  spec = {};
  spec.mutation_rate = 1.5;
  EXPECT_THROW(generate(spec), InvalidParameter);
  EXPECT_THROW(parse_gen_kind("zipf"), InvalidParameter);
}

}  // namespace
}  // namespace paperkit::hamming
