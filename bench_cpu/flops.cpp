// cpu.flops: peak arithmetic rate per number format on 1 thread and on every core, beside the
// theoretical peak at the clock measured right after the run (cores x ops per cycle x GHz).
// FLOPs count 2 per multiply-add; int8 counts its multiply-adds the same way (ops, not FLOPs).
#include <cstring>

#include "bench_cpu/options.hpp"
#include "bench_cpu/peak_kernels.hpp"
#include "core/bench_main.hpp"
#include "core/peak.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall::cpu {

bool peak_kernel_supported(const PeakKernel& k) {
  if (!*k.cpu_feature) return true;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!std::strcmp(k.cpu_feature, "avx512f")) return __builtin_cpu_supports("avx512f");
  if (!std::strcmp(k.cpu_feature, "avx512bf16")) return __builtin_cpu_supports("avx512bf16");
  if (!std::strcmp(k.cpu_feature, "avx512vnni")) return __builtin_cpu_supports("avx512vnni");
  if (!std::strcmp(k.cpu_feature, "fma"))
    return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
#endif
  return false;
}

namespace {
std::vector<PeakKernel> all_peak_kernels() {
  std::vector<PeakKernel> all;
#if defined(__x86_64__)
  for (const auto& list : {avx512_peak_kernels(), avx2_peak_kernels()})
    all.insert(all.end(), list.begin(), list.end());
#endif
  const auto generic = generic_peak_kernels();
  all.insert(all.end(), generic.begin(), generic.end());
  return all;
}
}  // namespace

const PeakKernel* best_peak_kernel(const char* type) {
  static const std::vector<PeakKernel> all = all_peak_kernels();
  const std::string forced = options().isa;
  for (const PeakKernel& k : all) {
    if (std::strcmp(k.type, type) != 0 || !peak_kernel_supported(k)) continue;
    if (forced != "auto" && forced != k.isa) continue;
    return &k;
  }
  return nullptr;
}

namespace {

void run_peak(benchmark::State& state, const char* type, int threads) {
  const PeakKernel* k = best_peak_kernel(type);
  if (!k) {
    state.SkipWithError(
        (std::string("skipped: no ") + type + " kernel for this CPU (needs AVX-512 BF16 or VNNI)")
            .c_str());
    return;
  }
  std::vector<char> ok(threads, 1);
  const double seconds = measure(state, [&] {
    return pool().run_timed(threads, [&](int tid) { ok[tid] = k->run(kPeakIterations); });
  });
  if (seconds == 0) return;
  // The clock right after the kernel, on every thread at once, as the kernel left it.
  std::vector<double> mhz(threads);
  pool().run(threads, [&](int tid) { mhz[tid] = measure_core_mhz(5); });
  double mean_mhz = 0;
  for (double m : mhz) mean_mhz += m / threads;

  bool all_ok = true;
  for (char c : ok) all_ok = all_ok && c;
  if (!check_result(state, all_ok, std::string(type) + " accumulators differ from the exact sum"))
    return;
  const double flops = k->ops_per_iteration * kPeakIterations * threads;
  const FmaModel model = detect_fma_model();
  state.counters["GFLOPps"] = flops * static_cast<double>(state.iterations()) / seconds / 1e9;
  state.counters["flops"] = flops;
  state.counters["threads"] = threads;
  state.counters["core_mhz"] = mean_mhz;
  state.counters["theoretical_GFLOPps"] =
      threads * ops_per_cycle(model, k->vector_bits, k->element_bits, k->products) * mean_mhz / 1e3;
  state.SetLabel(std::string(k->isa) + " " + k->instruction + "; " + model.uarch + ": " +
                 std::to_string(model.units) + "x" + std::to_string(model.datapath_bits) +
                 "-bit FMA" + (model.assumed ? " (assumed)" : ""));
}

void register_flops(const CpuOptions& opt) {
  const int cores = static_cast<int>(topology().core_cpus.size());
  std::vector<int> counts = {1};
  if (cores > 1) counts.push_back(cores);
  if (!opt.threads.empty()) counts = opt.thread_counts();
  for (const char* type : {"fp64", "fp32", "bf16", "int8"}) {
    const bool fma = !std::strcmp(type, "fp64") || !std::strcmp(type, "fp32");
    for (int threads : counts) {
      const std::string name = std::string("cpu.flops/") + (fma ? "fma" : "dot") + "/type:" + type +
                               "/threads:" + std::to_string(threads);
      add_benchmark(name,
                    [type, threads](benchmark::State& state) { run_peak(state, type, threads); });
    }
  }
}

const bool registered = add_family("cpu.flops", register_flops);

}  // namespace

}  // namespace memwall::cpu
