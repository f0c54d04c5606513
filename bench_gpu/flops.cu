// gpu.flops: peak arithmetic on the SMs (not the tensor cores, which gpu.gemm measures): many
// independent FMA chains per thread, each alternately adding and subtracting a small power of
// two so every chain must end exactly where it started (the check), in fp64, fp32, and packed
// fp16 and bf16. The clock during the kernel is SM 0's cycles (clock64) over its nanoseconds
// (globaltimer), first warp in to last warp out: one warp's own cycles are not the kernel's,
// since the scheduler may finish it long before the others. The theoretical peak is SMs x FMA
// lanes per SM (gpu_model.hpp) x 2 x that clock.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <string>

#include "bench_gpu/gpu_model.hpp"
#include "bench_gpu/gpu_runtime.hpp"
#include "core/bench_main.hpp"
#include "core/gpu_timing.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"

namespace memwall::gpu {

namespace {

constexpr int kChains = 8;
constexpr int kThreads = 256;

template <typename T>
struct Ops;
template <>
struct Ops<double> {
  static constexpr int lanes = 1;
  __device__ static double from(float v) { return v; }
  __device__ static double fma(double a, double b, double c) { return ::fma(a, b, c); }
  __device__ static bool is(double v, float want) { return v == want; }
};
template <>
struct Ops<float> {
  static constexpr int lanes = 1;
  __device__ static float from(float v) { return v; }
  __device__ static float fma(float a, float b, float c) { return fmaf(a, b, c); }
  __device__ static bool is(float v, float want) { return v == want; }
};
template <>
struct Ops<__half2> {
  static constexpr int lanes = 2;
  __device__ static __half2 from(float v) { return __float2half2_rn(v); }
  __device__ static __half2 fma(__half2 a, __half2 b, __half2 c) { return __hfma2(a, b, c); }
  __device__ static bool is(__half2 v, float want) {
    return __low2float(v) == want && __high2float(v) == want;
  }
};
template <>
struct Ops<__nv_bfloat162> {
  static constexpr int lanes = 2;
  __device__ static __nv_bfloat162 from(float v) { return __float2bfloat162_rn(v); }
  __device__ static __nv_bfloat162 fma(__nv_bfloat162 a, __nv_bfloat162 b, __nv_bfloat162 c) {
    return __hfma2(a, b, c);
  }
  __device__ static bool is(__nv_bfloat162 v, float want) {
    return __low2float(v) == want && __high2float(v) == want;
  }
};

// `step` and `one` come from memory so the compiler cannot fold the pairs away.
__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
__device__ unsigned sm_id() {
  unsigned id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return id;
}

// span: SM 0's first and last clock64, then its first and last globaltimer.
template <typename T>
__global__ void fma_chains(int iterations, const float* params, int* bad,
                           unsigned long long* span) {
  using O = Ops<T>;
  T acc[kChains];
#pragma unroll
  for (int k = 0; k < kChains; ++k) acc[k] = O::from(static_cast<float>(k % 4));
  const T one = O::from(params[0]), plus = O::from(params[1]), minus = O::from(-params[1]);
  const bool timer = sm_id() == 0 && (threadIdx.x & 31) == 0;
  if (timer) {
    atomicMin(&span[0], static_cast<unsigned long long>(clock64()));
    atomicMin(&span[2], global_ns());
  }
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int k = 0; k < kChains; ++k) {
      acc[k] = O::fma(acc[k], one, plus);
      acc[k] = O::fma(acc[k], one, minus);
    }
  }
  if (timer) {
    atomicMax(&span[1], static_cast<unsigned long long>(clock64()));
    atomicMax(&span[3], global_ns());
  }
  bool ok = true;
#pragma unroll
  for (int k = 0; k < kChains; ++k) ok = ok && O::is(acc[k], static_cast<float>(k % 4));
  if (!ok) atomicAdd(bad, 1);
}

template <typename T>
void run_flops(benchmark::State& state, int fp32_lanes_equivalent) {
  const DeviceInfo& d = device();
  const int blocks = d.sms * 8;
  const int iterations = 4096;
  DeviceBuffer params(2 * sizeof(float)), bad(sizeof(int)), span(4 * sizeof(uint64_t));
  const float host_params[2] = {1.0f, 1.0f / 16};
  MEMWALL_CUDA(cudaMemcpy(params.data(), host_params, sizeof host_params, cudaMemcpyHostToDevice));
  MEMWALL_CUDA(cudaMemset(bad.data(), 0, sizeof(int)));
  double sm0_cycles = 0, sm0_ns = 0;
  const double seconds = measure(state, [&] {
    const uint64_t reset[4] = {~0ull, 0, ~0ull, 0};
    MEMWALL_CUDA(cudaMemcpy(span.data(), reset, sizeof reset, cudaMemcpyHostToDevice));
    const double s = time_gpu([&] {
      fma_chains<T><<<blocks, kThreads>>>(iterations, params.as<float>(), bad.as<int>(),
                                          span.as<unsigned long long>());
    });
    uint64_t got[4] = {};
    MEMWALL_CUDA(cudaMemcpy(got, span.data(), sizeof got, cudaMemcpyDeviceToHost));
    sm0_cycles += static_cast<double>(got[1] - got[0]);
    sm0_ns += static_cast<double>(got[3] - got[2]);
    return s;
  });
  if (seconds == 0) return;
  int wrong = 0;
  MEMWALL_CUDA(cudaMemcpy(&wrong, bad.data(), sizeof wrong, cudaMemcpyDeviceToHost));
  if (!check_result(state, wrong == 0, "an FMA chain did not end where it started")) return;
  Work work;
  work.flops = static_cast<double>(blocks) * kThreads * iterations * kChains * 2 * Ops<T>::lanes *
               2;  // two FMAs per step, two operations each
  report_work(state, work, seconds);
  const double mhz = clock_mhz(sm0_cycles, sm0_ns);
  state.counters["sm_mhz"] = mhz;
  if (fp32_lanes_equivalent > 0 && mhz > 0)
    state.counters["theoretical_GFLOPps"] = theoretical_gflops(d.sms, fp32_lanes_equivalent, mhz);
  state.SetLabel("FMA chains on " + std::to_string(d.sms) + " SMs, sm_" + std::to_string(d.major) +
                 std::to_string(d.minor) +
                 (fp32_lanes_equivalent > 0 ? "" : "; lanes per SM not in the table"));
}

void register_flops(const RunConfig&) {
  if (!device_ready()) return;
  const SmModel m = sm_model(device().major, device().minor);
  add_benchmark("gpu.flops/fma/type:fp64" + device_key(),
                [m](benchmark::State& s) { run_flops<double>(s, m.known ? m.fp64_lanes : 0); });
  add_benchmark("gpu.flops/fma/type:fp32" + device_key(),
                [m](benchmark::State& s) { run_flops<float>(s, m.known ? m.fp32_lanes : 0); });
  // Packed half and bfloat16: lanes counted per element (two per instruction).
  add_benchmark("gpu.flops/fma/type:fp16" + device_key(),
                [m](benchmark::State& s) { run_flops<__half2>(s, m.known ? m.fp16_lanes : 0); });
  add_benchmark("gpu.flops/fma/type:bf16" + device_key(), [m](benchmark::State& s) {
    run_flops<__nv_bfloat162>(s, m.known ? m.fp16_lanes : 0);
  });
}

const bool registered = add_family("gpu.flops", register_flops);
const bool roles = declare_role({"gpu.flops", "", {}, "peak", "gpu0", {{"path", "fma"}}});

}  // namespace

}  // namespace memwall::gpu
