#include "bench_gpu/gpu_runtime.hpp"

#include "core/nvml.hpp"

namespace memwall::gpu {

namespace {
DeviceInfo g_device;
bool g_selected = false;
}  // namespace

void cuda_check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  cudaGetLastError();  // clear a sticky-free error so the next benchmark starts clean
  throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

std::string gpu_unavailable_reason() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) return "no CUDA GPU found";
  if (e == cudaErrorInsufficientDriver)
    return "the NVIDIA driver is missing or older than this CUDA runtime";
  if (e != cudaSuccess) return std::string("CUDA runtime: ") + cudaGetErrorString(e);
  return "";
}

void select_device(int index) {
  int count = 0;
  MEMWALL_CUDA(cudaGetDeviceCount(&count));
  if (index < 0 || index >= count)
    throw std::runtime_error("no GPU " + std::to_string(index) + " (this machine has " +
                             std::to_string(count) + ")");
  MEMWALL_CUDA(cudaSetDevice(index));
  cudaDeviceProp p{};
  MEMWALL_CUDA(cudaGetDeviceProperties(&p, index));
  DeviceInfo d;
  d.index = index;
  d.name = p.name;
  d.sms = p.multiProcessorCount;
  d.max_threads_per_sm = p.maxThreadsPerMultiProcessor;
  d.major = p.major;
  d.minor = p.minor;
  d.memory_bytes = p.totalGlobalMem;
  d.l2_bytes = static_cast<size_t>(p.l2CacheSize);
  d.shared_per_sm = p.sharedMemPerMultiprocessor;
  d.can_map_host = p.canMapHostMemory != 0;
  d.bus_bits = p.memoryBusWidth;
  d.pci_bus = p.pciBusID;
  char bus_id[32] = {};
  if (cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, index) == cudaSuccess) d.pci_bus_id = bus_id;
  // Energy, clocks and the link come from the same board as the kernels run on.
  if (!d.pci_bus_id.empty()) Nvml::instance().select_pci(d.pci_bus_id);
  int value = 0;
  if (cudaDeviceGetAttribute(&value, cudaDevAttrClockRate, index) == cudaSuccess)
    d.clock_mhz = value / 1000;
  if (cudaDeviceGetAttribute(&value, cudaDevAttrMemoryClockRate, index) == cudaSuccess)
    d.memory_clock_mhz = value / 1000;
  // The unified L1/shared array of an SM: the most shared memory an SM can have plus what a
  // carve-out leaves to L1 is not reported; the L1 size memwall assumes is the unified size.
  d.l1_per_sm = p.sharedMemPerMultiprocessor + 32 * 1024;
  cudaDriverGetVersion(&d.driver_version);
  cudaRuntimeGetVersion(&d.runtime_version);
  g_device = d;
  g_selected = true;
}

std::string device_key() {
  return "/device:gpu" + std::to_string(device().index);
}

bool device_ready() {
  return g_selected;
}

const DeviceInfo& device() {
  if (!g_selected) select_device(0);
  return g_device;
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  MEMWALL_CUDA(cudaMalloc(&data_, bytes));
}
DeviceBuffer::~DeviceBuffer() {
  if (data_) cudaFree(data_);
}
DeviceBuffer::DeviceBuffer(DeviceBuffer&& o) noexcept : data_(o.data_), bytes_(o.bytes_) {
  o.data_ = nullptr;
  o.bytes_ = 0;
}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (data_) cudaFree(data_);
    data_ = o.data_;
    bytes_ = o.bytes_;
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

PinnedBuffer::PinnedBuffer(size_t bytes, bool mapped) {
  MEMWALL_CUDA(cudaHostAlloc(&data_, bytes, mapped ? cudaHostAllocMapped : cudaHostAllocDefault));
}
PinnedBuffer::~PinnedBuffer() {
  if (data_) cudaFreeHost(data_);
}
void* PinnedBuffer::device_pointer() const {
  void* p = nullptr;
  MEMWALL_CUDA(cudaHostGetDevicePointer(&p, data_, 0));
  return p;
}

}  // namespace memwall::gpu
