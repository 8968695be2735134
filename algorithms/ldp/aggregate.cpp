// Aggregate mode: support counts drawn from their law given the true counts, without per-user
// reports (laws in frequency_oracle.hpp). O(d) binomial draws for GRR/UE/OLH; HR is exact at
// cost O(K log K + sum_v min(A_v, K)).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "internal.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

namespace {

std::uint64_t checked_total(std::span<const std::uint64_t> counts) {
  std::uint64_t n = 0;
  for (const std::uint64_t c : counts) {
    if (c > (std::uint64_t{1} << 62) - n) throw InvalidParameter("true counts sum past 2^62");
    n += c;
  }
  return n;
}

// FLH given its pool, exactly: the c_v users holding v split Multinomial(c_v, uniform) over the
// pool; a report is h_s(v) w.p. p*, else uniform over the other g - 1 values, i.e. w.p.
// beta = p* - q' it is h_s(v) and otherwise uniform over all g (q' = (1-p*)/(g-1)). So per seed s:
// hist_s[h_s(v)] += Binom(n_{v,s}, beta), the rest of seed s's users uniform over g cells; then
// the binned decode of the candidates. Cost O((held + |C|) k_s) hashes and binomials.
std::vector<std::uint64_t> flh_sample_support(const FrequencyOracle& o, std::span<const std::uint64_t> held_values,
                                              std::span<const std::uint64_t> held_counts,
                                              std::span<const std::uint64_t> candidates, Rng& rng) {
  const auto pool = o.flh_seeds();
  const std::size_t ks = pool.size();
  const std::uint64_t g = o.g();
  const double q_other = (1.0 - o.keep_probability()) / static_cast<double>(g - 1);
  const double beta = o.keep_probability() - q_other;
  std::vector<std::uint64_t> hist(ks * g, 0), users_of_seed(ks, 0), kept_of_seed(ks, 0);
  for (std::size_t i = 0; i < held_values.size(); ++i) {
    if (held_counts[i] == 0) continue;
    const std::uint64_t v = held_values[i];
    detail::uniform_multinomial(held_counts[i], ks, rng, [&](std::uint64_t s, std::uint64_t k) {
      users_of_seed[s] += k;
      const std::uint64_t kept = detail::binomial(k, beta, rng);
      kept_of_seed[s] += kept;
      hist[s * g + o.olh_hash(v, pool[s])] += kept;
    });
  }
  for (std::size_t s = 0; s < ks; ++s) {
    detail::uniform_multinomial(users_of_seed[s] - kept_of_seed[s], g, rng,
                                [&](std::uint64_t cell, std::uint64_t k) { hist[s * g + cell] += k; });
  }
  std::vector<std::uint64_t> support(candidates.size(), 0);
  for (std::size_t j = 0; j < candidates.size(); ++j) {
    std::uint64_t sum = 0;
    for (std::size_t s = 0; s < ks; ++s) sum += hist[s * g + o.olh_hash(candidates[j], pool[s])];
    support[j] = sum;
  }
  return support;
}

}  // namespace

std::vector<std::uint64_t> FrequencyOracle::sample_support_counts(std::span<const std::uint64_t> true_counts,
                                                                  Rng& rng) const {
  if (true_counts.size() != domain_) {
    throw InvalidParameter("true counts have " + std::to_string(true_counts.size()) +
                           " entries, domain d = " + std::to_string(domain_));
  }
  const std::uint64_t n = checked_total(true_counts);
  if (n == 0) throw InvalidParameter("cannot simulate zero users (the true counts sum to 0)");
  std::vector<std::uint64_t> support(domain_, 0);
  if (is_flh()) {
    std::vector<std::uint64_t> all(domain_);
    std::iota(all.begin(), all.end(), std::uint64_t{0});
    return flh_sample_support(*this, all, true_counts, all, rng);
  }
  switch (kind_) {
    case OracleKind::grr: {
      // Keep w.p. alpha, else uniform over all d items: the same law as GRR's p*, q*.
      const double e = std::exp(epsilon_);
      const double alpha = (e - 1.0) / (e + static_cast<double>(domain_) - 1.0);
      std::uint64_t kept = 0;
      for (std::uint64_t v = 0; v < domain_; ++v) {
        support[v] = detail::binomial(true_counts[v], alpha, rng);
        kept += support[v];
      }
      detail::uniform_multinomial(n - kept, domain_, rng,
                                  [&](std::uint64_t cell, std::uint64_t k) { support[cell] += k; });
      break;
    }
    case OracleKind::sue:
    case OracleKind::oue:
    case OracleKind::olh:
    case OracleKind::blh:
      for (std::uint64_t v = 0; v < domain_; ++v) {
        support[v] =
            detail::binomial(true_counts[v], p_star_, rng) + detail::binomial(n - true_counts[v], q_star_, rng);
      }
      break;
    case OracleKind::hr: {
      // y uniform on C_v w.p. p is: w.p. 2p - 1 uniform on C_v, otherwise uniform on all K columns.
      const std::uint64_t k_cols = hadamard_order_;
      std::vector<std::int64_t> hist(k_cols, 0);
      std::uint64_t on_rows = 0;
      for (std::uint64_t v = 0; v < domain_; ++v) {
        const std::uint64_t a = detail::binomial(true_counts[v], 2.0 * keep_ - 1.0, rng);
        on_rows += a;
        const std::uint64_t row = v + 1, low = row & (~row + 1);
        if (a <= k_cols / 2) {
          for (std::uint64_t t = 0; t < a; ++t) {
            std::uint64_t y = rng.uniform_below(k_cols);
            if (detail::parity(row & y) != 0) y ^= low;
            ++hist[y];
          }
        } else {
          // Multinomial over the K/2 columns of C_v (those y with even parity of row & y).
          std::uint64_t left = a, cells = k_cols / 2;
          for (std::uint64_t y = 0; y < k_cols && left > 0; ++y) {
            if (detail::parity(row & y) != 0) continue;
            const std::uint64_t take =
                cells == 1 ? left : detail::binomial(left, 1.0 / static_cast<double>(cells), rng);
            hist[y] += static_cast<std::int64_t>(take);
            left -= take;
            --cells;
          }
        }
      }
      detail::uniform_multinomial(n - on_rows, k_cols, rng, [&](std::uint64_t cell, std::uint64_t k) {
        hist[cell] += static_cast<std::int64_t>(k);
      });
      detail::fwht(hist);
      const auto ni = static_cast<std::int64_t>(n);
      for (std::uint64_t v = 0; v < domain_; ++v) support[v] = static_cast<std::uint64_t>((ni + hist[v + 1]) / 2);
      break;
    }
  }
  return support;
}

