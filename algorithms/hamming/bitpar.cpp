// A2: bit-parallel Hamming distances with 64-bit popcount (spec section A2).
//
// Text position k is bit k % 64 of word k / 64. For each r = 0..63 the pattern is stored
// again shifted left by r bits into W = ceil(m / 64) + 1 words ("copy r"), so that for the
// shift i = 64q + r pattern word w lines up with text word q + w and
//   HD[i] = sum_{w < W} popcnt(mismatch bits of text word q + w against copy r word w).
//
// Two layouts:
//  - two planes, when the pattern has at most 3 symbols, or 4 and the text uses no other:
//    every symbol gets a 2-bit code held in planes lo/hi, and the mismatches of a word are
//    ((lo ^ PL) | (hi ^ PH)) & M with M the validity mask of the copy. Text symbols that are
//    not in P all take a code that P does not use (one is free when sigma_P <= 3).
//  - general: one plane E_c of the text per pattern symbol c and the pattern plane P_c;
//    matches are sum_c popcnt(E_c & P_c) and HD = m - matches. The copies of P_c are kept
//    sparse (nonzero words only), so a shift costs sum_c min(a_c, W) words, never more than
//    about 2m, and the memory stays O(n + m) for any alphabet.
//
// The shifts are cut into fixed blocks of kBlockWords * 64; a block is one OpenMP work item
// and the blocks depend only on n and m, so the output is the same for any thread count.
// Inside a block the loop order is r, then pattern word, then q: each pattern word is loaded
// once and used for every shift word of the block, accumulating into one counter per shift.
// With AVX-512BW the q loop runs 32 words at a time and counts bits with VPSHUFB nibble
// lookups (this is faster than scalar POPCNT even without AVX512-VPOPCNTDQ).
#define PAPERKIT_HAMMING_INTERNAL
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "paperkit/hamming/detail/kernels.hpp"

#if defined(__AVX512BW__)
#include <immintrin.h>
#define PAPERKIT_BITPAR_AVX512 1
#endif

namespace paperkit::hamming::detail {
namespace {

using Word = std::uint64_t;
constexpr std::size_t kBits = 64;
// 64 shift words per block: 4096 shifts, a 16 KiB counter array that stays in L1, and a long
// enough q loop to amortize each pattern word. A multiple of the AVX-512 tile (32 words).
constexpr std::size_t kBlockWords = 64;

std::size_t div_up(std::size_t a, std::size_t b) {
  return (a + b - 1) / b;
}

struct Geometry {
  std::size_t n, m, shifts;
  std::size_t pattern_words;  // W = ceil(m / 64) + 1: room for copy 63
  std::size_t shift_words;    // ceil(shifts / 64)
  std::size_t blocks;
  std::size_t text_words;  // padded text planes: kernels read up to whole blocks past the end

  Geometry(std::size_t n_, std::size_t m_)
      : n(n_),
        m(m_),
        shifts(n_ - m_ + 1),
        pattern_words(div_up(m_, kBits) + 1),
        shift_words(div_up(shifts, kBits)),
        blocks(div_up(shift_words, kBlockWords)),
        text_words(blocks * kBlockWords + pattern_words) {}

  std::size_t block_begin(std::size_t b) const { return b * kBlockWords; }
  std::size_t block_size(std::size_t b) const { return std::min(kBlockWords, shift_words - b * kBlockWords); }
  // Values of r with at least one valid shift 64 q + r in the block starting at word q0.
  std::size_t rows(std::size_t q0) const { return std::min(kBits, shifts - q0 * kBits); }
};

// ---- the inner loop: a[q] += sum_k popcnt(word k for shift word q) ---------------------

// Mismatch words of the two-plane layout: item k is pattern word k of one copy.
struct TwoPlaneWords {
  const Word *lo, *hi;         // text planes from the block's first word
  const Word *pl, *ph, *mask;  // one copy

