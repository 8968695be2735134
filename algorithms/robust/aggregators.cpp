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
// gm's float Gram: coordinates staged per block (m x 256 floats; fewer flushes than 128).
constexpr std::size_t kGramBlockF = 256;
constexpr std::size_t kGramTile = 4;  // rows per side of the Gram register tile (16 accumulators)

std::string num(double x) {
  std::string s = std::to_string(x);
  return s;
}

// n zeros at a 64-byte boundary inside `storage` (so whole-vector loads never split a cache line).
template <class U>
U* zeroed_aligned(std::vector<U>& storage, std::size_t n) {
  storage.assign(n + 64 / sizeof(U), U(0));
  const auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
  return storage.data() + ((64 - addr % 64) % 64) / sizeof(U);
}

// nna: coordinates per block (a row's run between jumps; the block of sums stays in L1), and bytes
// prefetched ahead of each row (its run restarts every block).
template <class T>
constexpr std::size_t kDistBlock = 8192 / sizeof(T);
constexpr std::size_t kDistPrefetch = 2048;

// nna's gate for the subtracted mean (see Mixer::nna): a block's kept-row sum is formed as (sum of
// all rows) - (sum of the excluded rows) only when sum_E ||r_B - p_B|| <= kNnaGate * sum_K ||r_B - p_B||,
// so its rounding stays of the order of the direct sum's.
constexpr double kNnaGate = 1.0;

// Over [0, len) of one block, for R rows at once: dist[r] = sum_c (row_r[c] - pivot[c])^2, and
// sums[c] += sum_r (row_r[c] - pivot[c]) (the R differences added pairwise first, so the sums block is
// loaded and stored once per R rows and rounded fewer times); sums 64-byte aligned; `readable`
// (>= len) elements of each row exist, so prefetches stay inside them. One vector accumulator per
// row (R independent multiply-add chains); lanes are summed in a fixed order, so the result depends
// on len and R alone.
// double: differences and squares in double (the direct formula's rounding).
// float: differences, squares and sums in float, the input's own precision (converting every
// element to double made the pass compute-bound: twice the vector operations). Each difference is
// rounded once (2^-24 relative); each lane accumulates kDistChunk / 16 = 16 squares in float before
// the lanes are added to double. So a block's squared distance is within 20 * 2^-24 < 1.2e-6 relative
// of the exact one, and nna's selection equals the direct double formula's except on relative
// near-ties of that size.
constexpr std::size_t kDistChunk = 256;  // float nna: coordinates per float partial sum (then double)

template <class T, std::size_t R>
void add_distances(const T* const* row, const T* pivot, T* sums, std::size_t len, std::size_t readable, double* dist) {
  using S = detail::Simd<T>;
  using V = typename S::V;
  using D = detail::Simd<double>;
  constexpr std::size_t W = S::lanes;
  constexpr bool kFloat = std::is_same_v<T, float>;
  const auto tree = [](const V* x) {
    if constexpr (R == 1) {
      return x[0];
    } else if constexpr (R == 2) {
      return x[0] + x[1];
    } else {
      static_assert(R == 4);
      return (x[0] + x[1]) + (x[2] + x[3]);
    }
  };
  typename D::V total[R];
  for (std::size_t r = 0; r < R; ++r) total[r] = D::splat(0);
  std::size_t c = 0;
  while (c + W <= len) {
    const std::size_t end = kFloat ? std::min(len, c + kDistChunk) : len;
    V acc[R];
    for (std::size_t r = 0; r < R; ++r) acc[r] = S::splat(0);
    for (; c + W <= end; c += W) {
      if (c + kDistPrefetch / sizeof(T) < readable) {
        for (std::size_t r = 0; r < R; ++r) __builtin_prefetch(row[r] + c + kDistPrefetch / sizeof(T), 0, 2);
      }
      const V p = S::load(pivot + c);
      V x[R];
      for (std::size_t r = 0; r < R; ++r) {
        x[r] = S::load(row[r] + c) - p;
        acc[r] += x[r] * x[r];
      }
      S::store(sums + c, S::load(sums + c) + tree(x));
    }
    for (std::size_t r = 0; r < R; ++r) {
      if constexpr (kFloat) {  // 16 float lanes into 8 double lanes: low half, then high half
        alignas(64) float lanes[W];
        S::store(lanes, acc[r]);
        total[r] += detail::widen8(lanes) + detail::widen8(lanes + W / 2);
      } else {
        total[r] += acc[r];
      }
    }
  }
  for (std::size_t r = 0; r < R; ++r) dist[r] = D::sum(total[r]);
  for (; c < len; ++c) {
    T x[R];
    for (std::size_t r = 0; r < R; ++r) {
      x[r] = row[r][c] - pivot[c];
      dist[r] += static_cast<double>(x[r]) * static_cast<double>(x[r]);
    }
    if constexpr (R == 1) {
      sums[c] += x[0];
    } else if constexpr (R == 2) {
      sums[c] += x[0] + x[1];
    } else {
      sums[c] += (x[0] + x[1]) + (x[2] + x[3]);
    }
  }
}

