// bench_gpu: the GPU's memory wall (CUDA): its memory curve and latency by level, shared
// memory, the host link, SM and tensor-core peaks, the Transformer products, and energy from
// NVML. Without a GPU or driver it says why on one line, writes a result file that says so,
// and exits 0.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench_gpu/gpu_runtime.hpp"
#include "bench_gpu/lt.hpp"
#include "bench_gpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/nvml.hpp"
#include "core/registry.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  using namespace memwall;
  using namespace memwall::gpu;
  GpuOptions& opt = mutable_options();
  std::string min_bytes, max_bytes;
  std::string why_not;    // no GPU: why
  std::string host_node;  // where the host buffers are, for the context
  int node = -1;          // the GPU's NUMA node, -1 where the firmware gives none
  BenchProgram program;
  program.name = "bench_gpu";
  program.part = "gpu";
  program.device_count = [] {
    int count = 0;
    return gpu_unavailable_reason().empty() && cudaGetDeviceCount(&count) == cudaSuccess ? count
                                                                                         : 0;
  };
  program.add_options = [&](Flags& flags) {
    flags.add("--device", opt.device, "GPU index (default 0)").non_negative();
    flags.add("--min-bytes", min_bytes, "smallest working set (default 4KiB)");
    flags.add("--max-bytes", max_bytes, "largest working set (default 3/4 of memory)");
    flags.add("--points-per-octave", opt.points_per_octave, "sizes per doubling (4)").range(1, 16);
  };
  program.prepare = [&] {
    if (!min_bytes.empty()) opt.min_bytes = parse_bytes(min_bytes);
    if (!max_bytes.empty()) opt.max_bytes = parse_bytes(max_bytes);
    why_not = gpu_unavailable_reason();
    if (why_not.empty()) {
      select_device(opt.device);  // UsageError-free: a bad index is an error line from CUDA
      if (opt.max_bytes && opt.max_bytes > device().memory_bytes)
        throw UsageError("--max-bytes " + format_bytes(opt.max_bytes) + " is above the GPU's " +
                         format_bytes(device().memory_bytes));
      // Host buffers and threads on the GPU's own NUMA node, as nvbandwidth places them: a
      // host link measured from the far socket is the inter-socket link's.
      node = pci_numa_node(device().pci_bus_id);
      if (node < 0)
        host_node = "not bound: the firmware gives no NUMA node for the GPU";
      else if (topology().numa_nodes < 2)
        host_node = "node " + std::to_string(node) + " (the only one)";
      else
        host_node =
            "node " + std::to_string(node) +
            (bind_process_to_node(node) ? " (the GPU's): threads and host memory bound there"
                                        : " (the GPU's), but binding to it failed");
      return;
    }
    // No GPU: one skipped benchmark (its progress line is the one line said), so the result
    // file says why. The families register nothing (they check device_ready()).
    add_benchmark("gpu/all", [why_not](benchmark::State& s) { skip(s, why_not); });
  };
  program.add_context = [&] {
    if (!why_not.empty()) {
      add_context("gpu_skipped", why_not);
      return;
    }
    const DeviceInfo& d = device();
    const Nvml& nvml = Nvml::instance();
    // Keyed by the index that ran: a run of --device 1 describes GPU 1.
    nlohmann::json gpu = {
        {"name", d.name},
        {"sms", std::to_string(d.sms)},
        {"compute_capability", std::to_string(d.major) + "." + std::to_string(d.minor)},
        {"memory_bytes", std::to_string(d.memory_bytes)},
        {"memory_bus_bits", std::to_string(d.bus_bits)},
        {"clock_mhz_rated", std::to_string(d.clock_mhz)},
        {"memory_clock_mhz", std::to_string(d.memory_clock_mhz)},
        {"pci_bus_id", d.pci_bus_id},
        {"numa_node", node < 0 ? "unknown" : std::to_string(node)},
        {"caches",
         {{{"level", 1}, {"size", d.l1_per_sm}, {"instances", d.sms}},
          {{"level", 2}, {"size", d.l2_bytes}, {"instances", 1}}}}};
    if (nvml.available()) {
      gpu["driver"] = nvml.driver_version();
      gpu["max_sm_clock_mhz"] = std::to_string(nvml.max_clock_mhz(0));
      gpu["ecc"] = nvml.ecc();
      gpu["pcie"] = "gen " + std::to_string(nvml.pcie_generation()) + " x" +
                    std::to_string(nvml.pcie_width());
      gpu["nvlinks_up"] = std::to_string(nvml.nvlinks_up());
      gpu["pcie_max"] = "gen " + std::to_string(nvml.max_pcie_generation()) + " x" +
                        std::to_string(nvml.max_pcie_width());
      gpu["persistence"] = nvml.persistence();
      gpu["mig"] = nvml.mig();
    }
    add_context("devices", nlohmann::json{{"gpu" + std::to_string(d.index), gpu}}.dump());
    add_context("host_numa_node", host_node);
    add_context("cuda_driver_version", std::to_string(d.driver_version));
    add_context("cuda_runtime_version", std::to_string(d.runtime_version));
    add_context("nvml", nvml.status());
  };
  // The SM clock, what held it and the PCIe link while each benchmark ran: a low figure's
  // verdict names a power cap or a link trained below its maximum.
  static GpuStateSampler sampler;
  program.state_begin = [] { sampler.start(); };
  program.state_end = [](std::map<std::string, double>& out) {
    const GpuState s = sampler.stop();
    if (s.samples == 0) return;
    out["state_gpu_sm_mhz"] = s.sm_mhz;
    out["state_gpu_clock_reasons"] = static_cast<double>(s.clock_reasons);
    out["state_gpu_pcie_gen"] = s.pcie_generation;
    out["state_gpu_pcie_width"] = s.pcie_width;
  };
  return bench_main(argc, argv, program);
}
