#include "paperkit/bandits/instances.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <utility>

#include "paperkit/bandits/sampling.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::bandits {
namespace {

void require_arms(std::size_t K) {
  if (K == 0) throw InvalidParameter("K (number of arms) must be >= 1 (got 0)");
}

// Fisher-Yates with the unbiased bounded draw.
void shuffle(std::vector<double>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.uniform_below(i)]);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

std::vector<double> clear_cut(std::size_t K, Rng& rng) {
  require_arms(K);
  std::vector<double> means;
  means.reserve(K);
  while (means.size() + 1 < K) {
    const double x = 0.5 + 0.1 * standard_normal(rng);
    if (x >= 0 && x <= 0.8) means.push_back(x);
  }
  means.push_back(0.82);
  shuffle(means, rng);
  return means;
}

std::vector<double> mix_in(std::size_t K, Rng& rng) {
  require_arms(K);
  std::vector<double> means(K);
  for (auto& m : means) m = rng.uniform01();
  return means;
}

std::vector<double> needle_jackpot(std::size_t K, double gap, double jackpot_probability, Rng& rng) {
  require_arms(K);
  if (!(gap > 0 && gap <= 0.5))
    throw InvalidParameter("needle gap must be in (0, 0.5] (got " + std::to_string(gap) + ")");
  if (!(jackpot_probability >= 0 && jackpot_probability <= 1)) {
    throw InvalidParameter("--jackpot-probability must be in [0, 1] (got " + std::to_string(jackpot_probability) + ")");
  }
  std::vector<double> means(K, 0.5);
  means[rng.uniform_below(K)] = 0.5 + gap;
  if (rng.uniform01() < jackpot_probability) means.push_back(1.0);
  return means;
}

std::vector<double> parse_means_csv(std::istream& in, const std::string& name) {
  std::vector<double> means;
  std::string line;
  std::size_t number = 0;
  bool first_content = true;
  while (std::getline(in, line)) {
    ++number;
    std::string field = trim(line.substr(0, line.find(',')));
    if (field.empty() || field[0] == '#') continue;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    const bool numeric = ec == std::errc() && ptr == field.data() + field.size();
    if (!numeric && first_content && !std::isdigit(static_cast<unsigned char>(field[0])) && field[0] != '-' &&
        field[0] != '.' && field[0] != '+') {
      first_content = false;  // a header line such as "mean"
      continue;
    }
    first_content = false;
    const std::string where = name + ":" + std::to_string(number);
    if (!numeric) throw InputError(where + ": not a number: '" + field + "'");
    if (!std::isfinite(value) || value < 0 || value > 1) {
      throw InputError(where + ": mean must be in [0, 1] (got " + field + ")");
    }
    means.push_back(value);
  }
  if (means.empty()) throw InputError(name + ": no arm means (K = 0)");
  return means;
}

std::vector<double> read_means_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read means file " + path);
  return parse_means_csv(in, path);
}

}  // namespace paperkit::bandits