using GramSimd = detail::Simd<double, 32>;  // FMA-bound: 32-byte vectors (see detail/simd.hpp)

// One register tile of the Gram matrix: rows a[0..RI) x b[0..RJ), each read from a[i] + off, `vecs`
// vectors long, added to the tile's vector partial sums at acc (kGramTile x kGramTile vectors). The
// rows are either the input rows themselves (double input, whole blocks) or a staged block. RI, RJ <
// kGramTile only for the last, partial tile, so no padded row costs multiply-adds. One prefetch per
// step while the list lasts: entry pf of the list plus `shift` bytes (the list holds the lines of one
// block relative to its start, so it is built once per Gram matrix). A diagonal tile (Upper: b == a)
// computes only its pairs j >= i (10 of 16 in a full tile); the others are never read (the assembly
// takes (gi, gj) with gi <= gj).
template <std::size_t RI, std::size_t RJ, bool Upper = false>
void gram_tile(const double* const* a, const double* const* b, std::size_t off, std::size_t vecs, double* acc_base,
               const void* const* prefetch, std::size_t prefetch_count, std::ptrdiff_t shift, std::size_t& pf_io) {
  using S = GramSimd;
  using V = S::V;
  constexpr std::size_t W = S::lanes;
  V acc[RI][RJ];
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = Upper ? i : 0; j < RJ; ++j) acc[i][j] = S::load(acc_base + (i * kGramTile + j) * W);
  }
  const double* ap[RI];
  const double* bp[RJ];
  for (std::size_t i = 0; i < RI; ++i) ap[i] = a[i] + off;
  for (std::size_t j = 0; j < RJ; ++j) bp[j] = b[j] + off;
  std::size_t pf = pf_io;  // a local copy: through the reference it was stored to memory every step
  for (std::size_t q = 0; q < vecs; ++q) {
    if (pf < prefetch_count) __builtin_prefetch(static_cast<const char*>(prefetch[pf++]) + shift, 0, 2);
    V x[RI], y[RJ];
    for (std::size_t i = 0; i < RI; ++i) x[i] = S::load(ap[i] + q * W);
    for (std::size_t j = 0; j < RJ; ++j) y[j] = Upper ? x[j] : S::load(bp[j] + q * W);
    for (std::size_t i = 0; i < RI; ++i) {
      for (std::size_t j = Upper ? i : 0; j < RJ; ++j) acc[i][j] += x[i] * y[j];
    }
  }
  pf_io = pf;
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = Upper ? i : 0; j < RJ; ++j) S::store(acc_base + (i * kGramTile + j) * W, acc[i][j]);
  }
}

using GramTileFn = void (*)(const double* const*, const double* const*, std::size_t, std::size_t, double*,
                            const void* const*, std::size_t, std::ptrdiff_t, std::size_t&);
template <std::size_t... K>
constexpr std::array<GramTileFn, sizeof...(K)> gram_tile_table(std::index_sequence<K...>) {
  return {&gram_tile<K / kGramTile + 1, K % kGramTile + 1>...};
}
constexpr auto gram_tile_kernels = gram_tile_table(std::make_index_sequence<kGramTile * kGramTile>{});
template <std::size_t... K>
constexpr std::array<GramTileFn, sizeof...(K)> gram_tile_upper_table(std::index_sequence<K...>) {
  return {&gram_tile<K + 1, K + 1, true>...};
}
constexpr auto gram_tile_upper_kernels = gram_tile_upper_table(std::make_index_sequence<kGramTile>{});

