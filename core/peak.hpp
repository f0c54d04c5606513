// The theoretical peak of a core: how many arithmetic operations it can start per cycle for a
// number format, from its FMA units and their datapath width. CPUID says which instructions
// exist but not how many units execute them, so this is a table by microarchitecture; where
// a CPU is not in it the assumption is named, and --fma-units/--fma-bits override it.
#pragma once
#include <string>

namespace memwall {

struct FmaModel {
  std::string uarch;        // "AMD Zen 5", ...
  int units = 2;            // FMA pipes per core
  int datapath_bits = 256;  // width each pipe executes per cycle (AVX-512 on 256 is double-pumped)
  bool assumed = false;     // not from the table: a guess the user should check
};

// From /proc/cpuinfo's vendor, family and model.
FmaModel fma_model(const std::string& vendor, int family, int model, bool has_avx512);
FmaModel detect_fma_model();

// Operations per cycle per core for one instruction kind: `vector_bits` wide instructions on
// `element_bits` lanes, each lane doing `products` multiply-adds (1 for FMA, 2 for a bf16 pair
// dot product, 4 for an int8 quad), each multiply-add counted as 2 operations.
double ops_per_cycle(const FmaModel& m, int vector_bits, int element_bits, int products);

}  // namespace memwall
