#include "core/peak.hpp"

#include <algorithm>
#include <regex>
#include <string>

namespace memwall {

namespace {

int g_override_units = 0, g_override_bits = 0;

FmaModel make(const std::string& uarch, int units, int bits, int units_512 = 0,
              const char* source = "table") {
  FmaModel m;
  m.uarch = uarch;
  m.units = units;
  m.datapath_bits = bits;
  m.units_512 = units_512;
  m.source = source;
  return m;
}

bool in(int model, std::initializer_list<int> models) {
  return std::find(models.begin(), models.end(), model) != models.end();
}

FmaModel amd(const CpuId& c) {
  const int f = c.family, m = c.model;
  if (f == 0x17 || f == 0x18)  // Zen, Zen+ (and Hygon): 128-bit pipes; Zen 2: 256-bit
    return m >= 0x30 && f == 0x17 ? make("AMD Zen 2", 2, 256) : make("AMD Zen/Zen+", 2, 128);
  if (f == 0x19)  // Zen 3; Zen 4 runs AVX-512 on its two 256-bit pipes (double-pumped)
    return c.has("avx512f") ? make("AMD Zen 4", 2, 256) : make("AMD Zen 3", 2, 256);
  if (f == 0x1a) {
    // Zen 5 has two full 512-bit pipes (Turin, Granite Ridge, Strix Halo); the mobile parts
    // (Strix Point 0x20-0x2f, Krackan 0x60-0x6f) keep 256-bit pipes.
    const bool mobile = (m >= 0x20 && m <= 0x2f) || (m >= 0x60 && m <= 0x6f);
    return mobile ? make("AMD Zen 5 (mobile)", 2, 256) : make("AMD Zen 5", 2, 512);
  }
  return make("AMD family " + std::to_string(f), 2, c.has("avx2") ? 256 : 128, 0, "assumed");
}

// Skylake-SP / Cascade Lake / Cooper Lake: the second 512-bit FMA unit (port 5) exists on Gold
// 6xxx, Platinum and Xeon W; Bronze, Silver and Gold 5xxx have one (Gold 5122 and 5222 two).
FmaModel intel_skylake_sp(const CpuId& c) {
  static const std::regex one_unit(R"((Bronze|Silver)|Gold 5\d\d\d)");
  static const std::regex two_units(R"(Gold 5[12]22|Gold 6\d\d\d|Platinum|Xeon\(R\) W-|i9-)");
  if (std::regex_search(c.brand, two_units))
    return make("Intel Skylake-SP (2 AVX-512 FMA units)", 2, 512);
  if (std::regex_search(c.brand, one_unit))
    return make("Intel Skylake-SP (1 AVX-512 FMA unit)", 2, 256, 1);
  return make("Intel Skylake-SP (tier unknown)", 2, 512, 0, "assumed");
}

FmaModel intel(const CpuId& c, const std::string& core_kind) {
  const int m = c.family == 6 ? c.model : -1;
  if (in(m, {0x3c, 0x3f, 0x45, 0x46})) return make("Intel Haswell", 2, 256);
  if (in(m, {0x3d, 0x47, 0x4f, 0x56})) return make("Intel Broadwell", 2, 256);
  if (in(m, {0x4e, 0x5e, 0x8e, 0x9e, 0xa5, 0xa6}))
    return make("Intel Skylake client (to Comet Lake)", 2, 256);
  if (m == 0x55) return intel_skylake_sp(c);
  if (in(m, {0x6a, 0x6c})) return make("Intel Ice Lake-SP", 2, 512);
  if (in(m, {0x8f, 0xcf})) return make("Intel Sapphire/Emerald Rapids", 2, 512);
  if (in(m, {0xad, 0xae})) return make("Intel Granite Rapids", 2, 512);
  if (in(m, {0x57, 0x85})) return make("Intel Xeon Phi", 2, 512);
  // Client cores with AVX-512 fuse their two 256-bit FMA pipes for one 512-bit FMA a cycle.
  if (in(m, {0x66, 0x7d, 0x7e, 0x8c, 0x8d, 0xa7}))
    return make("Intel Ice/Tiger/Rocket Lake client", 2, 256, 1);
  // Hybrid client parts: Golden/Raptor/Redwood Cove and Lion Cove P-cores 2x256; Gracemont
  // and Crestmont E-cores 2x128; Skymont E-cores 4x128.
  const bool skymont = in(m, {0xbd, 0xc5, 0xc6});
  if (in(m, {0x97, 0x9a, 0xb7, 0xba, 0xbf, 0xaa, 0xac, 0xbd, 0xc5, 0xc6})) {
    if (core_kind == "efficiency")
      return skymont ? make("Intel Skymont E-core", 4, 128)
                     : make("Intel Gracemont E-core", 2, 128);
    return make("Intel hybrid P-core", 2, 256);
  }
  if (in(m, {0xbe, 0xaf, 0xb6, 0xdd}))  // Alder Lake-N, Sierra Forest: E-cores only
    return make("Intel Gracemont/Crestmont", 2, 128);
  if (c.has("avx512f")) return make("Intel with AVX-512", 2, 512, 0, "assumed");
  if (c.has("fma")) return make("Intel with AVX2", 2, 256, 0, "assumed");
  return make("Intel", 2, 128, 0, "assumed");
}

FmaModel arm(const CpuId& c) {
  if (c.implementer == 0x41) {
    switch (c.part) {
      case 0xd0b:
        return make("Arm Cortex-A76", 2, 128);
      case 0xd0c:
        return make("Arm Neoverse N1", 2, 128);  // Graviton2, Ampere Altra
      case 0xd0d:
        return make("Arm Cortex-A77", 2, 128);
      case 0xd41:
        return make("Arm Cortex-A78", 2, 128);
      case 0xd44:
        return make("Arm Cortex-X1", 4, 128);
      case 0xd40:
        return make("Arm Neoverse V1", 4, 128);  // Graviton3; SVE 2x256
      case 0xd47:
        return make("Arm Cortex-A710", 2, 128);
      case 0xd48:
        return make("Arm Cortex-X2", 4, 128);
      case 0xd49:
        return make("Arm Neoverse N2", 2, 128);
      case 0xd4e:
        return make("Arm Cortex-X3", 4, 128);
      case 0xd4f:
        return make("Arm Neoverse V2 (NVIDIA Grace, Graviton4)", 4, 128);
      case 0xd81:
        return make("Arm Cortex-A720", 2, 128);
      case 0xd82:
        return make("Arm Cortex-X4", 4, 128);
      case 0xd84:
        return make("Arm Neoverse V3", 4, 128);
      case 0xd8e:
        return make("Arm Neoverse N3", 2, 128);
      default:
        break;
    }
  }
  if (c.implementer == 0x46 && c.part == 0x001) return make("Fujitsu A64FX", 2, 512);
  if (c.implementer == 0x4e && c.part == 0x004) return make("NVIDIA Carmel", 2, 128);
  char part[16];
  std::snprintf(part, sizeof part, "0x%03x", c.part);
  return make((c.vendor.empty() ? std::string("Arm") : c.vendor) + " part " + part, 2, 128, 0,
              "assumed");
}

}  // namespace

std::string FmaModel::describe() const {
  std::string d = std::to_string(units) + "x" + std::to_string(datapath_bits) + "-bit FMA";
  if (units_512) d += " (" + std::to_string(units_512) + "x512 for AVX-512)";
  return d + " [" + source + "]";
}

FmaModel fma_model(const CpuId& cpu, const std::string& core_kind) {
  if (cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine") return amd(cpu);
  if (cpu.vendor == "GenuineIntel") return intel(cpu, core_kind);
  if (cpu.arch == "aarch64") return arm(cpu);
  return make(cpu.vendor.empty() ? "unknown CPU" : cpu.vendor, 2, 128, 0, "assumed");
}

FmaModel detect_fma_model() {
  FmaModel m = fma_model(cpu_id(), current_core_kind());
  if (g_override_units > 0 || g_override_bits > 0) {
    if (g_override_units > 0) m.units = g_override_units;
    if (g_override_bits > 0) m.datapath_bits = g_override_bits;
    m.units_512 = 0;
    m.source = "override";
  }
  return m;
}

void set_fma_override(int units, int datapath_bits) {
  g_override_units = units;
  g_override_bits = datapath_bits;
}

double ops_per_cycle(const FmaModel& m, int vector_bits, int element_bits, int products) {
  if (vector_bits >= 512 && m.units_512 > 0)
    return static_cast<double>(m.units_512) * (512 / element_bits) * products * 2.0;
  const int executed_bits = std::min(vector_bits, m.datapath_bits);
  return static_cast<double>(m.units) * (executed_bits / element_bits) * products * 2.0;
}

}  // namespace memwall
