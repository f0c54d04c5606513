// The CUDA runtime as bench_gpu's families use it: errors become exceptions (one benchmark's
// error, never an abort), the device chosen with --device and what it is, device memory that
// frees itself. Timing stays in core/: regions are timed on the host around a synchronized
// launch of enough work (milliseconds), as every other memwall region is.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace memwall::gpu {

// Throws std::runtime_error("CUDA: <what>: <message>") unless `e` is cudaSuccess.
void cuda_check(cudaError_t e, const char* what);
#define MEMWALL_CUDA(call) ::memwall::gpu::cuda_check((call), #call)

struct DeviceInfo {
  int index = 0;
  std::string name;
  int sms = 0, major = 0, minor = 0, max_threads_per_sm = 2048;
  size_t memory_bytes = 0, l2_bytes = 0, shared_per_sm = 0, l1_per_sm = 0;
  int clock_mhz = 0, memory_clock_mhz = 0, bus_bits = 0;
  int driver_version = 0, runtime_version = 0;
  int pci_bus = 0;
  std::string pci_bus_id;  // "0000:19:00.0": how NVML finds the same board
  bool can_map_host = false;
};

// "" when a GPU and a driver are there; else why not (for the one line and the result file).
std::string gpu_unavailable_reason();
void select_device(int index);
const DeviceInfo& device();
// A device was selected: the families register their benchmarks only then.
bool device_ready();
// "/device:gpuN": every benchmark name carries its GPU, so two GPUs' results never merge.
std::string device_key();

// cudaMalloc'd memory of `bytes`, freed when it goes.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// Pinned (page-locked, optionally mapped into the device's address space) host memory.
class PinnedBuffer {
 public:
  PinnedBuffer(size_t bytes, bool mapped);
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  void* device_pointer() const;  // for SM access to mapped memory

 private:
  void* data_ = nullptr;
};

}  // namespace memwall::gpu
