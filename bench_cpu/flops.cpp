// cpu.flops: peak arithmetic rate per number format on 1 thread and on every core, beside the
// theoretical peak at the clock the cores ran at (cores x ops per cycle x GHz). The clock is
// counted by the PMU while the kernel runs where the machine gives one; elsewhere a dependent
// add chain right after the kernel measures it, and the label says which.
// FLOPs count 2 per multiply-add; int8 counts its multiply-adds the same way (ops, not FLOPs).
#include <algorithm>
#include <cstring>
#include <memory>
#include <sstream>

#include "bench_cpu/options.hpp"
#include "bench_cpu/peak_kernels.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/cpu_id.hpp"
#include "core/cycles.hpp"
#include "core/peak.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall::cpu {

#if defined(__x86_64__)
extern const PeakKernelTable kAvx512PeakKernels, kAvx2PeakKernels;
#elif defined(__aarch64__)
extern const PeakKernelTable kNeonPeakKernels;
#endif
extern const PeakKernelTable kGenericPeakKernels;

std::vector<PeakKernel> compiled_peak_kernels() {
  std::vector<PeakKernel> all;
#if defined(__x86_64__)
  const PeakKernelTable tables[] = {kAvx512PeakKernels, kAvx2PeakKernels, kGenericPeakKernels};
#elif defined(__aarch64__)
  const PeakKernelTable tables[] = {kNeonPeakKernels, kGenericPeakKernels};
#else
  const PeakKernelTable tables[] = {kGenericPeakKernels};
#endif
  for (const PeakKernelTable& t : tables) all.insert(all.end(), t.kernels, t.kernels + t.count);
  return all;
}

std::string missing_features(const PeakKernel& k) {
  std::string missing;
  std::stringstream list(k.cpu_features);
  for (std::string f; std::getline(list, f, ',');) {
    if (f.empty() || cpu_id().has(f)) continue;
    std::string shown = f == "avx512bf16"   ? "AVX512_BF16"
                        : f == "avx512vnni" ? "AVX512_VNNI"
                        : f == "avxvnni"    ? "AVX_VNNI"
                        : f == "asimddp"    ? "DOTPROD"
                                            : f;
    std::transform(shown.begin(), shown.end(), shown.begin(), ::toupper);
    missing = shown;  // the last one lacking is the most specific (AVX512_BF16, not AVX512F)
  }
  return missing;
}

bool peak_kernel_supported(const PeakKernel& k) {
  return missing_features(k).empty();
}

const PeakKernel* best_peak_kernel(const char* type) {
  static const std::vector<PeakKernel> all = compiled_peak_kernels();
  const std::string forced = options().isa;
  for (const PeakKernel& k : all) {
    if (std::strcmp(k.type, type) != 0 || !peak_kernel_supported(k)) continue;
    if (forced != "auto" && forced != k.isa) continue;
    return &k;
  }
  return nullptr;
}

