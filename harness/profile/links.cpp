// The links step: what joins the machine's parts. Each GPU's host link (copy engine and SMs,
// pinned and pageable, each direction, and a 4-byte copy's latency), the GPU peer matrix, NCCL
// and MPI collectives at their largest size per rank count, MPI point-to-point per placement,
// core-to-core latency by what the two units share, the NUMA matrix, and the message-size
// curves.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/stats.hpp"
#include "harness/profile/csv.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string key_or(const Measurement& m, const std::string& key, const std::string& fallback) {
  return m.keys.count(key) ? m.keys.at(key) : fallback;
}

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

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

int ranks_of(const Measurement& m) {
  return static_cast<int>(m.key_number("ranks", m.has("ranks") ? m.median("ranks") : 0));
}

Collective collective_of(const std::vector<const Measurement*>& ms, int nodes) {
  const Measurement* big = largest(ms);
  const Measurement* small = smallest(ms);
  Collective c;
  c.library = big->field("library");
  c.ranks_on = word<DeviceKind>(big->field("ranks_on"));
  c.name = big->variant;
  c.inplace = key_or(*big, "inplace", "0");
  c.ranks = ranks_of(*big);
  c.nodes = nodes;
  c.bytes = big->key_number("bytes");
  c.busGBps = big->best("busGBps");
  c.algGBps = big->has("algGBps") ? big->best("algGBps") : 0;
  c.small_bytes = small->key_number("bytes");
  c.small_latency_ns = small->has("latency_ns") ? small->best("latency_ns") : 0;
  if (c.ranks == 1) {
    c.busGBps = c.algGBps = 0;
    c.no_bandwidth_why = "one rank: a path check (it runs and validates); nothing moves";
  }
  return c;
}

// One curve per variant and each key but the size (placement, in-place form, rank count).
void add_point(std::map<std::string, Series>& curves, const Measurement& m,
               const std::string& counter) {
  std::string name = m.variant;
  for (const auto& [key, value] : m.keys)
    if (key != "bytes" && key != "pair" && key != "device") name += " " + key + ":" + value;
  Series& s = curves[name];
  s.name = name;
  s.points.push_back({m.key_number("bytes"), m.best(counter)});
}

std::vector<Series> sorted(std::map<std::string, Series>& curves) {
  std::vector<Series> out;
  for (auto& [name, s] : curves) {
    std::sort(s.points.begin(), s.points.end());
    out.push_back(s);
  }
  return out;
}

}  // namespace

// Each memory node from its nearest cores (its own, or the fastest for a memory-only node),
// against the median node; none where there is one memory node.
std::vector<NumaNode> numa_nodes(const std::vector<NumaCell>& cells) {
  int memories = 0;
  for (const NumaCell& c : cells) memories = std::max(memories, c.memory + 1);
  if (memories < 2) return {};
  std::vector<NumaNode> nodes(memories);
  for (int m = 0; m < memories; ++m) nodes[m].memory = m;
  for (const NumaCell& c : cells) {
    nodes[c.memory].memory_kind = c.memory_kind;
    if (c.read_GBps > nodes[c.memory].read_GBps)
      nodes[c.memory].read_GBps = c.read_GBps, nodes[c.memory].latency_ns = c.latency_ns;
  }
  std::vector<double> sorted;
  for (const NumaNode& n : nodes) sorted.push_back(n.read_GBps);
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  for (NumaNode& n : nodes) {
    n.percent_from_median = median > 0 ? 100 * (n.read_GBps - median) / median : 0;
    n.differs = std::fabs(n.percent_from_median) > 10;
  }
  return nodes;
}

