// gpu.lat: one thread follows a pointer chain in random cyclic order, one pointer per 128-byte
// line, lines random within 2 MiB page groups (so the curve shows caches, not the TLB), read
// with ld.global.ca (cached in L1) or ld.global.cg (L2 only): L1 and L2 each appear. ns from
// the host clock, cycles from clock64 on the SM. gpu.lat/tlb: one pointer per 2 MiB page, in
// random order, across more pages than the TLBs reach.
#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "bench_gpu/gpu_runtime.hpp"
#include "bench_gpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/chase_order.hpp"
#include "core/gpu_timing.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/units.hpp"

namespace memwall::gpu {

namespace {

constexpr uint64_t kLine = 128;
constexpr uint64_t kGroup = 2ull << 20;

template <bool kL1>
__global__ void chase(const uint64_t* start, uint64_t steps, uint64_t* end, long long* cycles) {
  const uint64_t* p = start;
  const long long t0 = clock64();
  for (uint64_t i = 0; i < steps; ++i) {
    uint64_t next;
    if constexpr (kL1)
      asm volatile("ld.global.ca.u64 %0, [%1];" : "=l"(next) : "l"(p));
    else
      asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(next) : "l"(p));
    p = reinterpret_cast<const uint64_t*>(next);
  }
  *cycles = clock64() - t0;
  *end = reinterpret_cast<uint64_t>(p);
}

// Writes value[i] at word offset[i]: the chain is built from its links alone, so a chase with
// one pointer per 2 MiB page does not need a host copy of the whole span.
__global__ void scatter(uint64_t* base, const uint64_t* offset, const uint64_t* value, uint64_t n) {
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x)
    base[offset[i]] = value[i];
}

void run_chase(benchmark::State& state, uint64_t bytes, uint64_t stride, bool l1) {
  const uint64_t elements = std::max<uint64_t>(2, bytes / stride);
  DeviceBuffer buffer(elements * stride), end(sizeof(uint64_t)), cycles(sizeof(long long));
  const auto order = chase_order(elements, std::max<uint64_t>(1, kGroup / stride),
                                 ChaseOrder::local, bytes ^ stride);
  // The links (where each pointer goes, what it holds), scattered on the device.
  const uint64_t base = reinterpret_cast<uint64_t>(buffer.data());
  std::vector<uint64_t> offset(elements), value(elements);
  for (uint64_t k = 0; k < elements; ++k) {
    offset[k] = order[k] * stride / 8;
    value[k] = base + order[(k + 1) % elements] * stride;
  }
  {
    DeviceBuffer d_offset(elements * 8), d_value(elements * 8);
    MEMWALL_CUDA(cudaMemcpy(d_offset.data(), offset.data(), elements * 8, cudaMemcpyHostToDevice));
    MEMWALL_CUDA(cudaMemcpy(d_value.data(), value.data(), elements * 8, cudaMemcpyHostToDevice));
    scatter<<<256, 256>>>(buffer.as<uint64_t>(), d_offset.as<uint64_t>(), d_value.as<uint64_t>(),
                          elements);
    MEMWALL_CUDA(cudaDeviceSynchronize());
  }
  const uint64_t* start = reinterpret_cast<const uint64_t*>(base + order[0] * stride);
  const uint64_t steps = std::clamp<uint64_t>(2 * elements, 1 << 14, 1 << 20);
  auto run = [&] {
    if (l1)
      chase<true><<<1, 1>>>(start, steps, end.as<uint64_t>(), cycles.as<long long>());
    else
      chase<false><<<1, 1>>>(start, steps, end.as<uint64_t>(), cycles.as<long long>());
  };
  time_gpu(run);  // warm the caches and TLBs
  long long total_cycles = 0;
  const double seconds = measure(state, [&] {
    const double s = time_gpu(run);
    long long c = 0;
    MEMWALL_CUDA(cudaMemcpy(&c, cycles.data(), sizeof c, cudaMemcpyDeviceToHost));
    total_cycles += c;
    return s;
  });
  if (seconds == 0) return;
  uint64_t last = 0;
  MEMWALL_CUDA(cudaMemcpy(&last, end.data(), sizeof last, cudaMemcpyDeviceToHost));
  // After `steps` from order[0] the walk stands on order[steps % elements].
  if (!check_result(state, last == base + order[steps % elements] * stride,
                    "the chase ended off its cycle"))
    return;
  Work work;
  work.accesses = static_cast<double>(steps);
  report_work(state, work, seconds);
  report_cycles(state, static_cast<double>(total_cycles),
                static_cast<double>(state.iterations()) * static_cast<double>(steps));
  state.counters["working_set_bytes"] = static_cast<double>(elements * stride);
  state.counters["lines_touched_bytes"] = static_cast<double>(elements * std::min(stride, kLine));
  state.counters["stride_bytes"] = static_cast<double>(stride);
}

void register_latency(const RunConfig& config) {
  if (!device_ready()) return;
  const uint64_t l2 = device().l2_bytes;
  const uint64_t top = std::max<uint64_t>(1ull << 30, 64 * l2);
  const bool quick = config.quick();
  for (const bool l1 : {true, false})
    for (uint64_t bytes : size_sweep(4096, top, quick ? 2 : options().points_per_octave, kLine)) {
      add_benchmark(std::string("gpu.lat/chase/load:") + (l1 ? "ca" : "cg") +
                        "/bytes:" + std::to_string(bytes) + device_key(),
                    [bytes, l1](benchmark::State& state) { run_chase(state, bytes, kLine, l1); });
    }
  // Across the TLB reach: one line per 2 MiB page, from 64 pages to most of the memory.
  const uint64_t most = device().memory_bytes / 2;
  for (uint64_t bytes = 128ull << 20; bytes <= most; bytes *= quick ? 8 : 2)
    add_benchmark("gpu.lat/tlb/stride:2MiB/bytes:" + std::to_string(bytes) + device_key(),
                  [bytes](benchmark::State& state) { run_chase(state, bytes, kGroup, false); });
}

const bool registered = add_family("gpu.lat", register_latency);
// The chase through the L1 (ld.ca) finds the levels; the L2-only chase and the TLB walk are
// curves beside it.
const bool roles =
    declare_role({"gpu.lat", "", {}, "latency_curve", "gpu0", {}}) &&
    declare_role(
        {"gpu.lat", "chase", {{"load", "ca"}}, "latency_curve", "gpu0", {{"levels", "yes"}}});

}  // namespace

}  // namespace memwall::gpu
