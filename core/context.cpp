#include "core/context.hpp"

#include <benchmark/benchmark.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "core/cpu_id.hpp"
#include "core/run_state.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall {

const char* memwall_version() {
  return MEMWALL_VERSION;
}

const char* memwall_build_type() {
  return MEMWALL_BUILD_TYPE;
}

std::vector<std::pair<std::string, std::string>>& context_added() {
  static std::vector<std::pair<std::string, std::string>> added;
  return added;
}

std::string shell_quoted(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./:=,+-@%^", c);
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void add_context(const std::string& key, const std::string& value) {
  benchmark::AddCustomContext(key, value);
  context_added().emplace_back(key, value);
}

namespace {
std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line.empty() ? "unknown" : line;
}
std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}
// The memory modules as SMBIOS describes them (dmidecode -t memory, root only): "12 x DDR5 at
// 4800 MT/s, 64-bit". Empty where dmidecode is missing, not allowed, or the firmware (a
// virtual machine's, often) gives no speed.
std::string dram_modules() {
  FILE* p = popen("dmidecode -t memory 2>/dev/null", "r");
  if (!p) return "";
  char buf[512];
  int modules = 0, speed = 0, width = 0;
  std::string type;
  bool installed = false;
  auto value = [](const std::string& line) {
    const size_t colon = line.find(':');
    return colon == std::string::npos ? std::string()
                                      : line.substr(line.find_first_not_of(" \t", colon + 1));
  };
  while (fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const size_t at = line.find_first_not_of(" \t");
    if (at == std::string::npos) continue;
    const std::string field = line.substr(at);
    if (field.rfind("Memory Device", 0) == 0) installed = false;
    if (field.rfind("Size:", 0) == 0) {
      installed = value(field).find("No Module") == std::string::npos && value(field) != "Unknown";
      modules += installed;
    }
    if (!installed) continue;
    try {
      if (field.rfind("Configured Memory Speed:", 0) == 0 || field.rfind("Speed:", 0) == 0)
        speed = std::max(speed, std::stoi(value(field)));
      if (field.rfind("Data Width:", 0) == 0) width = std::stoi(value(field));
    } catch (const std::exception&) {
    }
    if (field.rfind("Type:", 0) == 0 && value(field) != "Unknown" && value(field) != "Other")
      type = value(field);
  }
  pclose(p);
  if (modules == 0 || speed == 0) return "";
  return std::to_string(modules) + " x " + (type.empty() ? "DRAM" : type) + " at " +
         std::to_string(speed) + " MT/s, " + std::to_string(width ? width : 64) + "-bit";
}

}  // namespace

void add_common_context(const std::string& binary) {
  const Topology& topo = topology();
  add_context("memwall_binary", binary);
  add_context("memwall_version", memwall_version());
  add_context("memwall_result_schema", "1");
  add_context("git_commit", git_commit());
  add_context("compiler", MEMWALL_COMPILER);
  add_context("flags", MEMWALL_FLAGS);
  add_context("memwall_build_type", memwall_build_type());
  add_context("cpu_model", topo.cpu_model);
  // A guest may name itself only "AMD EPYC": the CPU's own signature identifies it.
  add_context("cpu_signature", cpu_id().signature());
  add_context("cpu_brand", cpu_id().brand);
  add_context("hypervisor", cpu_id().hypervisor ? "yes" : "no");
  add_context("cpu_mhz_measured", fixed(measure_core_mhz()));
  add_context("tsc_mhz", fixed(tsc_hz() / 1e6));
  add_context("cores", std::to_string(topo.cores));
  add_context("pus", std::to_string(topo.pus));
  add_context("numa_nodes", std::to_string(topo.numa_nodes));
  add_context("hwloc_caches", topo.caches_json());
  // The memory of every NUMA node: what a model's weights and KV cache can take.
  uint64_t memory = 0;
  for (const MemoryNode& m : topo.memory_nodes) memory += m.bytes;
  if (memory > 0) add_context("memory_bytes", std::to_string(memory));
  add_context("thp_enabled", first_line("/sys/kernel/mm/transparent_hugepage/enabled"));
  for (const auto& [key, value] : machine_state()) add_context(key, value);
  if (const std::string dram = dram_modules(); !dram.empty()) add_context("dram_modules", dram);
  utsname u{};
  if (uname(&u) == 0)
    add_context("kernel", std::string(u.sysname) + " " + u.release + " " + u.machine);
}

}  // namespace memwall
