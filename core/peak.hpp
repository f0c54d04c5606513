// The theoretical peak of a core: how many arithmetic operations it can start per cycle for a
// number format, from its FMA pipes and their width. CPUID says which instructions exist but
// not how many pipes execute them, so this is a table by CPU model as the vendors publish it
// (optimization manuals, Intel ARK's "AVX-512 FMA units", Arm's software optimization guides).
// Every model says where it came from: "table", "override" (--fma-units/--fma-bits) or
// "assumed" (a CPU the table does not know: check it and override).
#pragma once
#include <string>

#include "core/cpu_id.hpp"

namespace memwall {

struct FmaModel {
  std::string uarch;        // "AMD Zen 4", "Intel Skylake-SP (Xeon Silver)", "Arm Neoverse V2"
  int units = 2;            // FMA pipes per core for vectors up to datapath_bits
  int datapath_bits = 256;  // width one pipe executes per cycle (Zen 4 runs 512 on 256)
  int units_512 = 0;        // pipes a 512-bit instruction issues to per cycle, where that
                            // differs: Intel client cores fuse their two 256-bit pipes into one
  std::string source = "table";  // "table", "override" or "assumed"
  std::string describe() const;  // "2x512-bit FMA (table)"
};

// The model for a CPU; `core_kind` picks the core type of a hybrid CPU ("performance",
// "efficiency"; "" for the big core).
FmaModel fma_model(const CpuId& cpu, const std::string& core_kind = "");
// For the calling thread's core, with the overrides applied.
FmaModel detect_fma_model();
// --fma-units / --fma-bits: replace the table's figures (0 keeps the table's).
void set_fma_override(int units, int datapath_bits);

// Operations per cycle per core for one instruction kind: `vector_bits` wide instructions on
// `element_bits` lanes, each lane doing `products` multiply-adds (1 for FMA, 2 for a bf16 pair
// dot product, 4 for an int8 quad), each multiply-add counted as 2 operations.
double ops_per_cycle(const FmaModel& m, int vector_bits, int element_bits, int products);

}  // namespace memwall
