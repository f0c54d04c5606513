// The timed region of GPU work (core/timing.hpp's for host code), as nvbandwidth times it:
// every stream the work uses is held by a spin kernel while the work is queued behind it, all
// are released together, and events around the work on each stream give the device's own
// seconds: no launch or queueing latency, no host clock. The region lasts as long as its
// slowest stream.
#pragma once
#include <cuda_runtime.h>

#include <functional>
#include <vector>

namespace memwall {

struct GpuStream {
  int device = 0;
  cudaStream_t stream = nullptr;  // nullptr: the device's legacy default stream
};

// `enqueue` queues the work on `streams` (each on its device) and returns without waiting.
// `hold` false where queueing the work itself waits for the device (a copy from pageable host
// memory, a library that synchronizes): behind a held stream that would never return, so the
// events alone time it. Throws std::runtime_error on a CUDA error.
double time_gpu(const std::function<void()>& enqueue, const std::vector<GpuStream>& streams,
                bool hold = true);
// The current device's default stream.
double time_gpu(const std::function<void()>& enqueue, bool hold = true);

}  // namespace memwall
