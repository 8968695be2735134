// CSV vector files for paperkit-robust (see io.hpp).
#include "paperkit/robust/io.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <istream>
#include <limits>
#include <ostream>
#include <sstream>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace {

// Parses one line into numbers; returns false (and leaves `bad` set) at the first token that is not
// a number. Accepts nan, inf, -inf so a Byzantine vector can be written down.
bool parse_line(const std::string& line, std::vector<double>& out, std::string& bad) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ',' || line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    std::size_t j = i;
    while (j < line.size() && line[j] != ',' && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    const std::string token = line.substr(i, j - i);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size() || token.empty()) {
      bad = token;
      return false;
    }
    out.push_back(v);
    i = j;
  }
  return true;
}

}  // namespace

VectorSet parse_vectors(std::istream& in, const std::string& name) {
  VectorSet set;
  std::string line, bad;
  std::vector<double> row;
  std::size_t number = 0;
  bool any_line = false;
  while (std::getline(in, line)) {
    ++number;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const bool header_allowed = !any_line;
    any_line = true;
    if (!parse_line(line, row, bad)) {
      if (header_allowed) continue;  // a header line
      throw InputError(name + ":" + std::to_string(number) + ": not a number: '" + bad + "'");
    }
    if (row.empty()) continue;
    if (set.rows == 0) {
      set.cols = row.size();
    } else if (row.size() != set.cols) {
      throw InputError(name + ":" + std::to_string(number) + ": row has " + std::to_string(row.size()) +
                       " values, expected " + std::to_string(set.cols));
    }
    set.values.insert(set.values.end(), row.begin(), row.end());
    ++set.rows;
  }
  if (in.bad()) throw InputError(name + ": read error");
  if (set.rows == 0) throw InputError(name + ": no vectors found");
  return set;
}

VectorSet read_vectors(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open " + path);
  return parse_vectors(in, path);
}

void write_vectors(std::ostream& out, const std::vector<std::vector<double>>& rows) {
  out << std::setprecision(17);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) out << (c ? "," : "") << r[c];
    out << '\n';
  }
}

}  // namespace paperkit::robust