  Word operator()(std::size_t k, std::size_t q) const { return ((lo[q + k] ^ pl[k]) | (hi[q + k] ^ ph[k])) & mask[k]; }
#ifdef PAPERKIT_BITPAR_AVX512
  __m512i x8(std::size_t k, std::size_t q) const {  // words q .. q + 7
    const __m512i x =
        _mm512_xor_si512(_mm512_loadu_si512(lo + q + k), _mm512_set1_epi64(static_cast<long long>(pl[k])));
    const __m512i y =
        _mm512_xor_si512(_mm512_loadu_si512(hi + q + k), _mm512_set1_epi64(static_cast<long long>(ph[k])));
    return _mm512_ternarylogic_epi64(x, y, _mm512_set1_epi64(static_cast<long long>(mask[k])), 0xA8);  // (x|y)&m
  }
#endif
};

struct SparseWord {
  std::size_t w;
  Word bits;
};

// Match words of the general layout: item k is the sparse word list[k] of one copy of P_c.
struct PlaneWords {
  const Word* plane;  // E_c from the block's first word
  const SparseWord* list;

  Word operator()(std::size_t k, std::size_t q) const { return plane[q + list[k].w] & list[k].bits; }
#ifdef PAPERKIT_BITPAR_AVX512
  __m512i x8(std::size_t k, std::size_t q) const {
    return _mm512_and_si512(_mm512_loadu_si512(plane + q + list[k].w),
                            _mm512_set1_epi64(static_cast<long long>(list[k].bits)));
  }
#endif
};

#ifdef PAPERKIT_BITPAR_AVX512
// Popcount of every byte of v by two 16-entry table lookups (VPSHUFB).
inline __m512i popcount_bytes(__m512i v) {
  // Popcounts of 0..15 (bytes 0,1,1,2, 1,2,2,3, 1,2,2,3, 2,3,3,4) in every 128-bit lane.
  const __m512i table = _mm512_set4_epi32(0x04030302, 0x03020201, 0x03020201, 0x02010100);
  const __m512i nibble = _mm512_set1_epi8(0x0f);
  const __m512i low = _mm512_and_si512(v, nibble);
  // A 16-bit shift: the 64-bit one's GCC 12 header trips -Wmaybe-uninitialized.
  const __m512i high = _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble);
  return _mm512_add_epi8(_mm512_shuffle_epi8(table, low), _mm512_shuffle_epi8(table, high));
}
#endif

// a[q] += sum_{k < items} popcnt(words(k, q)) for q < qb. The vector path rounds qb up to
// its 32-word tile, so words(k, q) and a[q] must be readable for q < kBlockWords.
template <class Words>
void add_popcounts(const Words& words, std::size_t items, std::size_t qb, std::uint32_t* a) {
#ifdef PAPERKIT_BITPAR_AVX512
  constexpr std::size_t kTile = 4;       // registers of 8 words: 32 shift words in flight
  constexpr std::size_t kByteRuns = 31;  // byte counters gain <= 8 per item: 31 * 8 <= 255
  for (std::size_t q = 0; q < qb; q += 8 * kTile) {
    __m512i total[kTile];  // per 64-bit lane
    for (auto& t : total) t = _mm512_setzero_si512();
    for (std::size_t k0 = 0; k0 < items; k0 += kByteRuns) {
      __m512i bytes[kTile];
      for (auto& b : bytes) b = _mm512_setzero_si512();
      const std::size_t k_end = std::min(items, k0 + kByteRuns);
      for (std::size_t k = k0; k < k_end; ++k)
        for (std::size_t t = 0; t < kTile; ++t)
          bytes[t] = _mm512_add_epi8(bytes[t], popcount_bytes(words.x8(k, q + 8 * t)));
      for (std::size_t t = 0; t < kTile; ++t)
        total[t] = _mm512_add_epi64(total[t], _mm512_sad_epu8(bytes[t], _mm512_setzero_si512()));
    }
    for (std::size_t t = 0; t < kTile; ++t) {
      auto* dst = reinterpret_cast<__m256i*>(a + q + 8 * t);
      // maskz form: the plain one's GCC 12 header trips -Wmaybe-uninitialized.
      const __m256i sum32 = _mm512_maskz_cvtepi64_epi32(0xff, total[t]);
      _mm256_storeu_si256(dst, _mm256_add_epi32(_mm256_loadu_si256(dst), sum32));
    }
  }
#else
  for (std::size_t k = 0; k < items; ++k)
    for (std::size_t q = 0; q < qb; ++q) a[q] += static_cast<std::uint32_t>(std::popcount(words(k, q)));
#endif
}

// Writes a block's counters (acc[r * kBlockWords + q] belongs to shift 64 (q0 + q) + r) to the
// output; when they count matches, HD = m - counter.
void store_block(const Problem& p, const Geometry& g, std::size_t q0, std::size_t qb, const std::uint32_t* acc,
                 bool matches) {
  const auto m = static_cast<Distance>(g.m);
  for (std::size_t q = 0; q < qb; ++q) {
    const std::size_t i0 = (q0 + q) * kBits;
    const std::size_t rows = std::min(kBits, g.shifts - i0);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint32_t v = acc[r * kBlockWords + q];
      p.out[i0 + r] = matches ? m - v : v;
    }
  }
}

