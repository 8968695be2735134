// Marginal parsing (io.hpp).
#include "paperkit/mec/io.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

Marginal parse_marginal(std::string_view text, const std::string& source) {
  Marginal out;
  std::size_t line = 1;
  std::size_t i = 0;
  auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';'; };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (separator(c)) {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      std::size_t end = i;
      while (end < text.size() && !separator(text[end])) ++end;
      const std::string_view token = text.substr(i, end - i);
      double value = 0;
      // from_chars rejects a leading '+'; accept it, as CSV writers emit it.
      const std::string_view digits = token.front() == '+' ? token.substr(1) : token;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
        throw InputError(source + " line " + std::to_string(line) + ": '" + std::string(token.substr(0, 40)) +
                         "' is not a number");
      }
      out.push_back(value);
      i = end;
    }
  }
  return out;
}

Marginal read_marginal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read marginal file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw InputError("cannot read marginal file " + path);
  return parse_marginal(s.str(), path);
}

}  // namespace paperkit::mec
