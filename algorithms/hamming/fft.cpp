// A3 `fft`: one correlation per distinct pattern symbol, by double-precision FFT in blocks.
// Also the shared pieces of correlation.hpp: the symbol table, the block geometry, the FFT
// correlation engine (used by abrahamson and hybrid for their heavy symbols) and the guard.
//
// Two symbols per complex transform. For symbols a, b let t_a, t_b be their text indicators
// in a block and p_a, p_b their reversed pattern indicators. With u = t_a + i t_b and
// v = p_a - i p_b (all real 0/1 signals),
//   u (*) v = (t_a (*) p_a + t_b (*) p_b) + i (t_b (*) p_a - t_a (*) p_b),
// so the real part of one complex circular convolution is exactly the two symbols' match
// counts. Per block: one complex FFT per pair of symbols, a pointwise multiply-add with the
// precomputed spectrum V = FFT(v) / L, and at the end one real inverse FFT of the Hermitian
// part (A[f] + conj A[-f]) / 2 of the accumulated spectrum, which is the transform of that
// real part. An odd symbol out is handled by a real FFT and added to the Hermitian part.
#define PAPERKIT_HAMMING_INTERNAL
#include <fftw3.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include "paperkit/common/errors.hpp"
#include "paperkit/hamming/detail/correlation.hpp"
#include "paperkit/hamming/detail/kernels.hpp"

namespace paperkit::hamming::detail {
namespace {

// --- symbol lookup ---------------------------------------------------------------------

// Maps a 32-bit symbol to its id among the pattern's distinct symbols: a direct table when the
// largest pattern symbol is small (bytes, small alphabets), else open addressing.
class SymbolIndex {
 public:
  explicit SymbolIndex(const std::vector<Symbol>& distinct) : none_(static_cast<SymbolId>(distinct.size())) {
    if (distinct.empty() || distinct.back() < kDirectLimit) {
      direct_.assign(distinct.empty() ? 0 : std::size_t{distinct.back()} + 1, none_);
      for (std::size_t c = 0; c < distinct.size(); ++c) direct_[distinct[c]] = static_cast<SymbolId>(c);
      return;
    }
    const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * distinct.size()));
    shift_ = 64 - std::countr_zero(capacity);
    keys_.assign(capacity, 0);
    ids_.assign(capacity, none_);
    for (std::size_t c = 0; c < distinct.size(); ++c) {
      std::size_t h = slot(distinct[c]);
      while (ids_[h] != none_) h = (h + 1) & (capacity - 1);
      keys_[h] = distinct[c];
      ids_[h] = static_cast<SymbolId>(c);
    }
  }

  SymbolId operator()(Symbol s) const {
    if (!keys_.empty()) {
      for (std::size_t h = slot(s);; h = (h + 1) & (keys_.size() - 1)) {
        if (ids_[h] == none_ || keys_[h] == s) return ids_[h];
      }
    }
    return s < direct_.size() ? direct_[s] : none_;
  }

 private:
  static constexpr Symbol kDirectLimit = 1u << 20;  // a table of at most 4 MiB
  std::size_t slot(Symbol s) const { return static_cast<std::size_t>((s * 0x9E3779B97F4A7C15ULL) >> shift_); }

  SymbolId none_;
  std::vector<SymbolId> direct_;
  std::vector<Symbol> keys_;
  std::vector<SymbolId> ids_;
  int shift_ = 0;
};

// --- FFTW plans and buffers ------------------------------------------------------------

// Plans for one length L. FFTW's planner is not thread-safe, so plans are made once per L under
// a mutex and then shared: the new-array execute functions may run one plan from many threads
// on different arrays of the same alignment (fftw_malloc'ed here and at planning). FFTW_ESTIMATE
// keeps planning in milliseconds and deterministic; FFTW_MEASURE took 1.5-20 s at the lengths
// used here on the development machine, more than it would save.
struct Plans {
  fftw_plan forward_complex;  // L complex -> L complex, out of place
  fftw_plan forward_real;     // L real -> L/2+1 complex
  fftw_plan inverse_real;     // L/2+1 complex -> L real (destroys its input)
};

