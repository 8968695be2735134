// paperkit::attention on the GPU: the host side (checks, uploads, kernel choice, launches, merge,
// downloads). The kernels are in kernels.cuh; device plumbing in cuda/common/runtime.cuh.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "attention_cuda_internal.cuh"
#include "paperkit/attention/gpu.hpp"

namespace paperkit::attention {

using cuda_runtime::check;
using cuda_runtime::DeviceBuffer;
namespace k = attention::cuda;

namespace cuda {

__global__ void merge_kernel(const float* o_part, const float* lse_part, std::int64_t splits, std::int64_t rows,
                             std::int64_t dim, float* out, float* lse) {
  const std::int64_t x = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (x >= rows * dim) return;
  const std::int64_t row = x / dim, c = x % dim;
  float o = 0.0f;
  float l = d::negative_infinity<float>();
  for (std::int64_t s = 0; s < splits; ++s) {
    d::merge_into(&o, l, o_part + (s * rows + row) * dim + c, lse_part[s * rows + row], 1);
  }
  out[x] = o;
  if (c == 0) lse[row] = l;
}

}  // namespace cuda

namespace gpu_internal {

void check_size(const char* name, std::size_t got, std::size_t want) {
  if (got != want) {
    throw InputError(std::string(name) + " must hold " + std::to_string(want) + " values for this shape, got " +
                     std::to_string(got));
  }
}

int device_sms() {
  int device = 0, sms = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
  return sms;
}

void require_device() {
  cuda_runtime::require_device(k::merge_kernel);
}

int tiled_rows(const Shape& shape, bool fold_batch) {
  return static_cast<int>(shape.group() * shape.q_len * (fold_batch ? shape.batch : 1));
}

bool tiled_applies(const Shape& shape, bool fold_batch) {
  return (shape.head_dim == 64 || shape.head_dim == 128) && shape.group() * shape.q_len <= 16 &&
         tiled_rows(shape, fold_batch) <= 16;
}

bool use_tiled(const Shape& shape, GpuKernel kernel, bool fold_batch) {
  if (shape.head_dim > kMaxHeadDim) {
    throw InvalidParameter("head_dim must be <= " + std::to_string(kMaxHeadDim) + " on the GPU, got " +
                           std::to_string(shape.head_dim));
  }
  switch (kernel) {
    case GpuKernel::tiled:
      if (!tiled_applies(shape, fold_batch)) {
        throw InvalidParameter("the tiled kernel needs head_dim 64 or 128 and group * q_len <= 16, got head_dim=" +
                               std::to_string(shape.head_dim) +
                               " group*q_len=" + std::to_string(shape.group() * shape.q_len));
      }
      return true;
    case GpuKernel::generic:
      return false;
    case GpuKernel::automatic:
      break;
  }
  return tiled_applies(shape, fold_batch);
}

namespace {

template <int D, int kRows>
void launch_tiled_rows(const k::Params& p, cudaStream_t stream) {
  using L = k::TiledLayout<D, kRows>;
  const auto kernel = k::tiled_decode_kernel<D, kRows>;
  // Above 48 KB a kernel must opt in; once per instantiation (never inside a graph capture).
  static const cudaError_t configured =
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(L::bytes()));
  check(configured, "cudaFuncSetAttribute");
  const dim3 grid(static_cast<unsigned>(p.num_splits), static_cast<unsigned>(p.kv_heads),
                  static_cast<unsigned>(p.fold_batch ? 1 : p.batch));
  kernel<<<grid, k::kTiledThreads, L::bytes(), stream>>>(p);
}

template <int D>
void launch_tiled_dim(const k::Params& p, int rows, cudaStream_t stream) {
  if (rows <= 1) return launch_tiled_rows<D, 1>(p, stream);
  if (rows <= 2) return launch_tiled_rows<D, 2>(p, stream);
  if (rows <= 4) return launch_tiled_rows<D, 4>(p, stream);
  if (rows <= 8) return launch_tiled_rows<D, 8>(p, stream);
  return launch_tiled_rows<D, 16>(p, stream);
}

template <int D, int kRows>
int tiled_blocks_per_sm_rows() {
  int blocks = 0;
  using L = k::TiledLayout<D, kRows>;
  const auto kernel = k::tiled_decode_kernel<D, kRows>;
  static const cudaError_t configured =
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(L::bytes()));
  check(configured, "cudaFuncSetAttribute");
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, k::kTiledThreads, L::bytes()),
        "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
  return blocks;
}

