#include "paperkit/common/table.hpp"

#include <cstdio>
#include <ostream>

#include "paperkit/common/errors.hpp"

namespace paperkit {

TableFormat parse_table_format(const std::string& name) {
  if (name == "csv") return TableFormat::csv;
  if (name == "json") return TableFormat::json;
  throw InvalidParameter("--format must be csv or json (got " + name + ")");
}

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != columns_.size()) {
    throw InternalError("table row has " + std::to_string(row.size()) + " cells, expected " +
                        std::to_string(columns_.size()));
  }
  rows_.push_back(std::move(row));
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {

std::string format_cell(const Table::Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return csv_escape(*s);
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&cell)) return std::to_string(*u);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", std::get<double>(cell));
  return buffer;
}

}  // namespace

void Table::write_csv(std::ostream& out) const {
  for (std::size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << csv_escape(columns_[c]);
  out << '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << format_cell(row[c]);
    out << '\n';
  }
}

nlohmann::json Table::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::visit([&](const auto& value) { object[columns_[c]] = value; }, row[c]);
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

void Table::write(std::ostream& out, TableFormat format) const {
  if (format == TableFormat::csv) {
    write_csv(out);
  } else {
    out << to_json().dump(2) << '\n';
  }
}

}  // namespace paperkit
