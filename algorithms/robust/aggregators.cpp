// Robust mixing rules: parsing, validation, and the Mixer dispatch with the distance-based rules
// (nna, gm, krum, multikrum, scc). The coordinate-wise rules live in coordinatewise.cpp.
#include "paperkit/robust/aggregators.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <type_traits>
#include <utility>

#include "paperkit/common/errors.hpp"
#include "paperkit/robust/detail/simd.hpp"

namespace paperkit::robust {

namespace {

constexpr std::size_t kBlock = 8192;     // coordinates per block: long runs per row for the prefetcher; out block in L2
constexpr std::size_t kLanes = 8;        // independent accumulators, so the compiler vectorises sums
constexpr std::size_t kGramBlock = 128;  // coordinates staged per Gram block: m x 128 doubles in L1
constexpr std::size_t kGramTile = 4;     // rows per side of the Gram register tile (16 accumulators)

std::string num(double x) {
  std::string s = std::to_string(x);
  return s;
}

// n zeros at a 64-byte boundary inside `storage` (so whole-vector loads never split a cache line).
double* zeroed_aligned(std::vector<double>& storage, std::size_t n) {
  storage.assign(n + 8, 0.0);
  const auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
  return storage.data() + ((64 - addr % 64) % 64) / sizeof(double);
}

constexpr std::size_t kDistBlock = 2048;     // nna: pivot coordinates staged per block (16 KB of doubles, in L1)
constexpr std::size_t kDistPrefetch = 2048;  // nna: bytes prefetched ahead of each row (its run restarts per block)

// sum_c (row[c] - pivot[c])^2 over [0, len) in double, pivot already in double (64-byte aligned);
// `readable` (>= len) elements of the row exist, so prefetches stay inside it.
// Four vector accumulators (32 lanes) keep the multiply-adds independent, so the loop runs at the
// memory rate rather than the add latency; the lanes are then summed in a fixed order, so the
// result depends on len alone. Each term is exact for float input (a float difference is exact in
// double) and the sum is the usual double rounding for double input.
template <class T>
double add_distance(const T* row, const double* pivot, std::size_t len, std::size_t readable) {
  using S = detail::Simd<double>;
  using V = S::V;
  constexpr std::size_t W = S::lanes;
  const auto load = [row](std::size_t c) {
    if constexpr (std::is_same_v<T, double>) {
      return S::load(row + c);
    } else {
      using F [[gnu::vector_size(W * sizeof(T))]] = T;
      F f;
      std::memcpy(&f, row + c, sizeof(F));
      return __builtin_convertvector(f, V);
    }
  };
  V a0 = S::splat(0), a1 = a0, a2 = a0, a3 = a0;
  std::size_t c = 0;
  for (; c + 4 * W <= len; c += 4 * W) {
    if (c + kDistPrefetch / sizeof(T) < readable) __builtin_prefetch(row + c + kDistPrefetch / sizeof(T), 0, 2);
    const V d0 = load(c) - S::load(pivot + c), d1 = load(c + W) - S::load(pivot + c + W);
    const V d2 = load(c + 2 * W) - S::load(pivot + c + 2 * W), d3 = load(c + 3 * W) - S::load(pivot + c + 3 * W);
    a0 += d0 * d0;
    a1 += d1 * d1;
    a2 += d2 * d2;
    a3 += d3 * d3;
  }
  for (; c + W <= len; c += W) {
    const V d0 = load(c) - S::load(pivot + c);
    a0 += d0 * d0;
  }
  double s = S::sum((a0 + a1) + (a2 + a3));
  for (; c < len; ++c) {
    const double diff = static_cast<double>(row[c]) - pivot[c];
    s += diff * diff;
  }
  return s;
}

using GramSimd = detail::Simd<double, 32>;  // FMA-bound: 32-byte vectors (see detail/simd.hpp)

// One register tile of the Gram matrix: rows a[0..RI) x b[0..RJ) of a staged block (row stride
// kGramBlock), `vecs` vectors long, added to the tile's vector partial sums at acc (kGramTile x
// kGramTile vectors). RI, RJ < kGramTile only for the last, partial tile, so no padded row costs
// multiply-adds. One prefetch (of the next block) per step while the list lasts.
template <std::size_t RI, std::size_t RJ>
void gram_tile(const double* a, const double* b, std::size_t vecs, double* acc_base, const void* const* prefetch,
               std::size_t prefetch_count, std::size_t& pf) {
  using S = GramSimd;
  using V = S::V;
  constexpr std::size_t W = S::lanes;
  V acc[RI][RJ];
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = 0; j < RJ; ++j) acc[i][j] = S::load(acc_base + (i * kGramTile + j) * W);
  }
  for (std::size_t q = 0; q < vecs; ++q) {
    if (pf < prefetch_count) __builtin_prefetch(prefetch[pf++]);
    V x[RI], y[RJ];
    for (std::size_t i = 0; i < RI; ++i) x[i] = S::load(a + i * kGramBlock + q * W);
    for (std::size_t j = 0; j < RJ; ++j) y[j] = S::load(b + j * kGramBlock + q * W);
    for (std::size_t i = 0; i < RI; ++i) {
      for (std::size_t j = 0; j < RJ; ++j) acc[i][j] += x[i] * y[j];
    }
  }
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = 0; j < RJ; ++j) S::store(acc_base + (i * kGramTile + j) * W, acc[i][j]);
  }
}

