// Server side: support counts C_v and unbiased estimates (C_v - n q*)/(p* - q*).
// Counts are integers summed over fixed blocks of reports, so they are identical for any thread
// count; estimates are one affine map of them.
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "internal.hpp"
#include "paperkit/common/errors.hpp"
#include "paperkit/ldp/frequency_oracle.hpp"

namespace paperkit::ldp {

namespace {

constexpr std::size_t kDecodeBlock = 8192;  // reports per OpenMP work item

void check_batch(const FrequencyOracle& o, const ReportBatch& r) {
  if (r.kind != o.kind() || r.domain != o.domain()) {
    throw InvalidParameter("reports were made by another oracle (" + std::string(to_string(r.kind)) +
                           ", d=" + std::to_string(r.domain) + ") than the decoder (" + o.description() +
                           ", d=" + std::to_string(o.domain()) + ")");
  }
  const bool unary = r.kind == OracleKind::sue || r.kind == OracleKind::oue;
  const bool ok = unary ? r.bits.size() == r.users * r.words_per_report : r.values.size() == r.users;
  const bool seeds_ok = (r.kind != OracleKind::olh && r.kind != OracleKind::blh) || r.seeds.size() == r.users;
  if (!ok || !seeds_ok) throw InvalidParameter("malformed report batch: column sizes differ from the user count");
  const std::uint64_t range = o.kind() == OracleKind::grr ? o.domain() : o.g();
  if (!unary) {
    for (const std::uint64_t y : r.values) {
      if (y >= range)
        throw InvalidParameter("report value " + std::to_string(y) + " outside [0, " + std::to_string(range) + ")");
    }
  }
}

void check_candidates(const FrequencyOracle& o, std::span<const std::uint64_t> candidates) {
  for (const std::uint64_t c : candidates) {
    if (c >= o.domain()) {
      throw InvalidParameter("candidate " + std::to_string(c) + " outside the domain [0, " +
                             std::to_string(o.domain()) + ")");
    }
  }
}

// Column sums of an n x words bit matrix with bit-sliced counters: each word column keeps 8 bit
// planes (a ripple-carry adder per row), flushed into the integer counts every 255 rows.
void unary_column_sums(const ReportBatch& r, std::size_t first, std::size_t last, std::vector<std::uint64_t>& counts) {
  const std::size_t words = r.words_per_report;
  constexpr int kPlanes = 8;
  std::vector<std::uint64_t> planes(words * kPlanes, 0);
  auto flush = [&] {
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t* c = counts.data() + w * 64;
      for (int k = 0; k < kPlanes; ++k) {
        const std::uint64_t plane = planes[w * kPlanes + static_cast<std::size_t>(k)];
        if (plane == 0) continue;
        for (int b = 0; b < 64; ++b) c[b] += ((plane >> b) & 1U) << k;
      }
    }
    std::fill(planes.begin(), planes.end(), 0);
  };
  std::size_t pending = 0;
  for (std::size_t i = first; i < last; ++i) {
    const std::uint64_t* row = r.bits.data() + i * words;
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t x = row[w];
      std::uint64_t* p = planes.data() + w * kPlanes;
      for (int k = 0; k < kPlanes && x != 0; ++k) {
        const std::uint64_t carry = p[k] & x;
        p[k] ^= x;
        x = carry;
      }
    }
    if (++pending == 255) {
      flush();
      pending = 0;
    }
  }
  if (pending != 0) flush();
}

// h mod g for h < 2^32 and g <= 2^20 without a division (Lemire's fastmod, with the 128-bit
// product split into 32-bit halves so that the compiler can vectorise it).
struct FastMod {
  explicit FastMod(std::uint64_t range)
      : g(range), m(~std::uint64_t{0} / range + 1), mask(range - 1), pow2((range & (range - 1)) == 0) {}
  std::uint64_t g, m, mask;
  bool pow2;
};

// Matches of one decimal key of L bytes (L < 16) against reports: the xxh32 rounds are unrolled
// for the fixed length, leaving a straight-line loop over 32-bit seeds that vectorises.
template <int L, bool Pow2>
std::uint64_t count_matches(const detail::DecimalKey& key, const std::uint32_t* seeds, const std::uint32_t* ys,
                            std::size_t m, const FastMod& mod) {
  using namespace detail;
  std::uint32_t wk[4], tk[4];
  for (int i = 0; i < 4; ++i) {
    wk[i] = key.words[i] * kPrime32_3;
    tk[i] = key.tail[i] * kPrime32_5;
  }
  const std::uint32_t c0 = kPrime32_5 + static_cast<std::uint32_t>(L);
  const auto mask = static_cast<std::uint32_t>(mod.mask);
  std::uint32_t hits = 0;  // blocks hold at most kDecodeBlock reports
  for (std::size_t i = 0; i < m; ++i) {
    std::uint32_t h = seeds[i] + c0;
    for (int w = 0; w < L / 4; ++w) h = rotl32(h + wk[w], 17) * kPrime32_4;
    for (int t = 0; t < L % 4; ++t) h = rotl32(h + tk[t], 11) * kPrime32_1;
    h = xxh32_avalanche(h);
    std::uint32_t r;
    if constexpr (Pow2) {
      r = h & mask;
    } else {
      const std::uint64_t low = mod.m * h;
      const std::uint64_t hi = (low >> 32) * mod.g + (((low & 0xffffffffU) * mod.g) >> 32);
      r = static_cast<std::uint32_t>(hi >> 32);
    }
    hits += r == ys[i] ? 1U : 0U;
  }
  return hits;
}