template <int D>
int tiled_blocks_per_sm_dim(int rows) {
  if (rows <= 1) return tiled_blocks_per_sm_rows<D, 1>();
  if (rows <= 2) return tiled_blocks_per_sm_rows<D, 2>();
  if (rows <= 4) return tiled_blocks_per_sm_rows<D, 4>();
  if (rows <= 8) return tiled_blocks_per_sm_rows<D, 8>();
  return tiled_blocks_per_sm_rows<D, 16>();
}

// Resident CTAs per SM of the tiled kernel for this shape (shared memory and registers).
int tiled_blocks_per_sm(const Shape& shape) {
  const int rows = tiled_rows(shape, false);
  return shape.head_dim == 64 ? tiled_blocks_per_sm_dim<64>(rows) : tiled_blocks_per_sm_dim<128>(rows);
}

template <int kSlots>
void launch_generic_slots(const k::Params& p, cudaStream_t stream) {
  const std::int64_t warps = p.rows() * p.num_splits;
  const std::int64_t blocks = (warps + k::kGenericWarps - 1) / k::kGenericWarps;
  if (blocks > INT_MAX) throw InvalidParameter("too many query rows x splits for one GPU launch");
  k::generic_partial_kernel<kSlots><<<static_cast<unsigned>(blocks), 32 * k::kGenericWarps, 0, stream>>>(p);
}

}  // namespace

void launch_partials(const k::Params& p, bool tiled, cudaStream_t stream) {
  if (p.num_splits > INT_MAX || p.kv_heads > 65535 || p.batch > 65535) {
    throw InvalidParameter("num_splits, kv_heads or batch too large for one GPU launch");
  }
  if (tiled) {
    const Shape shape{p.batch, p.q_heads, p.kv_heads, p.q_len, 1, p.head_dim};
    const int rows = tiled_rows(shape, p.fold_batch);
    if (p.head_dim == 64) {
      launch_tiled_dim<64>(p, rows, stream);
    } else {
      launch_tiled_dim<128>(p, rows, stream);
    }
  } else if (p.head_dim <= 32) {
    launch_generic_slots<1>(p, stream);
  } else if (p.head_dim <= 64) {
    launch_generic_slots<2>(p, stream);
  } else if (p.head_dim <= 128) {
    launch_generic_slots<4>(p, stream);
  } else {
    launch_generic_slots<8>(p, stream);
  }
  check(cudaGetLastError(), "partial attention kernel launch");
}

void launch_merge(const float* o_part, const float* lse_part, std::int64_t splits, std::int64_t rows, std::int64_t dim,
                  float* out, float* lse, cudaStream_t stream) {
  const std::int64_t threads = 256;
  const std::int64_t blocks = (rows * dim + threads - 1) / threads;
  if (blocks > INT_MAX) throw InvalidParameter("too many outputs for one GPU merge launch");
  k::merge_kernel<<<static_cast<unsigned>(blocks), threads, 0, stream>>>(o_part, lse_part, splits, rows, dim, out, lse);
  check(cudaGetLastError(), "merge kernel launch");
}

int page_shift_of(std::int64_t page_size) {
  for (int shift = 0; shift < 31; ++shift) {
    if ((std::int64_t{1} << shift) == page_size) return shift;
  }
  return -1;
}

