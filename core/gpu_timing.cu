#include <atomic>
#include <stdexcept>
#include <string>

#include "core/gpu_timing.hpp"

namespace memwall {

namespace {

void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  cudaGetLastError();
  throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

// Holds its stream until the host sets *release, or about ten seconds pass (a guard: work whose
// queueing waited for the device would otherwise never be released).
__global__ void hold_stream(volatile int* release) {
  const long long start = clock64();
  while (*release == 0 && clock64() - start < 20000000000ll) {
  }
}

// One flag for every device: pinned, mapped and portable, so each device reads it through
// unified addressing.
volatile int* release_flag() {
  static int* flag = [] {
    int* f = nullptr;
    check(cudaHostAlloc(&f, sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable),
          "cudaHostAlloc of the release flag");
    return f;
  }();
  return flag;
}

}  // namespace

double time_gpu(const std::function<void()>& enqueue, const std::vector<GpuStream>& streams,
                bool hold) {
  int current = 0;
  check(cudaGetDevice(&current), "cudaGetDevice");
  std::vector<cudaEvent_t> start(streams.size()), stop(streams.size());
  volatile int* release = release_flag();
  *release = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    check(cudaSetDevice(streams[i].device), "cudaSetDevice");
    check(cudaEventCreate(&start[i]), "cudaEventCreate");
    check(cudaEventCreate(&stop[i]), "cudaEventCreate");
    if (hold) hold_stream<<<1, 1, 0, streams[i].stream>>>(release);
    check(cudaGetLastError(), "the hold kernel");
    check(cudaEventRecord(start[i], streams[i].stream), "cudaEventRecord");
  }
  check(cudaSetDevice(current), "cudaSetDevice");
  enqueue();
  check(cudaGetLastError(), "the timed work");
  for (size_t i = 0; i < streams.size(); ++i) {
    check(cudaSetDevice(streams[i].device), "cudaSetDevice");
    check(cudaEventRecord(stop[i], streams[i].stream), "cudaEventRecord");
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
  *release = 1;
  double seconds = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    check(cudaSetDevice(streams[i].device), "cudaSetDevice");
    check(cudaEventSynchronize(stop[i]), "the timed work");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start[i], stop[i]), "cudaEventElapsedTime");
    seconds = std::max(seconds, static_cast<double>(ms) * 1e-3);
    cudaEventDestroy(start[i]);
    cudaEventDestroy(stop[i]);
  }
  check(cudaSetDevice(current), "cudaSetDevice");
  return seconds;
}

double time_gpu(const std::function<void()>& enqueue, bool hold) {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  return time_gpu(enqueue, {GpuStream{device, nullptr}}, hold);
}

}  // namespace memwall
