// A small column table written as CSV or JSON (an array of row objects), the output format of
// every paperkit tool.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace paperkit {

enum class TableFormat { csv, json };

// Parses "csv" or "json"; throws InvalidParameter otherwise.
TableFormat parse_table_format(const std::string& name);

class Table {
 public:
  using Cell = std::variant<std::int64_t, std::uint64_t, double, std::string>;

  explicit Table(std::vector<std::string> columns);

  // Appends one row; its size must equal the number of columns.
  void add_row(std::vector<Cell> row);

  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t rows() const { return rows_.size(); }
  const std::vector<Cell>& row(std::size_t i) const { return rows_.at(i); }

  // CSV with a header line; doubles with 17 significant digits so values round-trip.
  void write_csv(std::ostream& out) const;
  nlohmann::json to_json() const;
  void write(std::ostream& out, TableFormat format) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// A CSV field quoted when it contains a comma, quote or newline.
std::string csv_escape(const std::string& field);

}  // namespace paperkit
