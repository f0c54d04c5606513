// The ratios step: the ridge point of every memory level for every number format of a device
// (peak FLOP/s over that level's bandwidth, through roofline.hpp), and the paper's three walls
// side by side: peak compute, memory bandwidth, interconnect bandwidth.
#include <cctype>

#include "harness/profile/roofline.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string upper_direction(std::string d) {
  for (char& c : d) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return d;
}

// The format a device's walls are quoted in: the ML format its peak is quoted for.
std::string headline_format(const ComputeByFormat& formats, DeviceKind kind) {
  const std::vector<std::string> order = kind == DeviceKind::cpu
                                             ? std::vector<std::string>{"fp32", "fp64", "bf16"}
                                             : std::vector<std::string>{"bf16", "fp16", "fp32"};
  for (const std::string& t : order)
    if (formats.count(t)) return t;
  return formats.empty() ? "" : formats.begin()->first;
}

// The interconnect of a device: for a GPU, NCCL between GPUs where more than one took part,
// else its host link; for a CPU, MPI between nodes, else between processes of this node.
void set_link(Walls& w, const Device& d, const Links& links) {
  if (d.kind == DeviceKind::gpu) {
    const Collective* best = nullptr;
    for (const Collective& c : links.nccl)
      if (c.name == "all_reduce" && c.ranks > 1 && (!best || c.ranks > best->ranks)) best = &c;
    if (best) {
      w.link = "NCCL all_reduce bus bandwidth, " + std::to_string(best->ranks) + " GPUs";
      w.link_GBps = best->busGBps;
      return;
    }
    for (const HostLink& l : links.host)
      if (l.device == d.id && l.memory == "pinned" && l.engine == "ce" && l.direction != "bidir" &&
          l.bandwidth_GBps > w.link_GBps) {
        w.link = "host link " + upper_direction(l.direction) + ", " + l.link;
        w.link_GBps = l.bandwidth_GBps;
      }
    if (w.link_GBps == 0)
      w.link_why_not = "no GPU link measured (no host link, no NCCL collective)";
    return;
  }
  for (const char* placement : {"other_node", "same_node"})
    for (const PointToPoint& p : links.mpi_p2p)
      if (p.placement == placement && p.bw_GBps > 0 && w.link_GBps == 0) {
        w.link = std::string("MPI ") + (p.placement == "other_node"
                                            ? "between nodes"
                                            : "between processes of one node, shared memory");
        w.link_GBps = p.bw_GBps;
      }
  if (w.link_GBps == 0) w.link_why_not = "no MPI bandwidth measured (bench_comm under MPI)";
}

}  // namespace

PerDevice<Ratios> ratios_step(const PerDevice<Device>& devices,
                              const PerDevice<std::vector<Level>>& memory,
                              const PerDevice<ComputeByFormat>& compute, const Links& links) {
  PerDevice<Ratios> out;
  for (const auto& [id, formats] : compute) {
    const auto levels = memory.find(id);
    if (levels == memory.end()) continue;
    Ratios r;
    for (const auto& [type, c] : formats) {
      const Roofline roof = roofline_of(levels->second, id, type, c.peak.best);
      for (const Ceiling& level : roof.roofs())
        r.ridge_flop_per_byte[level.level][type] = roof.peak_GFLOPps / level.bandwidth_GBps;
    }
    const std::string type = headline_format(formats, devices.at(id).kind);
    const Compute& c = formats.at(type);
    Walls& w = r.walls;
    w.format = type;
    w.compute_GFLOPps = c.peak.best;
    w.compute_shape = c.peak_shape;
    for (const Level& l : levels->second)
      if (l.kind == LevelKind::memory && l.bandwidth_GBps > 0) {
        w.memory_level = l.name;
        w.memory_GBps = l.bandwidth_GBps;
        w.flop_per_memory_byte = c.peak.best / l.bandwidth_GBps;
      }
    set_link(w, devices.at(id), links);
    if (w.link_GBps > 0) w.flop_per_link_byte = c.peak.best / w.link_GBps;
    out[id] = r;
  }
  return out;
}

}  // namespace memwall::harness
