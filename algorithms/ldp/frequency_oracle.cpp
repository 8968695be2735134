// Oracle parameters (spec ldp.md §2.1), theory, names, the auto rule and the exact client law.
#include <cmath>
#include <limits>
#include <sstream>
#include <unordered_set>

#include "internal.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

namespace {

// xxh32 is 32-bit: a g much beyond 2^20 makes h mod g visibly non-uniform (and g > 2^32 leaves
// values that are never hit), which breaks q* = 1/g. Larger g is rejected, never capped silently.
constexpr std::uint64_t kMaxOlhG = std::uint64_t{1} << 20;

std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

std::uint64_t olh_g_for(double epsilon, const OracleOptions& o) {
  if (o.olh_g != 0) return o.olh_g;
  const double e = std::exp(epsilon);
  const double g = (o.olh_variant == OlhVariant::wang) ? std::floor(e) + 1.0 : std::round(e) + 1.0;
  if (g > static_cast<double>(kMaxOlhG)) return kMaxOlhG + 1;  // rejected by the caller
  return static_cast<std::uint64_t>(g);
}

}  // namespace

std::string_view to_string(OracleKind kind) noexcept {
  switch (kind) {
    case OracleKind::grr:
      return "grr";
    case OracleKind::sue:
      return "sue";
    case OracleKind::oue:
      return "oue";
    case OracleKind::olh:
      return "olh";
    case OracleKind::blh:
      return "blh";
    case OracleKind::hr:
      return "hr";
  }
  return "?";
}

OracleKind parse_oracle_kind(std::string_view name) {
  if (name == "grr" || name == "de" || name == "krr") return OracleKind::grr;
  if (name == "sue" || name == "rappor") return OracleKind::sue;
  if (name == "oue") return OracleKind::oue;
  if (name == "olh" || name == "flh") return OracleKind::olh;
  if (name == "blh") return OracleKind::blh;
  if (name == "hr") return OracleKind::hr;
  throw InvalidParameter("--oracle must be one of grr|sue|oue|olh|flh|blh|hr|auto (got '" + std::string(name) + "')");
}