using GramTileFn = void (*)(const double*, const double*, std::size_t, double*, const void* const*, std::size_t,
                            std::size_t&);
template <std::size_t... K>
constexpr std::array<GramTileFn, sizeof...(K)> gram_tile_table(std::index_sequence<K...>) {
  return {&gram_tile<K / kGramTile + 1, K % kGramTile + 1>...};
}
constexpr auto gram_tile_kernels = gram_tile_table(std::make_index_sequence<kGramTile * kGramTile>{});

// NaN sorts as +inf (spec §6): a Byzantine NaN vector is the farthest, never a crash.
double sortable(double x) {
  return std::isnan(x) ? std::numeric_limits<double>::infinity() : x;
}

}  // namespace

const std::vector<std::string>& rule_names() {
  static const std::vector<std::string> names = {"average", "nna",  "cwtm",      "cwmed", "meamed",
                                                 "gm",      "krum", "multikrum", "scc"};
  return names;
}

Rule parse_rule(const std::string& name, const std::string& flag) {
  const auto& names = rule_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Rule>(i);
  }
  if (name == "mean") return Rule::average;
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : "|") + n;
  throw InvalidParameter(flag + " must be one of " + all + " (got " + name + ")");
}

std::string rule_name(Rule rule) {
  return rule_names().at(static_cast<std::size_t>(rule));
}

void validate(const RuleOptions& o) {
  if (!(o.gm_nu > 0) || !std::isfinite(o.gm_nu))
    throw InvalidParameter("--gm-nu must be finite and > 0 (got " + num(o.gm_nu) + ")");
  if (o.gm_iters < 1 || o.gm_iters > 1000)
    throw InvalidParameter("--gm-iters must be in [1, 1000] (got " + std::to_string(o.gm_iters) + ")");
  if (!(o.scc_tau > 0) || !std::isfinite(o.scc_tau))
    throw InvalidParameter("--scc-tau must be finite and > 0 (got " + num(o.scc_tau) + ")");
  if (o.scc_iters < 1 || o.scc_iters > 1000)
    throw InvalidParameter("--scc-iters must be in [1, 1000] (got " + std::to_string(o.scc_iters) + ")");
  if (o.krum_neighbors < -1)
    throw InvalidParameter("--krum-neighbors must be >= 1, or -1 for m - f - 2 (got " +
                           std::to_string(o.krum_neighbors) + ")");
}

std::size_t krum_k(const RuleOptions& o, std::size_t m) {
  if (o.krum_neighbors >= 0) return static_cast<std::size_t>(o.krum_neighbors);
  return m >= o.f + 3 ? m - o.f - 2 : 1;
}

