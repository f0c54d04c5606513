// Plain C++ that the compiler vectorizes for the baseline ISA (NEON on aarch64). Non-temporal
// stores have no portable form here, so the _nt kernels store normally on this ISA.
#include "bench_cpu/isa.hpp"

namespace memwall::cpu::generic {
struct Isa {
  static constexpr const char* name = "generic";
  using V = double;
  static constexpr size_t W = 1;
  static V load(const double* p) { return *p; }
  static void store(double* p, V v) { *p = v; }
  static void stream(double* p, V v) { *p = v; }
  static V set1(double s) { return s; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static double hsum(V v) { return v; }
  static void fence() {}
};
#include "bench_cpu/stream_kernels.inl"
}  // namespace memwall::cpu::generic
