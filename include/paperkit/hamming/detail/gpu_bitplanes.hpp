// Internal: the bit-plane kernel of spec A8, written once as PAPERKIT_HOST_DEVICE code.
//
// cuda/hamming/kernels.cuh runs stage_chunk / compute_chunk / write_tile on the GPU; emulate()
// below runs the same functions on the CPU, thread by thread, over the same shared-memory
// layout. The CPU tests (UnitHammingGpuMath, run in CI without a GPU) therefore check the
// kernel's arithmetic and indexing, not a re-implementation of it.
//
// Encoding. Each distinct pattern symbol gets a code 0..sigma_P-1 (in increasing symbol order)
// and every text symbol absent from P the code sigma_P, which equals no pattern code. With
// B = max(1, bit_width(largest code)) planes, plane b holds bit b of every code, position k at
// bit k % 32 of word k / 32. Two symbols differ iff their codes differ in some plane, so for
// shift i = 32q + r and pattern word w
//   mismatches(i, w) = popc(mask[w] & OR_b(funnelshift_r(T_b[q+w], T_b[q+w+1], r) ^ P_b[w])).
// DNA (at most 4 symbols in P and T) takes 2 planes, bytes at most 9, any 32-bit alphabet at
// most bit_width(m): every input is exact, at O(B n m / 32) word operations.
//
// Work split. One CTA of kThreads threads computes one tile of kTileShifts consecutive shifts.
// Lane r of warp v owns the shifts 32 (q0 + v K + k) + r for k < K = kShiftsPerThread: the 32
// lanes of a warp read the same text and pattern words (shared-memory broadcasts, no bank
// conflicts) and differ only in the funnel-shift amount r, and each pattern word loaded into
// registers serves K shifts. The pattern is consumed in chunks of kChunkWords words; per chunk
// the CTA stages in shared memory the text words the tile needs and the chunk's pattern words:
//   smem[b * kTextStage + t]                        text plane b, word q0 + c0 + t
//   smem[planes * kTextStage + b * kChunkWords + u] pattern plane b, word c0 + u
// Per 32 cells and plane: one XOR (merged with the OR into a LOP3) and (K + U - 1) / (K U) =
// 11/32 funnel shifts, then one POPC and one add: about 4.7 instructions per 32 DNA cells
// (the spec estimated 6, one funnel shift per word and plane).
#pragma once

#ifndef PAPERKIT_HAMMING_INTERNAL
#error "paperkit/hamming/detail headers are internal: include paperkit/hamming/hamming.hpp"
#endif

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <span>
#include <type_traits>
#include <vector>

#include "paperkit/common/host_device.hpp"
#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming::detail::gpu {

using Word = std::uint32_t;

inline constexpr int kWordBits = 32;
inline constexpr int kWarpSize = 32;
inline constexpr int kShiftsPerThread = 8;                      // K: text-word offsets q per thread
inline constexpr int kGroupWords = 4;                           // U: pattern words per unrolled step
inline constexpr int kWindow = kShiftsPerThread + kGroupWords;  // text words one step reads
inline constexpr int kWarps = 4;
inline constexpr int kThreads = kWarps * kWarpSize;
inline constexpr int kTileWords = kWarps * kShiftsPerThread;  // q values per tile
inline constexpr int kTileShifts = kTileWords * kWordBits;    // 1024 shifts per CTA
inline constexpr int kChunkWords = 256;                       // 8192 pattern symbols per pass
inline constexpr int kTextStage = kTileWords + kChunkWords;   // text words per plane and pass
inline constexpr int kStageWords = kTextStage + kChunkWords;  // shared words per plane
inline constexpr int kMaxPlanes = 32;
static_assert(kChunkWords % kGroupWords == 0 && kTextStage % 4 == 0 && kShiftsPerThread % 4 == 0,
              "16-byte aligned shared-memory loads need every offset a multiple of 4 words");

// Shared memory one CTA needs for `planes` planes.
constexpr std::size_t shared_bytes(int planes) {
  return std::size_t(planes) * kStageWords * sizeof(Word);
}
static_assert(shared_bytes(kMaxPlanes) <= 227 * 1024, "sm_90 gives a CTA at most 227 KiB of shared memory");

// Everything a kernel launch needs; pointers are device pointers on the GPU, host pointers in
// emulate(). Plane b of the text starts at text + b * text_words (likewise the pattern).
struct Params {
  const Word* text = nullptr;
  const Word* pattern = nullptr;
  Distance* out = nullptr;          // `shifts` entries
  std::uint64_t text_words = 0;     // ceil(n / 32)
  std::uint64_t pattern_words = 0;  // ceil(m / 32)
  std::uint64_t m = 0;
  std::uint64_t shifts = 0;  // n - m + 1
  int planes = 1;
};

