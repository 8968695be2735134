// Reading and writing the tool's vector files: one vector per CSV line, numbers separated by commas
// (or whitespace); blank lines and lines starting with '#' are skipped; an optional first line
// that is not numeric is a header. Every row must have the same length.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace paperkit::robust {

struct VectorSet {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  const double* row(std::size_t i) const { return values.data() + i * cols; }
};

// Throws InputError (file, line and what is wrong) on unreadable or malformed input.
VectorSet read_vectors(const std::string& path);
VectorSet parse_vectors(std::istream& in, const std::string& name);

// One line per vector, 17 significant digits.
void write_vectors(std::ostream& out, const std::vector<std::vector<double>>& rows);

}  // namespace paperkit::robust
