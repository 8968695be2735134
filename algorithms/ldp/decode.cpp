// Server side: support counts C_v and unbiased estimates (C_v - n q*)/(p* - q*).
// Counts are integers summed over fixed blocks of reports, so they are identical for any thread
// count; estimates are one affine map of them.
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

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

// Column sums of an n x words bit matrix, bit-sliced: per word column, eight rows at a time go
// through a carry-save adder tree (Harley-Seal) into running weight-1/2/4 words, and its weight-8
// output ripples into 8 counter planes (weights 8 .. 1024); everything is flushed into the integer
// counts every kFlushRows rows (7 + 8 * 255 >= any column sum in between). About 5 word operations
// per row and word, branch-free, instead of a ripple-carry add per row.
void unary_column_sums(const ReportBatch& r, std::size_t first, std::size_t last, std::vector<std::uint64_t>& counts) {
  const std::size_t words = r.words_per_report;
  constexpr int kPlanes = 8;
  constexpr std::size_t kFlushRows = 2040;
  std::vector<std::uint64_t> low(words * 3, 0), planes(words * kPlanes, 0);
  const std::vector<std::uint64_t> zero_row(words, 0);
  auto flush = [&] {
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t* c = counts.data() + w * 64;
      for (int k = 0; k < 3 + kPlanes; ++k) {
        const std::uint64_t plane =
            k < 3 ? low[w * 3 + static_cast<std::size_t>(k)] : planes[w * kPlanes + static_cast<std::size_t>(k - 3)];
        if (plane == 0) continue;
        for (int b = 0; b < 64; ++b) c[b] += ((plane >> b) & 1U) << k;
      }
    }
    std::fill(low.begin(), low.end(), 0);
    std::fill(planes.begin(), planes.end(), 0);
  };
  auto csa = [](std::uint64_t& high, std::uint64_t& sum, std::uint64_t a, std::uint64_t b) {
    const std::uint64_t u = sum ^ a;
    high = (sum & a) | (u & b);
    sum = u ^ b;
  };
  std::size_t pending = 0;
  for (std::size_t i = first; i < last; i += 8) {
    const std::uint64_t* rows[8];
    for (std::size_t t = 0; t < 8; ++t) rows[t] = i + t < last ? r.bits.data() + (i + t) * words : zero_row.data();
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t ones = low[w * 3], twos = low[w * 3 + 1], fours = low[w * 3 + 2];
      std::uint64_t twos_a, twos_b, fours_a, fours_b, eights;
      csa(twos_a, ones, rows[0][w], rows[1][w]);
      csa(twos_b, ones, rows[2][w], rows[3][w]);
      csa(fours_a, twos, twos_a, twos_b);
      csa(twos_a, ones, rows[4][w], rows[5][w]);
      csa(twos_b, ones, rows[6][w], rows[7][w]);
      csa(fours_b, twos, twos_a, twos_b);
      csa(eights, fours, fours_a, fours_b);
      low[w * 3] = ones;
      low[w * 3 + 1] = twos;
      low[w * 3 + 2] = fours;
      std::uint64_t* p = planes.data() + w * kPlanes;
      for (int k = 0; k < kPlanes && eights != 0; ++k) {
        const std::uint64_t carry = p[k] & eights;
        p[k] ^= eights;
        eights = carry;
      }
    }
    pending += 8;
    if (pending >= kFlushRows) {
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

// Reports grouped by hash seed (its low 32 bits, all that xxh32 reads): the distinct seeds and a
// g-bin histogram of the reported values per seed. False (and nothing useful) when there are more
// than max_bins distinct seeds.
bool bin_by_seed(const ReportBatch& r, std::uint64_t g, std::size_t max_bins, std::vector<std::uint32_t>& seeds,
                 std::vector<std::uint64_t>& hist) {
  std::unordered_map<std::uint32_t, std::uint32_t> bin_of;
  bin_of.reserve(std::min<std::size_t>(max_bins, 1 << 16) * 2);
  seeds.clear();
  hist.clear();
  for (std::size_t i = 0; i < r.users; ++i) {
    const auto s = static_cast<std::uint32_t>(r.seeds[i]);
    auto [it, fresh] = bin_of.try_emplace(s, static_cast<std::uint32_t>(seeds.size()));
    if (fresh) {
      if (seeds.size() == max_bins) return false;
      seeds.push_back(s);
      hist.resize(hist.size() + g, 0);
    }
    ++hist[static_cast<std::size_t>(it->second) * g + r.values[i]];
  }
  return true;
}

// Binning pays when seeds repeat (FLH pools): decide from the oracle, or for plain OLH from the
// first reports (fresh 63-bit seeds never repeat, so a short sample rules it out cheaply).
bool worth_binning(const FrequencyOracle& o, const ReportBatch& r, std::size_t candidates) {
  if (candidates < 8 || r.users < 64) return false;
  if (o.is_flh()) return true;
  const std::size_t sample = std::min<std::size_t>(r.users, 512);
  std::unordered_set<std::uint32_t> distinct;
  for (std::size_t i = 0; i < sample; ++i) distinct.insert(static_cast<std::uint32_t>(r.seeds[i]));
  return distinct.size() * 4 <= sample;
}

// support(v) = sum over distinct seeds s of hist_s[h_s(v)]: O(n + seeds |C|) hashes.
std::vector<std::uint64_t> binned_olh_support(const FrequencyOracle& o, const std::vector<std::uint32_t>& seeds,
                                              const std::vector<std::uint64_t>& hist,
                                              std::span<const std::uint64_t> candidates, int threads) {
  const std::uint64_t g = o.g();
  const std::size_t nc = candidates.size(), bins = seeds.size();
  std::vector<std::uint64_t> c(nc, 0);
  const auto n_candidates = static_cast<std::ptrdiff_t>(nc);
#pragma omp parallel for schedule(static) num_threads(std::max(threads, 1))
  for (std::ptrdiff_t jj = 0; jj < n_candidates; ++jj) {
    const auto j = static_cast<std::size_t>(jj);
    const detail::DecimalKey key(candidates[j]);
    std::uint64_t sum = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      const std::uint64_t h = key.is_short() ? key.hash(seeds[b]) % g : o.olh_hash(candidates[j], seeds[b]);
      sum += hist[b * g + h];
    }
    c[j] = sum;
  }
  return c;
}

std::vector<std::uint64_t> olh_support(const FrequencyOracle& o, const ReportBatch& r,
                                       std::span<const std::uint64_t> candidates, int threads) {
  if (worth_binning(o, r, candidates.size())) {
    std::vector<std::uint32_t> seeds;
    std::vector<std::uint64_t> hist;
    const std::size_t max_bins = std::max<std::size_t>(r.users / 4, o.flh_seeds().size());
    if (bin_by_seed(r, o.g(), max_bins, seeds, hist)) return binned_olh_support(o, seeds, hist, candidates, threads);
  }
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