constexpr std::uint64_t tiles(const Params& p) {
  return (p.shifts + kTileShifts - 1) / kTileShifts;
}

// ---- bit math ----------------------------------------------------------------------------

// Bits r .. r+31 of the 64-bit word hi:lo, i.e. the 32 positions starting r bits into lo.
PAPERKIT_HOST_DEVICE inline Word extract(Word lo, Word hi, unsigned r) {
#if defined(__CUDA_ARCH__)
  return __funnelshift_r(lo, hi, r);
#else
  return static_cast<Word>(((std::uint64_t{hi} << 32) | lo) >> (r & 31u));
#endif
}

PAPERKIT_HOST_DEVICE inline Word popcount(Word x) {
#if defined(__CUDA_ARCH__)
  return static_cast<Word>(__popc(x));
#else
  return static_cast<Word>(std::popcount(x));
#endif
}

// The bits of pattern word w that hold pattern positions (< m): all of a full word, the low
// m % 32 of the last partial word, none past the end.
PAPERKIT_HOST_DEVICE inline Word word_mask(std::uint64_t m, std::uint64_t w) {
  const std::uint64_t first = w * kWordBits;
  if (first + kWordBits <= m) return ~Word{0};
  if (first >= m) return 0;
  return (Word{1} << (m - first)) - 1;
}

// dst[0..N) = src[0..N); src is 16-byte aligned, so the GPU uses 128-bit shared loads.
template <int N>
PAPERKIT_HOST_DEVICE inline void load_words(const Word* src, Word (&dst)[N]) {
  static_assert(N % 4 == 0, "whole 128-bit loads");
#if defined(__CUDA_ARCH__)
  PAPERKIT_UNROLL
  for (int i = 0; i < N / 4; ++i) {
    const uint4 v = reinterpret_cast<const uint4*>(src)[i];
    dst[4 * i] = v.x;
    dst[4 * i + 1] = v.y;
    dst[4 * i + 2] = v.z;
    dst[4 * i + 3] = v.w;
  }
#else
  for (int i = 0; i < N; ++i) dst[i] = src[i];
#endif
}

// ---- the three phases of a CTA ------------------------------------------------------------

// Words of pattern chunk c0 (a multiple of kChunkWords), and the same rounded up to a group.
PAPERKIT_HOST_DEVICE inline int chunk_words(const Params& p, std::uint64_t c0) {
  const std::uint64_t left = p.pattern_words - c0;
  return left < std::uint64_t{kChunkWords} ? static_cast<int>(left) : kChunkWords;
}
PAPERKIT_HOST_DEVICE inline int padded_chunk_words(const Params& p, std::uint64_t c0) {
  return (chunk_words(p, c0) + kGroupWords - 1) / kGroupWords * kGroupWords;
}

// Thread `tid` of `threads` copies its share of chunk c0 for tile `tile` into shared memory:
// the kTileWords + padded words of text and the padded words of pattern that compute_chunk
// reads, zeros past either end (bits past n or m only ever meet a zero mask bit).
PAPERKIT_HOST_DEVICE inline void stage_chunk(const Params& p, std::uint64_t tile, std::uint64_t c0, Word* smem,
                                             unsigned tid, unsigned threads) {
  const unsigned padded = static_cast<unsigned>(padded_chunk_words(p, c0));
  const unsigned text_len = kTileWords + padded;
  const std::uint64_t first = tile * kTileWords + c0;
  for (unsigned k = tid; k < p.planes * text_len; k += threads) {
    const unsigned b = k / text_len, t = k - b * text_len;
    const std::uint64_t g = first + t;
    smem[b * kTextStage + t] = g < p.text_words ? p.text[b * p.text_words + g] : 0;
  }
  Word* pattern = smem + p.planes * kTextStage;
  for (unsigned k = tid; k < p.planes * padded; k += threads) {
    const unsigned b = k / padded, u = k - b * padded;
    const std::uint64_t g = c0 + u;
    pattern[b * kChunkWords + u] = g < p.pattern_words ? p.pattern[b * p.pattern_words + g] : 0;
  }
}

// shifted[j] = the 32 text positions that start r bits into staged word j of one plane. Entry
// j serves every (k, u) with k + u = j, so a group of K x U words costs K + U - 1 funnel
// shifts per plane rather than K U.
PAPERKIT_HOST_DEVICE inline void shift_window(const Word* text, unsigned r, Word (&shifted)[kWindow - 1]) {
  Word window[kWindow];
  load_words(text, window);
  PAPERKIT_UNROLL
  for (int j = 0; j < kWindow - 1; ++j) shifted[j] = extract(window[j], window[j + 1], r);
}

