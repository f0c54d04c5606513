// Each GPU's sections of the profile: the device from its context, its memory levels (GPU_L1,
// GPU_L2, HBM) from its own curves, its peaks per format (the SMs' FMA peak and the tensor
// cores' GEMM, the higher being the roof), and the links to the host.
#include <algorithm>

#include "core/stats.hpp"
#include "harness/profile.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

bool is_gpu(const std::string& device) {
  return device.rfind("gpu", 0) == 0;
}

void gpu_devices(const ProfileInputs& in, json& profile) {
  for (const auto& [device, levels] : in.levels) {
    if (!is_gpu(device)) continue;
    json d = {{"kind", "gpu"}};
    for (const ResultFile& f : in.files)
      for (const auto& [key, value] : f.context.items())
        if (key.rfind(device + "_", 0) == 0 && !d.contains(key.substr(device.size() + 1)))
          d[key.substr(device.size() + 1)] = value;
    d["bandwidth_threads"] = "all SMs";
    profile["devices"][device] = d;
  }
}

void gpu_memory(const ProfileInputs& in, json& profile) {
  for (const auto& [device, r] : in.levels) {
    if (!is_gpu(device)) continue;
    json levels = json::array();
    for (const MemoryLevel& l : r.levels) {
      json j = {{"name", l.name},
                {"kind", l.kind},
                {"latency_ns", l.latency_ns},
                {"bandwidth_GBps", l.bandwidth_GBps},
                {"bandwidth_kernel", l.bandwidth_kernel},
                {"bandwidth_points", l.bandwidth_points},
                {"capacity_bytes", l.capacity_bytes},
                {"size_bytes", l.hwloc_bytes},
                {"detected_bytes", l.detected_bytes},
                {"size_disagrees", l.disagrees}};
      if (l.read_GBps > 0) j["read_GBps"] = l.read_GBps;
      if (l.bandwidth_nt_GBps > 0) j["bandwidth_other_GBps"] = l.bandwidth_nt_GBps;
      // A product's operands are shared by all SMs: they fit an SM's own L1 only whole.
      if (l.name == "GPU_L1") j["placement_capacity_bytes"] = l.hwloc_bytes;
      if (!l.note.empty()) j["note"] = l.note;
      levels.push_back(j);
    }
    profile["memory"][device] = levels;
  }
}

void gpu_compute(const ProfileInputs& in, json& profile) {
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      const std::string device = device_of(m);
      if (!is_gpu(device) || !m.error.empty() || !m.has("GFLOPps")) continue;
      if (m.family != "gpu.flops" && m.family != "gpu.gemm") continue;
      const std::string type = m.keys.count("type") ? m.keys.at("type") : "";
      json& entry = profile["compute"][device][type];
      if (entry.is_null()) entry = json::object();
      const double rate = m.best("GFLOPps");
      if (m.family == "gpu.flops") {
        entry["fma_GFLOPps"] = rate;
        if (m.has("theoretical_GFLOPps")) {
          entry["fma_theoretical_GFLOPps"] = m.median("theoretical_GFLOPps");
          entry["fma_percent_of_theoretical"] = 100 * rate / m.median("theoretical_GFLOPps");
        }
        if (m.has("sm_mhz")) entry["core_mhz"] = m.median("sm_mhz");
      } else {
        entry["gemm_GFLOPps"] = std::max(rate, entry.value("gemm_GFLOPps", 0.0));
        entry["gemm_source"] = m.name;
      }
      entry["unit"] = type == "int8" ? "GOP/s" : "GFLOP/s";
      // The roof: whichever path is faster for this format.
      const double peak =
          std::max(entry.value("fma_GFLOPps", 0.0), entry.value("gemm_GFLOPps", 0.0));
      entry["peak_GFLOPps"] = peak;
      const bool tensor = peak == entry.value("gemm_GFLOPps", 0.0);
      entry["how"] = tensor ? "tensor cores (cuBLASLt GEMM)" : "FMA chains on the SMs";
      // The theoretical peak is the SMs' FMA model: it judges the roof only when that is the roof.
      entry.erase("theoretical_GFLOPps");
      entry.erase("percent_of_theoretical");
      if (!tensor && entry.contains("fma_theoretical_GFLOPps")) {
        entry["theoretical_GFLOPps"] = entry["fma_theoretical_GFLOPps"];
        entry["percent_of_theoretical"] = entry["fma_percent_of_theoretical"];
      }
    }
}

// The host link: the best pinned copy-engine rate at the largest size per direction.
void gpu_links(const ProfileInputs& in, json& profile) {
  std::map<std::string, std::map<std::string, const Measurement*>> best;  // device, direction
  std::map<std::string, std::map<std::string, double>> latency;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.family != "gpu.pcie" || !m.error.empty()) continue;
      const std::string device = device_of(m);
      if (m.variant.rfind("latency", 0) == 0 && m.has("latency_ns")) {
        latency[device][m.variant.substr(m.variant.find('/') + 1)] = m.best("latency_ns");
        continue;
      }
      if (!m.has("GBps") || !m.keys.count("memory") || m.keys.at("memory") != "pinned" ||
          !m.keys.count("engine") || m.keys.at("engine") != "ce")
        continue;
      const Measurement*& b = best[device][m.variant];
      if (!b || m.key_number("bytes") > b->key_number("bytes")) b = &m;
    }
  for (const auto& [device, dirs] : best) {
    const std::string name = profile["devices"].value(device, json::object()).value("name", "");
    const std::string link =
        name.find("GH200") != std::string::npos || name.find("GB200") != std::string::npos ? "C2C"
                                                                                           : "PCIe";
    json links = json::array();
    for (const auto& [dir, m] : dirs) {
      std::string upper = dir;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      json l = {{"name", link + "_" + upper},
                {"bandwidth_GBps", m->best("GBps")},
                {"bytes", m->key_number("bytes")}};
      if (latency[device].count(dir)) l["latency_ns"] = latency[device][dir];
      links.push_back(l);
    }
    profile["links"][device] = links;
  }
}

const bool registered_devices = add_profile_section(11, "gpu devices", gpu_devices);
const bool registered_memory = add_profile_section(21, "gpu memory", gpu_memory);
const bool registered_compute = add_profile_section(31, "gpu compute", gpu_compute);
const bool registered_links = add_profile_section(32, "gpu links", gpu_links);

}  // namespace

}  // namespace memwall::harness