void validate_count(const RuleOptions& o, std::size_t m) {
  const std::string rule = rule_name(o.rule);
  const auto need = [&](bool ok, const std::string& what) {
    if (!ok) {
      throw InvalidParameter(rule + " needs " + what + " (got m = " + std::to_string(m) +
                             " inputs, f = " + std::to_string(o.f) + ")");
    }
  };
  need(m >= 1, "at least one input");
  switch (o.rule) {
    case Rule::nna:
    case Rule::meamed:
    case Rule::multikrum:
      need(m > o.f, "m > f");
      break;
    case Rule::cwtm:
      need(m > 2 * o.f, "m > 2f");
      break;
    default:
      break;
  }
  if (o.rule == Rule::krum || o.rule == Rule::multikrum) {
    const std::size_t k = krum_k(o, m);
    need(m >= 2, "m >= 2");
    if (k < 1 || k > m - 1) {
      throw InvalidParameter("--krum-neighbors must be in [1, m - 1] = [1, " + std::to_string(m - 1) + "] (got " +
                             std::to_string(k) + ")");
    }
  }
}

template <class T>
double squared_distance(const T* a, const T* b, std::size_t d) {
  double acc[kLanes] = {};
  std::size_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      const double diff = static_cast<double>(a[c + l]) - static_cast<double>(b[c + l]);
      acc[l] += diff * diff;
    }
  }
  double s = 0;
  for (std::size_t l = 0; l < kLanes; ++l) s += acc[l];
  for (; c < d; ++c) {
    const double diff = static_cast<double>(a[c]) - static_cast<double>(b[c]);
    s += diff * diff;
  }
  return s;
}

template <class T>
void mean_of(std::span<const T* const> rows, std::span<const std::size_t> which, std::size_t d, std::span<T> out) {
  const T count = static_cast<T>(which.size());
  for (std::size_t c0 = 0; c0 < d; c0 += kBlock) {
    const std::size_t c1 = std::min(d, c0 + kBlock);
    // mean = r_0 + (sum_s (r_s - r_0)) / k: identical inputs give r_0 exactly (consensus is a
    // fixed point, spec §6), which a plain sum / k does not guarantee (3 * 0.1 / 3 != 0.1).
    T* o = out.data();
    const T* first = rows[which[0]];
    // Four rows per sweep of the output block (a fixed pairing, so the rounding is fixed too).
    for (std::size_t c = c0; c < c1; ++c) o[c] = T(0);
    std::size_t s = 1;
    for (; s + 4 <= which.size(); s += 4) {
      const T *r0 = rows[which[s]], *r1 = rows[which[s + 1]], *r2 = rows[which[s + 2]], *r3 = rows[which[s + 3]];
      for (std::size_t c = c0; c < c1; ++c) {
        const T x = first[c];
        o[c] += ((r0[c] - x) + (r1[c] - x)) + ((r2[c] - x) + (r3[c] - x));
      }
    }
    for (; s < which.size(); ++s) {
      const T* r = rows[which[s]];
      for (std::size_t c = c0; c < c1; ++c) o[c] += r[c] - first[c];
    }
    for (std::size_t c = c0; c < c1; ++c) o[c] = first[c] + o[c] / count;
  }
}

template <class T>
Mixer<T>::Mixer(RuleOptions options) : options_(options) {
  validate(options_);
}

template <class T>
void Mixer<T>::mix(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out) {
  const std::size_t m = rows.size();
  validate_count(options_, m);
  if (pivot >= m) {
    throw InvalidParameter("--pivot must be in [0, " + std::to_string(m - 1) + "] (got " + std::to_string(pivot) + ")");
  }
  if (out.size() < d) throw InternalError("robust::Mixer: output shorter than d");
  if (d == 0) return;
  selected_.clear();
  switch (options_.rule) {
    case Rule::average: {
      order_.resize(m);
      std::iota(order_.begin(), order_.end(), std::size_t{0});
      mean_of<T>(rows, order_, d, out);
      break;
    }
    case Rule::nna:
      nna(rows, d, pivot, out);
      break;
    case Rule::cwtm:
    case Rule::cwmed:
    case Rule::meamed:
      coordinatewise(rows, d, out);
      break;
    case Rule::gm:
      gm(rows, d, out);
      break;
    case Rule::krum:
      krum(rows, d, out, false);
      break;
    case Rule::multikrum:
      krum(rows, d, out, true);
      break;
    case Rule::scc:
      scc(rows, d, pivot, out);
      break;
  }
}