// ---- two planes ----------------------------------------------------------------------

// The 64 shifted copies of the pattern planes and of the validity mask; copy r is
// [r W, (r + 1) W). 24 m bytes plus a little.
struct TwoPlanePattern {
  std::vector<Word> lo, hi, mask;
};

// dst = src << r as W-word bitvectors. Nothing is lost off the top: the last word of the
// r = 0 copy is always empty.
void shift_copy(const Word* src, Word* dst, std::size_t words, unsigned r) {
  for (std::size_t w = 0; w < words; ++w) dst[w] = (src[w] << r) | (r != 0 && w > 0 ? src[w - 1] >> (kBits - r) : 0);
}

TwoPlanePattern make_two_plane_pattern(std::span<const Symbol> pattern, std::span<const Symbol> alphabet,
                                       std::size_t words) {
  std::vector<Word> lo(words), hi(words), mask(words);
  for (std::size_t j = 0; j < pattern.size(); ++j) {
    const auto code = std::lower_bound(alphabet.begin(), alphabet.end(), pattern[j]) - alphabet.begin();
    const Word bit = Word{1} << (j % kBits);
    if (code & 1) lo[j / kBits] |= bit;
    if (code & 2) hi[j / kBits] |= bit;
    mask[j / kBits] |= bit;
  }
  TwoPlanePattern t{std::vector<Word>(kBits * words), std::vector<Word>(kBits * words),
                    std::vector<Word>(kBits * words)};
  for (unsigned r = 0; r < kBits; ++r) {
    shift_copy(lo.data(), t.lo.data() + r * words, words, r);
    shift_copy(hi.data(), t.hi.data() + r * words, words, r);
    shift_copy(mask.data(), t.mask.data() + r * words, words, r);
  }
  return t;
}

// Bit b of the result is set iff s[b] == a, for b < len <= 64.
Word equal_mask(const Symbol* s, std::size_t len, Symbol a) {
#ifdef PAPERKIT_BITPAR_AVX512
  if (len == kBits) {
    const __m512i va = _mm512_set1_epi32(static_cast<int>(a));
    Word m = 0;
    for (unsigned k = 0; k < 4; ++k) m |= Word{_mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 16 * k), va)} << (16 * k);
    return m;
  }
#endif
  Word m = 0;
  for (std::size_t b = 0; b < len; ++b) m |= Word{s[b] == a} << b;
  return m;
}