// d[k][u] = OR over planes of (text word k + u, shifted by r) ^ (pattern word u): the mismatch
// bits of pattern word u at the thread's k-th shift. `text` and `pattern` point at the group's
// first word in plane 0. kPlanes > 0 fixes the plane count at compile time; 0 reads `planes`
// at run time (alphabets needing more than 4 planes).
template <int kPlanes>
PAPERKIT_HOST_DEVICE inline void group_mismatch_bits(const Word* text, const Word* pattern, int planes, unsigned r,
                                                     Word (&d)[kShiftsPerThread][kGroupWords]) {
  Word shifted[kWindow - 1];
  Word pw[kGroupWords];
  shift_window(text, r, shifted);
  load_words(pattern, pw);
  PAPERKIT_UNROLL
  for (int k = 0; k < kShiftsPerThread; ++k) {
    PAPERKIT_UNROLL
    for (int u = 0; u < kGroupWords; ++u) d[k][u] = shifted[k + u] ^ pw[u];
  }
  const int count = kPlanes > 0 ? kPlanes : planes;
  PAPERKIT_UNROLL
  for (int b = 1; b < count; ++b) {
    shift_window(text + b * kTextStage, r, shifted);
    load_words(pattern + b * kChunkWords, pw);
    PAPERKIT_UNROLL
    for (int k = 0; k < kShiftsPerThread; ++k) {
      PAPERKIT_UNROLL
      for (int u = 0; u < kGroupWords; ++u) d[k][u] |= shifted[k + u] ^ pw[u];
    }
  }
}

// Adds the mismatches of pattern chunk c0 (staged in smem) to thread tid's K accumulators.
template <int kPlanes>
PAPERKIT_HOST_DEVICE inline void compute_chunk(const Params& p, std::uint64_t c0, const Word* smem, unsigned tid,
                                               Word (&acc)[kShiftsPerThread]) {
  const int planes = kPlanes > 0 ? kPlanes : p.planes;
  const unsigned r = tid % kWarpSize;
  const Word* text = smem + (tid / kWarpSize) * kShiftsPerThread;
  const Word* pattern = smem + planes * kTextStage;
  const int len = chunk_words(p, c0);
  const std::uint64_t full_words = p.m / kWordBits;  // words whose 32 positions all lie in P
  for (int u0 = 0; u0 < len; u0 += kGroupWords) {
    Word d[kShiftsPerThread][kGroupWords];
    group_mismatch_bits<kPlanes>(text + u0, pattern + u0, planes, r, d);
    if (c0 + u0 + kGroupWords <= full_words) {
      PAPERKIT_UNROLL
      for (int k = 0; k < kShiftsPerThread; ++k) {
        PAPERKIT_UNROLL
        for (int u = 0; u < kGroupWords; ++u) acc[k] += popcount(d[k][u]);
      }
    } else {  // the pattern's last group: mask off positions >= m
      PAPERKIT_UNROLL
      for (int u = 0; u < kGroupWords; ++u) {
        const Word mask = word_mask(p.m, c0 + u0 + u);
        PAPERKIT_UNROLL
        for (int k = 0; k < kShiftsPerThread; ++k) acc[k] += popcount(d[k][u] & mask);
      }
    }
  }
}

// Thread tid writes its K distances; a warp writes 32 consecutive entries per k (coalesced).
PAPERKIT_HOST_DEVICE inline void write_tile(const Params& p, std::uint64_t tile, unsigned tid,
                                            const Word (&acc)[kShiftsPerThread]) {
  const std::uint64_t q = tile * kTileWords + (tid / kWarpSize) * kShiftsPerThread;
  PAPERKIT_UNROLL
  for (int k = 0; k < kShiftsPerThread; ++k) {
    const std::uint64_t i = (q + k) * kWordBits + tid % kWarpSize;
    if (i < p.shifts) p.out[i] = acc[k];
  }
}

// Calls f(std::integral_constant<int, P>) with the kernel instantiation for `planes` planes:
// P = planes for 1..4, P = 0 (plane count read at run time) above.
template <class F>
void dispatch_planes(int planes, F&& f) {
  switch (planes) {
    case 1:
      f(std::integral_constant<int, 1>{});
      break;
    case 2:
      f(std::integral_constant<int, 2>{});
      break;
    case 3:
      f(std::integral_constant<int, 3>{});
      break;
    case 4:
      f(std::integral_constant<int, 4>{});
      break;
    default:
      f(std::integral_constant<int, 0>{});
      break;
  }
}

// ---- host side: encoding and the CPU emulation --------------------------------------------

struct Encoded {
  int planes = 1;
  std::uint64_t n = 0, m = 0, text_words = 0, pattern_words = 0;
  std::vector<Word> text;     // planes x text_words
  std::vector<Word> pattern;  // planes x pattern_words
};

