// gpu.bw: BabelStream's kernels (and read, write) over working sets from a few KiB to most of
// device memory, so L1, L2 and HBM show as plateaus; beside them from 64 MiB, `memcpy`: the
// driver's device-to-device copy. Each size first tries the launch
// configurations of gpu_model.hpp (load width, blocks per SM, vectors per thread), keeps the
// fastest, and reports it with its parameters. Bytes count as BabelStream counts them.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "bench_gpu/gpu_model.hpp"
#include "bench_gpu/gpu_runtime.hpp"
#include "bench_gpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/gpu_timing.hpp"
#include "core/nvml.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"

namespace memwall::gpu {

namespace {

constexpr float kX = 1.0f, kY = 2.0f, kS = 3.0f;

template <typename V>
__device__ float lanes_sum(V v);
template <>
__device__ float lanes_sum(float v) {
  return v;
}
template <>
__device__ float lanes_sum(float2 v) {
  return v.x + v.y;
}
template <>
__device__ float lanes_sum(float4 v) {
  return v.x + v.y + v.z + v.w;
}
template <typename V>
__device__ V splat(float s);
template <>
__device__ float splat(float s) {
  return s;
}
template <>
__device__ float2 splat(float s) {
  return make_float2(s, s);
}
template <>
__device__ float4 splat(float s) {
  return make_float4(s, s, s, s);
}
__device__ float fma_lane(float a, float b, float c) {
  return fmaf(a, b, c);
}
__device__ float2 fma_lane(float2 a, float2 b, float2 c) {
  return make_float2(fmaf(a.x, b.x, c.x), fmaf(a.y, b.y, c.y));
}
__device__ float4 fma_lane(float4 a, float4 b, float4 c) {
  return make_float4(fmaf(a.x, b.x, c.x), fmaf(a.y, b.y, c.y), fmaf(a.z, b.z, c.z),
                     fmaf(a.w, b.w, c.w));
}
__device__ float dot_lanes(float a, float b) {
  return a * b;
}
__device__ float dot_lanes(float2 a, float2 b) {
  return a.x * b.x + a.y * b.y;
}
__device__ float dot_lanes(float4 a, float4 b) {
  return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
}

// One kernel for all five: each thread owns the same vectors every pass (so small sets stay in
// its SM's L1 and the L2), E vectors per step, blockDim apart so each load of a warp is one
// contiguous run. A whole step issues its E loads before it uses any of them: a warp issues in
// order, so a store (or an add) right after each load would leave one load in flight per warp.
// The sums of read and dot go to double once per pass, so they stay exact. Op 5 is read through
// the L2 alone (ld.global.cg): what a working set the L1s would hold costs from the L2.
template <typename V, int kOp>
__device__ void stream_one(const V* __restrict__ x, const V* __restrict__ y, V* __restrict__ out,
                           size_t j, V s, float& local) {
  if constexpr (kOp == 0) local += lanes_sum(x[j]);           // read
  if constexpr (kOp == 1) out[j] = s;                         // write
  if constexpr (kOp == 2) out[j] = x[j];                      // copy
  if constexpr (kOp == 3) out[j] = fma_lane(s, y[j], x[j]);   // triad
  if constexpr (kOp == 4) local += dot_lanes(x[j], y[j]);     // dot
  if constexpr (kOp == 5) local += lanes_sum(__ldcg(x + j));  // read, L2 only
}

template <typename V, int kOp, int E>
__global__ void stream(const V* __restrict__ x, const V* __restrict__ y, V* __restrict__ out,
                       size_t n, int passes, double* sum) {
  constexpr bool kLoadsX = kOp != 1, kLoadsY = kOp == 3 || kOp == 4;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x * E;
  const size_t first = static_cast<size_t>(blockIdx.x) * blockDim.x * E + threadIdx.x;
  const size_t last_offset = static_cast<size_t>(E - 1) * blockDim.x;
  double total = 0;
  const V s = splat<V>(kS);
  for (int p = 0; p < passes; ++p) {
    float local = 0;
    for (size_t i = first; i < n; i += stride) {
      if (i + last_offset < n) {
        V a[E], b[E];
#pragma unroll
        for (int e = 0; e < E; ++e) {
          const size_t j = i + static_cast<size_t>(e) * blockDim.x;
          if constexpr (kOp == 5)
            a[e] = __ldcg(x + j);
          else if constexpr (kLoadsX)
            a[e] = x[j];
          if constexpr (kLoadsY) b[e] = y[j];
        }
#pragma unroll
        for (int e = 0; e < E; ++e) {
          const size_t j = i + static_cast<size_t>(e) * blockDim.x;
          if constexpr (kOp == 0 || kOp == 5) local += lanes_sum(a[e]);
          if constexpr (kOp == 1) out[j] = s;
          if constexpr (kOp == 2) out[j] = a[e];
          if constexpr (kOp == 3) out[j] = fma_lane(s, b[e], a[e]);
          if constexpr (kOp == 4) local += dot_lanes(a[e], b[e]);
        }
      } else {  // the tail: vector by vector
        for (int e = 0; e < E; ++e) {
          const size_t j = i + static_cast<size_t>(e) * blockDim.x;
          if (j >= n) break;
          stream_one<V, kOp>(x, y, out, j, s, local);
        }
      }
    }
    total += local;
  }
  if constexpr (kOp == 0 || kOp == 4 || kOp == 5) {
    for (int offset = 16; offset > 0; offset /= 2)
      total += __shfl_down_sync(0xffffffffu, total, offset);
    if ((threadIdx.x & 31) == 0) atomicAdd(sum, total);
  }
}

__global__ void fill(float* p, size_t n, float v) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    p[i] = v;
}

template <typename V, int E>
void launch_typed(StreamOp op, const LaunchConfig& c, const float* x, const float* y, float* out,
                  size_t floats, int passes, double* sum) {
  const size_t n = floats / (sizeof(V) / sizeof(float));
  const int blocks = device().sms * c.blocks_per_sm;
  const V* xv = reinterpret_cast<const V*>(x);
  const V* yv = reinterpret_cast<const V*>(y);
  V* ov = reinterpret_cast<V*>(out);
  switch (op) {
    case StreamOp::read:
      stream<V, 0, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
    case StreamOp::write:
      stream<V, 1, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
    case StreamOp::copy:
      stream<V, 2, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
    case StreamOp::triad:
      stream<V, 3, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
    case StreamOp::dot:
      stream<V, 4, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
    case StreamOp::read_l2_only:
      stream<V, 5, E><<<blocks, c.threads_per_block>>>(xv, yv, ov, n, passes, sum);
      return;
  }
  throw std::logic_error("a GPU memory kernel without a device case");
}

template <typename V>
void launch_width(StreamOp op, const LaunchConfig& c, const float* x, const float* y, float* out,
                  size_t floats, int passes, double* sum) {
  switch (c.elements_per_thread) {
    case 1:
      launch_typed<V, 1>(op, c, x, y, out, floats, passes, sum);
      break;
    case 2:
      launch_typed<V, 2>(op, c, x, y, out, floats, passes, sum);
      break;
    case 4:
      launch_typed<V, 4>(op, c, x, y, out, floats, passes, sum);
      break;
    default:
      launch_typed<V, 8>(op, c, x, y, out, floats, passes, sum);
  }
}

void launch(StreamOp op, const LaunchConfig& c, const float* x, const float* y, float* out,
            size_t floats, int passes, double* sum) {
  if (c.vector_bytes == 4)
    launch_width<float>(op, c, x, y, out, floats, passes, sum);
  else if (c.vector_bytes == 8)
    launch_width<float2>(op, c, x, y, out, floats, passes, sum);
  else
    launch_width<float4>(op, c, x, y, out, floats, passes, sum);
}

// 1024 spread elements of `out` must all be `want`; empty, or what was found instead.
std::string check_spread(const float* out, size_t floats, float want, const std::string& name) {
  for (size_t i = 0; i < floats; i += std::max<size_t>(1, floats / 1024)) {
    float v = 0;
    MEMWALL_CUDA(cudaMemcpy(&v, out + i, sizeof v, cudaMemcpyDeviceToHost));
    if (v != want) return name + ": element " + std::to_string(i) + " is " + std::to_string(v);
  }
  return "";
}

// Bandwidth of `launches` timed regions of `passes` x `pass_bytes` each, and the energy where
// NVML metered it.
void set_rate_counters(benchmark::State& state, uint64_t pass_bytes, int passes, double seconds,
                       uint64_t launches, double joules, const EnergyMeter& energy) {
  Work work;
  work.bytes = static_cast<double>(pass_bytes) * passes;
  report_work(state, work, seconds);
  report_energy(state, joules, energy.window_seconds(),
                static_cast<double>(pass_bytes) * passes * static_cast<double>(launches), 0);
}

void run_memory(benchmark::State& state, const MemoryKernel& k, uint64_t ws_bytes,
                bool l2_only = false) {
  const int arrays = k.reads + k.writes;
  const size_t floats = std::max<size_t>(64, ws_bytes / arrays / sizeof(float) / 64 * 64);
  DeviceBuffer x(floats * sizeof(float)), y(k.reads == 2 ? floats * sizeof(float) : 256),
      out(k.writes ? floats * sizeof(float) : 256), sum(sizeof(double));
  fill<<<256, 256>>>(x.as<float>(), floats, kX);
  if (k.reads == 2) fill<<<256, 256>>>(y.as<float>(), floats, kY);
  const uint64_t pass_bytes = kernel_bytes(k, floats, sizeof(float));
  // Enough passes in one launch that the launch is noise: at least 2 GiB moved, half a
  // millisecond at HBM3e speed (256 MiB left a tenth of the time to the launch on an H200).
  const int passes = static_cast<int>(std::clamp<uint64_t>((2ull << 30) / pass_bytes, 1, 1 << 20));
  const StreamOp op = l2_only ? StreamOp::read_l2_only : k.op;
  const std::vector<LaunchConfig> configs =
      launch_configs(device().sms, device().max_threads_per_sm, floats * sizeof(float),
                     run_mode() == RunMode::full);
  std::vector<double> rates;
  for (const LaunchConfig& c : configs) {
    const double s = time_gpu([&] {
      launch(op, c, x.as<float>(), y.as<float>(), out.as<float>(), floats, passes,
             sum.as<double>());
    });
    rates.push_back(static_cast<double>(pass_bytes) * passes / s);
  }
  const LaunchConfig best = configs[pick_best(rates)];
  MEMWALL_CUDA(cudaMemset(sum.data(), 0, sizeof(double)));
  uint64_t launches = 0;
  EnergyMeter energy;
  energy.start();
  const double seconds = measure(state, [&] {
    ++launches;
    return time_gpu([&] {
      launch(op, best, x.as<float>(), y.as<float>(), out.as<float>(), floats, passes,
             sum.as<double>());
    });
  });
  const double joules = energy.stop_joules();
  if (seconds == 0) return;
  // The check: the sums of read and dot over every launch, 1024 spread elements of the others.
  bool ok = true;
  std::string what;
  if (op == StreamOp::read || op == StreamOp::dot || op == StreamOp::read_l2_only) {
    double got = 0;
    MEMWALL_CUDA(cudaMemcpy(&got, sum.data(), sizeof got, cudaMemcpyDeviceToHost));
    const double want = static_cast<double>(floats) * passes * static_cast<double>(launches) *
                        (op == StreamOp::dot ? kX * kY : kX);
    ok = got == want;
    if (!ok)
      what = std::string(k.name) + ": sum " + std::to_string(got) + ", expected " +
             std::to_string(want);
  } else {
    const float want = op == StreamOp::write ? kS : op == StreamOp::copy ? kX : kX + kS * kY;
    what = check_spread(out.as<float>(), floats, want, k.name);
    ok = what.empty();
  }
  if (!check_result(state, ok, what)) return;
  set_rate_counters(state, pass_bytes, passes, seconds, launches, joules, energy);
  state.counters["working_set_bytes"] = static_cast<double>(floats * sizeof(float) * arrays);
  state.counters["vector_bytes"] = best.vector_bytes;
  state.counters["blocks_per_sm"] = best.blocks_per_sm;
  state.counters["vectors_per_thread"] = best.elements_per_thread;
  state.SetLabel(describe(best));
}

// The driver's own device-to-device copy (cudaMemcpyAsync within one GPU, nvbandwidth's
// device-local copy): what a program gets without writing a kernel, beside memwall's copy.
// Bytes as BabelStream's copy: read and written, twice the buffer.
void run_memcpy(benchmark::State& state, uint64_t ws_bytes) {
  const size_t floats = std::max<size_t>(64, ws_bytes / 2 / sizeof(float) / 64 * 64);
  const size_t buffer = floats * sizeof(float);
  DeviceBuffer x(buffer), out(buffer);
  fill<<<256, 256>>>(x.as<float>(), floats, kX);
  MEMWALL_CUDA(cudaMemset(out.data(), 0, buffer));
  const uint64_t pass_bytes = 2 * buffer;
  const int passes = static_cast<int>(std::clamp<uint64_t>((2ull << 30) / pass_bytes, 1, 1 << 16));
  auto copies = [&] {
    for (int p = 0; p < passes; ++p)
      MEMWALL_CUDA(cudaMemcpyAsync(out.data(), x.data(), buffer, cudaMemcpyDeviceToDevice));
  };
  time_gpu(copies);  // the first copy of a size may set up the driver's path
  uint64_t launches = 0;
  EnergyMeter energy;
  energy.start();
  const double seconds = measure(state, [&] {
    ++launches;
    return time_gpu(copies);
  });
  const double joules = energy.stop_joules();
  if (seconds == 0) return;
  const std::string wrong = check_spread(out.as<float>(), floats, kX, "memcpy");
  if (!check_result(state, wrong.empty(), wrong)) return;
  set_rate_counters(state, pass_bytes, passes, seconds, launches, joules, energy);
  state.counters["working_set_bytes"] = static_cast<double>(pass_bytes);
  state.SetLabel("cudaMemcpyAsync device to device, " + std::to_string(passes) +
                 " copies per timed region");
}

void register_memory(const RunConfig& config) {
  if (!device_ready()) return;
  const uint64_t largest = device().memory_bytes / 4 * 3 / 2;  // the arrays of most kernels
  const bool quick = config.quick();
  for (const MemoryKernel& k : memory_kernels()) {
    if (quick && !k.in_quick) continue;
    for (uint64_t bytes : options().sizes(largest, config)) {
      add_benchmark(
          "gpu.bw/" + std::string(k.name) + "/bytes:" + std::to_string(bytes) + device_key(),
          [&k, bytes](benchmark::State& state) { run_memory(state, k, bytes); }, 0.1);
    }
  }
  // The driver's copy where HBM is the question: from 64 MiB up (quick: the largest size).
  const std::vector<uint64_t> sizes = options().sizes(largest, config);
  for (uint64_t bytes : sizes) {
    if (bytes < (64ull << 20) || (quick && bytes != sizes.back())) continue;
    add_benchmark(
        "gpu.bw/memcpy/bytes:" + std::to_string(bytes) + device_key(),
        [bytes](benchmark::State& state) { run_memcpy(state, bytes); }, 0.1);
  }
  // The L2's own bandwidth, at half its size, the L1s bypassed (on Hopper the L1s together
  // hold half the L2, so plain loads would measure them): the figure people quote for it.
  const uint64_t half_l2 = device().l2_bytes / 2;
  add_benchmark(
      "gpu.l2/read/bytes:" + std::to_string(half_l2) + device_key(),
      [half_l2](benchmark::State& state) {
        run_memory(state, memory_kernel("read"), half_l2, true);
      },
      0.1);
}

const bool registered = add_family("gpu.bw", register_memory);
// Caches by their read bandwidth, HBM by copy as BabelStream quotes it (triad beside); the L2
// by its own loads through the L2 alone.
const bool roles =
    declare_role(
        {"gpu.bw",
         "",
         {},
         "bandwidth_curve",
         "gpu0",
         {{"cache_kernel", "read"}, {"memory_kernel", "copy"}, {"beside_kernel", "triad"}}}) &&
    declare_role({"gpu.l2", "", {}, "level_bandwidth", "gpu0", {{"level", "GPU_L2"}}});

}  // namespace

}  // namespace memwall::gpu