// Encodes the text into the planes lo/hi. Returns false if the text uses a symbol outside
// the alphabet and there is no free code for it (sigma = 4): then the general layout runs.
bool encode_two_plane_text(const Problem& p, const Geometry& g, std::span<const Symbol> alphabet, std::vector<Word>& lo,
                           std::vector<Word>& hi) {
  lo.assign(g.text_words, 0);
  hi.assign(g.text_words, 0);
  const std::size_t sigma = alphabet.size();
  const auto words = static_cast<std::int64_t>(div_up(g.n, kBits));
  bool foreign = false;
#pragma omp parallel for num_threads(p.options.threads) schedule(static) reduction(|| : foreign)
  for (std::int64_t k = 0; k < words; ++k) {
    const std::size_t begin = static_cast<std::size_t>(k) * kBits, len = std::min(kBits, g.n - begin);
    Word l = 0, h = 0, known = 0;
    for (std::size_t c = 0; c < sigma; ++c) {
      const Word eq = equal_mask(p.text.data() + begin, len, alphabet[c]);
      known |= eq;
      if (c & 1) l |= eq;
      if (c & 2) h |= eq;
    }
    const Word others = ~known & (len == kBits ? ~Word{0} : (Word{1} << len) - 1);  // get code sigma
    if (sigma & 1) l |= others;
    if (sigma & 2) h |= others;
    foreign = foreign || (sigma == 4 && others != 0);
    lo[static_cast<std::size_t>(k)] = l;
    hi[static_cast<std::size_t>(k)] = h;
  }
  return !foreign;
}

void two_plane(const Problem& p, const Geometry& g, std::span<const Symbol> alphabet, const std::vector<Word>& lo,
               const std::vector<Word>& hi) {
  const TwoPlanePattern pat = make_two_plane_pattern(p.pattern, alphabet, g.pattern_words);
  const std::size_t words = g.pattern_words;
  const auto blocks = static_cast<std::int64_t>(g.blocks);
#pragma omp parallel num_threads(p.options.threads)
  {
    std::vector<std::uint32_t> acc(kBits * kBlockWords);
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t q0 = g.block_begin(static_cast<std::size_t>(b)), qb = g.block_size(static_cast<std::size_t>(b));
      std::fill(acc.begin(), acc.end(), 0u);
      for (std::size_t r = 0; r < g.rows(q0); ++r) {
        const TwoPlaneWords copy{lo.data() + q0, hi.data() + q0, pat.lo.data() + r * words, pat.hi.data() + r * words,
                                 pat.mask.data() + r * words};
        add_popcounts(copy, words, qb, acc.data() + r * kBlockWords);
      }
      store_block(p, g, q0, qb, acc.data(), false);
    }
  }
}

// ---- general alphabet ----------------------------------------------------------------

// Appends `bits` at word w to a list whose words are non-decreasing, merging equal words.
void push_or(std::vector<SparseWord>& list, std::size_t w, Word bits) {
  if (!list.empty() && list.back().w == w) {
    list.back().bits |= bits;
  } else if (bits != 0) {
    list.push_back({w, bits});
  }
}

// Positions grouped by code (a counting sort): those of code c are pos[off[c] .. off[c+1]),
// increasing. Codes >= sigma (symbols not in P) are dropped.
struct Buckets {
  std::vector<std::size_t> off, pos;
};

Buckets bucket_by_symbol(std::span<const Symbol> s, std::span<const Symbol> alphabet, int threads) {
  const std::size_t sigma = alphabet.size();
  std::vector<std::uint32_t> codes(s.size());
  const auto n = static_cast<std::int64_t>(s.size());
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    const Symbol x = s[static_cast<std::size_t>(k)];
    const auto it = std::lower_bound(alphabet.begin(), alphabet.end(), x);
    codes[static_cast<std::size_t>(k)] =
        static_cast<std::uint32_t>(it != alphabet.end() && *it == x ? it - alphabet.begin() : sigma);
  }
  Buckets b{std::vector<std::size_t>(sigma + 1, 0), {}};
  for (std::uint32_t c : codes)
    if (c < sigma) ++b.off[c + 1];
  for (std::size_t c = 0; c < sigma; ++c) b.off[c + 1] += b.off[c];
  b.pos.resize(b.off[sigma]);
  std::vector<std::size_t> next(b.off.begin(), b.off.end() - 1);
  for (std::size_t k = 0; k < codes.size(); ++k)
    if (codes[k] < sigma) b.pos[next[codes[k]]++] = k;
  return b;
}