std::int64_t resolve_splits(const Shape& shape, std::int64_t kv_len, const GpuOptions& options, bool tiled) {
  if (options.num_splits < 0) {
    throw InvalidParameter("num_splits must be >= 0 (0 = automatic), got " + std::to_string(options.num_splits));
  }
  if (options.granule < 1) throw InvalidParameter("granule must be >= 1, got " + std::to_string(options.granule));
  if (options.num_splits > 0) return options.num_splits;
  const int sms = device_sms();
  const std::int64_t spec = auto_num_splits(shape, kv_len, options.granule, sms);
  if (!tiled) return spec;
  // Equal-work CTAs run in waves of `resident`; a last, partial wave leaves SMs idle. Why 2%:
  // more splits cost partial-result traffic and merge work, so take the fewest close to the best.
  const double resident = static_cast<double>(tiled_blocks_per_sm(shape)) * sms;
  const std::int64_t pairs = shape.batch * shape.kv_heads;
  const std::int64_t most =
      std::max<std::int64_t>(spec, std::min<std::int64_t>(8 * spec, (kv_len + options.granule - 1) / options.granule));
  const auto fill = [&](std::int64_t splits) {
    const double ctas = static_cast<double>(pairs * splits);
    return ctas / (std::ceil(ctas / resident) * resident);
  };
  double best = 0;
  for (std::int64_t splits = spec; splits <= most; ++splits) best = std::max(best, fill(splits));
  for (std::int64_t splits = spec; splits <= most; ++splits) {
    if (fill(splits) >= best - 0.02) return splits;
  }
  return spec;
}

k::Params base_params(const Shape& shape, const Mask& mask, float scale) {
  k::Params p;
  p.batch = shape.batch;
  p.q_heads = shape.q_heads;
  p.kv_heads = shape.kv_heads;
  p.q_len = shape.q_len;
  p.head_dim = shape.head_dim;
  p.mask = mask;
  p.scale = scale;
  p.kv.kv_heads = shape.kv_heads;
  return p;
}

// Partial slots [0, slots) on the device, poisoned so that a row no kernel wrote is NaN.
PartialSlots::PartialSlots(const Shape& shape, std::int64_t slots)
    : rows(shape.batch * shape.q_heads * shape.q_len),
      count(slots),
      o(static_cast<std::size_t>(slots * rows * shape.head_dim)),
      lse(static_cast<std::size_t>(slots * rows)) {
  o.poison();
  lse.poison();
}

Partial merge_to_host(const Shape& shape, const PartialSlots& slots) {
  DeviceBuffer<float> out(shape.q_elements()), lse(shape.lse_elements());
  out.poison();
  lse.poison();
  launch_merge(slots.o.get(), slots.lse.get(), slots.count, slots.rows, shape.head_dim, out.get(), lse.get(), nullptr);
  Partial result;
  result.out = out.download();
  result.lse = lse.download();
  return result;
}

}  // namespace gpu_internal

using namespace gpu_internal;

bool gpu_available() noexcept {
  try {
    require_device();
    return true;
  } catch (...) {
    return false;
  }
}

std::string gpu_device_name() {
  require_device();
  return cuda_runtime::current_device_description();
}

std::int64_t auto_num_splits(const Shape& shape, std::int64_t kv_len, std::int64_t granule, std::int64_t sms) {
  const std::int64_t ctas = std::max<std::int64_t>(1, shape.batch * shape.kv_heads);
  const std::int64_t wanted = (2 * sms + ctas - 1) / ctas;
  const std::int64_t most = std::max<std::int64_t>(1, (kv_len + granule - 1) / std::max<std::int64_t>(1, granule));
  return std::max<std::int64_t>(1, std::min(wanted, most));
}

bool tiled_kernel_applies(const Shape& shape) {
  return tiled_applies(shape, false);
}

