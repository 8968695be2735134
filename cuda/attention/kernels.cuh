// CUDA kernels of paperkit::attention (spec B1/B2): a generic warp-per-row partial attention,
// the tiled split-K decode kernel and the LSE merge. The softmax and merge arithmetic is the
// PAPERKIT_HOST_DEVICE code of paperkit/attention/detail/ that the CPU path runs.
//
// Every partial kernel writes, for split s and query row `row` (row = (b * Hq + h) * M + i):
//   o_part[(split_offset + s) * rows + row][0..d), lse_part[(split_offset + s) * rows + row]
// and merge_kernel combines the splits of each row in index order.
#pragma once

#include <cstdint>

#include "paperkit/attention/detail/lse_merge.hpp"
#include "paperkit/attention/detail/mask.hpp"

namespace paperkit::attention::cuda {

namespace d = paperkit::attention::detail;

// Where key j (an absolute position) of sequence b and kv head h is stored.
struct KvLayout {
  const float* k = nullptr;
  const float* v = nullptr;
  const std::int32_t* block_table = nullptr;  // paged when set: [batch, pages_per_seq]
  std::int64_t tokens = 0;                    // contiguous: tokens stored per (b, h)
  std::int64_t page_size = 16;
  int page_shift = -1;  // log2(page_size) when it is a power of two: no 64-bit division per access
  std::int64_t pages_per_seq = 0;
  std::int64_t kv_heads = 1;
  std::int64_t position_base = 0;  // absolute position of stored token 0 (cascade suffix: prefix_len)
  bool shared = false;             // one KV for every sequence (cascade prefix)

  __device__ std::int64_t offset(std::int64_t b, std::int64_t h, std::int64_t j, std::int64_t dim) const {
    const std::int64_t t = j - position_base;
    const std::int64_t bs = shared ? 0 : b;
    if (block_table == nullptr) return ((bs * kv_heads + h) * tokens + t) * dim;
    if (page_shift >= 0) {
      const std::int64_t page = block_table[bs * pages_per_seq + (t >> page_shift)];
      return ((page * kv_heads + h) * page_size + (t & (page_size - 1))) * dim;
    }
    const std::int64_t page = block_table[bs * pages_per_seq + t / page_size];
    return ((page * kv_heads + h) * page_size + t % page_size) * dim;
  }
};

struct Params {
  const float* q = nullptr;
  float* o_part = nullptr;
  float* lse_part = nullptr;
  KvLayout kv;
  std::int64_t batch = 1, q_heads = 1, kv_heads = 1, q_len = 1, head_dim = 64;
  Mask mask{};
  float scale = 1.0f;
  const std::int64_t* seq_lens = nullptr;  // per-sequence lengths (paged); else uniform_len
  std::int64_t uniform_len = 0;
  std::int64_t range_begin = 0, range_end = -1;  // keys [begin, end) of each sequence; -1: its length
  std::int64_t num_splits = 1, granule = 128;
  std::int64_t split_offset = 0;  // partial slot of split 0
  bool fold_batch = false;        // tiled kernel: all sequences' rows in one CTA (shared KV only)

