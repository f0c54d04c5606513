#include "bench_cpu/isa.hpp"

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
#endif
namespace generic {
extern const StreamKernelSet kernels;
}

std::vector<const StreamKernelSet*> compiled_isas() {
#if defined(__x86_64__)
  return {&avx512::kernels, &avx2::kernels, &sse2::kernels, &generic::kernels};
#else
  return {&generic::kernels};
#endif
}

bool cpu_supports(const std::string& isa) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (isa == "avx512") return __builtin_cpu_supports("avx512f");
  if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == "sse2") return __builtin_cpu_supports("sse2");
#endif
  return isa == "generic";
}

const StreamKernelSet& select_isa(const std::string& name) {
  std::string known;
  for (const StreamKernelSet* set : compiled_isas()) {
    known += std::string(known.empty() ? "" : ", ") + set->isa;
    if ((name == "auto" || name == set->isa) && cpu_supports(set->isa)) return *set;
    if (name == set->isa) throw UsageError("this CPU does not support ISA '" + name + "'");
  }
  throw UsageError("unknown ISA '" + name + "' (this build has: auto, " + known + ")");
}

}  // namespace memwall::cpu