template <bool Pow2>
std::uint64_t count_short_key(const detail::DecimalKey& key, const std::uint32_t* seeds, const std::uint32_t* ys,
                              std::size_t m, const FastMod& mod) {
  switch (key.length) {
    case 1:
      return count_matches<1, Pow2>(key, seeds, ys, m, mod);
    case 2:
      return count_matches<2, Pow2>(key, seeds, ys, m, mod);
    case 3:
      return count_matches<3, Pow2>(key, seeds, ys, m, mod);
    case 4:
      return count_matches<4, Pow2>(key, seeds, ys, m, mod);
    case 5:
      return count_matches<5, Pow2>(key, seeds, ys, m, mod);
    case 6:
      return count_matches<6, Pow2>(key, seeds, ys, m, mod);
    case 7:
      return count_matches<7, Pow2>(key, seeds, ys, m, mod);
    case 8:
      return count_matches<8, Pow2>(key, seeds, ys, m, mod);
    case 9:
      return count_matches<9, Pow2>(key, seeds, ys, m, mod);
    case 10:
      return count_matches<10, Pow2>(key, seeds, ys, m, mod);
    case 11:
      return count_matches<11, Pow2>(key, seeds, ys, m, mod);
    case 12:
      return count_matches<12, Pow2>(key, seeds, ys, m, mod);
    case 13:
      return count_matches<13, Pow2>(key, seeds, ys, m, mod);
    case 14:
      return count_matches<14, Pow2>(key, seeds, ys, m, mod);
    default:
      return count_matches<15, Pow2>(key, seeds, ys, m, mod);
  }
}

// OLH support of each candidate over reports [first, last): sum of [h_seed(c) mod g == y].
void olh_block_support(const FrequencyOracle& o, const ReportBatch& r, std::size_t first, std::size_t last,
                       std::span<const detail::DecimalKey> keys, std::span<const std::uint64_t> candidates,
                       std::uint64_t* counts) {
  const std::size_t m = last - first;
  std::vector<std::uint32_t> seeds(m), ys(m);
  for (std::size_t i = 0; i < m; ++i) {
    seeds[i] = static_cast<std::uint32_t>(r.seeds[first + i]);
    ys[i] = static_cast<std::uint32_t>(r.values[first + i]);  // < g <= 2^20
  }
  const FastMod mod(o.g());
  for (std::size_t j = 0; j < keys.size(); ++j) {
    const detail::DecimalKey& key = keys[j];
    if (!key.is_short()) {
      std::uint64_t hits = 0;
      for (std::size_t i = 0; i < m; ++i) hits += o.olh_hash(candidates[j], seeds[i]) == r.values[first + i];
      counts[j] += hits;
    } else {
      counts[j] += mod.pow2 ? count_short_key<true>(key, seeds.data(), ys.data(), m, mod)
                            : count_short_key<false>(key, seeds.data(), ys.data(), m, mod);
    }
  }
}

std::vector<std::uint64_t> olh_support(const FrequencyOracle& o, const ReportBatch& r,
                                       std::span<const std::uint64_t> candidates, int threads) {
  std::vector<detail::DecimalKey> keys;
  keys.reserve(candidates.size());
  for (const std::uint64_t c : candidates) keys.emplace_back(c);
  const std::size_t n = r.users, blocks = (n + kDecodeBlock - 1) / kDecodeBlock;
  const std::size_t nc = candidates.size();
  std::vector<std::uint64_t> total(nc, 0);
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    std::vector<std::uint64_t> mine(nc, 0);
#pragma omp for schedule(dynamic, 1) nowait
    for (std::size_t b = 0; b < blocks; ++b) {
      olh_block_support(o, r, b * kDecodeBlock, std::min(n, (b + 1) * kDecodeBlock), keys, candidates, mine.data());
    }
#pragma omp critical
    for (std::size_t j = 0; j < nc; ++j) total[j] += mine[j];  // integer sums: order does not matter
  }
  return total;
}

std::vector<std::uint64_t> unary_support(const ReportBatch& r, int threads) {
  const std::size_t n = r.users, blocks = (n + kDecodeBlock - 1) / kDecodeBlock;
  std::vector<std::uint64_t> total(r.words_per_report * 64, 0);
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    std::vector<std::uint64_t> mine(total.size(), 0);
#pragma omp for schedule(dynamic, 1) nowait
    for (std::size_t b = 0; b < blocks; ++b)
      unary_column_sums(r, b * kDecodeBlock, std::min(n, (b + 1) * kDecodeBlock), mine);
#pragma omp critical
    for (std::size_t j = 0; j < total.size(); ++j) total[j] += mine[j];
  }
  total.resize(r.domain);
  return total;
}