std::vector<double> FrequencyOracle::simulate_aggregate(std::span<const std::uint64_t> true_counts, Rng& rng) const {
  const auto support = sample_support_counts(true_counts, rng);
  return estimate_from_support(support, checked_total(true_counts));
}

std::vector<double> FrequencyOracle::simulate_aggregate(std::uint64_t n_users,
                                                        std::span<const std::uint64_t> candidates,
                                                        std::span<const std::uint64_t> candidate_true_counts,
                                                        Rng& rng) const {
  if (candidates.size() != candidate_true_counts.size()) {
    throw InvalidParameter("candidates and their true counts differ in length");
  }
  if (n_users == 0) throw InvalidParameter("cannot simulate zero users (n = 0)");
  if (is_flh()) {
    throw InvalidParameter(
        "flh: the candidate-subset aggregate law depends on the other users' items; use the full-domain "
        "aggregate or per-user mode");
  }
  std::unordered_set<std::uint64_t> seen;
  for (const std::uint64_t c : candidates) {
    if (c >= domain_) throw InvalidParameter("candidate " + std::to_string(c) + " outside the domain");
    if (!seen.insert(c).second) throw InvalidParameter("candidate " + std::to_string(c) + " listed twice");
  }
  const std::uint64_t held = checked_total(candidate_true_counts);
  if (held > n_users) throw InvalidParameter("candidate true counts exceed the number of users");
  const std::size_t nc = candidates.size();
  std::vector<std::uint64_t> support(nc, 0);
  if (kind_ == OracleKind::grr) {
    const double e = std::exp(epsilon_);
    const double alpha = (e - 1.0) / (e + static_cast<double>(domain_) - 1.0);
    std::uint64_t kept = detail::binomial(n_users - held, alpha, rng);  // non-candidate users kept on their items
    for (std::size_t j = 0; j < nc; ++j) {
      support[j] = detail::binomial(candidate_true_counts[j], alpha, rng);
      kept += support[j];
    }
    // The uniform part restricted to the candidate cells: conditional binomials, exact.
    std::uint64_t left = n_users - kept;
    for (std::size_t j = 0; j < nc && left > 0; ++j) {
      const std::uint64_t cells_left = domain_ - j;
      const std::uint64_t k =
          cells_left == 1 ? left : detail::binomial(left, 1.0 / static_cast<double>(cells_left), rng);
      support[j] += k;
      left -= k;
    }
  } else {
    for (std::size_t j = 0; j < nc; ++j) {
      support[j] = detail::binomial(candidate_true_counts[j], p_star_, rng) +
                   detail::binomial(n_users - candidate_true_counts[j], q_star_, rng);
    }
  }
  return estimate_from_support(support, n_users);
}

}  // namespace paperkit::ldp

namespace paperkit::ldp {

std::vector<double> FrequencyOracle::simulate_aggregate_flh(std::span<const std::uint64_t> held_values,
                                                            std::span<const std::uint64_t> held_counts,
                                                            std::span<const std::uint64_t> candidates, Rng& rng) const {
  if (!is_flh()) throw InvalidParameter("simulate_aggregate_flh needs an flh oracle (got " + description() + ")");
  if (held_values.size() != held_counts.size()) throw InvalidParameter("held values and their counts differ in length");
  for (const std::uint64_t v : held_values)
    if (v >= domain_) throw InvalidParameter("held value " + std::to_string(v) + " outside the domain");
  for (const std::uint64_t c : candidates)
    if (c >= domain_) throw InvalidParameter("candidate " + std::to_string(c) + " outside the domain");
  const std::uint64_t n = checked_total(held_counts);
  if (n == 0) throw InvalidParameter("cannot simulate zero users (n = 0)");
  return estimate_from_support(flh_sample_support(*this, held_values, held_counts, candidates, rng), n);
}

}  // namespace paperkit::ldp
