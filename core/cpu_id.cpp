#include "core/cpu_id.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace memwall {

namespace {

std::string proc_cpuinfo_value(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

#if defined(__x86_64__)
std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

unsigned long long xgetbv0() {
  unsigned eax = 0, edx = 0;
  asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

void detect_x86(CpuId& c) {
  c.arch = "x86_64";
  unsigned a = 0, b = 0, cx = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &cx, &d)) return;
  const unsigned max_leaf = a;
  char vendor[13] = {};
  std::copy_n(reinterpret_cast<char*>(&b), 4, vendor);
  std::copy_n(reinterpret_cast<char*>(&d), 4, vendor + 4);
  std::copy_n(reinterpret_cast<char*>(&cx), 4, vendor + 8);
  c.vendor = vendor;

  __get_cpuid(1, &a, &b, &cx, &d);
  decode_x86_signature(a, c.family, c.model, c.stepping);
  c.hypervisor = cx & (1u << 31);
  const bool osxsave = cx & (1u << 27);
  const unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = ymm_state && (xcr0 & 0xe0) == 0xe0;
  const bool amx_state = (xcr0 & (3ull << 17)) == (3ull << 17);
  auto add = [&](bool present, const char* name) {
    if (present) c.features.push_back(name);
  };
  add(ymm_state && (cx & (1u << 28)), "avx");
  add(ymm_state && (cx & (1u << 12)), "fma");
  if (max_leaf >= 7) {
    unsigned a7 = 0, b7 = 0, c7 = 0, d7 = 0;
    __cpuid_count(7, 0, a7, b7, c7, d7);
    add(ymm_state && (b7 & (1u << 5)), "avx2");
    add(zmm_state && (b7 & (1u << 16)), "avx512f");
    add(zmm_state && (b7 & (1u << 17)), "avx512dq");
    add(zmm_state && (b7 & (1u << 30)), "avx512bw");
    add(zmm_state && (b7 & (1u << 31)), "avx512vl");
    add(zmm_state && (c7 & (1u << 11)), "avx512vnni");
    add(amx_state && (d7 & (1u << 24)), "amx_tile");
    add(amx_state && (d7 & (1u << 22)), "amx_bf16");
    add(amx_state && (d7 & (1u << 25)), "amx_int8");
    c.hybrid = d7 & (1u << 15);
    if (a7 >= 1) {
      unsigned a71 = 0, b71 = 0, c71 = 0, d71 = 0;
      __cpuid_count(7, 1, a71, b71, c71, d71);
      add(ymm_state && (a71 & (1u << 4)), "avxvnni");
      add(zmm_state && (a71 & (1u << 5)), "avx512bf16");
    }
  }
  unsigned ext = 0;
  __get_cpuid(0x80000000, &ext, &b, &cx, &d);
  if (ext >= 0x80000004) {
    unsigned words[12];
    for (unsigned leaf = 0; leaf < 3; ++leaf)
      __get_cpuid(0x80000002 + leaf, &words[4 * leaf], &words[4 * leaf + 1], &words[4 * leaf + 2],
                  &words[4 * leaf + 3]);
    c.brand = trim(std::string(reinterpret_cast<char*>(words), sizeof words).c_str());
  }
}
#endif

#if defined(__aarch64__)
void detect_arm(CpuId& c) {
  c.arch = "aarch64";
  const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  auto add = [&](bool present, const char* name) {
    if (present) c.features.push_back(name);
  };
  // Bit numbers from the kernel's uapi asm/hwcap.h, stable across versions.
  add(hw & (1ul << 1), "neon");
  add(hw & (1ul << 20), "asimddp");
  add(hw & (1ul << 22), "sve");
  add(hw2 & (1ul << 1), "sve2");
  add(hw2 & (1ul << 13), "i8mm");
  add(hw2 & (1ul << 14), "bf16");
  auto hex = [](const std::string& s) {
    try {
      return static_cast<int>(std::stoul(s, nullptr, 0));
    } catch (const std::exception&) {
      return 0;
    }
  };
  c.implementer = hex(proc_cpuinfo_value("CPU implementer"));
  c.part = hex(proc_cpuinfo_value("CPU part"));
  if (c.implementer == 0 && (hw & (1ul << 11))) {  // HWCAP_CPUID: the kernel emulates MRS
    unsigned long midr = 0;
    asm volatile("mrs %0, MIDR_EL1" : "=r"(midr));
    c.implementer = static_cast<int>((midr >> 24) & 0xff);
    c.part = static_cast<int>((midr >> 4) & 0xfff);
  }
  if (c.implementer == 0) {  // no /proc/cpuinfo fields: the kernel's sysfs copy of MIDR_EL1
    std::ifstream in("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1");
    std::string midr;
    if (in >> midr) {
      const unsigned long v = std::stoul(midr, nullptr, 16);
      c.implementer = static_cast<int>((v >> 24) & 0xff);
      c.part = static_cast<int>((v >> 4) & 0xfff);
    }
  }
  switch (c.implementer) {
    case 0x41:
      c.vendor = "ARM";
      break;
    case 0x4e:
      c.vendor = "NVIDIA";
      break;
    case 0x46:
      c.vendor = "Fujitsu";
      break;
    case 0x48:
      c.vendor = "HiSilicon";
      break;
    case 0x61:
      c.vendor = "Apple";
      break;
    case 0xc0:
      c.vendor = "Ampere";
      break;
    default:
      c.vendor = c.implementer ? "implementer " + std::to_string(c.implementer) : "";
  }
}
#endif

CpuId detect() {
  CpuId c;
#if defined(__x86_64__)
  detect_x86(c);
#elif defined(__aarch64__)
  detect_arm(c);
#else
  c.arch = "other";
#endif
  if (c.brand.empty()) c.brand = proc_cpuinfo_value("model name");
  if (c.brand.empty()) c.brand = "unknown";
  return c;
}

}  // namespace

void decode_x86_signature(unsigned eax, int& family, int& model, int& stepping) {
  const int base_family = (eax >> 8) & 0xf;
  const int base_model = (eax >> 4) & 0xf;
  stepping = eax & 0xf;
  family = base_family == 0xf ? base_family + static_cast<int>((eax >> 20) & 0xff) : base_family;
  model = base_family == 0x6 || base_family == 0xf
              ? base_model + static_cast<int>(((eax >> 16) & 0xf) << 4)
              : base_model;
}

bool CpuId::has(const std::string& feature) const {
  return std::find(features.begin(), features.end(), feature) != features.end();
}

std::string CpuId::signature() const {
  char buf[128];
  if (arch == "aarch64")
    std::snprintf(buf, sizeof buf, "%s implementer 0x%02x part 0x%03x", vendor.c_str(), implementer,
                  part);
  else
    std::snprintf(buf, sizeof buf, "%s family 0x%x model 0x%x stepping %d", vendor.c_str(), family,
                  model, stepping);
  return buf;
}

const CpuId& cpu_id() {
  static const CpuId id = detect();
  return id;
}

std::string current_core_kind() {
#if defined(__x86_64__)
  if (!cpu_id().hybrid) return "";
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(0x1a, 0, &a, &b, &c, &d)) return "";
  const unsigned type = a >> 24;
  return type == 0x40 ? "performance" : type == 0x20 ? "efficiency" : "";
#else
  return "";
#endif
}

}  // namespace memwall
