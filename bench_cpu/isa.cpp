#include "bench_cpu/isa.hpp"

#include <algorithm>

#include "core/cpu_id.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

#if defined(__x86_64__)
namespace avx512 {
extern const StreamKernelSet kernels;
}
namespace avx2 {
extern const StreamKernelSet kernels;
}
namespace sse2 {
extern const StreamKernelSet kernels;
}
#elif defined(__aarch64__)
namespace neon {
extern const StreamKernelSet kernels;
}
#endif
namespace generic {
extern const StreamKernelSet kernels;
}

std::vector<const StreamKernelSet*> compiled_isas() {
#if defined(__x86_64__)
  return {&avx512::kernels, &avx2::kernels, &sse2::kernels, &generic::kernels};
#elif defined(__aarch64__)
  return {&neon::kernels, &generic::kernels};
#else
  return {&generic::kernels};
#endif
}

bool cpu_supports(const std::string& isa) {
  const CpuId& cpu = cpu_id();
  // What each ISA's file is compiled with (-m flags in CMakeLists.txt), not just its name.
  if (isa == "avx512")
    return cpu.has("avx512f") && cpu.has("avx512bw") && cpu.has("avx512vl") && cpu.has("fma");
  if (isa == "avx2") return cpu.has("avx2") && cpu.has("fma");
  if (isa == "sse2") return cpu.arch == "x86_64";
  if (isa == "neon") return cpu.has("neon");
  return isa == "generic";
}

std::string auto_isa(const CpuId& cpu, const std::vector<std::string>& runnable) {
  const bool halves_512 = cpu.vendor == "AuthenticAMD" && cpu.family == 0x19 && cpu.has("avx512f");
  for (const std::string& isa : runnable)
    if (!(isa == "avx512" && halves_512 &&
          std::find(runnable.begin(), runnable.end(), "avx2") != runnable.end()))
      return isa;
  return "generic";
}

const StreamKernelSet& select_isa(const std::string& name) {
  std::vector<std::string> runnable;
  for (const StreamKernelSet* set : compiled_isas())
    if (cpu_supports(set->isa)) runnable.push_back(set->isa);
  const std::string want = name == "auto" ? auto_isa(cpu_id(), runnable) : name;
  std::string known;
  for (const StreamKernelSet* set : compiled_isas()) {
    known += std::string(known.empty() ? "" : ", ") + set->isa;
    if (want == set->isa && cpu_supports(set->isa)) return *set;
    if (name == set->isa) throw UsageError("this CPU does not support ISA '" + name + "'");
  }
  throw UsageError("unknown ISA '" + name + "' (this build has: auto, " + known + ")");
}

}  // namespace memwall::cpu