template <class T>
void Mixer<T>::nna(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out) {
  const std::size_t m = rows.size();
  const std::size_t keep = m - options_.f;
  dist_.resize(m);
  const T* p = rows[pivot];
  // Distances blocked over coordinates: the pivot's block is staged once as doubles in L1 (for float,
  // one conversion instead of one per row), then every row streams past it (see add_distance).
  std::fill(dist_.begin(), dist_.end(), 0.0);
  double* const pb = zeroed_aligned(block_, kDistBlock);
  for (std::size_t c0 = 0; c0 < d; c0 += kDistBlock) {
    const std::size_t len = std::min(kDistBlock, d - c0);
    for (std::size_t c = 0; c < len; ++c) pb[c] = static_cast<double>(p[c0 + c]);
    for (std::size_t r = 0; r < m; ++r) {
      if (r != pivot) dist_[r] += add_distance(rows[r] + c0, pb, len, d - c0);
    }
  }
  for (std::size_t r = 0; r < m; ++r) dist_[r] = sortable(dist_[r]);
  order_.resize(m);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return dist_[a] < dist_[b]; });
  selected_.assign(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(keep));
  std::sort(selected_.begin(), selected_.end());  // sum in the order of R, like average
  mean_of<T>(rows, selected_, d, out);
}

// Gram matrix G_ij = <r_i, r_j> in double. Each block of kGramBlock coordinates of every row is
// staged in L1 as doubles (the float -> double conversion happens once; rows are padded with zeros to
// a multiple of kGramTile and the tail block with zero coordinates). A register tile of kGramTile x
// kGramTile pairs then keeps 16 vector accumulators while it streams 4 + 4 staged rows: 16
// multiply-adds per 8 loads, so the kernel runs at the multiply-add rate instead of the load rate.
// Each pair keeps its vector of partial sums across blocks (gram_acc_), reduced once at the end, so
// the summation order is fixed by d alone (never by the thread count or the data).
template <class T>
void Mixer<T>::gram(std::span<const T* const> rows, std::size_t d) {
  using S = GramSimd;
  constexpr std::size_t W = S::lanes;
  const std::size_t m = rows.size();
  const std::size_t tiles = (m + kGramTile - 1) / kGramTile;
  const std::size_t mp = tiles * kGramTile;
  const std::size_t pairs = tiles * (tiles + 1) / 2;
  double* const acc0 = zeroed_aligned(gram_acc_, pairs * kGramTile * kGramTile * W);
  double* const block = zeroed_aligned(block_, mp * kGramBlock);  // padded rows stay zero
  for (std::size_t c0 = 0; c0 < d; c0 += kGramBlock) {
    const std::size_t len = std::min(d - c0, kGramBlock);
    for (std::size_t r = 0; r < m; ++r) {
      double* b = block + r * kGramBlock;
      const T* src = rows[r] + c0;
      for (std::size_t c = 0; c < len; ++c) b[c] = static_cast<double>(src[c]);
      for (std::size_t c = len; c < kGramBlock; ++c) b[c] = 0.0;
    }
    const std::size_t vecs = (len + W - 1) / W;  // the zero tail of the last block adds nothing
    // Prefetch the next block of every row, one cache line per kernel step, so its memory latency
    // hides behind this block's multiply-adds (the kernel alone is compute-bound).
    prefetch_.clear();
    if (c0 + kGramBlock < d) {
      const std::size_t next = std::min(d - c0 - kGramBlock, kGramBlock);
      constexpr std::size_t kLine = 64 / sizeof(T);
      for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t c = 0; c < next; c += kLine) prefetch_.push_back(rows[r] + c0 + kGramBlock + c);
      }
    }
    std::size_t pf = 0;
    double* acc_base = acc0;
    for (std::size_t ti = 0; ti < tiles; ++ti) {
      const double* a = block + ti * kGramTile * kGramBlock;
      for (std::size_t tj = ti; tj < tiles; ++tj, acc_base += kGramTile * kGramTile * W) {
        const double* b = block + tj * kGramTile * kGramBlock;
        const std::size_t ri = std::min(kGramTile, m - ti * kGramTile), rj = std::min(kGramTile, m - tj * kGramTile);
        gram_tile_kernels[(ri - 1) * kGramTile + (rj - 1)](a, b, vecs, acc_base, prefetch_.data(), prefetch_.size(),
                                                           pf);
      }
    }
  }
  gram_.assign(m * m, 0.0);
  const double* acc_base = acc0;
  for (std::size_t ti = 0; ti < tiles; ++ti) {
    for (std::size_t tj = ti; tj < tiles; ++tj, acc_base += kGramTile * kGramTile * W) {
      for (std::size_t i = 0; i < kGramTile; ++i) {
        for (std::size_t j = 0; j < kGramTile; ++j) {
          const std::size_t gi = ti * kGramTile + i, gj = tj * kGramTile + j;
          if (gi >= m || gj >= m || gj < gi) continue;
          // (gi, gj) with gi <= gj: the same products in the same order as (gj, gi) would give.
          gram_[gi * m + gj] = gram_[gj * m + gi] = S::sum(S::load(acc_base + (i * kGramTile + j) * W));
        }
      }
    }
  }
}