class FftwArray {
 public:
  explicit FftwArray(std::size_t doubles) : data_(fftw_alloc_real(doubles)) {
    if (data_ == nullptr) throw std::bad_alloc();
  }
  FftwArray(const FftwArray&) = delete;
  FftwArray& operator=(const FftwArray&) = delete;
  FftwArray(FftwArray&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
  FftwArray& operator=(FftwArray&&) = delete;
  ~FftwArray() { fftw_free(data_); }
  double* get() const { return data_; }
  fftw_complex* complex() const { return reinterpret_cast<fftw_complex*>(data_); }

 private:
  double* data_;
};

const Plans& plans_for(std::size_t length) {
  static std::mutex mutex;
  // Never destroyed (nor erased): references stay valid for every caller, even during exit.
  static auto& cache = *new std::map<std::size_t, Plans>;
  const std::lock_guard lock(mutex);
  if (auto it = cache.find(length); it != cache.end()) return it->second;
  const int len = static_cast<int>(length);
  FftwArray a(2 * length), b(2 * length);
  Plans p{};
  p.forward_complex = fftw_plan_dft_1d(len, a.complex(), b.complex(), FFTW_FORWARD, FFTW_ESTIMATE);
  p.forward_real = fftw_plan_dft_r2c_1d(len, a.get(), b.complex(), FFTW_ESTIMATE);
  p.inverse_real = fftw_plan_dft_c2r_1d(len, b.complex(), a.get(), FFTW_ESTIMATE);
  if (!p.forward_complex || !p.forward_real || !p.inverse_real) {
    throw InternalError("hamming fft: FFTW could not plan length " + std::to_string(length));
  }
  return cache.emplace(length, p).first->second;
}

// Per-thread work arrays, allocated before the parallel region so that no allocation (and no
// exception) happens inside it.
struct Workspace {
  FftwArray signal;       // a pair's complex signal, 2L doubles
  FftwArray transformed;  // its spectrum, or a real signal's half spectrum, 2L doubles
  FftwArray spectrum;     // the accumulated spectrum, 2L doubles
  FftwArray real;         // a real signal, then the inverse transform, L doubles
  explicit Workspace(std::size_t length)
      : signal(2 * length), transformed(2 * length), spectrum(2 * length), real(length) {}
};

std::vector<Workspace> make_workspaces(std::size_t length, int threads) {
  std::vector<Workspace> w;
  w.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) w.emplace_back(length);
  return w;
}

// The spectra of one group of symbols: pairs (ids[2q], ids[2q+1]) as V = FFT(p_a - i p_b) / L
// (L complex values each) and symbols handled alone as FFT_real(p_c) / L (L/2+1 values each).
struct GroupSpectra {
  SymbolId implied;                    // see add_fft_matches; none() when not used
  std::vector<SymbolId> pairs;         // 2 ids per pair
  std::vector<SymbolId> singles;       // the odd symbol out, if any
  std::vector<double> pair_spectra;    // 2L doubles per pair
  std::vector<double> single_spectra;  // 2(L/2+1) doubles per single
};

// The reversed pattern signal of id c, p[j] = [P[m-1-j] = c] - [P[m-1-j] = implied], times
// `value`, written to out[j * stride] (stride 2 puts it in the real or imaginary lanes of a
// complex array).
void fill_pattern(const SymbolTable& t, SymbolId c, SymbolId implied, double* out, std::size_t stride, double value) {
  const std::size_t m = t.m();
  for (std::size_t j = 0; j < m; ++j) {
    const SymbolId id = t.pattern_ids[m - 1 - j];
    if (id == c) out[j * stride] = value;
    if (id == implied) out[j * stride] = -value;
  }
}