Links links_step(const ProfileInputs& in, const PerDevice<Device>& devices) {
  Links out;
  const auto host_links = read_csv_rows(
      (std::filesystem::path(in.data_dir.empty() ? data_dir() : in.data_dir) / "host_links.csv")
          .string());
  // gpu0 / h2d / pinned / ce / the family -> the runs at every size
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>,
           std::vector<const Measurement*>>
      host;
  std::map<std::pair<std::string, std::string>, double> host_latency;  // device, direction
  std::map<std::tuple<int, int, std::string, std::string>, std::vector<const Measurement*>> peers;
  std::map<std::string, std::vector<const Measurement*>> nccl, mpi_coll;  // variant/inplace/ranks
  std::map<std::string, std::map<std::string, std::vector<const Measurement*>>> p2p;
  std::map<std::string, std::vector<double>> c2c_by_shared;
  std::map<std::string, Series> mpi_latency, mpi_bandwidth, mpi_collective, nccl_curves;
  std::set<std::string> hosts;
  for (const ResultFile& f : in.files) {
    bool mpi_file = false;
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty()) continue;
      // A collective of a rank a device (NCCL) stands apart from one of a rank a process (MPI).
      const bool on_devices = word<DeviceKind>(m.field("ranks_on")) == DeviceKind::gpu;
      if (m.role == Role::host_link_latency) {
        if (m.has("latency_ns"))
          host_latency[{device_of(m), m.variant.substr(m.variant.find('/') + 1)}] =
              m.best("latency_ns");
      } else if (m.role == Role::host_link) {
        if (m.has("GBps"))
          host[{device_of(m), m.variant, key_or(m, "memory", "pinned"), key_or(m, "engine", "ce"),
                m.family}]
              .push_back(&m);
      } else if (m.role == Role::peer_link && m.has("GBps")) {
        const std::vector<std::string> parts = {m.variant.substr(0, m.variant.find('/')),
                                                m.variant.substr(m.variant.find('/') + 1)};
        peers[{static_cast<int>(m.key_number("from")), static_cast<int>(m.key_number("to")),
               parts[0], parts[1]}]
            .push_back(&m);
      } else if (m.role == Role::collective && on_devices && m.has("busGBps")) {
        nccl[m.variant + "/" + key_or(m, "inplace", "0") + "/" + key_or(m, "ranks", "")].push_back(
            &m);
        if (ranks_of(m) != 1) add_point(nccl_curves, m, "busGBps");
      } else if (m.role == Role::point_to_point) {
        mpi_file = true;
        p2p[m.keys.at("placement")][m.variant].push_back(&m);
        if (m.variant == "latency" && m.has("latency_ns")) add_point(mpi_latency, m, "latency_ns");
        if (m.variant != "latency" && m.has("GBps")) add_point(mpi_bandwidth, m, "GBps");
      } else if (m.role == Role::collective && m.has("busGBps")) {
        mpi_file = true;
        mpi_coll[m.variant + "/" + key_or(m, "inplace", "0") + "/" + key_or(m, "ranks", "")]
            .push_back(&m);
        if (ranks_of(m) != 1) add_point(mpi_collective, m, "busGBps");
      } else if (m.role == Role::core_pairs && m.has("latency_ns")) {
        CoreToCore c;
        c.from = static_cast<int>(m.key_number("from"));
        c.to = static_cast<int>(m.key_number("to"));
        c.shared = key_or(m, "shared", "");
        c.numa = key_or(m, "numa", "");
        c.latency_ns = m.best("latency_ns");
        out.c2c.push_back(c);
        const std::string label =
            (c.shared.empty() ? "?" : c.shared) + (c.numa == "other" ? ", other NUMA node" : "");
        c2c_by_shared[label].push_back(c.latency_ns);
        out.c2c_distance[label] = c.numa == "other" || c.shared.rfind("machine", 0) == 0
                                      ? CoreDistance::other_socket
                                  : c.shared.rfind("L3", 0) == 0 || c.shared.rfind("core", 0) == 0
                                      ? CoreDistance::same_l3
                                      : CoreDistance::other_l3;
      } else if (m.role == Role::numa_matrix) {
        NumaCell cell;
        cell.cpus = static_cast<int>(m.key_number("cpus"));
        cell.memory = static_cast<int>(m.key_number("memory"));
        cell.memory_kind = key_or(m, "kind", "");
        auto it = std::find_if(out.numa.begin(), out.numa.end(), [&](const NumaCell& n) {
          return n.cpus == cell.cpus && n.memory == cell.memory;
        });
        if (it == out.numa.end()) it = out.numa.insert(out.numa.end(), cell);
        if (m.has("GBps")) it->read_GBps = m.best("GBps");
        if (m.has("latency_ns")) it->latency_ns = m.best("latency_ns");
      }
    }
    if (mpi_file) {
      // The launcher from the file that ran under MPI, not the node-local run's "not used".
      out.mpi_launcher = f.context.value("mpi", "");
      std::string list = f.context.value("rank_hosts", "");
      for (size_t at = 0; at < list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        if (comma > at) hosts.insert(list.substr(at, comma - at));
        at = comma + 1;
      }
    }
  }
  for (const auto& [key, ms] : host) {
    const auto& [device, direction, memory, engine, family] = key;
    const Measurement* big = largest(ms);
    HostLink l;
    l.device = device;
    const auto d = devices.find(device);
    const std::string name = d == devices.end() ? "" : d->second.name;
    // A device whose host link is not PCIe, as data/host_links.csv names it (GH200: C2C).
    const std::map<std::string, std::string>* own_link = nullptr;
    for (const auto& row : host_links)
      if (!name.empty() && !row.at("device").empty() &&
          name.find(row.at("device")) != std::string::npos)
        own_link = &row;
    l.link = own_link             ? own_link->at("link")
             : d == devices.end() ? "PCIe"
                                  : context_value(d->second, "PCIe link");
    if (!own_link && !l.link.empty() && l.link.rfind("PCIe", 0) != 0) l.link = "PCIe " + l.link;
    if (l.link.empty()) l.link = "PCIe";
    l.name = (own_link ? own_link->at("name") : std::string("PCIe")) + "_" + upper(direction);
    if (const std::string own = big->field("link"); !own.empty()) {  // a link the family names
      l.link = own;
      l.name = big->field("name") + "_" + upper(direction);
    }
    l.direction = direction;
    l.memory = memory;
    l.engine = engine;
    l.bytes = big->key_number("bytes");
    l.bandwidth_GBps = big->best("GBps");
    l.bandwidth_median_GBps = big->median("GBps");
    if (memory == "pinned" && engine == "ce" && big->field("link").empty() &&
        host_latency.count({device, direction}))
      l.latency_ns = host_latency.at({device, direction});
    out.host.push_back(l);
  }
  // Pinned copy-engine rows first (the link's headline), then H2D, D2H, both ways.
  std::stable_sort(out.host.begin(), out.host.end(), [&](const HostLink& a, const HostLink& b) {
    auto rank = [](const HostLink& l) {
      return ((l.memory != "pinned") * 2 + (l.engine != "ce")) * 3 + (l.direction == "h2d"   ? 0
                                                                      : l.direction == "d2h" ? 1
                                                                                             : 2);
    };
    const int ra = rank(a), rb = rank(b);
    return DeviceOrder()(a.device, b.device) || (a.device == b.device && ra < rb);
  });
  for (const auto& [key, ms] : peers) {
    const auto& [from, to, engine, direction] = key;
    const Measurement* big = largest(ms);
    out.peers.push_back({from, to, engine, direction, big->best("GBps"), big->key_number("bytes")});
  }
  const int nodes = std::max<int>(1, static_cast<int>(hosts.size()));
  for (const auto& [key, ms] : nccl) out.nccl.push_back(collective_of(ms, 1));
  for (const auto& [key, ms] : mpi_coll) out.mpi_collectives.push_back(collective_of(ms, nodes));
  for (const auto& [placement, kinds] : p2p) {
    PointToPoint p;
    p.placement = placement;
    if (kinds.count("latency")) {
      const Measurement* small = smallest(kinds.at("latency"));
      p.latency_ns = small->best("latency_ns");
      p.latency_bytes = small->key_number("bytes");
    }
    if (kinds.count("bw")) {
      const Measurement* big = largest(kinds.at("bw"));
      p.bw_GBps = big->best("GBps");
      p.bw_bytes = big->key_number("bytes");
    }
    if (kinds.count("bibw")) {
      const Measurement* big = largest(kinds.at("bibw"));
      p.bibw_GBps = big->best("GBps");
      p.bibw_bytes = big->key_number("bytes");
    }
    out.mpi_p2p.push_back(p);
  }
  out.mpi_hosts.assign(hosts.begin(), hosts.end());
  for (const auto& [shared, v] : c2c_by_shared)
    out.c2c_median_latency_ns[shared] = summarize(v).median;
  out.mpi_latency = sorted(mpi_latency);
  out.mpi_bandwidth = sorted(mpi_bandwidth);
  out.mpi_collective_curves = sorted(mpi_collective);
  out.nccl_curves = sorted(nccl_curves);
  out.numa_nodes = numa_nodes(out.numa);
  return out;
}

}  // namespace memwall::harness
