#include "core/peak.hpp"

#include <algorithm>
#include <fstream>
#include <string>

namespace memwall {

FmaModel fma_model(const std::string& vendor, int family, int model, bool has_avx512) {
  FmaModel m;
  if (vendor == "AuthenticAMD") {
    if (family == 0x17) {  // Zen, Zen+ (128-bit pipes); Zen 2 (256-bit)
      m.uarch = model >= 0x30 ? "AMD Zen 2" : "AMD Zen/Zen+";
      m.datapath_bits = model >= 0x30 ? 256 : 128;
    } else if (family == 0x19) {  // Zen 3, and Zen 4 running AVX-512 on 256-bit pipes
      m.uarch = has_avx512 ? "AMD Zen 4" : "AMD Zen 3";
      m.datapath_bits = 256;
    } else if (family == 0x1a) {  // Zen 5: full 512-bit pipes except the mobile parts
      const bool mobile = model >= 0x20 && model < 0x50;
      m.uarch = mobile ? "AMD Zen 5 (mobile)" : "AMD Zen 5";
      m.datapath_bits = mobile ? 256 : 512;
    } else {
      m.uarch = "AMD family " + std::to_string(family);
      m.assumed = true;
    }
    m.units = 2;
  } else if (vendor == "GenuineIntel") {
    // Xeons with AVX-512 have two 512-bit FMA units (some Silver/Bronze parts only one);
    // cores without it have two 256-bit units since Haswell.
    m.uarch = has_avx512 ? "Intel with AVX-512" : "Intel AVX2";
    m.units = 2;
    m.datapath_bits = has_avx512 ? 512 : 256;
    m.assumed = has_avx512;
  } else {
    m.uarch = vendor.empty() ? "unknown" : vendor;
    m.units = 2;
    m.datapath_bits = 128;  // NEON
    m.assumed = true;
  }
  return m;
}

FmaModel detect_fma_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, vendor;
  int family = 0, model = 0;
  bool avx512 = false;
  auto value = [](const std::string& l) { return l.substr(l.find(':') + 1); };
  while (std::getline(in, line)) {
    if (line.rfind("vendor_id", 0) == 0) vendor = value(line).substr(1);
    if (line.rfind("cpu family", 0) == 0) family = std::stoi(value(line));
    if (line.rfind("model\t", 0) == 0 || line.rfind("model  ", 0) == 0)
      model = std::stoi(value(line));
    if (line.rfind("flags", 0) == 0) {
      avx512 = line.find(" avx512f") != std::string::npos;
      break;  // the first processor's block is enough
    }
  }
  return fma_model(vendor, family, model, avx512);
}

double ops_per_cycle(const FmaModel& m, int vector_bits, int element_bits, int products) {
  const int executed_bits = std::min(vector_bits, m.datapath_bits);
  return static_cast<double>(m.units) * (executed_bits / element_bits) * products * 2.0;
}

}  // namespace memwall