  PAPERKIT_HOST_DEVICE std::int64_t rows() const { return batch * q_heads * q_len; }
};

__device__ inline std::int64_t sequence_length(const Params& p, std::int64_t b) {
  return p.seq_lens != nullptr ? p.seq_lens[b] : p.uniform_len;
}

// Keys of split s of sequence b, as absolute positions.
__device__ inline d::KeyChunk split_range(const Params& p, std::int64_t b, std::int64_t s) {
  const std::int64_t end = p.range_end < 0 ? sequence_length(p, b) : p.range_end;
  const std::int64_t begin = p.range_begin < end ? p.range_begin : end;
  const d::KeyChunk c = d::split_chunk(end - begin, s, p.num_splits, p.granule);
  return d::KeyChunk{begin + c.begin, begin + c.end};
}

// ---- generic kernel: one warp per (split, query row) ------------------------------------------

inline constexpr int kGenericWarps = 4;

// kSlots = head-dim elements per lane / 1: lane owns columns lane + 32 t, t < kSlots.
template <int kSlots>
__global__ void __launch_bounds__(32 * kGenericWarps) generic_partial_kernel(Params p) {
  const std::int64_t warp = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const std::int64_t rows = p.rows();
  if (warp >= rows * p.num_splits) return;
  const std::int64_t s = warp / rows;
  const std::int64_t row = warp % rows;
  const std::int64_t i = row % p.q_len;
  const std::int64_t h = (row / p.q_len) % p.q_heads;
  const std::int64_t b = row / (p.q_len * p.q_heads);
  const std::int64_t hk = h / (p.q_heads / p.kv_heads);
  const std::int64_t dim = p.head_dim;

  float q[kSlots], acc[kSlots];
  PAPERKIT_UNROLL
  for (int t = 0; t < kSlots; ++t) {
    const std::int64_t c = lane + 32 * t;
    q[t] = c < dim ? p.q[row * dim + c] : 0.0f;
    acc[t] = 0.0f;
  }
  d::RowState<float> state{d::negative_infinity<float>(), 0.0f};
  const d::KeyChunk chunk = split_range(p, b, s);
  const std::int64_t delta = d::effective_offset(p.mask, p.q_len, sequence_length(p, b));
  for (std::int64_t j = chunk.begin; j < chunk.end; ++j) {
    if (!d::key_visible(p.mask, delta, i, j)) continue;  // uniform across the warp
    const std::int64_t base = p.kv.offset(b, hk, j, dim);
    float part = 0.0f;
    PAPERKIT_UNROLL
    for (int t = 0; t < kSlots; ++t) {
      const std::int64_t c = lane + 32 * t;
      if (c < dim) part += q[t] * p.kv.k[base + c];
    }
    PAPERKIT_UNROLL
    for (int m = 16; m > 0; m >>= 1) part += __shfl_xor_sync(0xffffffffu, part, m);
    const d::SoftmaxWeights<float> w = d::softmax_step(state, part * p.scale);
    PAPERKIT_UNROLL
    for (int t = 0; t < kSlots; ++t) {
      const std::int64_t c = lane + 32 * t;
      const float vc = c < dim ? p.kv.v[base + c] : 0.0f;
      acc[t] = w.alpha * acc[t] + w.p * vc;
    }
  }
  const float norm = d::row_normalizer(state);
  const std::int64_t slot = (p.split_offset + s) * rows + row;
  PAPERKIT_UNROLL
  for (int t = 0; t < kSlots; ++t) {
    const std::int64_t c = lane + 32 * t;
    if (c < dim) p.o_part[slot * dim + c] = acc[t] * norm;
  }
  if (lane == 0) p.lse_part[slot] = d::row_lse(state);
}

// ---- tiled split-K decode kernel --------------------------------------------------------------
//
// CTA (split s, kv head h, sequence b) with 128 threads. Its rows are the group's q heads times
// q_len (or, with fold_batch, every sequence's). Keys go through shared memory in tiles of 32
// (cp.async, two stages), so K and V are read from device memory once for all rows:
//   scores   warp w computes the partial dot over head-dim quarter w for key = lane, all rows;
//   softmax  warp w owns rows w, w+4, ...: sums the 4 quarters in order, tile max, rescale;
//   PV       thread owns column group (float4) cg and keys kp, kp + parts, ...: acc += p * v.
// At the end the key parts are summed in order through shared memory and normalized.

inline constexpr int kTiledThreads = 128;
inline constexpr int kTiledWarps = kTiledThreads / 32;
inline constexpr int kTileKeys = 32;

template <int D>
inline constexpr int kRowStride = D + 4;  // +4 floats: 16-byte reads of consecutive keys hit distinct banks

template <int D, int kRows>
struct TiledLayout {
  static constexpr int kStage = 2 * kTileKeys * kRowStride<D>;  // K then V of one tile
  static constexpr int kStages = 2;
  static constexpr int kQ = kStages * kStage;
  static constexpr int kScores = kQ + kRows * D;                              // [warps][kRows][keys]
  static constexpr int kWeights = kScores + kTiledWarps * kRows * kTileKeys;  // [kRows][keys]
  static constexpr int kAlpha = kWeights + kRows * kTileKeys;
  static constexpr int kNorm = kAlpha + kRows;
  static constexpr int kFloats = kNorm + kRows;
  static constexpr int kColumnGroups = D / 4;
  static constexpr int kKeyParts = kTiledThreads / kColumnGroups;
  static_assert(kKeyParts * kRows * D <= kQ, "the key-part reduction reuses the stage buffers");
  static constexpr std::size_t bytes() { return sizeof(float) * static_cast<std::size_t>(kFloats); }
};

__device__ inline void cp_async_16(float* shared_dst, const float* global_src, bool valid) {
  const auto dst = static_cast<unsigned>(__cvta_generic_to_shared(shared_dst));
  const int src_bytes = valid ? 16 : 0;  // 0: the 16 bytes are zero-filled, nothing is read
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(global_src), "r"(src_bytes));
}
__device__ inline void cp_async_commit() {
  asm volatile("cp.async.commit_group;\n" ::);
}
template <int kPending>
__device__ inline void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

