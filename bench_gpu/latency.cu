// gpu.lat: one thread follows a pointer chain in random cyclic order, one pointer per 128-byte
// line, lines random within 2 MiB page groups (so the curve shows caches, not the TLB), read
// with ld.global.ca (cached in L1) or ld.global.cg (L2 only): L1 and L2 each appear. ns from
// the host clock, cycles from clock64 on the SM. gpu.lat/tlb: one pointer per 2 MiB page, in
// random order, across more pages than the TLBs reach.
#include <algorithm>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "bench_gpu/gpu_model.hpp"
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

// A pointer chain in device memory: one pointer per `stride` bytes, in chase_order's random
// cyclic order (random within 2 MiB groups), built from its links alone.
struct Chain {
  DeviceBuffer buffer;
  std::vector<uint64_t> order;
  uint64_t stride = 0, base = 0;
  const uint64_t* start() const { return at(0); }
  // Where a walk of `steps` from the start stands.
  const uint64_t* at(uint64_t steps) const {
    return reinterpret_cast<const uint64_t*>(base + order[steps % order.size()] * stride);
  }
};

Chain build_chain(uint64_t bytes, uint64_t stride) {
  Chain c;
  const uint64_t elements = std::max<uint64_t>(2, bytes / stride);
  c.buffer = DeviceBuffer(elements * stride);
  c.stride = stride;
  c.order = chase_order(elements, std::max<uint64_t>(1, kGroup / stride), ChaseOrder::local,
                        bytes ^ stride);
  // The links (where each pointer goes, what it holds), scattered on the device.
  c.base = reinterpret_cast<uint64_t>(c.buffer.data());
  std::vector<uint64_t> offset(elements), value(elements);
  for (uint64_t k = 0; k < elements; ++k) {
    offset[k] = c.order[k] * stride / 8;
    value[k] = c.base + c.order[(k + 1) % elements] * stride;
  }
  DeviceBuffer d_offset(elements * 8), d_value(elements * 8);
  MEMWALL_CUDA(cudaMemcpy(d_offset.data(), offset.data(), elements * 8, cudaMemcpyHostToDevice));
  MEMWALL_CUDA(cudaMemcpy(d_value.data(), value.data(), elements * 8, cudaMemcpyHostToDevice));
  scatter<<<256, 256>>>(c.buffer.as<uint64_t>(), d_offset.as<uint64_t>(), d_value.as<uint64_t>(),
                        elements);
  MEMWALL_CUDA(cudaDeviceSynchronize());
  return c;
}

