// The devices step: which devices the files measured, and what each is. A CPU is named by its
// firmware's model name, or by its signature and microarchitecture where that name is generic
// (a guest's "AMD EPYC"); a GPU by the context its own run wrote (keyed by the index that ran,
// so a run of `bench_gpu --device 1` describes GPU 1).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <regex>
#include <set>

#include "core/units.hpp"
#include "harness/format.hpp"
#include "harness/profile/datasheet.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

using nlohmann::json;

namespace {

std::string text_of(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The context a device's own run wrote: the file that measured the device most (the CPU's
// own binary's, not a storage or MPI run that also ran on it).
const json& context_of(const ProfileInputs& in, const std::string& device) {
  static const json none = json::object();
  const json* found = nullptr;
  size_t most = 0;
  for (const ResultFile& f : in.files) {
    const size_t measured =
        std::count_if(f.measurements.begin(), f.measurements.end(),
                      [&](const Measurement& m) { return device_of(m) == device; });
    if (measured > most) {
      most = measured;
      found = &f.context;
    }
  }
  return found ? *found : (in.files.empty() ? none : in.files.front().context);
}

// A GPU's own keys: the structured `devices` entry of its run, else (files written before it)
// the gpu0_-prefixed keys.
json gpu_context(const json& context, const std::string& device) {
  if (context.contains("devices") && context["devices"].is_string()) {
    try {
      const json d = json::parse(context["devices"].get<std::string>());
      if (d.contains(device)) return d[device];
    } catch (const json::exception&) {
    }
  }
  json out = json::object();
  const std::string prefix = device + "_";
  for (const auto& [key, value] : context.items())
    if (key.rfind(prefix, 0) == 0) out[key.substr(prefix.size())] = value;
  return out;
}

std::string clean_cpu_name(std::string s) {
  for (const char* mark : {"(R)", "(TM)", "(tm)"})
    for (size_t at; (at = s.find(mark)) != std::string::npos;) s.erase(at, std::strlen(mark));
  s = std::regex_replace(s, std::regex(" +"), " ");
  s = std::regex_replace(s, std::regex(" Processor$"), "");
  return s;
}

std::string cuda_version(const std::string& v) {  // 13000 -> 13.0
  try {
    const int n = std::stoi(v);
    return std::to_string(n / 1000) + "." + std::to_string(n % 1000 / 10);
  } catch (const std::exception&) {
    return v;
  }
}

std::string gpu_uarch(const std::string& capability) {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"7.0", "Volta"},      {"7.2", "Volta"},      {"7.5", "Turing"},    {"8.0", "Ampere"},
      {"8.6", "Ampere"},     {"8.7", "Ampere"},     {"8.9", "Ada"},       {"9.0", "Hopper"},
      {"10.0", "Blackwell"}, {"10.3", "Blackwell"}, {"12.0", "Blackwell"}};
  for (const auto& [cc, name] : names)
    if (cc == capability) return name;
  return capability.empty() ? "" : "compute capability " + capability;
}

std::string caches_text(const std::vector<CacheLevel>& caches) {
  std::string out;
  for (const CacheLevel& c : caches)
    out += (out.empty() ? "" : ", ") + std::string("L") + std::to_string(c.level) +
           (c.type == "data"          ? "d"
            : c.type == "instruction" ? "i"
                                      : "") +
           " " + bytes_text(static_cast<double>(c.size_bytes)) + " x" +
           std::to_string(std::max(1, c.instances));
  return out;
}

std::vector<CacheLevel> parse_caches(const json& list) {
  std::vector<CacheLevel> out;
  try {
    const json caches = list.is_string() ? json::parse(list.get<std::string>()) : list;
    for (const json& c : caches) {
      CacheLevel level;
      level.level = c.value("level", 0);
      level.type = c.value("type", "");
      level.size_bytes = c.value("size", uint64_t{0});
      level.instances = c.value("instances", 0);
      level.line_bytes = c.value("line", 0);
      out.push_back(level);
    }
  } catch (const json::exception&) {
  }
  return out;
}

void add(std::vector<ContextItem>& items, const std::string& key, const std::string& value) {
  if (!value.empty()) items.push_back({key, value});
}

void add_keys(std::vector<ContextItem>& items, const json& context,
              const std::vector<std::pair<std::string, std::string>>& keys) {
  for (const auto& [key, label] : keys)
    if (context.contains(key)) add(items, label, text_of(context[key]));
}

void set_datasheet(Device& d, const std::string& data_dir) {
  if (data_dir.empty()) return;
  const auto found = datasheet_row({d.name, d.uarch}, data_dir);
  if (!found) return;
  const DatasheetRow& row = found->row;
  auto field = [&](const char* key) { return row.count(key) ? row.at(key) : std::string(); };
  auto number = [&](const std::string& key) {
    const double v = datasheet_number(row, key);
    return std::isfinite(v) ? v : 0.0;
  };
  d.datasheet.name = field("name");
  d.datasheet.source = field("source_url");
  d.datasheet.year = field("year");
  d.datasheet.match = found->match;
  d.datasheet.tdp_W = number("tdp_w");
  d.datasheet.memory_GBps = number("mem_bw_gbs");
  d.datasheet.link_GBps = number("interconnect_bw_gbs");
  for (const char* type : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"})
    if (number(std::string(type) + "_tflops") > 0)
      d.datasheet.peak_GFLOPps[type] = 1e3 * number(std::string(type) + "_tflops");
  if (number("int8_tops") > 0) d.datasheet.peak_GFLOPps["int8"] = 1e3 * number("int8_tops");
}

// DRAM's theoretical bandwidth: channels x transfers per second x bus width. From --dram, else
// from SMBIOS as the bench recorded it (one module per channel assumed), else unknown.
}  // namespace

