// The interconnect section of the profile: core-to-core latency by distance, the NUMA matrix,
// MPI point-to-point per placement and collectives' bus bandwidth, GPU peer-to-peer and NCCL;
// and the interconnect wall of each device.
#include <algorithm>
#include <map>

#include "core/stats.hpp"
#include "harness/profile.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

// The measurement at the largest `bytes` among those given.
const Measurement* largest(const std::vector<const Measurement*>& ms) {
  const Measurement* best = nullptr;
  for (const Measurement* m : ms)
    if (!best || m->key_number("bytes") > best->key_number("bytes")) best = m;
  return best;
}
const Measurement* smallest(const std::vector<const Measurement*>& ms) {
  const Measurement* best = nullptr;
  for (const Measurement* m : ms)
    if (!best || m->key_number("bytes") < best->key_number("bytes")) best = m;
  return best;
}

void interconnect(const ProfileInputs& in, json& profile) {
  json c2c_pairs = json::array();
  std::map<std::string, std::vector<double>> by_distance;
  json numa = json::array();
  std::map<std::string, std::map<std::string, std::vector<const Measurement*>>>
      p2p;                                                      // placement, kind
  std::map<std::string, std::vector<const Measurement*>> coll;  // "allreduce/inplace:0"
  std::map<std::string, std::vector<const Measurement*>> nccl, gpu_p2p;
  std::string
      mpi_launcher;  // from the file that ran under MPI, not the node-local run's "not used"
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty()) continue;
      if (m.family == "comm.c2c" && m.has("latency_ns")) {
        c2c_pairs.push_back({{"from", m.key_number("from")},
                             {"to", m.key_number("to")},
                             {"shared", m.keys.count("shared") ? m.keys.at("shared") : ""},
                             {"numa", m.keys.count("numa") ? m.keys.at("numa") : ""},
                             {"latency_ns", m.best("latency_ns")}});
        by_distance[(m.keys.count("shared") ? m.keys.at("shared") : "?") +
                    (m.keys.count("numa") && m.keys.at("numa") == "other" ? ", other NUMA node"
                                                                          : "")]
            .push_back(m.best("latency_ns"));
      } else if (m.family == "comm.numa") {
        json row = {{"cpus", m.key_number("cpus")}, {"memory", m.key_number("memory")}};
        if (m.has("GBps")) row["read_GBps"] = m.best("GBps");
        if (m.has("latency_ns")) row["latency_ns"] = m.best("latency_ns");
        numa.push_back(row);
      } else if (m.family == "comm.mpi" && m.keys.count("placement")) {
        p2p[m.keys.at("placement")][m.variant].push_back(&m);
        mpi_launcher = f.context.value("mpi", "");
      } else if (m.family == "comm.mpi" && m.has("busGBps")) {
        mpi_launcher = f.context.value("mpi", "");
        coll[m.variant + "/inplace:" + (m.keys.count("inplace") ? m.keys.at("inplace") : "0")]
            .push_back(&m);
      } else if (m.family == "comm.nccl" && m.has("busGBps")) {
        nccl[m.variant].push_back(&m);
      } else if (m.family == "comm.p2p" && m.has("GBps")) {
        gpu_p2p[m.variant].push_back(&m);
      }
    }
  json out = json::object();
  if (!c2c_pairs.empty()) {
    json medians = json::object();
    for (const auto& [distance, v] : by_distance) medians[distance] = summarize(v).median;
    out["c2c"] = {{"pairs", c2c_pairs}, {"median_latency_ns_by_shared", medians}};
  }
  if (!numa.empty()) out["numa"] = numa;
  json mpi = json::object();
  for (const auto& [placement, kinds] : p2p) {
    json entry;
    if (kinds.count("latency")) {
      const Measurement* small = smallest(kinds.at("latency"));
      entry["latency_ns"] = small->best("latency_ns");
      entry["latency_bytes"] = small->key_number("bytes");
    }
    for (const char* kind : {"bw", "bibw"})
      if (kinds.count(kind)) {
        const Measurement* big = largest(kinds.at(kind));
        entry[std::string(kind) + "_GBps"] = big->best("GBps");
        entry[std::string(kind) + "_bytes"] = big->key_number("bytes");
      }
    mpi["p2p"][placement] = entry;
  }
  for (const auto& [name, ms] : coll) {
    const Measurement* big = largest(ms);
    const Measurement* small = smallest(ms);
    mpi["collectives"][name] = {{"busGBps", big->best("busGBps")},
                                {"algGBps", big->best("algGBps")},
                                {"bytes", big->key_number("bytes")},
                                {"ranks", big->key_number("ranks")},
                                {"small_latency_ns", small->best("latency_ns")},
                                {"small_bytes", small->key_number("bytes")}};
  }
  if (!mpi.empty()) {
    mpi["launcher"] = mpi_launcher;
    out["mpi"] = mpi;
  }
  for (const auto& [name, ms] : nccl) {
    const Measurement* big = largest(ms);
    out["nccl"][name] = {{"busGBps", big->best("busGBps")},
                         {"algGBps", big->best("algGBps")},
                         {"bytes", big->key_number("bytes")}};
  }
  for (const auto& [name, ms] : gpu_p2p)
    out["gpu_p2p"][name] = {{"GBps", largest(ms)->best("GBps")}};
  profile["interconnect"] = out;

  // The interconnect wall: the bandwidth that crosses nodes where there is one, else what
  // links devices (NCCL, GPU peer-to-peer), else MPI between processes of this node.
  double bw = 0;
  std::string level;
  if (out.contains("mpi") && out["mpi"].contains("p2p")) {
    for (const char* placement : {"other_node", "same_node"})
      if (out["mpi"]["p2p"].contains(placement) &&
          out["mpi"]["p2p"][placement].contains("bw_GBps")) {
        bw = out["mpi"]["p2p"][placement]["bw_GBps"];
        level = std::string("MPI ") + (std::string(placement) == "other_node"
                                           ? "between nodes"
                                           : "between processes of one node (shared memory)");
        break;
      }
  }
  if (out.contains("nccl") && out["nccl"].contains("all_reduce") &&
      level.find("between nodes") == std::string::npos) {
    bw = out["nccl"]["all_reduce"]["busGBps"];
    level = "NCCL all_reduce bus bandwidth";
  }
  for (auto& [device, r] : profile["ratios"].items()) {
    json& walls = r["walls"];
    if (!walls.contains("compute_GFLOPps")) continue;
    double device_bw = bw;
    std::string device_level = level;
    if (device.rfind("gpu", 0) == 0) {
      // A GPU's link to the rest: NCCL between GPUs, else its host link (PCIe or C2C).
      if (!(out.contains("nccl") && out["nccl"].contains("all_reduce"))) {
        device_bw = 0;
        for (const json& l : profile.value("links", json::object()).value(device, json::array()))
          if (l.value("bandwidth_GBps", 0.0) > device_bw)
            device_bw = l["bandwidth_GBps"], device_level = l.value("name", "") + " (host link)";
      }
    }
    if (device_bw <= 0) continue;
    walls["interconnect_GBps"] = device_bw;
    walls["interconnect_level"] = device_level;
    walls["flop_per_interconnect_byte"] = walls["compute_GFLOPps"].get<double>() / device_bw;
  }
}

const bool registered = add_profile_section(45, "interconnect", interconnect);

}  // namespace

}  // namespace memwall::harness