void run_chase(benchmark::State& state, uint64_t bytes, uint64_t stride, bool l1) {
  const Chain chain = build_chain(bytes, stride);
  const uint64_t elements = chain.order.size();
  DeviceBuffer end(sizeof(uint64_t)), cycles(sizeof(long long));
  const uint64_t steps = std::clamp<uint64_t>(2 * elements, 1 << 14, 1 << 20);
  auto run = [&] {
    if (l1)
      chase<true><<<1, 1>>>(chain.start(), steps, end.as<uint64_t>(), cycles.as<long long>());
    else
      chase<false><<<1, 1>>>(chain.start(), steps, end.as<uint64_t>(), cycles.as<long long>());
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
  if (!check_result(state, last == reinterpret_cast<uint64_t>(chain.at(steps)),
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

// gpu.lat/curve (Mess's curves, as cpu.lat/curve): block 0's first thread chases past the L2
// while one block on every other SM moves the mix through its own slice, each thread sleeping
// `delay_ns` after each group, until the chase is done. Both sides time themselves with the
// GPU's %globaltimer: the generators start and stop around the chase, so no host region holds
// only the loaded part. The dynamic shared memory a block asks for keeps it alone on its SM.
struct CurveSide {
  unsigned long long ns = 0, bytes = 0;
};

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

constexpr int kCurveThreads = 1024;
constexpr unsigned kFilled = 1;  // every word of a generator's slice

template <int kReads, int kWrites>
__global__ void loaded_chase(const uint64_t* start, uint64_t steps, uint64_t* end, uint4* slices,
                             uint64_t vectors_per_slice, unsigned delay_ns, int* started,
                             volatile int* stop, CurveSide* sides, int* bad) {
  if (blockIdx.x == 0) {
    if (threadIdx.x != 0) return;
    // Until every generator runs (a cooperative launch has them all resident).
    while (atomicAdd(started, 0) < static_cast<int>(gridDim.x) - 1) {
    }
    const uint64_t* p = start;
    const unsigned long long t0 = global_ns();
    for (uint64_t i = 0; i < steps; ++i) {
      uint64_t next;
      asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(next) : "l"(p));
      p = reinterpret_cast<const uint64_t*>(next);
    }
    sides[0].ns = global_ns() - t0;
    *end = reinterpret_cast<uint64_t>(p);
    __threadfence();
    *stop = 1;
    return;
  }
  if (threadIdx.x == 0) atomicAdd(started, 1);
  uint4* slice = slices + (blockIdx.x - 1) * vectors_per_slice;
  uint64_t at = threadIdx.x, groups = 0;
  unsigned sum = 0;
  const unsigned long long t0 = global_ns();
  while (*stop == 0) {
    for (int g = 0; g < 16; ++g) {  // the stop flag is read once per 16 groups
      uint4 v[kReads > 0 ? kReads : 1];
#pragma unroll
      for (int r = 0; r < kReads; ++r) {  // the group's loads all in flight before any use
        v[r] = __ldcg(slice + at);
        at = at + kCurveThreads < vectors_per_slice ? at + kCurveThreads : threadIdx.x;
      }
#pragma unroll
      for (int r = 0; r < kReads; ++r) sum += v[r].x + v[r].y + v[r].z + v[r].w;
#pragma unroll
      for (int w = 0; w < kWrites; ++w) {
        __stcg(slice + at, make_uint4(kFilled, kFilled, kFilled, kFilled));
        at = at + kCurveThreads < vectors_per_slice ? at + kCurveThreads : threadIdx.x;
      }
      if (delay_ns > 0) __nanosleep(delay_ns);
    }
    groups += 16;
  }
  const unsigned long long ns = global_ns() - t0;
  if (sum != static_cast<unsigned>(groups * kReads * 4 * kFilled)) atomicAdd(bad, 1);
  if (threadIdx.x == 0) sides[blockIdx.x].ns = ns;
  atomicAdd(&sides[blockIdx.x].bytes,
            static_cast<unsigned long long>(groups * (kReads + kWrites) * sizeof(uint4)));
}

__global__ void fill_words(unsigned* p, uint64_t n) {
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x)
    p[i] = kFilled;
}

template <int kReads, int kWrites>
void launch_curve(int blocks, size_t shared, void** args) {
  MEMWALL_CUDA(cudaFuncSetAttribute(loaded_chase<kReads, kWrites>,
                                    cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    static_cast<int>(shared)));
  MEMWALL_CUDA(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(loaded_chase<kReads, kWrites>),
                                           blocks, kCurveThreads, args, shared, nullptr));
}

void run_curve(benchmark::State& state, const GpuCurvePoint& point) {
  const DeviceInfo& d = device();
  const GpuCurveMix& mix = gpu_curve_mix(point.mix == "idle" ? "read" : point.mix);
  const int generators = point.generators;
  const GpuCurveBytes bytes = gpu_curve_bytes(d.l2_bytes, d.memory_bytes, generators);
  static std::unique_ptr<Chain> chain;  // kept from point to point: building it takes seconds
  if (!chain || chain->order.size() * kLine != bytes.chase)
    chain = std::make_unique<Chain>(build_chain(bytes.chase, kLine));
  const uint64_t vectors = bytes.per_generator / sizeof(uint4);
  DeviceBuffer slices(std::max<uint64_t>(16, vectors * generators * sizeof(uint4)));
  fill_words<<<256, 256>>>(slices.as<unsigned>(), vectors * generators * 4);
  DeviceBuffer end(sizeof(uint64_t)), flags(2 * sizeof(int)), bad(sizeof(int)),
      sides((generators + 1) * sizeof(CurveSide));
  MEMWALL_CUDA(cudaMemset(bad.data(), 0, sizeof(int)));
  const uint64_t steps = 1 << 15;  // tens of ms of HBM latency: the generators reach their rate
  const uint64_t* start = chain->start();
  uint64_t* end_p = end.as<uint64_t>();
  uint4* slices_p = slices.as<uint4>();
  unsigned delay = static_cast<unsigned>(point.delay_ns);
  int* started = flags.as<int>();
  int* stop = flags.as<int>() + 1;
  CurveSide* sides_p = sides.as<CurveSide>();
  int* bad_p = bad.as<int>();
  uint64_t steps_arg = steps, vectors_arg = vectors;
  void* args[] = {&start, &steps_arg, &end_p, &slices_p, &vectors_arg,
                  &delay, &started,   &stop,  &sides_p,  &bad_p};
  const size_t shared = d.shared_per_sm / 2 + 1024;  // one block an SM
  std::vector<Generated> moved(static_cast<size_t>(generators));
  const double seconds = measure(state, [&] {
    MEMWALL_CUDA(cudaMemset(flags.data(), 0, 2 * sizeof(int)));
    MEMWALL_CUDA(cudaMemset(sides.data(), 0, (generators + 1) * sizeof(CurveSide)));
    if (mix.writes == 0)
      launch_curve<1, 0>(generators + 1, shared, args);
    else if (mix.reads == 3)
      launch_curve<3, 1>(generators + 1, shared, args);
    else if (mix.reads == 2)
      launch_curve<2, 1>(generators + 1, shared, args);
    else
      launch_curve<1, 1>(generators + 1, shared, args);
    MEMWALL_CUDA(cudaDeviceSynchronize());
    std::vector<CurveSide> got(static_cast<size_t>(generators) + 1);
    MEMWALL_CUDA(cudaMemcpy(got.data(), sides.data(), got.size() * sizeof(CurveSide),
                            cudaMemcpyDeviceToHost));
    for (int g = 0; g < generators; ++g) {
      moved[g].bytes += static_cast<double>(got[g + 1].bytes);
      moved[g].seconds += static_cast<double>(got[g + 1].ns) * 1e-9;
    }
    return static_cast<double>(got[0].ns) * 1e-9;
  });
  if (seconds == 0) return;
  uint64_t last = 0;
  int wrong = 0;
  MEMWALL_CUDA(cudaMemcpy(&last, end.data(), sizeof last, cudaMemcpyDeviceToHost));
  MEMWALL_CUDA(cudaMemcpy(&wrong, bad.data(), sizeof wrong, cudaMemcpyDeviceToHost));
  if (!check_result(state, last == reinterpret_cast<uint64_t>(chain->at(steps)) && wrong == 0,
                    "the chase ended off its cycle or a generator's sum was wrong"))
    return;
  Work work;
  work.accesses = static_cast<double>(steps);
  report_work(state, work, seconds);
  if (generators > 0) report_load(state, moved);
  state.counters["working_set_bytes"] = static_cast<double>(bytes.chase);
  state.counters["stride_bytes"] = static_cast<double>(kLine);
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
  // Latency under load: the GPU's memory is one node; HBM stacks have buses of thousands of
  // bits, GDDR boards a few hundred.
  const uint64_t chase = gpu_curve_bytes(l2, device().memory_bytes, device().sms - 1).chase;
  const std::string kind = device().bus_bits >= 1024 ? "HBM" : "GDDR";
  for (const GpuCurvePoint& p : gpu_curve_points(device().sms, quick))
    add_benchmark("gpu.lat/curve/node:0/kind:" + kind + "/mix:" + p.mix + "/gen:" +
                      std::to_string(p.generators) + "/delay:" + std::to_string(p.delay_ns) +
                      "/bytes:" + std::to_string(chase) + device_key(),
                  [p](benchmark::State& state) { run_curve(state, p); });
}

const bool registered = add_family("gpu.lat", register_latency);
// The chase through the L1 (ld.ca) finds the levels; the L2-only chase and the TLB walk are
// curves beside it.
const bool roles =
    declare_role({"gpu.lat", "", {}, "latency_curve", "gpu0", {}}) &&
    declare_role(
        {"gpu.lat", "chase", {{"load", "ca"}}, "latency_curve", "gpu0", {{"levels", "yes"}}}) &&
    declare_role({"gpu.lat", "curve", {}, "latency_under_load", "gpu0", {}});

}  // namespace

}  // namespace memwall::gpu