Partial partial_attention_gpu(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, KeyRange range, const Mask& mask, float scale,
                              const GpuOptions& options) {
  validate(shape);
  validate(mask);
  check_size("q", q.size(), shape.q_elements());
  check_size("k", k.size(), shape.kv_elements());
  check_size("v", v.size(), shape.kv_elements());
  const std::int64_t end = range.end < 0 ? shape.kv_len : range.end;
  if (range.begin < 0 || range.begin > end || end > shape.kv_len) {
    throw InvalidParameter("key range must satisfy 0 <= begin <= end <= kv_len=" + std::to_string(shape.kv_len) +
                           ", got [" + std::to_string(range.begin) + ", " + std::to_string(end) + ")");
  }
  const bool tiled = use_tiled(shape, options.kernel, false);
  require_device();
  const std::int64_t splits = resolve_splits(shape, std::max<std::int64_t>(end - range.begin, 1), options, tiled);

  DeviceBuffer<float> dq(q.data(), q.size()), dk(k.data(), k.size()), dv(v.data(), v.size());
  PartialSlots slots(shape, splits);
  k::Params p = base_params(shape, mask, scale);
  p.q = dq.get();
  p.o_part = slots.o.get();
  p.lse_part = slots.lse.get();
  p.kv.k = dk.get();
  p.kv.v = dv.get();
  p.kv.tokens = shape.kv_len;
  p.uniform_len = shape.kv_len;
  p.range_begin = range.begin;
  p.range_end = end;
  p.num_splits = splits;
  p.granule = options.granule;
  launch_partials(p, tiled, nullptr);
  return merge_to_host(shape, slots);
}

Partial split_k_attention_gpu(const Shape& shape, std::span<const float> q, std::span<const float> k,
                              std::span<const float> v, const Mask& mask, float scale, const GpuOptions& options) {
  return partial_attention_gpu(shape, q, k, v, KeyRange{0, -1}, mask, scale, options);
}

Partial split_k_attention_paged_gpu(const Shape& shape, std::span<const float> q, const PagedKv& kv, const Mask& mask,
                                    float scale, const GpuOptions& options) {
  validate(shape, kv);
  validate(mask);
  check_size("q", q.size(), shape.q_elements());
  const bool tiled = use_tiled(shape, options.kernel, false);
  require_device();
  const std::int64_t longest = *std::max_element(kv.seq_lens.begin(), kv.seq_lens.end());
  const std::int64_t splits = resolve_splits(shape, longest, options, tiled);

  DeviceBuffer<float> dq(q.data(), q.size()), dk(kv.k_pages.data(), kv.k_pages.size()),
      dv(kv.v_pages.data(), kv.v_pages.size());
  DeviceBuffer<std::int32_t> table(kv.block_table.data(), kv.block_table.size());
  DeviceBuffer<std::int64_t> lens(kv.seq_lens.data(), kv.seq_lens.size());
  PartialSlots slots(shape, splits);
  k::Params p = base_params(shape, mask, scale);
  p.q = dq.get();
  p.o_part = slots.o.get();
  p.lse_part = slots.lse.get();
  p.kv.k = dk.get();
  p.kv.v = dv.get();
  p.kv.block_table = table.get();
  p.kv.page_size = kv.page_size;
  p.kv.page_shift = page_shift_of(kv.page_size);
  p.kv.pages_per_seq = kv.pages_per_seq;
  p.seq_lens = lens.get();
  p.num_splits = splits;
  p.granule = options.granule;
  launch_partials(p, tiled, nullptr);
  return merge_to_host(shape, slots);
}