void compute_spectra(const SymbolTable& t, std::size_t length, const Plans& plans, std::vector<Workspace>& ws,
                     int threads, GroupSpectra& g) {
  const std::size_t pairs = g.pairs.size() / 2, singles = g.singles.size(), half = length / 2 + 1;
  const double scale = 1.0 / static_cast<double>(length);  // FFTW's inverse is unnormalized
  g.pair_spectra.assign(pairs * 2 * length, 0.0);
  g.single_spectra.assign(singles * 2 * half, 0.0);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (std::int64_t qi = 0; qi < static_cast<std::int64_t>(pairs + singles); ++qi) {
    const auto q = static_cast<std::size_t>(qi);
    Workspace& w = ws[static_cast<std::size_t>(omp_get_thread_num())];
    if (q < pairs) {
      double* v = w.signal.get();
      std::fill(v, v + 2 * length, 0.0);
      fill_pattern(t, g.pairs[2 * q], g.implied, v, 2, scale);           // real part: p_a
      fill_pattern(t, g.pairs[2 * q + 1], g.implied, v + 1, 2, -scale);  // imaginary part: -p_b
      fftw_execute_dft(plans.forward_complex, w.signal.complex(), w.transformed.complex());
      std::copy_n(w.transformed.get(), 2 * length, g.pair_spectra.data() + 2 * length * q);
    } else {
      double* r = w.real.get();
      std::fill(r, r + length, 0.0);
      fill_pattern(t, g.singles[q - pairs], g.implied, r, 1, scale);
      fftw_execute_dft_r2c(plans.forward_real, r, w.transformed.complex());
      std::copy_n(w.transformed.get(), 2 * half, g.single_spectra.data() + 2 * half * (q - pairs));
    }
  }
}

// acc = x * y (assign) or acc += x * y over `bins` interleaved complex values, written out so
// that it vectorizes (std::complex's operator* carries inf/nan recovery code).
void multiply_add(double* __restrict acc, const double* __restrict x, const double* __restrict y, std::size_t bins,
                  bool assign) {
  if (assign) {
    for (std::size_t f = 0; f < bins; ++f) {
      acc[2 * f] = x[2 * f] * y[2 * f] - x[2 * f + 1] * y[2 * f + 1];
      acc[2 * f + 1] = x[2 * f] * y[2 * f + 1] + x[2 * f + 1] * y[2 * f];
    }
  } else {
    for (std::size_t f = 0; f < bins; ++f) {
      acc[2 * f] += x[2 * f] * y[2 * f] - x[2 * f + 1] * y[2 * f + 1];
      acc[2 * f + 1] += x[2 * f] * y[2 * f + 1] + x[2 * f + 1] * y[2 * f];
    }
  }
}

// One block of one group: returns the exactness-guard error and, when it passes, adds the
// rounded counts to the block's shifts.
double correlate_block(const SymbolTable& t, const GroupSpectra& g, const FftGeometry& geo, const Plans& plans,
                       Workspace& w, std::size_t block, std::span<Distance> match) {
  const std::size_t L = geo.length, half = L / 2 + 1, n = t.n(), m = t.m();
  const std::size_t s = block * geo.step;
  const std::size_t present = std::min(L, n - s);                    // text symbols inside the block
  const std::size_t outputs = std::min(geo.step, match.size() - s);  // shifts this block yields
  const SymbolId* ids = t.text_ids.data() + s;
  double* acc = w.spectrum.get();
  const double* spectrum = w.transformed.get();
  const std::size_t pairs = g.pairs.size() / 2;

  for (std::size_t q = 0; q < pairs; ++q) {
    const SymbolId a = g.pairs[2 * q], b = g.pairs[2 * q + 1];
    double* z = w.signal.get();
    for (std::size_t k = 0; k < present; ++k) {
      z[2 * k] = ids[k] == a ? 1.0 : 0.0;
      z[2 * k + 1] = ids[k] == b ? 1.0 : 0.0;
    }
    std::fill(z + 2 * present, z + 2 * L, 0.0);  // zero padding past n
    fftw_execute_dft(plans.forward_complex, w.signal.complex(), w.transformed.complex());
    multiply_add(acc, spectrum, g.pair_spectra.data() + 2 * L * q, L, q == 0);
  }
  if (pairs > 0) {
    // Hermitian part H[f] = (A[f] + conj A[L-f]) / 2 for f <= L/2, in place: acc[L-f] with
    // L-f >= L/2 is overwritten only at f = L/2, where it is its own partner.
    for (std::size_t f = 0; f < half; ++f) {
      const std::size_t r = (L - f) & (L - 1);
      const double re = 0.5 * (acc[2 * f] + acc[2 * r]);
      const double im = 0.5 * (acc[2 * f + 1] - acc[2 * r + 1]);
      acc[2 * f] = re;
      acc[2 * f + 1] = im;
    }
  }
  for (std::size_t q = 0; q < g.singles.size(); ++q) {
    const SymbolId c = g.singles[q];
    double* r = w.real.get();
    for (std::size_t k = 0; k < present; ++k) r[k] = ids[k] == c ? 1.0 : 0.0;
    std::fill(r + present, r + L, 0.0);
    fftw_execute_dft_r2c(plans.forward_real, r, w.transformed.complex());
    multiply_add(acc, spectrum, g.single_spectra.data() + 2 * half * q, half, pairs == 0 && q == 0);
  }
  double* x = w.real.get();
  fftw_execute_dft_c2r(plans.inverse_real, w.spectrum.complex(), x);
  // Shift s+i is the linear correlation at index m-1+i, which the circular one of length L
  // holds unwrapped because m-1+i <= L-1.
  const std::span<const double> counts(x + m - 1, outputs);
  // With an implied symbol a group's share lies in [-m, m] (see add_fft_matches), else [0, m].
  const double mm = static_cast<double>(m);
  const double error = max_rounding_error(counts, g.implied == t.none() ? 0 : -mm, mm);
  if (error < kRoundingLimit) {
    // Negative shares wrap modulo 2^32 and cancel in the sum, which lies in [0, m].
    Distance* out = match.data() + s;
    for (std::size_t i = 0; i < outputs; ++i) {
      out[i] += static_cast<Distance>(static_cast<std::int64_t>(std::floor(counts[i] + 0.5)));
    }
  }
  return error;
}

