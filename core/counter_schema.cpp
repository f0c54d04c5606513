#include "core/counter_schema.hpp"

#include <nlohmann/json.hpp>

namespace memwall {

namespace {

std::vector<CounterInfo>& schema() {
  // Main counters in the order a benchmark's main one is picked: a GEMM's GBps is a by-product
  // of its FLOP/s, a collective's busGBps says more than its algGBps, a random read's IOPS more
  // than its GB/s.
  static std::vector<CounterInfo> all = {
      {"GFLOPps", "GFLOP/s", true, true, false,
       "1e9 FLOP/s, 2 per FMA and 2*M*N*K per GEMM (int8: operations)"},
      {"busGBps", "GB/s", true, true, false, "nccl-tests' bus bandwidth (algbw x the factor)"},
      {"iops", "1/s", true, true, true, "completed I/Os per second, as fio counts them", 1},
      {"GBps", "GB/s", true, true, false, "1e9 bytes/s, bytes as STREAM (or OSU, fio) count"},
      {"latency_ns", "ns", false, true, false, "time per dependent access, or one-way message"},
      {"latency_p50_ns", "ns", false, false, true, "median completion latency"},
      {"latency_p99_ns", "ns", false, false, true, "99th percentile completion latency"},
      {"latency_p999_ns", "ns", false, false, false, "99.9th percentile completion latency"},
      {"algGBps", "GB/s", true, false, false, "nccl-tests' algorithm bandwidth (size / time)"},
      {"hw_GBps", "GB/s", true, false, false, "GBps plus the lines plain stores read first"},
      {"counted_read_GBps", "GB/s", true, false, false, "memory reads the PMU counted"},
      {"load_GBps", "GB/s", true, false, false, "the other cores' streaming load (loaded chase)"},
      {"load_hw_GBps", "GB/s", true, false, false,
       "that load plus the lines its plain stores read first"},
      {"theoretical_GFLOPps", "GFLOP/s", true, false, false, "units x lanes x 2 x the clock"},
      {"energy_pJ_per_byte", "pJ", false, false, false, "board energy over the bytes moved"},
      {"energy_pJ_per_flop", "pJ", false, false, false, "board energy over the FLOPs done"},
      {"power_W", "W", false, false, false, "board power over the metering window"},
      // The run's state over the repetition (core/run_state.hpp), not a figure of the hardware.
      {"state_other_cpus_busy", "CPUs", false, false, false,
       "CPUs other processes kept busy while it ran (/proc/stat)"},
      {"state_steal_percent", "%", false, false, false,
       "of the CPUs' time the hypervisor gave other guests while it ran", 1},
      {"state_loaded", "", false, false, false,
       "1: measured under other processes' load or steal above the thresholds", 1},
      {"state_gpu_sm_mhz", "MHz", true, false, false, "the GPU's SM clock while busy (NVML)", 1},
      {"state_gpu_clock_reasons", "", false, false, false,
       "NVML's clocks event reasons seen while busy (a bit mask; idle left out)", 1},
      {"state_gpu_pcie_gen", "", true, false, false, "the PCIe generation while busy", 1},
      {"state_gpu_pcie_width", "lanes", true, false, false, "the PCIe width while busy", 1},
  };
  return all;
}

size_t& builtins() {
  static size_t n = schema().size();
  return n;
}

}  // namespace

const std::vector<CounterInfo>& counter_schema() {
  return schema();
}

bool declare_counter(const CounterInfo& counter) {
  builtins();  // counted before the first declaration
  if (!counter_info(counter.name)) schema().push_back(counter);
  return true;
}

bool core_counter(const std::string& name) {
  for (size_t i = 0; i < builtins(); ++i)
    if (schema()[i].name == name) return true;
  return false;
}

std::string declared_counters_json() {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = builtins(); i < schema().size(); ++i) {
    const CounterInfo& c = schema()[i];
    out.push_back({{"name", c.name},
                   {"unit", c.unit},
                   {"higher_is_better", c.higher_is_better},
                   {"main", c.main},
                   {"headline", c.headline},
                   {"meaning", c.meaning},
                   {"scale", c.scale}});
  }
  return out.dump();
}

std::vector<CounterInfo> counters_from_json(const std::string& text) {
  std::vector<CounterInfo> out;
  try {
    for (const nlohmann::json& c : nlohmann::json::parse(text))
      out.push_back({c.value("name", ""), c.value("unit", ""), c.value("higher_is_better", true),
                     c.value("main", false), c.value("headline", false), c.value("meaning", ""),
                     c.value("scale", 1e9)});
  } catch (const nlohmann::json::exception&) {  // a damaged entry declares nothing
  }
  std::erase_if(out, [](const CounterInfo& c) { return c.name.empty(); });
  return out;
}

const CounterInfo* find_counter(const std::vector<CounterInfo>& declared, const std::string& name) {
  for (size_t i = 0; i < builtins(); ++i)  // core's first, as declare_counter keeps them
    if (schema()[i].name == name) return &schema()[i];
  for (const CounterInfo& c : declared)
    if (c.name == name) return &c;
  return nullptr;
}

const CounterInfo* counter_info(const std::string& name) {
  for (const CounterInfo& c : schema())
    if (c.name == name) return &c;
  return nullptr;
}

bool higher_is_better(const std::string& counter) {
  const CounterInfo* c = counter_info(counter);
  return c ? c->higher_is_better : true;
}

}  // namespace memwall