void general(const Problem& p, const Geometry& g, std::span<const Symbol> alphabet) {
  const std::size_t sigma = alphabet.size();
  const Buckets text = bucket_by_symbol(p.text, alphabet, p.options.threads);
  // Copy 0 of every P_c, sparse: base[base_off[c] .. base_off[c+1]); at most m words in all.
  // The other copies are derived from it per block, which costs O(64 m) per block, against
  // the Omega(64 m * kBlockWords) of the correlation.
  const Buckets pat = bucket_by_symbol(p.pattern, alphabet, 1);
  std::vector<SparseWord> base;
  std::vector<std::size_t> base_off(sigma + 1, 0);
  for (std::size_t c = 0; c < sigma; ++c) {
    std::vector<SparseWord> list;
    for (std::size_t k = pat.off[c]; k < pat.off[c + 1]; ++k)
      push_or(list, pat.pos[k] / kBits, Word{1} << (pat.pos[k] % kBits));
    base.insert(base.end(), list.begin(), list.end());
    base_off[c + 1] = base.size();
  }

  const std::size_t words = g.pattern_words;
  const auto blocks = static_cast<std::int64_t>(g.blocks);
#pragma omp parallel num_threads(p.options.threads)
  {
    std::vector<std::uint32_t> acc(kBits * kBlockWords);
    std::vector<Word> plane(kBlockWords + words, 0);  // E_c over the block's text; all zero between symbols
    std::vector<SparseWord> copy;                     // copy r of P_c
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t q0 = g.block_begin(static_cast<std::size_t>(b)), qb = g.block_size(static_cast<std::size_t>(b));
      const std::size_t span_begin = q0 * kBits, span_end = (q0 + qb + words - 1) * kBits;  // text the block reads
      std::fill(acc.begin(), acc.end(), 0u);
      for (std::size_t c = 0; c < sigma; ++c) {
        const auto first = text.pos.begin() + static_cast<std::ptrdiff_t>(text.off[c]);
        const auto last = text.pos.begin() + static_cast<std::ptrdiff_t>(text.off[c + 1]);
        const auto lo = std::lower_bound(first, last, span_begin), hi = std::lower_bound(lo, last, span_end);
        if (lo == hi) continue;  // c does not occur in this block's text: no matches
        for (auto it = lo; it != hi; ++it) plane[(*it - span_begin) / kBits] |= Word{1} << (*it % kBits);
        for (std::size_t r = 0; r < g.rows(q0); ++r) {
          copy.clear();
          for (std::size_t k = base_off[c]; k < base_off[c + 1]; ++k) {
            push_or(copy, base[k].w, base[k].bits << r);
            if (r != 0) push_or(copy, base[k].w + 1, base[k].bits >> (kBits - r));
          }
          add_popcounts(PlaneWords{plane.data(), copy.data()}, copy.size(), qb, acc.data() + r * kBlockWords);
        }
        for (auto it = lo; it != hi; ++it) plane[(*it - span_begin) / kBits] = 0;
      }
      store_block(p, g, q0, qb, acc.data(), true);
    }
  }
}

}  // namespace

void bitpar(const Problem& p) {
  const Geometry g(p.text.size(), p.pattern.size());
  std::vector<Symbol> alphabet(p.pattern.begin(), p.pattern.end());
  std::sort(alphabet.begin(), alphabet.end());
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  if (alphabet.size() <= 4) {
    std::vector<Word> lo, hi;
    if (encode_two_plane_text(p, g, alphabet, lo, hi)) {
      two_plane(p, g, alphabet, lo, hi);
      return;
    }
  }
  general(p, g, alphabet);
}

}  // namespace paperkit::hamming::detail
