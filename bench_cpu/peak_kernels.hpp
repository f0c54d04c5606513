// Kernels that keep every FMA (or dot-product) unit busy: many independent accumulator chains,
// more than the units times their latency. One table per ISA; flops.cpp picks per format.
#pragma once
#include <cstdint>
#include <vector>

namespace memwall::cpu {

struct PeakKernel {
  const char* type;         // fp64, fp32, bf16, int8
  const char* isa;          // avx512, avx2, generic
  const char* instruction;  // what the loop issues, for the report
  int vector_bits;          // for the theoretical peak: lanes and products per instruction
  int element_bits;
  int products;              // multiply-adds per lane per instruction (bf16 pair 2, int8 quad 4)
  double ops_per_iteration;  // operations one loop iteration does (2 per multiply-add)
  // Runs the loop and returns true when every accumulator holds exactly what the arithmetic
  // must give (each starts at its index and adds a known exact amount per iteration).
  bool (*run)(uint64_t iterations);
  const char* cpu_feature;  // __builtin_cpu_supports name, or "" for always
};

// Iterations per call small enough that every accumulator stays exact in its format.
constexpr uint64_t kPeakIterations = 1 << 18;

std::vector<PeakKernel> avx512_peak_kernels();
std::vector<PeakKernel> avx2_peak_kernels();
std::vector<PeakKernel> generic_peak_kernels();
bool peak_kernel_supported(const PeakKernel& k);
// Widest supported kernel for a format, or nullptr.
const PeakKernel* best_peak_kernel(const char* type);

}  // namespace memwall::cpu