// Symbol pairs per group so that a group's spectra stay within this many bytes; a large
// pattern alphabet then costs extra inverse FFTs instead of unbounded memory.
constexpr std::size_t kSpectraBudgetBytes = std::size_t{128} << 20;

}  // namespace

SymbolTable make_symbol_table(std::span<const Symbol> text, std::span<const Symbol> pattern, int threads) {
  SymbolTable t;
  t.symbols.assign(pattern.begin(), pattern.end());
  std::sort(t.symbols.begin(), t.symbols.end());
  t.symbols.erase(std::unique(t.symbols.begin(), t.symbols.end()), t.symbols.end());
  const SymbolIndex index(t.symbols);
  t.pattern_ids.resize(pattern.size());
  t.pattern_counts.assign(t.sigma(), 0);
  for (std::size_t j = 0; j < pattern.size(); ++j) {
    t.pattern_ids[j] = index(pattern[j]);
    ++t.pattern_counts[t.pattern_ids[j]];
  }
  t.text_ids.resize(text.size());
  const auto n = static_cast<std::int64_t>(text.size());
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    t.text_ids[static_cast<std::size_t>(k)] = index(text[static_cast<std::size_t>(k)]);
  }
  return t;
}

std::vector<std::size_t> text_counts(const SymbolTable& table) {
  std::vector<std::size_t> counts(table.sigma() + 1, 0);
  for (SymbolId c : table.text_ids) ++counts[c];
  counts.pop_back();  // none()
  return counts;
}

FftGeometry fft_geometry(std::size_t n, std::size_t m) {
  FftGeometry g;
  g.length = std::bit_ceil(2 * m);
  g.step = g.length - m + 1;
  g.blocks = n < m ? 0 : (n - m + 1 + g.step - 1) / g.step;
  return g;
}