// gm's float Gram tile (Mixer<float>::gram_float): as gram_tile (diagonal tiles upper only), on a staged block of
// floats with float products accumulated in float registers (kGramBlockF / 8 = 32 per lane), then added once per block
// to the pair's double partial sums (4 lanes each) at acc_base. 8 multiply-adds per 32-byte instruction instead of 4.
using GramSimdF = detail::Simd<float, 32>;
template <std::size_t RI, std::size_t RJ, bool Upper = false>
void gram_tile_float(const float* a, const float* b, std::size_t vecs, double* acc_base, const void* const* prefetch,
                     std::size_t prefetch_count, std::size_t& pf) {
  using S = GramSimdF;
  using V = S::V;
  constexpr std::size_t W = S::lanes;
  V acc[RI][RJ];
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = Upper ? i : 0; j < RJ; ++j) acc[i][j] = S::splat(0);
  }
  for (std::size_t q = 0; q < vecs; ++q) {
    if (pf < prefetch_count) __builtin_prefetch(prefetch[pf++]);
    V x[RI], y[RJ];
    for (std::size_t i = 0; i < RI; ++i) x[i] = S::load(a + i * kGramBlockF + q * W);
    for (std::size_t j = 0; j < RJ; ++j) y[j] = Upper ? x[j] : S::load(b + j * kGramBlockF + q * W);
    for (std::size_t i = 0; i < RI; ++i) {
      for (std::size_t j = Upper ? i : 0; j < RJ; ++j) acc[i][j] += x[i] * y[j];
    }
  }
  // Flush: the two 4-lane halves added in float, widened, added to the pair's 4 double lanes (so the
  // partial sums take 32 bytes per pair and stay in L1 beside the staged block).
  using D = GramSimd;
  using H [[gnu::vector_size(16)]] = float;
  for (std::size_t i = 0; i < RI; ++i) {
    for (std::size_t j = Upper ? i : 0; j < RJ; ++j) {
      const V v = acc[i][j];
      const H half = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
      double* dst = acc_base + (i * kGramTile + j) * D::lanes;
      D::store(dst, D::load(dst) + __builtin_convertvector(half, D::V));
    }
  }
}

using GramTileFloatFn = void (*)(const float*, const float*, std::size_t, double*, const void* const*, std::size_t,
                                 std::size_t&);
template <std::size_t... K>
constexpr std::array<GramTileFloatFn, sizeof...(K)> gram_tile_float_table(std::index_sequence<K...>) {
  return {&gram_tile_float<K / kGramTile + 1, K % kGramTile + 1>...};
}
constexpr auto gram_tile_float_kernels = gram_tile_float_table(std::make_index_sequence<kGramTile * kGramTile>{});
template <std::size_t... K>
constexpr std::array<GramTileFloatFn, sizeof...(K)> gram_tile_float_upper_table(std::index_sequence<K...>) {
  return {&gram_tile_float<K + 1, K + 1, true>...};
}
constexpr auto gram_tile_float_upper_kernels = gram_tile_float_upper_table(std::make_index_sequence<kGramTile>{});

// gm's float path (Mixer<float>::gm): bound on the relative error of one entry of the float Gram
// matrix of the base-relative rows, |G^ij - G_ij| <= kGramFloatEps * ||v_i|| ||v_j||: each difference
// from the base row rounded once (2 u in a product), 32 float multiply-adds per lane and block
// (32 u), the flush (one float addition, 1 u) and the double sums (< 1 u); u = 2^-24. And the
// largest admitted error of a squared distance as a fraction of max(dist^2, nu^2), above which gm
// falls back to the double Gram.
constexpr double kGramFloatEps = 36.0 / 16777216.0;
constexpr double kGramFloatTol = 1.0 / 8192.0;

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

