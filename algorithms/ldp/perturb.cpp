// Client side (per-user mode): one report per user (spec ldp.md §2.1).
#include <omp.h>
#include <algorithm>

#include "internal.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

namespace {

bool is_unary(OracleKind k) {
  return k == OracleKind::sue || k == OracleKind::oue;
}

// The bits of one unary-encoding report: every bit 1 w.p. q (exact Bernoulli words from 8-lane
// generators seeded by the caller's Rng), then the user's own bit 1 w.p. p.
void unary_row(std::uint64_t item, std::uint64_t domain, double keep, detail::BernoulliBytes& flips,
               detail::FastRng& rng, std::uint64_t* row, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w) row[w] = flips.next(rng);
  const std::uint64_t tail = domain % 64;
  if (tail != 0) row[words - 1] &= (std::uint64_t{1} << tail) - 1;
  const std::uint64_t mask = std::uint64_t{1} << (item % 64);
  if (rng.uniform01() < keep) {
    row[item / 64] |= mask;
  } else {
    row[item / 64] &= ~mask;
  }
}

// One GRR / OLH / BLH / HR report (value, and the hash seed for OLH/BLH), for any generator with
// next(), uniform01() and uniform_below(): the paperkit Rng in perturb(), an inlined copy of the
// same algorithm in perturb_all().
struct ScalarClient {
  OracleKind kind;
  std::uint64_t domain, g, hadamard_order;
  double keep;
  std::span<const std::uint32_t> pool;  // FLH seed pool (empty: a fresh seed per user)

  template <typename Gen>
  std::uint64_t report(std::uint64_t item, Gen& rng, std::uint64_t& seed_out) const {
    switch (kind) {
      case OracleKind::grr: {
        std::uint64_t y = item;
        if (domain > 1 && !(rng.uniform01() < keep)) {
          y = rng.uniform_below(domain - 1);  // uniform over the other d - 1 items
          if (y >= item) ++y;
        }
        return y;
      }
      case OracleKind::olh:
      case OracleKind::blh: {
        seed_out = pool.empty() ? rng.next() >> 1  // pure-LDP: random.randint(0, sys.maxsize)
                                : pool[static_cast<std::size_t>(rng.uniform_below(pool.size()))];
        std::uint64_t y = xxh32_decimal(item, static_cast<std::uint32_t>(seed_out)) % g;
        if (!(rng.uniform01() < keep)) {
          const std::uint64_t r = rng.uniform_below(g - 1);  // uniform over the other g - 1 values
          y = r >= y ? r + 1 : r;
        }
        return y;
      }
      case OracleKind::hr: {
        // Uniform column with the wanted sign in row item+1: a uniform y, and if its sign is
        // wrong, flip one bit of y inside the row index (a bijection between the two halves).
        const std::uint64_t row = item + 1;
        const int want = rng.uniform01() < keep ? 0 : 1;  // parity 0: H[row][y] = +1 (the set C_v)
        std::uint64_t y = rng.uniform_below(hadamard_order);
        if (detail::parity(row & y) != want) y ^= row & (~row + 1);
        return y;
      }
      default:
        return 0;  // unary encodings are not scalar
    }
  }
};

}  // namespace

ReportBatch FrequencyOracle::empty_batch(std::size_t reserve_users) const {
  ReportBatch b;
  b.kind = kind_;
  b.domain = domain_;
  if (is_unary(kind_)) {
    b.words_per_report = static_cast<std::size_t>((domain_ + 63) / 64);
    b.bits.reserve(reserve_users * b.words_per_report);
  } else {
    b.values.reserve(reserve_users);
    if (kind_ == OracleKind::olh || kind_ == OracleKind::blh) b.seeds.reserve(reserve_users);
  }
  return b;
}

void FrequencyOracle::perturb(std::uint64_t item, Rng& rng, ReportBatch& out) const {
  if (item >= domain_) {
    throw InvalidParameter("item " + std::to_string(item) + " outside the domain [0, " + std::to_string(domain_) + ")");
  }
  if (out.kind != kind_ || out.domain != domain_) throw InvalidParameter("perturb: batch made by another oracle");
  switch (kind_) {
    case OracleKind::grr:
    case OracleKind::olh:
    case OracleKind::blh:
    case OracleKind::hr: {
      const ScalarClient client{kind_, domain_, g_, hadamard_order_, keep_, flh_seeds_};
      std::uint64_t seed = 0;
      out.values.push_back(client.report(item, rng, seed));
      if (kind_ == OracleKind::olh || kind_ == OracleKind::blh) out.seeds.push_back(seed);
      break;
    }
    case OracleKind::sue:
    case OracleKind::oue: {
      const auto digits = detail::BernoulliBytes::digits_of(flip_);
      detail::BernoulliBytes flips(digits, rng);
      const std::size_t at = out.bits.size();
      out.bits.resize(at + out.words_per_report);
      detail::FastRng fast(rng);
      unary_row(item, domain_, keep_, flips, fast, out.bits.data() + at, out.words_per_report);
      break;
    }
  }
  ++out.users;
}

ReportBatch FrequencyOracle::perturb_all(std::span<const std::uint64_t> items, std::uint64_t seed, std::uint64_t stream,
                                         int threads) const {
  for (const std::uint64_t v : items) {
    if (v >= domain_) {
      throw InvalidParameter("item " + std::to_string(v) + " outside the domain [0, " + std::to_string(domain_) + ")");
    }
  }
  const std::size_t n = items.size();
  ReportBatch out = empty_batch();
  out.users = n;
  const std::size_t blocks = (n + kBlockUsers - 1) / kBlockUsers;
  if (is_unary(kind_)) {
    out.bits.assign(n * out.words_per_report, 0);
    const auto digits = detail::BernoulliBytes::digits_of(flip_);
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(threads, 1))
    for (std::size_t b = 0; b < blocks; ++b) {
      Rng rng = Rng::for_block(seed, stream, b);
      detail::FastRng fast(rng);
      detail::BernoulliBytes flips(digits, rng);
      const std::size_t end = std::min(n, (b + 1) * kBlockUsers);
      for (std::size_t i = b * kBlockUsers; i < end; ++i) {
        unary_row(items[i], domain_, keep_, flips, fast, out.bits.data() + i * out.words_per_report,
                  out.words_per_report);
      }
    }
    return out;
  }
  out.values.assign(n, 0);
  const bool hashed = kind_ == OracleKind::olh || kind_ == OracleKind::blh;
  if (hashed) out.seeds.assign(n, 0);
  const ScalarClient client{kind_, domain_, g_, hadamard_order_, keep_, flh_seeds_};
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(threads, 1))
  for (std::size_t b = 0; b < blocks; ++b) {
    Rng rng = Rng::for_block(seed, stream, b);
    detail::FastRng fast(rng);
    const std::size_t end = std::min(n, (b + 1) * kBlockUsers);
    std::uint64_t user_seed = 0;
    for (std::size_t i = b * kBlockUsers; i < end; ++i) {
      out.values[i] = client.report(items[i], fast, user_seed);
      if (hashed) out.seeds[i] = user_seed;
    }
  }
  return out;
}

}  // namespace paperkit::ldp