DramConfig parse_dram(const std::string& text) {
  static const std::regex form(R"(([0-9]{1,4})x([0-9]{2,6})(x([0-9]{1,4}))?)");
  std::smatch m;
  DramConfig c;
  if (std::regex_match(text, m, form)) {
    c.channels = std::stoi(m[1]);
    c.mts = std::stoi(m[2]);
    if (m[4].matched) c.bits = std::stoi(m[4]);
  }
  if (c.channels <= 0 || c.mts <= 0 || c.bits <= 0)
    throw InputError("--dram '" + text +
                     "' is not CHANNELSxMT/s[xBITS] (e.g. 12x4800 or 8x6400x64)");
  return c;
}

namespace {

void set_dram_theory(Device& d, const ProfileInputs& in, const json& context) {
  int channels = 0, mts = 0, bits = 64;
  if (!in.dram.empty()) {
    const DramConfig c = parse_dram(in.dram);
    channels = c.channels;
    mts = c.mts;
    bits = c.bits;
    d.memory_theoretical_source = "--dram " + in.dram;
  } else if (context.contains("dram_modules")) {
    const std::string m = text_of(context["dram_modules"]);
    char type[32] = {};
    if (std::sscanf(m.c_str(), "%d x %31s at %d MT/s, %d-bit", &channels, type, &mts, &bits) >= 3)
      d.memory_theoretical_source = "SMBIOS (dmidecode): " + m + "; one module per channel assumed";
  }
  if (channels > 0 && mts > 0) {
    d.memory_theoretical_GBps = channels * static_cast<double>(mts) * 1e6 * bits / 8 / 1e9;
    return;
  }
  d.memory_theoretical_source =
      d.virtual_machine
          ? "unknown (virtual machine: the firmware does not describe the host's DRAM)"
          : "unknown (dmidecode not readable; give --dram CHANNELSxMT/s)";
}

int max_threads(const ProfileInputs& in, Role role, const std::string& device) {
  int threads = 0;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements)
      if (m.role == role && device_of(m) == device)
        threads = std::max(threads, static_cast<int>(m.key_number("threads", 1)));
  return threads;
}

Device cpu_device(const ProfileInputs& in) {
  const json& c = context_of(in, "cpu");
  Device d;
  d.id = "cpu";
  d.kind = DeviceKind::cpu;
  d.virtual_machine = c.value("hypervisor", "") == "yes";
  const std::string fma = c.value("fma_model", "");
  d.uarch = fma.substr(0, fma.find(':'));
  d.name = clean_cpu_name(c.value("cpu_model", "unknown CPU"));
  const std::string signature = c.value("cpu_signature", "");
  const std::regex family_model(R"(family (0x[0-9a-f]+) model (0x[0-9a-f]+))");
  std::smatch fm;
  const std::string before_at = d.name.substr(0, d.name.find('@'));
  if (before_at.find_first_of("0123456789") == std::string::npos) {
    // A generic firmware name: say what the CPU's own signature identifies.
    std::string what = d.uarch;
    for (const char* vendor : {"AMD ", "Intel ", "Arm "})
      if (what.rfind(vendor, 0) == 0) what = what.substr(std::strlen(vendor));
    if (std::regex_search(signature, fm, family_model))
      what += (what.empty() ? "" : ", ") + std::string("family ") + fm[1].str() + " model " +
              fm[2].str();
    if (!what.empty()) d.name += " (" + what + ")";
  }
  d.bandwidth_threads = max_threads(in, Role::bandwidth_curve, "cpu");
  try {
    d.units = std::stoi(c.value("cores", "0"));
    d.memory_bytes = std::stod(c.value("memory_bytes", "0"));
  } catch (const std::exception&) {
  }
  d.parallelism = d.bandwidth_threads > 0 ? std::to_string(d.bandwidth_threads) + " threads"
                                          : std::to_string(d.units) + " cores";
  add(d.context, "model (firmware)", c.value("cpu_model", ""));
  add_keys(d.context, c,
           {{"cpu_signature", "signature"},
            {"fma_model", "FMA units"},
            {"hypervisor", "virtual machine"},
            {"cores", "cores"},
            {"pus", "hardware threads"},
            {"numa_nodes", "NUMA nodes"},
            {"cpu_mhz_measured", "clock measured (MHz)"},
            {"clock_source", "clock of the peaks"},
            {"isa", "bandwidth kernels"}});
  add(d.context, "caches (hwloc)", caches_text(reported_caches(in, "cpu")));
  add_keys(d.context, c,
           {{"dram_modules", "memory modules (SMBIOS)"},
            {"thp_enabled", "transparent huge pages"},
            {"thread_pinning", "threads pinned"},
            {"chase_stride_bytes", "chase stride (bytes)"},
            {"tlb_group_bytes", "chase page group (bytes)"},
            {"blas", "BLAS"},
            {"papi", "hardware counters (PAPI)"},
            {"bytes_counting", "bytes counted"}});
  set_dram_theory(d, in, c);
  set_datasheet(d, in.data_dir);
  return d;
}

