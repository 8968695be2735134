// Reading marginals: a list of probabilities separated by commas, whitespace or newlines;
// lines starting with '#' are comments. No header. Values are parsed exactly as written
// (std::from_chars); validation (sign, NaN, sum) is prepare_marginal's job.
#pragma once

#include <string>
#include <string_view>

#include "paperkit/mec/distribution.hpp"

namespace paperkit::mec {

// Throws InputError naming `source` and the line when a token is not a number.
Marginal parse_marginal(std::string_view text, const std::string& source);

// Reads and parses a file; throws InputError when it cannot be read.
Marginal read_marginal(const std::string& path);

}  // namespace paperkit::mec
