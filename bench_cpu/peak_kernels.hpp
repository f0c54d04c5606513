// Kernels that keep every FMA (or dot-product) unit busy: many independent accumulator chains,
// more than the units times their latency. One table per ISA, each compiled for that ISA only;
// the tables are constant data, so reading one runs no instruction of its ISA.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace memwall::cpu {

struct PeakKernel {
  const char* type;         // fp64, fp32, bf16, int8
  const char* isa;          // avx512, avx2, neon, generic
  const char* instruction;  // what the loop issues, for the report
  int vector_bits;          // for the theoretical peak: lanes and products per instruction
  int element_bits;
  int products;              // multiply-adds per lane per instruction (bf16 pair 2, int8 quad 4)
  double ops_per_iteration;  // operations one loop iteration does (2 per multiply-add)
  // Runs the loop and returns true when every accumulator holds exactly what the arithmetic
  // must give (each starts at its index and adds a known exact amount per iteration).
  bool (*run)(uint64_t iterations);
  const char* cpu_features;  // comma-separated CpuId features it needs, "" for none
};

struct PeakKernelTable {
  const PeakKernel* kernels;
  size_t count;
};

// Iterations per call small enough that every accumulator stays exact in its format.
constexpr uint64_t kPeakIterations = 1 << 18;

// Every kernel compiled into this build, widest ISA first.
std::vector<PeakKernel> compiled_peak_kernels();
bool peak_kernel_supported(const PeakKernel& k);
// The features of `k` this CPU lacks, as "AVX512_BF16" (empty when it can run).
std::string missing_features(const PeakKernel& k);
// Widest supported kernel for a format (honouring --isa), or nullptr.
const PeakKernel* best_peak_kernel(const char* type);

}  // namespace memwall::cpu