Partial cascade_attention_gpu(const Shape& shape, std::int64_t prefix_len, std::span<const float> q,
                              std::span<const float> prefix_k, std::span<const float> prefix_v,
                              std::span<const float> suffix_k, std::span<const float> suffix_v, const Mask& mask,
                              float scale, const GpuOptions& options) {
  validate(shape);
  validate(mask);
  if (prefix_len < 1) throw InvalidParameter("prefix_len must be >= 1, got " + std::to_string(prefix_len));
  check_size("q", q.size(), shape.q_elements());
  check_size("suffix_k", suffix_k.size(), shape.kv_elements());
  check_size("suffix_v", suffix_v.size(), shape.kv_elements());
  const auto prefix_size = static_cast<std::size_t>(shape.kv_heads * prefix_len * shape.head_dim);
  check_size("prefix_k", prefix_k.size(), prefix_size);
  check_size("prefix_v", prefix_v.size(), prefix_size);
  // The prefix pass folds every request's rows into one CTA per (split, kv head) where they fit
  // (the GEMM-shaped pass of spec B2: the shared KV is read once for all requests).
  const bool suffix_tiled = use_tiled(shape, options.kernel, false);
  const bool fold = options.kernel != GpuKernel::generic && tiled_applies(shape, true);
  const bool prefix_tiled = fold || suffix_tiled;
  require_device();
  Shape one_sequence = shape;
  one_sequence.batch = fold ? 1 : shape.batch;
  const std::int64_t prefix_splits = resolve_splits(one_sequence, prefix_len, options);
  const std::int64_t suffix_splits = resolve_splits(shape, shape.kv_len, options);

  DeviceBuffer<float> dq(q.data(), q.size()), pk(prefix_k.data(), prefix_k.size()),
      pv(prefix_v.data(), prefix_v.size()), sk(suffix_k.data(), suffix_k.size()), sv(suffix_v.data(), suffix_v.size());
  // Slots: the prefix's chunks, then the suffix's; merged in that order (the CPU merges prefix, suffix).
  PartialSlots slots(shape, prefix_splits + suffix_splits);
  const std::int64_t total = prefix_len + shape.kv_len;

  k::Params prefix = base_params(shape, mask, scale);
  prefix.q = dq.get();
  prefix.o_part = slots.o.get();
  prefix.lse_part = slots.lse.get();
  prefix.kv.k = pk.get();
  prefix.kv.v = pv.get();
  prefix.kv.tokens = prefix_len;
  prefix.kv.shared = true;
  prefix.uniform_len = total;
  prefix.range_begin = 0;
  prefix.range_end = prefix_len;
  prefix.num_splits = prefix_splits;
  prefix.granule = options.granule;
  prefix.fold_batch = fold;
  launch_partials(prefix, prefix_tiled, nullptr);

  k::Params own = prefix;
  own.kv.k = sk.get();
  own.kv.v = sv.get();
  own.kv.tokens = shape.kv_len;
  own.kv.shared = false;
  own.kv.position_base = prefix_len;
  own.range_begin = prefix_len;
  own.range_end = total;
  own.num_splits = suffix_splits;
  own.fold_batch = false;
  own.split_offset = prefix_splits;
  launch_partials(own, suffix_tiled, nullptr);
  return merge_to_host(shape, slots);
}

Partial merge_partials_gpu(const Shape& shape, std::span<const Partial> parts) {
  validate(shape);
  if (parts.empty()) throw InvalidParameter("merge_partials_gpu needs at least one partial");
  for (const Partial& part : parts) {
    check_size("partial out", part.out.size(), shape.q_elements());
    check_size("partial lse", part.lse.size(), shape.lse_elements());
  }
  require_device();
  PartialSlots slots(shape, static_cast<std::int64_t>(parts.size()));
  for (std::size_t s = 0; s < parts.size(); ++s) {
    check(cudaMemcpy(slots.o.get() + s * shape.q_elements(), parts[s].out.data(), shape.q_elements() * sizeof(float),
                     cudaMemcpyHostToDevice),
          "copy to device");
    check(cudaMemcpy(slots.lse.get() + s * shape.lse_elements(), parts[s].lse.data(),
                     shape.lse_elements() * sizeof(float), cudaMemcpyHostToDevice),
          "copy to device");
  }
  return merge_to_host(shape, slots);
}

}  // namespace paperkit::attention
