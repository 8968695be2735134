#include <gtest/gtest.h>

#include <sstream>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/table.hpp"

namespace {

using paperkit::Table;

TEST(UnitTable, CsvHasHeaderAndEscapes) {
  Table t({"name", "count", "value"});
  t.add_row({std::string("a,b"), std::int64_t{-3}, 0.5});
  t.add_row({std::string("say \"hi\""), std::uint64_t{7}, 1e-300});
  std::ostringstream out;
  t.write_csv(out);
  EXPECT_EQ(out.str(), "name,count,value\n\"a,b\",-3,0.5\n\"say \"\"hi\"\"\",7,1e-300\n");
}

TEST(UnitTable, JsonIsArrayOfObjects) {
  Table t({"x", "y"});
  t.add_row({std::int64_t{1}, std::string("one")});
  const auto j = t.to_json();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["x"], 1);
  EXPECT_EQ(j[0]["y"], "one");
}

TEST(UnitTable, RowOfWrongWidthThrows) {
  Table t({"x", "y"});
  EXPECT_THROW(t.add_row({std::int64_t{1}}), paperkit::InternalError);
}

TEST(UnitTable, FormatNames) {
  EXPECT_EQ(paperkit::parse_table_format("csv"), paperkit::TableFormat::csv);
  EXPECT_EQ(paperkit::parse_table_format("json"), paperkit::TableFormat::json);
  EXPECT_THROW(paperkit::parse_table_format("xml"), paperkit::InvalidParameter);
}

}  // namespace