FrequencyOracle::FrequencyOracle(OracleKind kind, double epsilon, std::uint64_t domain, const OracleOptions& options)
    : kind_(kind), epsilon_(epsilon), domain_(domain) {
  if (!std::isfinite(epsilon) || !(epsilon > 0.0) || epsilon > kMaxEpsilon) {
    throw InvalidParameter("--epsilon must be finite and in (0, " + num(kMaxEpsilon) + "] (got " + num(epsilon) + ")");
  }
  if (domain == 0) throw InvalidParameter("--domain must be >= 1 (got 0)");
  const bool dense = kind == OracleKind::sue || kind == OracleKind::oue || kind == OracleKind::hr;
  if (dense && domain > kMaxDenseDomain) {
    throw InvalidParameter("--domain must be <= " + std::to_string(kMaxDenseDomain) + " for " +
                           std::string(to_string(kind)) + " (got " + std::to_string(domain) + ")");
  }
  if (options.olh_g != 0 && kind != OracleKind::olh) {
    throw InvalidParameter("--olh-g applies to olh only (oracle " + std::string(to_string(kind)) + ")");
  }
  if (options.flh_pool != 0 && kind != OracleKind::olh) {
    throw InvalidParameter("--flh-pool applies to flh only (oracle " + std::string(to_string(kind)) + ")");
  }
  if (options.flh_pool > kMaxFlhPool) {
    throw InvalidParameter("--flh-pool must be in [1, 2^20] (got " + std::to_string(options.flh_pool) + ")");
  }
  const double e = std::exp(epsilon);
  switch (kind) {
    case OracleKind::grr: {
      g_ = domain;
      const double denom = e + static_cast<double>(domain) - 1.0;
      p_star_ = keep_ = e / denom;
      q_star_ = flip_ = 1.0 / denom;
      break;
    }
    case OracleKind::sue: {
      const double h = std::exp(epsilon / 2.0);
      g_ = 2;
      p_star_ = keep_ = h / (h + 1.0);
      q_star_ = flip_ = 1.0 / (h + 1.0);
      break;
    }
    case OracleKind::oue:
      g_ = 2;
      p_star_ = keep_ = 0.5;
      q_star_ = flip_ = 1.0 / (e + 1.0);
      break;
    case OracleKind::olh:
    case OracleKind::blh: {
      if (kind == OracleKind::blh) {
        g_ = 2;
      } else {
        if (options.olh_g == 1) throw InvalidParameter("--olh-g must be >= 2 (got 1)");
        g_ = olh_g_for(epsilon, options);
        if (g_ > kMaxOlhG) {
          throw InvalidParameter("olh: g = " + std::string(options.olh_g ? "--olh-g" : "round(e^eps)+1") +
                                 " must be <= 2^20 (xxh32 mod g stays uniform) (epsilon " + num(epsilon) +
                                 "); use grr at this epsilon");
        }
      }
      const double gd = static_cast<double>(g_);
      if (kind == OracleKind::olh && options.olh_variant == OlhVariant::wang) {
        if (g_ < 3) {
          throw InvalidParameter("olh --olh-variant wang needs g = floor(e^eps)+1 >= 3, i.e. epsilon >= ln 2 (got " +
                                 num(epsilon) + ")");
        }
        keep_ = 0.5;
        olh_variant_ = OlhVariant::wang;
      } else {
        keep_ = e / (e + gd - 1.0);
      }
      p_star_ = keep_;
      q_star_ = 1.0 / gd;
      flip_ = (1.0 - keep_) / (gd - 1.0);
      break;
    }
    case OracleKind::hr: {
      std::uint64_t k = 1;
      while (k < domain + 1) k <<= 1;
      hadamard_order_ = g_ = k;
      p_star_ = keep_ = e / (e + 1.0);
      q_star_ = 0.5;
      flip_ = 1.0 / (e + 1.0);
      break;
    }
  }
  if (!(p_star_ > q_star_)) {
    throw InvalidParameter("oracle " + description() + " has p* <= q* at epsilon " + num(epsilon) +
                           ": counts are not identifiable");
  }
  if (options.flh_pool != 0) {
    // k_s distinct 32-bit seeds (xxh32 takes 32 bits), fixed by flh_pool_seed only.
    Rng rng = Rng::for_block(options.flh_pool_seed, 0xf1a5'9001ULL, 0);
    std::unordered_set<std::uint32_t> seen;
    flh_seeds_.reserve(options.flh_pool);
    while (flh_seeds_.size() < options.flh_pool) {
      const auto s = static_cast<std::uint32_t>(rng.next() >> 32);
      if (seen.insert(s).second) flh_seeds_.push_back(s);
    }
  }
}

double FrequencyOracle::flh_extra_variance(double other_counts_sum_of_squares) const noexcept {
  if (!is_flh()) return 0.0;
  return other_counts_sum_of_squares / (static_cast<double>(flh_seeds_.size()) * static_cast<double>(g_ - 1));
}

std::string FrequencyOracle::description() const {
  switch (kind_) {
    case OracleKind::olh:
      return std::string(is_flh() ? "flh" : "olh") + "(g=" + std::to_string(g_) +
             (is_flh() ? ",pool=" + std::to_string(flh_seeds_.size()) : "") +
             (olh_variant_ == OlhVariant::wang ? ",wang)" : ")");
    case OracleKind::hr:
      return "hr(K=" + std::to_string(hadamard_order_) + ")";
    default:
      return std::string(to_string(kind_));
  }
}

double FrequencyOracle::variance(double n, double true_count) const noexcept {
  const double gap = p_star_ - q_star_;
  return n * q_star_ * (1.0 - q_star_) / (gap * gap) + true_count * (1.0 - p_star_ - q_star_) / gap;
}

std::uint64_t FrequencyOracle::olh_hash(std::uint64_t item, std::uint64_t seed) const noexcept {
  return xxh32_decimal(item, static_cast<std::uint32_t>(seed)) % g_;
}

std::uint64_t FrequencyOracle::output_space_size() const {
  switch (kind_) {
    case OracleKind::grr:
      return domain_;
    case OracleKind::olh:
    case OracleKind::blh:
    case OracleKind::hr:
      return g_;
    case OracleKind::sue:
    case OracleKind::oue:
      if (domain_ > 16) throw InvalidParameter("output_space_size: unary encoding enumerated only for d <= 16");
      return std::uint64_t{1} << domain_;
  }
  return 0;
}

double FrequencyOracle::output_probability(std::uint64_t item, std::uint64_t output, std::uint64_t olh_seed) const {
  if (item >= domain_) throw InvalidParameter("item " + std::to_string(item) + " outside [0, d)");
  if (output >= output_space_size()) throw InvalidParameter("output outside the output space");
  switch (kind_) {
    case OracleKind::grr:
      if (domain_ == 1) return 1.0;
      return output == item ? keep_ : flip_;
    case OracleKind::olh:
    case OracleKind::blh:
      return output == olh_hash(item, olh_seed) ? keep_ : flip_;
    case OracleKind::hr: {
      const double cell = 2.0 / static_cast<double>(hadamard_order_);
      return detail::parity((item + 1) & output) == 0 ? keep_ * cell : (1.0 - keep_) * cell;
    }
    case OracleKind::sue:
    case OracleKind::oue: {
      double pr = 1.0;
      for (std::uint64_t v = 0; v < domain_; ++v) {
        const bool bit = (output >> v) & 1U;
        const double one = (v == item) ? keep_ : flip_;
        pr *= bit ? one : 1.0 - one;
      }
      return pr;
    }
  }
  return 0.0;
}

OracleKind choose_auto(double epsilon, std::uint64_t domain, const OracleOptions& options) {
  // Wang'17: the smallest variance at c_v = 0; candidates that cannot be built here are skipped.
  OracleKind best = OracleKind::grr;
  double best_var = FrequencyOracle(OracleKind::grr, epsilon, domain).variance(1.0);
  for (OracleKind k : {OracleKind::olh, OracleKind::oue}) {
    try {
      const FrequencyOracle o(k, epsilon, domain, options);
      const double v = o.variance(1.0);
      if (v < best_var * (1.0 - 1e-12)) {
        best = k;
        best_var = v;
      }
    } catch (const InvalidParameter&) {
    }
  }
  return best;
}

FrequencyOracle make_oracle(std::string_view name, double epsilon, std::uint64_t domain, const OracleOptions& options) {
  if (name == "flh") {
    if (options.flh_pool == 0) throw InvalidParameter("--flh-pool must be in [1, 2^20] for flh (got 0)");
    return FrequencyOracle(OracleKind::olh, epsilon, domain, options);
  }
  if (options.flh_pool != 0) {
    throw InvalidParameter("--flh-pool applies to flh only (oracle " + std::string(name) + ")");
  }
  if (name == "auto") {
    // Validate epsilon and the domain through GRR first so errors name the user's values.
    (void)FrequencyOracle(OracleKind::grr, epsilon, domain);
    const OracleKind k = choose_auto(epsilon, domain, options);
    return FrequencyOracle(k, epsilon, domain, k == OracleKind::olh ? options : OracleOptions{});
  }
  return FrequencyOracle(parse_oracle_kind(name), epsilon, domain, options);
}

namespace detail {

std::vector<std::uint8_t> BernoulliBytes::digits_of(double q) {
  // Exact binary expansion of a double in [0, 1): doubling and subtracting 1 are exact.
  std::vector<std::uint8_t> digits;
  double x = q;
  while (x > 0.0 && digits.size() < 1100) {
    x *= 2.0;
    if (x >= 1.0) {
      digits.push_back(1);
      x -= 1.0;
    } else {
      digits.push_back(0);
    }
  }
  return digits;
}

void fwht(std::vector<std::int64_t>& a) {
  const std::size_t n = a.size();
  for (std::size_t h = 1; h < n; h <<= 1) {
    for (std::size_t i = 0; i < n; i += 2 * h) {
      for (std::size_t j = i; j < i + h; ++j) {
        const std::int64_t x = a[j], y = a[j + h];
        a[j] = x + y;
        a[j + h] = x - y;
      }
    }
  }
}

}  // namespace detail

}  // namespace paperkit::ldp