Device gpu_device(const ProfileInputs& in, const std::string& id) {
  const json& file = context_of(in, id);
  const json c = gpu_context(file, id);
  Device d;
  d.id = id;
  d.kind = DeviceKind::gpu;
  d.name = c.contains("name") ? text_of(c["name"]) : id;
  const std::string cc = c.contains("compute_capability") ? text_of(c["compute_capability"]) : "";
  d.uarch = gpu_uarch(cc);
  try {
    d.units = c.contains("sms") ? std::stoi(text_of(c["sms"])) : 0;
  } catch (const std::exception&) {
  }
  d.parallelism = d.units > 0 ? "all " + std::to_string(d.units) + " SMs" : "all SMs";
  add_keys(d.context, c,
           {{"name", "name"},
            {"compute_capability", "compute capability"},
            {"sms", "SMs"},
            {"clock_mhz_rated", "SM clock, rated (MHz)"},
            {"max_sm_clock_mhz", "SM clock, max (MHz, NVML)"}});
  if (c.contains("memory_bytes")) try {
      d.memory_bytes = std::stod(text_of(c["memory_bytes"]));
      add(d.context, "memory", bytes_text(d.memory_bytes));
    } catch (const std::exception&) {
    }
  add_keys(d.context, c,
           {{"memory_bus_bits", "memory bus (bits)"}, {"memory_clock_mhz", "memory clock (MHz)"}});
  add(d.context, "caches (CUDA)", caches_text(reported_caches(in, id)));
  add_keys(d.context, c, {{"driver", "driver"}});
  add(d.context, "CUDA driver API",
      file.contains("cuda_driver_version") ? cuda_version(text_of(file["cuda_driver_version"]))
                                           : "");
  add(d.context, "CUDA runtime",
      file.contains("cuda_runtime_version") ? cuda_version(text_of(file["cuda_runtime_version"]))
                                            : "");
  add_keys(d.context, c,
           {{"ecc", "ECC"},
            {"pcie", "PCIe link"},
            {"pcie_max", "PCIe link, max"},
            {"persistence", "persistence mode"},
            {"mig", "MIG"},
            {"nvlinks_up", "NVLinks up"},
            {"numa_node", "host NUMA node"}});
  add_keys(d.context, file, {{"nvml", "NVML"}});
  set_datasheet(d, in.data_dir);
  return d;
}

}  // namespace

std::vector<CacheLevel> reported_caches(const ProfileInputs& in, const std::string& device) {
  const json& c = context_of(in, device);
  if (device == "cpu")
    return c.contains("hwloc_caches") ? parse_caches(c["hwloc_caches"]) : std::vector<CacheLevel>{};
  const json g = gpu_context(c, device);
  return g.contains("caches") ? parse_caches(g["caches"]) : std::vector<CacheLevel>{};
}

PerDevice<Device> devices_step(const ProfileInputs& in) {
  PerDevice<Device> out;
  bool cpu = false;
  std::set<std::string> gpus;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      // Storage is the CPU's last level: a run of bench_io alone still has its CPU.
      const std::string device = device_of(m);
      cpu = cpu || device == "cpu" || device.rfind("storage", 0) == 0;
      if (device.rfind("gpu", 0) == 0 && m.error.empty()) gpus.insert(device);
    }
  if (cpu) out["cpu"] = cpu_device(in);
  for (const std::string& gpu : gpus) out[gpu] = gpu_device(in, gpu);
  if (has_storage(in)) out["storage0"] = storage_device(in);
  return out;
}

std::vector<ContextItem> host_context(const ProfileInputs& in) {
  std::vector<ContextItem> items;
  if (in.files.empty()) return items;
  const json& c = in.files.front().context;
  add_keys(items, c, {{"host_name", "host"}, {"date", "date"}, {"kernel", "kernel"}});
  // A run measured by its GPUs alone still says what hosts them.
  add(items, "host CPU", clean_cpu_name(c.value("cpu_model", "")));
  add_keys(items, c,
           {{"memwall_version", "memwall version"},
            {"git_commit", "git commit"},
            {"memwall_build_type", "build type"},
            {"compiler", "compiler"},
            {"flags", "flags"},
            {"memwall_mode", "mode"}});
  for (const ResultFile& f : in.files)
    if (f.context.contains("mpi") && f.context.value("mpi", "") != "not used")
      add_keys(items, f.context, {{"mpi", "MPI"}, {"rank_hosts", "MPI ranks' hosts"}});
  return items;
}

}  // namespace memwall::harness
