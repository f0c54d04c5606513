// What this CPU is and which instructions it can run, from the CPU itself (CPUID on x86, the
// auxiliary vector and MIDR on Arm), not from /proc/cpuinfo: a guest that calls itself "AMD
// EPYC" is still identified by family/model/stepping, and an emulator (qemu-user) answers
// for the CPU it emulates.
#pragma once
#include <string>
#include <vector>

namespace memwall {

struct CpuId {
  std::string arch;    // "x86_64", "aarch64", ...
  std::string vendor;  // "AuthenticAMD", "GenuineIntel", "ARM", "NVIDIA", ...
  std::string brand;   // the name the CPU gives (x86 brand string) or /proc/cpuinfo's
  int family = 0, model = 0, stepping = 0;  // x86, display values
  int implementer = 0, part = 0;            // Arm MIDR_EL1
  bool hybrid = false;                      // cores of different kinds (Intel P and E cores)
  bool hypervisor = false;                  // running as a guest
  std::vector<std::string> features;        // the ones memwall's kernels need, see has()

  // avx, avx2, fma, avx512f, avx512bw, avx512vl, avx512dq, avx512bf16, avx512vnni, avxvnni,
  // amx_tile, amx_bf16, amx_int8 (x86); neon, asimddp, bf16, i8mm, sve, sve2 (aarch64). The
  // x86 vector ones also need the OS to save the registers (XCR0).
  bool has(const std::string& feature) const;
  // "AMD family 0x19 model 0x11 stepping 1" or "ARM implementer 0x41 part 0xd4f".
  std::string signature() const;
};

const CpuId& cpu_id();

// Decodes x86 display family and model from CPUID leaf 1 EAX (exposed for tests).
void decode_x86_signature(unsigned eax, int& family, int& model, int& stepping);

// The kind of core the calling thread runs on for hybrid CPUs: "performance", "efficiency", or
// "" when the CPU is not hybrid or does not say.
std::string current_core_kind();

}  // namespace memwall