// HR: C_u = #{reports y with H[u+1][y] = +1} = (n + W[u+1]) / 2, W the FWHT of the histogram.
std::vector<std::int64_t> hr_transform(const FrequencyOracle& o, const ReportBatch& r) {
  std::vector<std::int64_t> hist(o.hadamard_order(), 0);
  for (const std::uint64_t y : r.values) ++hist[y];
  detail::fwht(hist);
  return hist;
}

}  // namespace

std::vector<std::uint64_t> FrequencyOracle::support_counts(const ReportBatch& reports, int threads) const {
  check_batch(*this, reports);
  if (domain_ > kMaxDenseDomain) {
    throw InvalidParameter("full-domain decoding needs d <= " + std::to_string(kMaxDenseDomain) + " (got " +
                           std::to_string(domain_) + "); decode a candidate subset instead");
  }
  switch (kind_) {
    case OracleKind::grr: {
      std::vector<std::uint64_t> c(domain_, 0);
      for (const std::uint64_t y : reports.values) ++c[y];
      return c;
    }
    case OracleKind::sue:
    case OracleKind::oue:
      return unary_support(reports, threads);
    case OracleKind::hr: {
      const auto w = hr_transform(*this, reports);
      std::vector<std::uint64_t> c(domain_);
      const auto n = static_cast<std::int64_t>(reports.users);
      for (std::uint64_t v = 0; v < domain_; ++v) c[v] = static_cast<std::uint64_t>((n + w[v + 1]) / 2);
      return c;
    }
    case OracleKind::olh:
    case OracleKind::blh: {
      std::vector<std::uint64_t> all(domain_);
      std::iota(all.begin(), all.end(), std::uint64_t{0});
      return olh_support(*this, reports, all, threads);
    }
  }
  return {};
}

std::vector<std::uint64_t> FrequencyOracle::support_counts(const ReportBatch& reports,
                                                           std::span<const std::uint64_t> candidates,
                                                           int threads) const {
  check_batch(*this, reports);
  check_candidates(*this, candidates);
  const std::size_t nc = candidates.size();
  std::vector<std::uint64_t> c(nc, 0);
  if (nc == 0) return c;
  switch (kind_) {
    case OracleKind::grr: {
      std::unordered_map<std::uint64_t, std::uint64_t> hits;
      hits.reserve(2 * nc);
      for (const std::uint64_t v : candidates) hits.emplace(v, 0);
      for (const std::uint64_t y : reports.values) {
        auto it = hits.find(y);
        if (it != hits.end()) ++it->second;
      }
      for (std::size_t j = 0; j < nc; ++j) c[j] = hits[candidates[j]];
      return c;
    }
    case OracleKind::sue:
    case OracleKind::oue: {
      if (nc * 8 >= domain_) {  // many candidates: one pass over all columns is cheaper
        const auto all = unary_support(reports, threads);
        for (std::size_t j = 0; j < nc; ++j) c[j] = all[candidates[j]];
        return c;
      }
      for (std::size_t j = 0; j < nc; ++j) {
        std::uint64_t s = 0;
        for (std::size_t i = 0; i < reports.users; ++i) s += reports.row_bit(i, candidates[j]);
        c[j] = s;
      }
      return c;
    }
    case OracleKind::hr: {
      if (nc * reports.users >= hadamard_order_ * 8) {
        const auto w = hr_transform(*this, reports);
        const auto n = static_cast<std::int64_t>(reports.users);
        for (std::size_t j = 0; j < nc; ++j) c[j] = static_cast<std::uint64_t>((n + w[candidates[j] + 1]) / 2);
        return c;
      }
      for (std::size_t j = 0; j < nc; ++j) {
        std::uint64_t s = 0;
        for (const std::uint64_t y : reports.values) s += detail::parity((candidates[j] + 1) & y) == 0;
        c[j] = s;
      }
      return c;
    }
    case OracleKind::olh:
    case OracleKind::blh:
      return olh_support(*this, reports, candidates, threads);
  }
  return c;
}

std::vector<double> FrequencyOracle::estimate_from_support(std::span<const std::uint64_t> support,
                                                           std::uint64_t n_users) const {
  if (n_users == 0) throw InvalidParameter("cannot estimate counts from zero users (n = 0)");
  std::vector<double> est(support.size());
  const double n = static_cast<double>(n_users);
  for (std::size_t j = 0; j < support.size(); ++j) est[j] = unbias(static_cast<double>(support[j]), n);
  return est;
}

std::vector<double> FrequencyOracle::estimate(const ReportBatch& reports, int threads) const {
  if (reports.users == 0) throw InvalidParameter("cannot estimate counts from zero users (n = 0)");
  return estimate_from_support(support_counts(reports, threads), reports.users);
}

std::vector<double> FrequencyOracle::estimate(const ReportBatch& reports, std::span<const std::uint64_t> candidates,
                                              int threads) const {
  if (reports.users == 0) throw InvalidParameter("cannot estimate counts from zero users (n = 0)");
  return estimate_from_support(support_counts(reports, candidates, threads), reports.users);
}

}  // namespace paperkit::ldp
