// gpu.smem: shared memory. Bandwidth: every warp of every SM reads its block's shared array in
// a loop, 16 bytes per thread per load (bytes = 16 per access): with 4-byte loads the SM issues
// four times the instructions for the same bytes and the issue slots, not the banks, set the
// rate. Latency: one thread chases indices through a shared array in random order.
#include <vector>

#include "bench_gpu/gpu_runtime.hpp"
#include "core/bench_main.hpp"
#include "core/gpu_timing.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"

namespace memwall::gpu {

namespace {

constexpr int kWords = 8192;  // 32 KiB per block
constexpr int kThreads = 1024;

constexpr int kVectors = kWords / 4;

__global__ void smem_bandwidth(int rounds, unsigned long long* result) {
  __shared__ uint4 data[kVectors];
  for (int i = threadIdx.x; i < kVectors; i += kThreads) data[i] = make_uint4(1, 1, 1, 1);
  __syncthreads();
  // Four sums, one per lane of the vector, so no add waits on another.
  unsigned a = 0, b = 0, c = 0, d = 0;
  // Launched with kThreads threads: the inner loop's trip count is known, so it unrolls.
#pragma unroll 4
  for (int r = 0; r < rounds; ++r)
#pragma unroll
    for (int k = 0; k < kVectors / kThreads; ++k) {
      const uint4 v = data[(threadIdx.x + k * kThreads + r) & (kVectors - 1)];
      a += v.x;
      b += v.y;
      c += v.z;
      d += v.w;
    }
  // Every value read was 1: the sum is exact.
  atomicAdd(result, static_cast<unsigned long long>(a) + b + c + d);
}

__global__ void smem_latency(const unsigned* order, int n, int steps, unsigned* end,
                             long long* cycles) {
  __shared__ unsigned next[kWords];
  for (int i = 0; i < n; ++i) next[order[i]] = order[(i + 1) % n];
  unsigned p = order[0];
  const long long t0 = clock64();
  for (int s = 0; s < steps; ++s) p = next[p];
  *cycles = clock64() - t0;
  *end = p;
}

void run_bandwidth(benchmark::State& state) {
  DeviceBuffer result(sizeof(unsigned long long));
  const int rounds = 2048, blocks = device().sms * 2;
  MEMWALL_CUDA(cudaMemset(result.data(), 0, sizeof(unsigned long long)));
  uint64_t launches = 0;
  const double seconds = measure(state, [&] {
    ++launches;
    return time_gpu(
        [&] { smem_bandwidth<<<blocks, kThreads>>>(rounds, result.as<unsigned long long>()); });
  });
  if (seconds == 0) return;
  unsigned long long got = 0;
  MEMWALL_CUDA(cudaMemcpy(&got, result.data(), sizeof got, cudaMemcpyDeviceToHost));
  const uint64_t reads = static_cast<uint64_t>(blocks) * kVectors * rounds;  // 16-byte loads
  if (!check_result(state, got == reads * 4 * launches, "shared-memory sum differs")) return;
  Work work;
  work.bytes = static_cast<double>(reads) * 16;
  report_work(state, work, seconds);
}

void run_latency(benchmark::State& state) {
  std::vector<unsigned> order(kWords);
  for (unsigned i = 0; i < kWords; ++i) order[i] = (i * 2654435761u) % kWords;  // a permutation
  DeviceBuffer d_order(sizeof(unsigned) * kWords), end(sizeof(unsigned)), cycles(sizeof(long long));
  MEMWALL_CUDA(
      cudaMemcpy(d_order.data(), order.data(), sizeof(unsigned) * kWords, cudaMemcpyHostToDevice));
  const int steps = 1 << 20;
  long long total = 0;
  const double seconds = measure(state, [&] {
    const double s = time_gpu([&] {
      smem_latency<<<1, 1>>>(d_order.as<unsigned>(), kWords, steps, end.as<unsigned>(),
                             cycles.as<long long>());
    });
    long long c = 0;
    MEMWALL_CUDA(cudaMemcpy(&c, cycles.data(), sizeof c, cudaMemcpyDeviceToHost));
    total += c;
    return s;
  });
  if (seconds == 0) return;
  unsigned last = 0;
  MEMWALL_CUDA(cudaMemcpy(&last, end.data(), sizeof last, cudaMemcpyDeviceToHost));
  // The position of order[0] plus `steps`, around the cycle.
  if (!check_result(state, last == order[steps % kWords], "the shared-memory chase went astray"))
    return;
  // The region also holds the launch and the linking loop: the SM's cycles count the chase
  // alone, as seconds at the rated clock.
  report_cycles(state, static_cast<double>(total), static_cast<double>(state.iterations()) * steps);
  Work work;
  work.accesses = steps;
  report_work(
      state, work,
      CycleRegion{static_cast<double>(total), static_cast<double>(device().clock_mhz)}.seconds());
}

void register_shared(const RunConfig&) {
  if (!device_ready()) return;
  add_benchmark("gpu.smem/bw" + device_key(), run_bandwidth);
  add_benchmark("gpu.smem/latency" + device_key(), run_latency);
}

const bool registered = add_family("gpu.smem", register_shared);
const bool roles = declare_role({"gpu.smem", "bw", {}, "bandwidth", "gpu0", {}}) &&
                   declare_role({"gpu.smem", "latency", {}, "latency", "gpu0", {}});

}  // namespace

}  // namespace memwall::gpu
