// The compute step: per device and number format, every way the format was measured (FMA
// chains, a library GEMM of each shape), the fastest of them as the roof, labelled with its
// shape; the theoretical peak where the FMA chains are the roof; the datasheet; and each
// format's rate at the one GEMM shape every format was measured at, so formats are compared
// at the same shape, not a large one against a small one.
#include <algorithm>
#include <set>

#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string shape_of(const Measurement& m) {
  if (!m.keys.count("n")) return "";
  return m.keys.at("n") + "^3";
}

}  // namespace

PerDevice<ComputeByFormat> compute_step(const ProfileInputs& in, const PerDevice<Device>& devices) {
  PerDevice<ComputeByFormat> out;
  for (const auto& [id, d] : devices) {
    if (d.kind != DeviceKind::cpu && d.kind != DeviceKind::gpu) continue;
    ComputeByFormat formats;
    std::map<std::string, const Measurement*> peak_kernel, single_thread;
    for (const ResultFile& f : in.files)
      for (const Measurement& m : f.measurements) {
        if (!m.error.empty() || !m.has("GFLOPps") || device_of(m) != id) continue;
        if (m.role != Role::peak) continue;
        const bool chains = m.field("path") == "fma";  // else a library's GEMM
        const std::string type = m.keys.count("type") ? m.keys.at("type") : "";
        Compute& c = formats[type];
        c.type = type;
        c.unit = type == "int8" ? "GOP/s" : "GFLOP/s";
        ComputePath path;
        path.benchmark = m.name;
        path.rate = spread_of(m.counters.at("GFLOPps"), true);
        path.chains = chains;
        if (chains) {
          const int threads = static_cast<int>(m.key_number("threads", 0));
          path.path = d.kind == DeviceKind::gpu
                          ? "FMA chains on the SMs"
                          : (m.variant == "dot" ? "dot-product chains on " : "FMA chains on ") +
                                std::to_string(threads) + " threads";
          if (threads == 1) single_thread[type] = &m;
          const Measurement*& k = peak_kernel[type];
          if (!k || threads > k->key_number("threads", 0) ||
              (threads == k->key_number("threads", 0) && m.best("GFLOPps") > k->best("GFLOPps")))
            k = &m;
        } else {
          path.path = d.kind == DeviceKind::gpu ? "tensor cores (cuBLASLt GEMM)"
                                                : "library GEMM (" + m.label + ")";
          path.shape = shape_of(m);
        }
        c.paths.push_back(path);
      }
    for (auto& [type, c] : formats) {
      // The roof is the fastest path; on a CPU the FMA kernel's widest thread count counts,
      // not a one-thread run.
      const ComputePath* best = nullptr;
      for (const ComputePath& p : c.paths) {
        const bool kernel = p.shape.empty();
        if (kernel && peak_kernel.count(type) && p.benchmark != peak_kernel.at(type)->name)
          continue;
        if (!best || p.rate.best > best->rate.best) best = &p;
      }
      if (!best) continue;
      c.peak = best->rate;
      c.peak_path = best->path;
      c.peak_from_chains = best->chains;
      c.peak_shape = best->shape;
      c.peak_benchmark = best->benchmark;
      if (single_thread.count(type)) c.single_thread_GFLOPps = single_thread[type]->best("GFLOPps");
      for (const ResultFile& f : in.files)
        for (const Measurement& m : f.measurements) {
          if (m.name != best->benchmark) continue;
          c.how = m.label.empty() ? best->path : m.label;
          c.threads = static_cast<int>(m.key_number("threads", 0));
          if (m.has("core_mhz")) c.core_mhz = m.median("core_mhz");
          if (m.has("sm_mhz")) c.core_mhz = m.median("sm_mhz");
          // The theoretical peak is the FMA units' model: it judges the roof only when the
          // FMA chains are the roof.
          if (m.has("theoretical_GFLOPps") && best->shape.empty()) {
            c.theoretical_GFLOPps = m.median("theoretical_GFLOPps");
            c.percent_of_theoretical = 100 * c.peak.best / c.theoretical_GFLOPps;
          }
        }
      if (d.datasheet.match == "model" && d.datasheet.peak_GFLOPps.count(type)) {
        c.datasheet_GFLOPps = d.datasheet.peak_GFLOPps.at(type);
        c.percent_of_datasheet = 100 * c.peak.best / c.datasheet_GFLOPps;
      }
    }
    // The largest GEMM shape every GEMM format of this device was measured at.
    std::set<std::string> common;
    bool first = true;
    for (const auto& [type, c] : formats) {
      std::set<std::string> shapes;
      for (const ComputePath& p : c.paths)
        if (!p.shape.empty()) shapes.insert(p.shape);
      if (shapes.empty()) continue;
      if (first) {
        common = shapes;
        first = false;
      } else {
        std::set<std::string> both;
        std::set_intersection(common.begin(), common.end(), shapes.begin(), shapes.end(),
                              std::inserter(both, both.begin()));
        common = both;
      }
    }
    std::string shape;
    for (const std::string& s : common)
      if (shape.empty() || std::stod(s) > std::stod(shape)) shape = s;
    for (auto& [type, c] : formats)
      for (const ComputePath& p : c.paths)
        if (!shape.empty() && p.shape == shape) {
          c.common_shape = shape;
          c.common_shape_GFLOPps = p.rate.best;
          if (c.datasheet_GFLOPps > 0)
            c.common_percent_of_datasheet = 100 * p.rate.best / c.datasheet_GFLOPps;
        }
    std::erase_if(formats, [](const auto& kv) { return kv.second.peak.best <= 0; });
    if (!formats.empty()) out[id] = formats;
  }
  return out;
}

}  // namespace memwall::harness
