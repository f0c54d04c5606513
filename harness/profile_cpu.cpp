// The CPU's sections of the profile: the device, its memory levels, its peak compute.
#include <cmath>

#include "core/stats.hpp"
#include "harness/profile.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

json summary_json(const std::vector<double>& v, bool higher_is_better);

bool measured_cpu(const ProfileInputs& in) {
  return in.levels.count("cpu") > 0;
}

void cpu_device(const ProfileInputs& in, json& profile) {
  if (!measured_cpu(in)) return;
  const json& m = profile["machine"];
  json d = {{"kind", "cpu"}, {"name", m.value("cpu_model", "unknown")}};
  for (const char* key : {"cpu_signature", "cpu_uarch", "cores", "pus", "numa_nodes",
                          "cpu_mhz_measured", "hypervisor", "isa", "fma_model"})
    if (m.contains(key)) d[key] = m[key];
  d["bandwidth_threads"] = in.levels.at("cpu").bandwidth_threads;
  // A guest may call itself only "AMD EPYC": the microarchitecture from the FMA table names it.
  if (m.contains("fma_model")) {
    const std::string fma = m["fma_model"];
    d["cpu_uarch"] = fma.substr(0, fma.find(':'));
  }
  profile["devices"]["cpu"] = d;
}

void cpu_memory(const ProfileInputs& in, json& profile) {
  if (!measured_cpu(in)) return;
  const LevelReport& r = in.levels.at("cpu");
  json levels = json::array();
  for (const MemoryLevel& l : r.levels) {
    json j = {{"name", l.name},
              {"kind", l.kind},
              {"latency_ns", l.latency_ns},
              {"latency_best_ns", l.latency_best_ns},
              {"bandwidth_GBps", l.bandwidth_GBps},
              {"bandwidth_kernel", l.bandwidth_kernel},
              {"bandwidth_threads", r.bandwidth_threads},
              {"bandwidth_points", l.bandwidth_points},
              {"interval_bytes",
               {l.interval_lo_bytes,
                std::isfinite(l.interval_hi_bytes) ? json(l.interval_hi_bytes) : json(nullptr)}},
              {"capacity_bytes", l.capacity_bytes},
              {"size_bytes", l.hwloc_bytes},
              {"detected_bytes", l.detected_bytes},
              {"size_disagrees", l.disagrees}};
    if (l.stream_edge_bytes > 0) j["stream_edge_bytes"] = l.stream_edge_bytes;
    if (l.read_GBps > 0) j["read_GBps"] = l.read_GBps;
    if (l.bandwidth_hw_GBps > 0) j["bandwidth_hw_GBps"] = l.bandwidth_hw_GBps;
    if (l.counted_read_GBps > 0) j["counted_read_GBps"] = l.counted_read_GBps;
    if (l.bandwidth_nt_GBps > 0) j["bandwidth_nt_GBps"] = l.bandwidth_nt_GBps;
    if (!l.note.empty()) j["note"] = l.note;
    levels.push_back(j);
  }
  profile["memory"]["cpu"] = levels;
}

// Per format: the all-core peak and the theoretical peak at the measured clock; the BLAS GEMM.
void cpu_compute(const ProfileInputs& in, json& profile) {
  json compute = json::object();
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty() || !m.has("GFLOPps") || device_of(m) != "cpu") continue;
      const std::string type = m.keys.count("type") ? m.keys.at("type") : "";
      if (m.family == "cpu.flops") {
        json& entry = compute[type];
        const int t = static_cast<int>(m.key_number("threads"));
        if (t == 1) entry["single_thread_GFLOPps"] = m.best("GFLOPps");
        if (!entry.contains("threads") || t > entry["threads"].get<int>()) {
          entry["threads"] = t;
          entry["peak_GFLOPps"] = m.best("GFLOPps");
          entry["peak"] = summary_json(m.counters.at("GFLOPps"), true);
          entry["unit"] = type == "int8" ? "GOP/s" : "GFLOP/s";
          entry.erase("theoretical_GFLOPps");
          entry.erase("percent_of_theoretical");
          if (m.has("theoretical_GFLOPps")) {
            entry["theoretical_GFLOPps"] = m.median("theoretical_GFLOPps");
            entry["percent_of_theoretical"] =
                100 * m.best("GFLOPps") / m.median("theoretical_GFLOPps");
          }
          if (m.has("core_mhz")) entry["core_mhz"] = m.median("core_mhz");
          entry["how"] = m.label;
        }
      } else if (m.family == "cpu.gemm") {
        compute[type]["gemm_GFLOPps"] = m.best("GFLOPps");
        compute[type]["gemm_source"] = m.name;
      }
    }
  if (!compute.empty()) profile["compute"]["cpu"] = compute;
}

json summary_json(const std::vector<double>& v, bool higher_is_better) {
  const Summary s = summarize(v);
  return {{"best", higher_is_better ? s.max : s.min},
          {"median", s.median},
          {"cv", s.cv},
          {"repetitions", s.count}};
}

const bool registered_device = add_profile_section(10, "cpu device", cpu_device);
const bool registered_memory = add_profile_section(20, "cpu memory", cpu_memory);
const bool registered_compute = add_profile_section(30, "cpu compute", cpu_compute);

}  // namespace

}  // namespace memwall::harness