// Smoothed Weiszfeld run in the coefficient space of the rows: z = sum_j c_j r_j, so
// ||z - r_i||^2 = c'Gc - 2(Gc)_i + G_ii costs O(m^2) per iteration after one Gram pass, and the
// vector z is formed once at the end.
template <class T>
void Mixer<T>::gm(std::span<const T* const> rows, std::size_t d, std::span<T> out) {
  const std::size_t m = rows.size();
  gram(rows, d);
  const double inv_m = 1.0 / static_cast<double>(m);
  weights_.assign(m, 0.0);
  dist_.resize(m);
  std::vector<double> coef(m, 0.0), gc(m, 0.0);
  std::vector<char> active(m, 0);
  for (std::size_t i = 0; i < m; ++i) active[i] = std::isfinite(gram_[i * m + i]) ? 1 : 0;
  // z_0 = 0: distances are the norms.
  for (std::size_t i = 0; i < m; ++i) dist_[i] = active[i] ? std::sqrt(std::max(gram_[i * m + i], 0.0)) : 0.0;
  for (int it = 0; it < options_.gm_iters; ++it) {
    double total = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double di = dist_[i];
      weights_[i] = (active[i] && !std::isnan(di)) ? inv_m / std::max(di, options_.gm_nu) : 0.0;
      total += weights_[i];
    }
    for (std::size_t i = 0; i < m; ++i) coef[i] = total > 0 ? weights_[i] / total : 0.0;
    double zz = 0;
    for (std::size_t i = 0; i < m; ++i) {
      double s = 0;
      if (active[i]) {
        for (std::size_t j = 0; j < m; ++j) {
          if (coef[j] != 0.0) s += gram_[i * m + j] * coef[j];
        }
      }
      gc[i] = s;
      if (coef[i] != 0.0) zz += coef[i] * s;
    }
    for (std::size_t i = 0; i < m; ++i) {
      dist_[i] = active[i] ? std::sqrt(std::max(zz - 2 * gc[i] + gram_[i * m + i], 0.0)) : 0.0;
    }
  }
  // out = sum_j coef_j r_j over the rows with nonzero weight, in row order.
  if (std::none_of(coef.begin(), coef.end(), [](double c) { return c != 0.0; })) {
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(d), std::numeric_limits<T>::quiet_NaN());
    return;
  }
  std::vector<std::size_t> used;
  std::vector<T> w;
  for (std::size_t j = 0; j < m; ++j) {
    if (coef[j] != 0.0) used.push_back(j), w.push_back(static_cast<T>(coef[j]));
  }
  T* o = out.data();
  for (std::size_t c0 = 0; c0 < d; c0 += kBlock) {
    const std::size_t c1 = std::min(d, c0 + kBlock);
    for (std::size_t c = c0; c < c1; ++c) o[c] = T(0);
    std::size_t k = 0;
    for (; k + 4 <= used.size(); k += 4) {  // four rows per sweep of the output block
      const T *r0 = rows[used[k]], *r1 = rows[used[k + 1]], *r2 = rows[used[k + 2]], *r3 = rows[used[k + 3]];
      const T w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
      for (std::size_t c = c0; c < c1; ++c) o[c] += (w0 * r0[c] + w1 * r1[c]) + (w2 * r2[c] + w3 * r3[c]);
    }
    for (; k < used.size(); ++k) {
      const T* r = rows[used[k]];
      for (std::size_t c = c0; c < c1; ++c) o[c] += w[k] * r[c];
    }
  }
}