void add_fft_matches(const SymbolTable& table, std::span<const SymbolId> ids, int threads, std::span<Distance> match,
                     std::size_t pairs_per_group) {
  if (ids.empty() || match.empty()) return;
  // When `ids` holds every symbol of P and T holds no other symbol, the text indicators sum
  // to 1 inside every window, so for any l in ids
  //   matches = a_l + sum_{c != l} corr(t_c, p_c - p_l),
  // which needs one forward transform fewer per block (DNA: 3 instead of 4).
  SymbolId implied = table.none();
  if (ids.size() == table.sigma() &&
      std::find(table.text_ids.begin(), table.text_ids.end(), table.none()) == table.text_ids.end()) {
    implied = ids.back();
    ids = ids.first(ids.size() - 1);
    const auto a = static_cast<Distance>(table.pattern_counts[implied]);
    for (Distance& x : match) x += a;
    if (ids.empty()) return;  // one symbol only: every position matches
  }
  const FftGeometry geo = fft_geometry(table.n(), table.m());
  const Plans& plans = plans_for(geo.length);
  // No more threads than blocks: each one holds ~7L doubles of work arrays.
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), geo.blocks));
  std::vector<Workspace> workspaces = make_workspaces(geo.length, threads);
  if (pairs_per_group == 0) pairs_per_group = std::max<std::size_t>(1, kSpectraBudgetBytes / (16 * geo.length));
  const std::size_t pairs = ids.size() / 2;
  std::vector<double> block_error(geo.blocks);

  // Groups of pairs; the odd symbol out joins the last group. Each group's rounded counts are
  // added separately, which is exact because each passes the guard on its own.
  const std::size_t groups = std::max<std::size_t>(1, (pairs + pairs_per_group - 1) / pairs_per_group);
  for (std::size_t group = 0; group < groups; ++group) {
    GroupSpectra g{implied, {}, {}, {}, {}};
    const std::size_t first = group * pairs_per_group, last = std::min(pairs, first + pairs_per_group);
    g.pairs.assign(ids.begin() + static_cast<std::ptrdiff_t>(2 * first),
                   ids.begin() + static_cast<std::ptrdiff_t>(2 * last));
    if (ids.size() % 2 == 1 && group + 1 == groups) g.singles.push_back(ids.back());
    compute_spectra(table, geo.length, plans, workspaces, threads, g);

    const auto blocks = static_cast<std::int64_t>(geo.blocks);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (std::int64_t b = 0; b < blocks; ++b) {
      Workspace& w = workspaces[static_cast<std::size_t>(omp_get_thread_num())];
      block_error[static_cast<std::size_t>(b)] =
          correlate_block(table, g, geo, plans, w, static_cast<std::size_t>(b), match);
    }
    // Exceptions must not leave an OpenMP region: check after it, first failing block first.
    for (std::size_t b = 0; b < geo.blocks; ++b) check_exactness(block_error[b], b, geo.length);
  }
}

void matches_to_distances(std::span<Distance> out, std::size_t m) {
  const auto mm = static_cast<Distance>(m);
  for (Distance& d : out) d = mm - d;
}

double max_rounding_error(std::span<const double> x, double lowest, double highest) {
  double worst = 0;
  bool in_range = true;
  for (double v : x) {
    const double r = std::floor(v + 0.5);
    worst = std::max(worst, std::abs(v - r));
    in_range &= r >= lowest && r <= highest;
  }
  return in_range ? worst : std::numeric_limits<double>::infinity();
}

void check_exactness(double error, std::size_t block, std::size_t length) {
  if (error < kRoundingLimit) return;  // also false for NaN, which must fail
  char detail[64];
  std::snprintf(detail, sizeof detail, "%.3g", error);
  throw InternalError("hamming fft: exactness guard tripped in block " + std::to_string(block) +
                      " (L = " + std::to_string(length) + "): an FFT output is " + detail +
                      " away from a valid count (limit 0.25); refusing to return a possibly wrong result");
}

double abrahamson_threshold(std::size_t m, double requested) {
  if (requested > 0) return requested;
  const double md = static_cast<double>(m);
  return std::max(1.0, std::ceil(std::sqrt(md * std::log2(md))));
}

void fft(const Problem& p) {
  const SymbolTable table = make_symbol_table(p.text, p.pattern, p.options.threads);
  std::vector<SymbolId> all(table.sigma());
  for (std::size_t c = 0; c < all.size(); ++c) all[c] = static_cast<SymbolId>(c);
  std::fill(p.out.begin(), p.out.end(), 0u);
  add_fft_matches(table, all, p.options.threads, p.out);
  matches_to_distances(p.out, p.pattern.size());
}

}  // namespace paperkit::hamming::detail