// Row r of a CTA -> (sequence, q head within the group, query index).
struct RowIndex {
  std::int64_t b, hg, i;
};
__device__ inline RowIndex tiled_row(const Params& p, std::int64_t cta_b, int r) {
  if (p.fold_batch) {
    const std::int64_t per_head = p.batch * p.q_len;
    return RowIndex{(r % per_head) / p.q_len, r / per_head, r % p.q_len};
  }
  return RowIndex{cta_b, r / p.q_len, r % p.q_len};
}

template <int D, int kRows>
__global__ void __launch_bounds__(kTiledThreads, 1) tiled_decode_kernel(Params p) {
  using L = TiledLayout<D, kRows>;
  extern __shared__ float4 shared_raw[];
  float* shared = reinterpret_cast<float*>(shared_raw);
  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32, lane = tid % 32;
  const std::int64_t s = blockIdx.x, h = blockIdx.y, cta_b = blockIdx.z;
  const std::int64_t group = p.q_heads / p.kv_heads;
  const int rows = static_cast<int>(group * p.q_len * (p.fold_batch ? p.batch : 1));  // <= kRows (host checks)
  // Key ranges and lengths: with fold_batch every sequence shares them (host checks).
  const std::int64_t kv_b = cta_b;
  const d::KeyChunk chunk = split_range(p, kv_b, s);
  const std::int64_t delta = d::effective_offset(p.mask, p.q_len, sequence_length(p, kv_b));

  float* q_tile = shared + L::kQ;
  for (int x = tid; x < kRows * D; x += kTiledThreads) {
    const int r = x / D, c = x % D;
    float value = 0.0f;
    if (r < rows) {
      const RowIndex ri = tiled_row(p, cta_b, r);
      value = p.q[((ri.b * p.q_heads + h * group + ri.hg) * p.q_len + ri.i) * D + c];
    }
    q_tile[x] = value;
  }

  const auto load_tile = [&](std::int64_t first, int stage) {
    float* k_tile = shared + stage * L::kStage;
    float* v_tile = k_tile + kTileKeys * kRowStride<D>;
    for (int x = tid; x < kTileKeys * D / 4; x += kTiledThreads) {
      const int key = x / (D / 4), c = (x % (D / 4)) * 4;
      const std::int64_t j = first + key;
      const bool valid = j < chunk.end;
      const std::int64_t at = valid ? p.kv.offset(kv_b, h, j, D) + c : 0;
      cp_async_16(k_tile + key * kRowStride<D> + c, p.kv.k + at, valid);
      cp_async_16(v_tile + key * kRowStride<D> + c, p.kv.v + at, valid);
    }
    cp_async_commit();
  };

  constexpr int kRowsPerWarp = (kRows + kTiledWarps - 1) / kTiledWarps;
  d::RowState<float> state[kRowsPerWarp];
  PAPERKIT_UNROLL
  for (int k = 0; k < kRowsPerWarp; ++k) state[k] = d::RowState<float>{d::negative_infinity<float>(), 0.0f};

  const int cg = tid % L::kColumnGroups, kp = tid / L::kColumnGroups;
  float4 acc[kRows];
  PAPERKIT_UNROLL
  for (int r = 0; r < kRows; ++r) acc[r] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);

  float* scores = shared + L::kScores;
  float* weights = shared + L::kWeights;
  float* alpha = shared + L::kAlpha;
  int stage = 0;
  if (chunk.begin < chunk.end) load_tile(chunk.begin, 0);
  for (std::int64_t first = chunk.begin; first < chunk.end; first += kTileKeys, stage ^= 1) {
    const bool more = first + kTileKeys < chunk.end;
    if (more) load_tile(first + kTileKeys, stage ^ 1);
    if (more) {
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();  // this tile (and q_tile on the first pass) visible to every thread
    const float* k_tile = shared + stage * L::kStage;
    const float* v_tile = k_tile + kTileKeys * kRowStride<D>;

    // Scores: warp w sums head-dim quarter w of q_r . k_lane for every row.
    {
      constexpr int kQuarter = D / kTiledWarps;
      const float* k_row = k_tile + lane * kRowStride<D> + warp * kQuarter;
      float4 kv4[kQuarter / 4];
      PAPERKIT_UNROLL
      for (int c = 0; c < kQuarter / 4; ++c) kv4[c] = reinterpret_cast<const float4*>(k_row)[c];
      PAPERKIT_UNROLL
      for (int r = 0; r < kRows; ++r) {
        const float4* q4 = reinterpret_cast<const float4*>(q_tile + r * D + warp * kQuarter);
        float dot = 0.0f;
        PAPERKIT_UNROLL
        for (int c = 0; c < kQuarter / 4; ++c) {
          const float4 a = q4[c];
          dot += a.x * kv4[c].x;
          dot += a.y * kv4[c].y;
          dot += a.z * kv4[c].z;
          dot += a.w * kv4[c].w;
        }
        scores[(warp * kRows + r) * kTileKeys + lane] = dot;
      }
    }
    __syncthreads();

    // Softmax: warp w owns rows w, w + 4, ...; lane = key.
    PAPERKIT_UNROLL
    for (int k = 0; k < kRowsPerWarp; ++k) {
      const int r = warp + k * kTiledWarps;
      if (r < kRows) {
        const std::int64_t j = first + lane;
        float score = d::negative_infinity<float>();
        if (r < rows && j < chunk.end && d::key_visible(p.mask, delta, tiled_row(p, cta_b, r).i, j)) {
          float dot = 0.0f;
          PAPERKIT_UNROLL
          for (int w = 0; w < kTiledWarps; ++w) dot += scores[(w * kRows + r) * kTileKeys + lane];
          score = dot * p.scale;
        }
        float tile_max = score;
        PAPERKIT_UNROLL
        for (int m = 16; m > 0; m >>= 1) tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, m));
        const float a = d::softmax_rescale(state[k], tile_max);
        const float weight = d::tile_weight(state[k], score);
        float sum = weight;
        PAPERKIT_UNROLL
        for (int m = 16; m > 0; m >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, m);
        state[k].sum_exp += sum;
        weights[r * kTileKeys + lane] = weight;
        if (lane == 0) alpha[r] = a;
      }
    }
    __syncthreads();

    // PV: acc[r] (column group cg, keys kp, kp + parts, ...) = alpha_r acc[r] + sum p_rj v_j.
    PAPERKIT_UNROLL
    for (int r = 0; r < kRows; ++r) {
      const float a = alpha[r];
      acc[r].x *= a;
      acc[r].y *= a;
      acc[r].z *= a;
      acc[r].w *= a;
    }
    PAPERKIT_UNROLL
    for (int key = kp; key < kTileKeys; key += L::kKeyParts) {
      const float4 v4 = reinterpret_cast<const float4*>(v_tile + key * kRowStride<D>)[cg];
      PAPERKIT_UNROLL
      for (int r = 0; r < kRows; ++r) {
        const float w = weights[r * kTileKeys + key];
        acc[r].x += w * v4.x;
        acc[r].y += w * v4.y;
        acc[r].z += w * v4.z;
        acc[r].w += w * v4.w;
      }
    }
    __syncthreads();  // the stage buffer is refilled by the next iteration's load
  }

  // Sum the key parts in order (through the now idle stage buffers), normalize, write.
  float* norm = shared + L::kNorm;
  float* lse_out = p.lse_part;
  const std::int64_t total_rows = p.rows();
  PAPERKIT_UNROLL
  for (int k = 0; k < kRowsPerWarp; ++k) {
    const int r = warp + k * kTiledWarps;
    if (r < kRows && lane == 0) {
      norm[r] = d::row_normalizer(state[k]);
      if (r < rows) {
        const RowIndex ri = tiled_row(p, cta_b, r);
        const std::int64_t row = (ri.b * p.q_heads + h * group + ri.hg) * p.q_len + ri.i;
        lse_out[(p.split_offset + s) * total_rows + row] = d::row_lse(state[k]);
      }
    }
  }
  float* partial_sums = shared;  // [kKeyParts][kRows][D]
  PAPERKIT_UNROLL
  for (int r = 0; r < kRows; ++r) reinterpret_cast<float4*>(partial_sums + (kp * kRows + r) * D)[cg] = acc[r];
  __syncthreads();
  for (int x = tid; x < rows * D; x += kTiledThreads) {
    const int r = x / D, c = x % D;
    float sum = 0.0f;
    for (int part = 0; part < L::kKeyParts; ++part) sum += partial_sums[(part * kRows + r) * D + c];
    const RowIndex ri = tiled_row(p, cta_b, r);
    const std::int64_t row = (ri.b * p.q_heads + h * group + ri.hg) * p.q_len + ri.i;
    p.o_part[((p.split_offset + s) * total_rows + row) * D + c] = sum * norm[r];
  }
}

// ---- merge: one thread per output element, splits merged in index order (attention_cuda.cu) ----
__global__ void merge_kernel(const float* o_part, const float* lse_part, std::int64_t splits, std::int64_t rows,
                             std::int64_t dim, float* out, float* lse);

}  // namespace paperkit::attention::cuda
