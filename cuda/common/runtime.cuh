// CUDA runtime plumbing shared by the CUDA modules (host code only): error mapping to paperkit
// exceptions, an owning device buffer and an event timer.
//
// Errors meaning "no usable GPU here" map to BackendUnavailable (exit code 4); every other CUDA
// error is a bug or a broken device: InternalError (exit code 1), carrying cudaGetErrorString.
#pragma once

#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "paperkit/common/errors.hpp"

namespace paperkit::cuda_runtime {

inline bool means_unavailable(cudaError_t e) {
  switch (e) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorMemoryAllocation:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorStubLibrary:
      return true;
    default:
      return false;
  }
}

inline void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  (void)cudaGetLastError();  // clear a non-sticky error so later calls start clean
  const std::string message = std::string("CUDA ") + what + ": " + cudaGetErrorString(e);
  if (means_unavailable(e)) throw BackendUnavailable(message);
  throw InternalError(message);
}

// Throws BackendUnavailable unless a device exists and can run `kernel` (a GPU older than the
// compiled architectures has none of this build's kernels).
template <typename Kernel>
void require_device(Kernel kernel) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw BackendUnavailable(std::string("no CUDA device (") + cudaGetErrorString(e) + ")");
  }
  if (count == 0) throw BackendUnavailable("no CUDA device");
  cudaFuncAttributes attributes{};
  const cudaError_t k = cudaFuncGetAttributes(&attributes, kernel);
  if (k != cudaSuccess) {
    (void)cudaGetLastError();
    throw BackendUnavailable(std::string("the CUDA device cannot run this build's kernels: ") + cudaGetErrorString(k));
  }
}

// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 50 MB L2)" for the current device.
inline std::string current_device_description() {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " +
         std::to_string(prop.multiProcessorCount) + " SMs, " + std::to_string(prop.l2CacheSize / (1024 * 1024)) +
         " MB L2)";
}

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count_ > 0) check(cudaMalloc(reinterpret_cast<void**>(&ptr_), count_ * sizeof(T)), "cudaMalloc");
  }
  DeviceBuffer(const T* host, std::size_t count) : DeviceBuffer(count) { upload(host, count); }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) (void)cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept : ptr_(other.ptr_), count_(other.count_) {
    other.ptr_ = nullptr;
    other.count_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(ptr_, other.ptr_);
    std::swap(count_, other.count_);
    return *this;
  }

  T* get() const { return ptr_; }
  std::size_t size() const { return count_; }
  void upload(const T* host, std::size_t count) {
    if (count > 0) check(cudaMemcpy(ptr_, host, count * sizeof(T), cudaMemcpyHostToDevice), "copy to device");
  }
  // Fills every byte with 0xFF (NaN for floats) so an element no kernel wrote shows up in tests.
  void poison() {
    if (count_ > 0) check(cudaMemset(ptr_, 0xFF, count_ * sizeof(T)), "cudaMemset");
  }
  std::vector<T> download() const {
    std::vector<T> host(count_);
    if (count_ > 0) check(cudaMemcpy(host.data(), ptr_, count_ * sizeof(T), cudaMemcpyDeviceToHost), "copy to host");
    return host;
  }

 private:
  T* ptr_ = nullptr;
  std::size_t count_ = 0;
};

class Event {
 public:
  Event() { check(cudaEventCreate(&event_), "cudaEventCreate"); }
  ~Event() { (void)cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record(cudaStream_t stream = nullptr) { check(cudaEventRecord(event_, stream), "cudaEventRecord"); }
  float ms_since(const Event& start) const {
    check(cudaEventSynchronize(event_), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start.event_, event_), "cudaEventElapsedTime");
    return ms;
  }

 private:
  cudaEvent_t event_{};
};

}  // namespace paperkit::cuda_runtime