namespace {

// Why no kernel runs a format here: "needs AVX512_BF16" (each compiled kernel's lack, once).
std::string why_unsupported(const char* type) {
  std::vector<std::string> needs;
  for (const PeakKernel& k : compiled_peak_kernels()) {
    if (std::strcmp(k.type, type) != 0) continue;
    const std::string m = missing_features(k);
    if (!m.empty() && std::find(needs.begin(), needs.end(), m) == needs.end()) needs.push_back(m);
  }
  if (needs.empty())
    return options().isa != "auto"
               ? "no " + std::string(type) + " kernel for --isa " + options().isa
               : "no " + std::string(type) + " kernel in this build for " + cpu_id().arch;
  std::string why = "needs ";
  for (size_t i = 0; i < needs.size(); ++i) why += (i ? " or " : "") + needs[i];
  return why;
}

struct alignas(64) ThreadClock {
  uint64_t cycles = 0;
  double seconds = 0;
  double ops_per_cycle = 0;
  bool ok = true;
};

void run_peak(benchmark::State& state, const char* type, int threads) {
  const PeakKernel* k = best_peak_kernel(type);
  std::vector<ThreadClock> clock(threads);
  const bool counted = cycle_counter_available();
  const double seconds = measure(state, [&] {
    return pool().run_timed(threads, [&](int tid) {
      thread_local std::unique_ptr<ThreadCycles> cycles;
      if (counted && !cycles) cycles = std::make_unique<ThreadCycles>();
      const uint64_t c0 = counted ? cycles->read() : 0;
      clock[tid].seconds +=
          time_region([&] { clock[tid].ok = k->run(kPeakIterations) && clock[tid].ok; });
      if (counted) clock[tid].cycles += cycles->read() - c0;
    });
  });
  if (seconds == 0) return;
  // Each thread's model: a hybrid CPU's cores differ.
  std::vector<double> mhz(threads);
  std::vector<FmaModel> models(threads);
  pool().run(threads, [&](int tid) {
    models[tid] = detect_fma_model();
    mhz[tid] = counted && clock[tid].seconds > 0
                   ? static_cast<double>(clock[tid].cycles) / clock[tid].seconds / 1e6
                   : measure_core_mhz(5);
  });
  bool all_ok = true;
  double mean_mhz = 0, theoretical = 0;
  for (int t = 0; t < threads; ++t) {
    all_ok = all_ok && clock[t].ok;
    mean_mhz += mhz[t] / threads;
    theoretical +=
        k->products
            ? ops_per_cycle(models[t], k->vector_bits, k->element_bits, k->products) * mhz[t] / 1e3
            : 0;
  }
  if (!check_result(state, all_ok, std::string(type) + " accumulators differ from the exact sum"))
    return;
  Work work;
  work.flops = k->ops_per_iteration * kPeakIterations * threads;
  report_work(state, work, seconds);
  state.counters["thread_count"] = threads;
  state.counters["core_mhz"] = mean_mhz;
  if (theoretical > 0) state.counters["theoretical_GFLOPps"] = theoretical;
  state.SetLabel(std::string(k->isa) + " " + k->instruction + "; " + models[0].uarch + ": " +
                 models[0].describe() + "; clock " +
                 (counted ? "counted during the kernel" : "from an add chain after the kernel"));
}

int g_fma_units = 0, g_fma_bits = 0;  // --fma-units, --fma-bits

void register_flops(const RunConfig&) {
  const CpuOptions& opt = options();
  set_fma_override(g_fma_units, g_fma_bits);
  const FmaModel fma = detect_fma_model();
  add_context("fma_model", fma.uarch + ": " + fma.describe());
  add_context("clock_source", cycle_counter_available()
                                  ? "PMU cycles counted during each kernel"
                                  : "add chain after the kernel (" + cycle_counter_status() + ")");
  const int cores = static_cast<int>(topology().core_cpus.size());
  std::vector<int> counts = {1};
  if (cores > 1) counts.push_back(cores);
  if (!opt.threads.empty()) counts = opt.threads;
  for (const char* type : {"fp64", "fp32", "bf16", "int8"}) {
    const bool fma = !std::strcmp(type, "fp64") || !std::strcmp(type, "fp32");
    if (!best_peak_kernel(type)) {  // one line for the format, not one per thread count
      const std::string why = why_unsupported(type);
      add_benchmark(std::string("cpu.flops/") + (fma ? "fma" : "dot") + "/type:" + type,
                    [why](benchmark::State& state) { skip(state, why); });
      continue;
    }
    for (int threads : counts) {
      const std::string name = std::string("cpu.flops/") + (fma ? "fma" : "dot") + "/type:" + type +
                               "/threads:" + std::to_string(threads);
      add_benchmark(name,
                    [type, threads](benchmark::State& state) { run_peak(state, type, threads); });
    }
  }
}

const bool registered = add_family(
    {"cpu.flops",
     [](Flags& flags) {
       flags
           .add("--fma-units", g_fma_units,
                "FMA pipes per core for the theoretical peak (overrides the CPU table)")
           .range(1, 16)
           .add("--fma-bits", g_fma_bits, "width of each FMA pipe in bits (128, 256, 512)")
           .one_of({128, 256, 512, 1024, 2048});
     },
     register_flops});
const bool roles = declare_role({"cpu.flops", "", {}, "peak", "cpu", {{"path", "fma"}}});

}  // namespace

}  // namespace memwall::cpu