// Codes and planes as described at the top. Needs 1 <= m <= n.
inline Encoded encode(std::span<const Symbol> text, std::span<const Symbol> pattern) {
  std::vector<Symbol> alphabet(pattern.begin(), pattern.end());
  std::sort(alphabet.begin(), alphabet.end());
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  const Word other = static_cast<Word>(alphabet.size());
  // Small symbols (bytes, DNA letters) use a direct table; others a binary search.
  std::vector<Word> table;
  if (alphabet.back() < (1u << 16)) {
    table.assign(std::size_t{alphabet.back()} + 1, other);
    for (std::size_t c = 0; c < alphabet.size(); ++c) table[alphabet[c]] = static_cast<Word>(c);
  }
  const auto code = [&](Symbol s) -> Word {
    if (!table.empty()) return s < table.size() ? table[s] : other;
    const auto it = std::lower_bound(alphabet.begin(), alphabet.end(), s);
    return it != alphabet.end() && *it == s ? static_cast<Word>(it - alphabet.begin()) : other;
  };
  std::vector<Word> text_codes(text.size());
  Word largest = other - 1;
  for (std::size_t k = 0; k < text.size(); ++k) {
    text_codes[k] = code(text[k]);
    largest = std::max(largest, text_codes[k]);
  }
  Encoded e;
  e.planes = std::max(1, static_cast<int>(std::bit_width(largest)));
  e.n = text.size();
  e.m = pattern.size();
  e.text_words = (e.n + kWordBits - 1) / kWordBits;
  e.pattern_words = (e.m + kWordBits - 1) / kWordBits;
  const auto pack = [&](std::vector<Word>& planes, std::uint64_t words, std::size_t count, auto&& code_at) {
    planes.assign(static_cast<std::size_t>(e.planes) * words, 0);
    for (std::size_t k = 0; k < count; ++k) {
      const Word c = code_at(k);
      for (int b = 0; b < e.planes; ++b) planes[b * words + k / kWordBits] |= ((c >> b) & 1u) << (k % kWordBits);
    }
  };
  pack(e.text, e.text_words, text.size(), [&](std::size_t k) { return text_codes[k]; });
  pack(e.pattern, e.pattern_words, pattern.size(), [&](std::size_t k) { return code(pattern[k]); });
  return e;
}

inline Params make_params(const Encoded& e, const Word* text, const Word* pattern, Distance* out) {
  Params p;
  p.text = text;
  p.pattern = pattern;
  p.out = out;
  p.text_words = e.text_words;
  p.pattern_words = e.pattern_words;
  p.m = e.m;
  p.shifts = e.n - e.m + 1;
  p.planes = e.planes;
  return p;
}

// Runs the kernel's phases on the CPU: every CTA, every thread, with the __syncthreads() of
// the kernel becoming the boundaries between the per-thread loops. Shared memory is poisoned
// before each chunk so a read of a word the chunk did not stage shows up as a wrong answer.
inline void emulate(const Params& p) {
  dispatch_planes(p.planes, [&](auto planes_tag) {
    constexpr int kPlanes = decltype(planes_tag)::value;
    std::vector<Word> smem(static_cast<std::size_t>(p.planes) * kStageWords);
    Word acc[kThreads][kShiftsPerThread];  // the registers of every thread of the CTA
    for (std::uint64_t tile = 0; tile < tiles(p); ++tile) {
      for (auto& a : acc) std::fill(std::begin(a), std::end(a), 0u);
      for (std::uint64_t c0 = 0; c0 < p.pattern_words; c0 += kChunkWords) {
        std::fill(smem.begin(), smem.end(), 0xa5a5a5a5u);
        for (unsigned tid = 0; tid < kThreads; ++tid) stage_chunk(p, tile, c0, smem.data(), tid, kThreads);
        for (unsigned tid = 0; tid < kThreads; ++tid) compute_chunk<kPlanes>(p, c0, smem.data(), tid, acc[tid]);
      }
      for (unsigned tid = 0; tid < kThreads; ++tid) write_tile(p, tile, tid, acc[tid]);
    }
  });
}

// HD for every shift through encode() and emulate(): the CPU twin of distances_gpu.
inline std::vector<Distance> emulate_distances(std::span<const Symbol> text, std::span<const Symbol> pattern) {
  if (pattern.empty() || text.size() < pattern.size()) return {};
  const Encoded e = encode(text, pattern);
  std::vector<Distance> out(text.size() - pattern.size() + 1);
  emulate(make_params(e, e.text.data(), e.pattern.data(), out.data()));
  return out;
}

}  // namespace paperkit::hamming::detail::gpu