template <class T>
void Mixer<T>::krum(std::span<const T* const> rows, std::size_t d, std::span<T> out, bool multi) {
  const std::size_t m = rows.size();
  const std::size_t k = krum_k(options_, m);
  gram(rows, d);
  std::vector<double> scores(m), row(m - 1);
  for (std::size_t i = 0; i < m; ++i) {
    std::size_t t = 0;
    for (std::size_t j = 0; j < m; ++j) {
      if (j == i) continue;
      double d2 = gram_[i * m + i] + gram_[j * m + j] - 2 * gram_[i * m + j];
      d2 = std::isfinite(d2) ? std::max(d2, 0.0) : std::numeric_limits<double>::infinity();
      row[t++] = options_.krum_squared ? d2 : std::sqrt(d2);
    }
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end());
    double s = 0;
    for (std::size_t q = 0; q < k; ++q) s += row[q];
    scores[i] = sortable(s);
  }
  order_.resize(m);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  const std::size_t take = multi ? m - options_.f : 1;
  selected_.assign(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(take));
  std::sort(selected_.begin(), selected_.end());
  mean_of<T>(rows, selected_, d, out);
}

template <class T>
void Mixer<T>::scc(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out) {
  const std::size_t m = rows.size();
  T* v = out.data();
  std::copy(rows[pivot], rows[pivot] + d, v);
  weights_.resize(m);
  work_.resize(d);
  for (int it = 0; it < options_.scc_iters; ++it) {
    for (std::size_t r = 0; r < m; ++r) {
      const double norm = std::sqrt(squared_distance(rows[r], static_cast<const T*>(v), d));
      // clip(u, tau) = u * min(1, tau / ||u||); a non-finite norm contributes nothing.
      weights_[r] = !std::isfinite(norm) ? 0.0 : (norm > options_.scc_tau ? options_.scc_tau / norm : 1.0);
    }
    std::fill(work_.begin(), work_.end(), T(0));
    for (std::size_t r = 0; r < m; ++r) {
      if (weights_[r] == 0.0) continue;
      const T w = static_cast<T>(weights_[r]);
      const T* x = rows[r];
      for (std::size_t c = 0; c < d; ++c) work_[c] += w * (x[c] - v[c]);
    }
    const T mt = static_cast<T>(m);
    for (std::size_t c = 0; c < d; ++c) v[c] += work_[c] / mt;
  }
}

template class Mixer<float>;
template class Mixer<double>;
template void mean_of<float>(std::span<const float* const>, std::span<const std::size_t>, std::size_t,
                             std::span<float>);
template void mean_of<double>(std::span<const double* const>, std::span<const std::size_t>, std::size_t,
                              std::span<double>);
template double squared_distance<float>(const float*, const float*, std::size_t);
template double squared_distance<double>(const double*, const double*, std::size_t);

}  // namespace paperkit::robust
