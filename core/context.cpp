#include "core/context.hpp"

#include <benchmark/benchmark.h>
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/cpu_id.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall {

const char* memwall_version() {
  return MEMWALL_VERSION;
}

void add_context(const std::string& key, const std::string& value) {
  benchmark::AddCustomContext(key, value);
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
}  // namespace

void add_common_context(const std::string& binary) {
  const Topology& topo = topology();
  add_context("memwall_binary", binary);
  add_context("memwall_version", memwall_version());
  add_context("memwall_result_schema", "1");
  add_context("git_commit", git_commit());
  add_context("compiler", MEMWALL_COMPILER);
  add_context("flags", MEMWALL_FLAGS);
  add_context("memwall_build_type", MEMWALL_BUILD_TYPE);
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
  add_context("thp_enabled", first_line("/sys/kernel/mm/transparent_hugepage/enabled"));
  utsname u{};
  if (uname(&u) == 0)
    add_context("kernel", std::string(u.sysname) + " " + u.release + " " + u.machine);
}

}  // namespace memwall
