// PAPERKIT_HOST_DEVICE marks a function that both the CUDA kernels and the CPU code call
// (CUTLASS_HOST_DEVICE in CUTLASS): `__host__ __device__` under nvcc, nothing under a plain
// C++ compiler. Math written once this way lets CPU tests, which run without a GPU, check the
// very code the kernels run.
#pragma once

#if defined(__CUDACC__)
#define PAPERKIT_HOST_DEVICE __host__ __device__
#else
#define PAPERKIT_HOST_DEVICE
#endif

// Fully unrolls the next loop in device code, where small per-thread arrays must stay in
// registers; nothing elsewhere (a plain C++ compiler would warn about an unknown pragma).
#if defined(__CUDA_ARCH__)
#define PAPERKIT_UNROLL _Pragma("unroll")
#else
#define PAPERKIT_UNROLL
#endif