// mean_of over the coordinates [c0, c1) (each coordinate's arithmetic is independent of the range).
template <class T>
void mean_of_range(std::span<const T* const> rows, std::span<const std::size_t> which, std::size_t c0, std::size_t c1,
                   T* o) {
  const T count = static_cast<T>(which.size());
  // mean = r_0 + (sum_s (r_s - r_0)) / k: identical inputs give r_0 exactly (consensus is a
  // fixed point, spec §6), which a plain sum / k does not guarantee (3 * 0.1 / 3 != 0.1).
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

template <class T>
void mean_of(std::span<const T* const> rows, std::span<const std::size_t> which, std::size_t d, std::span<T> out) {
  for (std::size_t c0 = 0; c0 < d; c0 += kBlock)
    mean_of_range<T>(rows, which, c0, std::min(d, c0 + kBlock), out.data());
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

// NNA in about 1.3 passes over the input instead of 2. Pass 1, blocked over coordinates: the rows
// stream past the pivot's block four at a time (add_distances), giving each row's squared distance
// per block (partial_) and adding their differences from the pivot to the block's sum over all rows
// (sums_, in T). After the
// sort, the kept rows' sum in a block is sums_ minus the f excluded rows' differences, so only those
// f rows are read again. That subtraction is used only where it is safe: in block B, with
// N_r = ||r_B - p_B|| (from partial_), only when sum_{r in E} N_r <= kNnaGate * sum_{r in K} N_r
// (K kept, E excluded); elsewhere (a Byzantine row huge, Inf or NaN in that block, or the kept rows
// equal to the pivot there, as in a consensus) the block is summed directly from the kept rows by
// mean_of_range, exactly as mean_of would.
// Error of the subtracted path at coordinate c of block B, mu_c the exact mean of the k kept rows,
// u the unit roundoff of T: m - 1 rounded differences, m - 2 additions into the sums, f - 1 for the
// excluded rows' sum, one subtraction, one division by k and one addition give, to first order,
//   |out_c - mu_c| <= u |mu_c| + (m + f + 4) u (sum_K |r_c - p_c| + 2 sum_E |r_c - p_c|) / k
//                  <= u |mu_c| + (m + f + 4) (1 + 2 kNnaGate) u max_{r in K} N_r,
// i.e. relative to the kept rows' spread around the pivot in that block, never to the Byzantine
// magnitudes; the direct sum's bound is u |mu_c| + (k + 2) u sum_K |r_c - r_first,c| / k, of the
// same order (tests/robust/kernel_test.cpp checks the bound on adversarial inputs). Every
// summation order is fixed by m, d and the selection alone.
template <class T>
void Mixer<T>::nna(std::span<const T* const> rows, std::size_t d, std::size_t pivot, std::span<T> out) {
  const std::size_t m = rows.size();
  const std::size_t keep = m - options_.f;
  if (keep == m) {  // f = 0: every row is kept; the mean of all of them, bitwise the average rule
    selected_.resize(m);
    std::iota(selected_.begin(), selected_.end(), std::size_t{0});
    mean_of<T>(rows, selected_, d, out);
    return;
  }
  constexpr std::size_t kB = kDistBlock<T>;
  const std::size_t blocks = (d + kB - 1) / kB;
  const T* p = rows[pivot];
  partial_.assign(blocks * m, 0.0);
  sums_.resize(d);
  T* const acc = zeroed_aligned(nna_block_, kB);
  // The rows other than the pivot, four at a time in index order (then the remainder one by one):
  // a fixed grouping, so the rounding is fixed by m and the pivot.
  order_.clear();
  for (std::size_t r = 0; r < m; ++r) {
    if (r != pivot) order_.push_back(r);
  }
  const std::size_t grouped = order_.size() / 4 * 4;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t c0 = b * kB, len = std::min(kB, d - c0);
    std::fill(acc, acc + len, T(0));
    double part[4];
    for (std::size_t g = 0; g < order_.size(); g += (g < grouped ? 4 : 1)) {
      const T* group[4];
      const std::size_t size = g < grouped ? 4 : 1;
      for (std::size_t q = 0; q < size; ++q) group[q] = rows[order_[g + q]] + c0;
      if (size == 4) {
        add_distances<T, 4>(group, p + c0, acc, len, d - c0, part);
      } else {
        add_distances<T, 1>(group, p + c0, acc, len, d - c0, part);
      }
      for (std::size_t q = 0; q < size; ++q) partial_[b * m + order_[g + q]] = part[q];
    }
    std::copy(acc, acc + len, sums_.begin() + static_cast<std::ptrdiff_t>(c0));
  }
  dist_.assign(m, 0.0);
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t r = 0; r < m; ++r) dist_[r] += partial_[b * m + r];
  }
  for (std::size_t r = 0; r < m; ++r) dist_[r] = sortable(dist_[r]);
  order_.resize(m);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return dist_[a] < dist_[b]; });
  selected_.assign(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(keep));
  std::sort(selected_.begin(), selected_.end());  // sum in the order of R, like average
  excluded_.assign(order_.begin() + static_cast<std::ptrdiff_t>(keep), order_.end());
  std::sort(excluded_.begin(), excluded_.end());
  const T count = static_cast<T>(keep);
  T* const o = out.data();
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t c0 = b * kB, c1 = std::min(d, c0 + kB);
    double kept = 0, dropped = 0;
    for (std::size_t r : selected_) kept += std::sqrt(partial_[b * m + r]);
    for (std::size_t r : excluded_) dropped += std::sqrt(partial_[b * m + r]);
    if (!(std::isfinite(kept) && dropped <= kNnaGate * kept)) {  // NaN fails too
      mean_of_range<T>(rows, selected_, c0, c1, o);
      continue;
    }
    // The excluded rows' differences summed first (smaller than the total, so rounded at a smaller
    // magnitude), subtracted once; then divided (correctly rounded, unlike a product by 1/k).
    const T* const t = sums_.data() + c0;
    T* const e = acc;
    std::fill(e, e + (c1 - c0), T(0));
    for (std::size_t r : excluded_) {
      if (r == pivot) continue;  // its difference is zero
      const T* x = rows[r] + c0;
      const T* q = p + c0;
      for (std::size_t c = 0; c < c1 - c0; ++c) e[c] += x[c] - q[c];
    }
    for (std::size_t c = 0; c < c1 - c0; ++c) o[c0 + c] = p[c0 + c] + (t[c] - e[c]) / count;
  }
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
  if (shared_ && shared_->lookup(rows, gram_)) return;
  using S = GramSimd;
  constexpr std::size_t W = S::lanes;
  const std::size_t m = rows.size();
  const std::size_t tiles = (m + kGramTile - 1) / kGramTile;
  const std::size_t mp = tiles * kGramTile;
  const std::size_t pairs = tiles * (tiles + 1) / 2;
  double* const acc0 = zeroed_aligned(gram_acc_, pairs * kGramTile * kGramTile * W);
  double* const block = zeroed_aligned(block_, mp * kGramBlock);  // padded rows stay zero
  // Row pointers the tiles read: the input rows themselves for whole blocks of double input (a staged
  // copy would only be the same values, and the copy cost a third of Krum's time), the staged block
  // otherwise (float input, converted once per block; the zero-padded tail block).
  std::vector<const double*> direct(m), staged(m);
  for (std::size_t r = 0; r < m; ++r) {
    if constexpr (std::is_same_v<T, double>) direct[r] = rows[r];
    staged[r] = block + r * kGramBlock;
  }
  // Prefetch list: every cache line of one block, line-major (all rows' first lines, then their
  // second lines, ...), relative to the block start, so the lines of a shorter last block are a
  // prefix. One entry per kernel step, so the next block's memory latency hides behind this block's
  // multiply-adds (the kernel alone is compute-bound).
  constexpr std::size_t kLine = 64 / sizeof(T);
  prefetch_.clear();
  for (std::size_t c = 0; c < std::min(d, kGramBlock); c += kLine) {  // a next block starts before d - kGramBlock
    for (std::size_t r = 0; r < m; ++r) prefetch_.push_back(rows[r] + c);
  }
  for (std::size_t c0 = 0; c0 < d; c0 += kGramBlock) {
    const std::size_t len = std::min(d - c0, kGramBlock);
    const bool whole_double_block = std::is_same_v<T, double> && len == kGramBlock;
    if (!whole_double_block) {
      for (std::size_t r = 0; r < m; ++r) {
        double* b = block + r * kGramBlock;
        const T* src = rows[r] + c0;
        for (std::size_t c = 0; c < len; ++c) b[c] = static_cast<double>(src[c]);
        for (std::size_t c = len; c < kGramBlock; ++c) b[c] = 0.0;
      }
    }
    const double* const* src = whole_double_block ? direct.data() : staged.data();
    const std::size_t off = whole_double_block ? c0 : 0;
    const std::size_t vecs = (len + W - 1) / W;  // the zero tail of the last block adds nothing
    const std::size_t next = c0 + kGramBlock < d ? std::min(d - c0 - kGramBlock, kGramBlock) : 0;
    const std::size_t prefetch_count = (next + kLine - 1) / kLine * m;
    const auto shift = static_cast<std::ptrdiff_t>((c0 + kGramBlock) * sizeof(T));
    std::size_t pf = 0;
    double* acc_base = acc0;
    for (std::size_t ti = 0; ti < tiles; ++ti) {
      for (std::size_t tj = ti; tj < tiles; ++tj, acc_base += kGramTile * kGramTile * W) {
        const std::size_t ri = std::min(kGramTile, m - ti * kGramTile), rj = std::min(kGramTile, m - tj * kGramTile);
        const auto kernel =
            ti == tj ? gram_tile_upper_kernels[ri - 1] : gram_tile_kernels[(ri - 1) * kGramTile + (rj - 1)];
        kernel(src + ti * kGramTile, src + tj * kGramTile, off, vecs, acc_base, prefetch_.data(), prefetch_count, shift,
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

// gm's float Gram matrix: the Gram matrix of v_0 = r_0 and v_i = r_i - r_0 (i >= 1, rounded to
// float), so distances between rows come from differences of the size of the rows' spread, not of
// their norms (models in training sit close together far from 0, where ||a||^2 + ||b||^2 - 2<a,b>
// in float products would cancel to noise). Blocks of kGramBlockF coordinates staged as floats, float
// register tiles (gram_tile_float) flushed to double partial sums once per block; error per entry
// at most kGramFloatEps ||v_i|| ||v_j||.
template <class T>
void Mixer<T>::gram_float(std::span<const T* const> rows, std::size_t d) {
  if constexpr (std::is_same_v<T, float>) {
    constexpr std::size_t W = GramSimdF::lanes;  // floats per step
    constexpr std::size_t WA = GramSimd::lanes;  // double partial sums per pair
    const std::size_t m = rows.size();
    const std::size_t tiles = (m + kGramTile - 1) / kGramTile;
    const std::size_t mp = tiles * kGramTile;
    const std::size_t pairs = tiles * (tiles + 1) / 2;
    double* const acc0 = zeroed_aligned(gram_acc_, pairs * kGramTile * kGramTile * WA);
    float* const block = zeroed_aligned(work_, mp * kGramBlockF);  // padded rows stay zero
    constexpr std::size_t kLine = 64 / sizeof(float);
    for (std::size_t c0 = 0; c0 < d; c0 += kGramBlockF) {
      const std::size_t len = std::min(d - c0, kGramBlockF);
      const float* base = rows[0] + c0;
      std::copy(base, base + len, block);
      std::fill(block + len, block + kGramBlockF, 0.0f);
      for (std::size_t r = 1; r < m; ++r) {
        float* v = block + r * kGramBlockF;
        const float* src = rows[r] + c0;
        for (std::size_t c = 0; c < len; ++c) v[c] = src[c] - base[c];
        std::fill(v + len, v + kGramBlockF, 0.0f);
      }
      const std::size_t vecs = (len + W - 1) / W;
      // Prefetch the next block of every row, one cache line per kernel step (see gram).
      std::size_t count = 0;
      if (c0 + kGramBlockF < d) {
        const std::size_t next = std::min(d - c0 - kGramBlockF, kGramBlockF);
        const std::size_t lines = (next + kLine - 1) / kLine;
        prefetch_.resize(m * lines);
        const void** list = prefetch_.data();
        for (std::size_t r = 0; r < m; ++r) {
          for (std::size_t l = 0; l < lines; ++l) list[count++] = rows[r] + c0 + kGramBlockF + l * kLine;
        }
      }
      std::size_t pf = 0;
      double* acc_base = acc0;
      for (std::size_t ti = 0; ti < tiles; ++ti) {
        const float* a = block + ti * kGramTile * kGramBlockF;
        for (std::size_t tj = ti; tj < tiles; ++tj, acc_base += kGramTile * kGramTile * WA) {
          const float* b = block + tj * kGramTile * kGramBlockF;
          const std::size_t ri = std::min(kGramTile, m - ti * kGramTile), rj = std::min(kGramTile, m - tj * kGramTile);
          const auto kernel = ti == tj ? gram_tile_float_upper_kernels[ri - 1]
                                       : gram_tile_float_kernels[(ri - 1) * kGramTile + (rj - 1)];
          kernel(a, b, vecs, acc_base, prefetch_.data(), count, pf);
        }
      }
    }
    gram_.assign(m * m, 0.0);
    const double* acc_base = acc0;
    for (std::size_t ti = 0; ti < tiles; ++ti) {
      for (std::size_t tj = ti; tj < tiles; ++tj, acc_base += kGramTile * kGramTile * WA) {
        for (std::size_t i = 0; i < kGramTile; ++i) {
          for (std::size_t j = 0; j < kGramTile; ++j) {
            const std::size_t gi = ti * kGramTile + i, gj = tj * kGramTile + j;
            if (gi >= m || gj >= m || gj < gi) continue;
            gram_[gi * m + gj] = gram_[gj * m + gi] =
                GramSimd::sum(GramSimd::load(acc_base + (i * kGramTile + j) * WA));
          }
        }
      }
    }
  } else {
    (void)rows;
    (void)d;
  }
}

// Smoothed Weiszfeld run in the coefficient space of the rows: z = sum_j c_j r_j (sum_j c_j = 1), so
// with g the Gram matrix of the rows taken relative to any fixed point q (g_ij = <r_i - q, r_j - q>),
// ||z - r_i||^2 = c'gc - 2(gc)_i + g_ii costs O(m^2) per iteration after one Gram pass, and the
// vector z is formed once at the end. norm2_i = ||r_i||^2 (the distances from z_0 = 0); a row is
// active when norm2_i is finite. With eps > 0 (g and norm2 carry errors up to eps * s_i * s_j,
// s_i = sqrt(g_ii), plus the base row's norm for norm2), returns false as soon as a squared
// distance's error bound exceeds kGramFloatTol * max(dist^2, nu^2); coef_ then holds the weights.
template <class T>
bool Mixer<T>::weiszfeld(const std::vector<double>& g, const std::vector<double>& norm2, double base_norm, double eps) {
  const std::size_t m = norm2.size();
  const double inv_m = 1.0 / static_cast<double>(m);
  const double nu2 = options_.gm_nu * options_.gm_nu;
  weights_.assign(m, 0.0);
  dist_.resize(m);
  coef_.assign(m, 0.0);
  std::vector<double> gc(m, 0.0), root(m, 0.0);
  std::vector<char> active(m, 0);
  for (std::size_t i = 0; i < m; ++i) active[i] = std::isfinite(norm2[i]) ? 1 : 0;
  for (std::size_t i = 0; i < m; ++i) root[i] = active[i] ? std::sqrt(std::max(g[i * m + i], 0.0)) : 0.0;
  // z_0 = 0: distances are the norms.
  for (std::size_t i = 0; i < m; ++i) {
    dist_[i] = active[i] ? std::sqrt(std::max(norm2[i], 0.0)) : 0.0;
    const double e = eps * (base_norm + root[i]) * (base_norm + root[i]);
    if (eps > 0 && active[i] && !(e <= kGramFloatTol * std::max(dist_[i] * dist_[i], nu2))) return false;
  }
  for (int it = 0; it < options_.gm_iters; ++it) {
    double total = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double di = dist_[i];
      weights_[i] = (active[i] && !std::isnan(di)) ? inv_m / std::max(di, options_.gm_nu) : 0.0;
      total += weights_[i];
    }
    double spread = 0;  // sum_j c_j s_j, for the error bound
    for (std::size_t i = 0; i < m; ++i) {
      coef_[i] = total > 0 ? weights_[i] / total : 0.0;
      spread += coef_[i] * root[i];
    }
    double zz = 0;
    for (std::size_t i = 0; i < m; ++i) {
      double s = 0;
      if (active[i]) {
        for (std::size_t j = 0; j < m; ++j) {
          if (coef_[j] != 0.0) s += g[i * m + j] * coef_[j];
        }
      }
      gc[i] = s;
      if (coef_[i] != 0.0) zz += coef_[i] * s;
    }
    for (std::size_t i = 0; i < m; ++i) {
      const double d2 = zz - 2 * gc[i] + g[i * m + i];
      dist_[i] = active[i] ? std::sqrt(std::max(d2, 0.0)) : 0.0;
      const double e = eps * (spread + root[i]) * (spread + root[i]);
      if (eps > 0 && active[i] && !(e <= kGramFloatTol * std::max(d2, nu2))) return false;
    }
  }
  return true;
}

// gm: float input first tries the float Gram of the base-relative rows (twice the multiply-adds per
// instruction); it falls back to the double Gram when any row has a non-finite or overflowing
// entry there (so non-finite input is handled exactly as in double) or when the error bound of a
// distance exceeds kGramFloatTol of it (e.g. a far outlier in row 0, the base). Double input, and
// the fallback, use the double Gram of the rows themselves.
template <class T>
void Mixer<T>::gm(std::span<const T* const> rows, std::size_t d, std::span<T> out) {
  const std::size_t m = rows.size();
  bool done = false;
  if constexpr (std::is_same_v<T, float>) {
    gram_float(rows, d);
    bool finite = true;
    for (double v : gram_) finite = finite && std::isfinite(v);
    if (finite) {
      // v_0 = r_0, v_i = r_i - r_0: relative Gram g (row and column 0 zero), ||r_i||^2 from gram_.
      std::vector<double> g(m * m, 0.0), norm2(m);
      for (std::size_t i = 1; i < m; ++i) {
        for (std::size_t j = 1; j < m; ++j) g[i * m + j] = gram_[i * m + j];
      }
      norm2[0] = gram_[0];
      for (std::size_t i = 1; i < m; ++i) norm2[i] = gram_[0] + 2 * gram_[i] + gram_[i * m + i];
      done = weiszfeld(g, norm2, std::sqrt(gram_[0]), kGramFloatEps);
    }
  }
  if (!done) {
    gram(rows, d);
    std::vector<double> norm2(m);
    for (std::size_t i = 0; i < m; ++i) norm2[i] = gram_[i * m + i];
    weiszfeld(gram_, norm2, 0.0, 0.0);
  }
  const std::vector<double>& coef = coef_;
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

template <class T>
void SharedGram<T>::compute(std::span<const T* const> rows, std::size_t d) {
  rows_.assign(rows.begin(), rows.end());
  mixer_.gram(rows, d);
  gram_ = mixer_.gram_;
}

template <class T>
bool SharedGram<T>::lookup(std::span<const T* const> rows, std::vector<double>& out) const {
  const std::size_t m = rows.size(), n = rows_.size();
  at_.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    const auto it = std::find(rows_.begin(), rows_.end(), rows[i]);
    if (it == rows_.end()) return false;
    at_[i] = static_cast<std::size_t>(it - rows_.begin());
  }
  out.resize(m * m);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) out[i * m + j] = gram_[at_[i] * n + at_[j]];
  }
  return true;
}

template class Mixer<float>;
template class Mixer<double>;
template class SharedGram<float>;
template class SharedGram<double>;
template void mean_of<float>(std::span<const float* const>, std::span<const std::size_t>, std::size_t,
                             std::span<float>);
template void mean_of<double>(std::span<const double* const>, std::span<const std::size_t>, std::size_t,
                              std::span<double>);
template double squared_distance<float>(const float*, const float*, std::size_t);
template double squared_distance<double>(const double*, const double*, std::size_t);

}  // namespace paperkit::robust
