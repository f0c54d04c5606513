#include "core/topology.hpp"

#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>

namespace memwall {

namespace {

std::string g_topology_error;

const char* xml_file() {
  const char* f = std::getenv("HWLOC_XMLFILE");
  return f && *f ? f : nullptr;
}

hwloc_topology_t hw_topology() {
  static hwloc_topology_t topo = [] {
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) != 0) return static_cast<hwloc_topology_t>(nullptr);
    // Named explicitly so that a file hwloc cannot read is an error, not a silent fallback to
    // this machine (what hwloc does with the variable alone).
    const char* xml = xml_file();
    std::string text;
    if (xml) {
      std::ifstream in(xml);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // hwloc 3 (newer distributions' lstopo) writes version="3.0"; hwloc 2 reads the rest of
    // such a file as it is (attributes it does not know are skipped), so read it as 2.0.
    const std::string v3 = "<topology version=\"3.";
    const bool hwloc3 = text.find(v3) != std::string::npos;
    if (hwloc3) text.replace(text.find(v3), v3.size() + 1, "<topology version=\"2.0");
    if (xml &&
        (text.empty() ||
         hwloc_topology_set_xmlbuffer(t, text.c_str(), static_cast<int>(text.size() + 1)) != 0 ||
         hwloc_topology_load(t) != 0)) {
      g_topology_error =
          std::string("HWLOC_XMLFILE=") + xml +
          (hwloc3 ? ": hwloc 2 cannot read this hwloc 3 XML; write it with "
                    "`lstopo --export-xml-flags v2 FILE.xml`"
                  : ": hwloc cannot read it (a missing or empty file, or not hwloc's XML; "
                    "`lstopo --of xml FILE.xml` writes one)");
      hwloc_topology_destroy(t);
      return static_cast<hwloc_topology_t>(nullptr);
    }
    if (!xml && hwloc_topology_load(t) != 0) {
      hwloc_topology_destroy(t);
      return static_cast<hwloc_topology_t>(nullptr);
    }
    return t;
  }();
  return topo;
}

std::vector<int> first_pu_of_cores(hwloc_topology_t topo, hwloc_const_cpuset_t set) {
  std::vector<int> out;
  const int n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, set, HWLOC_OBJ_CORE);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t core = hwloc_get_obj_inside_cpuset_by_type(topo, set, HWLOC_OBJ_CORE, i);
    const int pu = hwloc_bitmap_first(core->cpuset);
    if (pu >= 0) out.push_back(pu);
  }
  return out;
}

// hwloc's name for the node's memory (DRAM, HBM, NVM, SPM, CXL-DRAM in recent versions);
// DRAM where it gives none.
std::string memory_kind(hwloc_obj_t node) {
  return node->subtype && *node->subtype ? node->subtype : "DRAM";
}

std::string read_cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

Topology discover() {
  Topology t;
  t.cpu_model = read_cpu_model();
  hwloc_topology_t topo = hw_topology();
  if (!topo) {
    t.cores = t.pus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    t.numa_nodes = 1;
    for (int i = 0; i < t.cores; ++i) t.core_cpus.push_back(i);
    return t;
  }
  t.cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  t.pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  t.numa_nodes = std::max(1, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
  if (const char* xml = xml_file()) {
    t.source = xml;
    t.foreign = !hwloc_topology_is_thissystem(topo);
    hwloc_obj_t root = hwloc_get_root_obj(topo);
    if (const char* model = hwloc_obj_get_info_by_name(root, "CPUModel")) t.cpu_model = model;
    if (hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0))
      if (const char* model = hwloc_obj_get_info_by_name(pkg, "CPUModel")) t.cpu_model = model;
  }
  t.core_cpus = first_pu_of_cores(topo, hwloc_topology_get_topology_cpuset(topo));
  t.packages = std::max(1, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
  for (int i = 0; i < hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE); ++i)
    t.package_core_cpus.push_back(
        first_pu_of_cores(topo, hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, i)->cpuset));
  for (int i = 0; i < hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE); ++i) {
    hwloc_obj_t node = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, i);
    MemoryNode m;
    m.index = i;
    m.kind = memory_kind(node);
    m.bytes = node->attr ? node->attr->numanode.local_memory : 0;
    m.core_cpus = first_pu_of_cores(topo, node->cpuset);
    t.memory_nodes.push_back(m);
  }
  if (t.cores == 0) {
    t.cores = t.pus;
    for (int i = 0; i < t.pus; ++i)
      t.core_cpus.push_back(
          static_cast<int>(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index));
  }
  for (int depth = 1; depth <= 5; ++depth) {
    for (hwloc_obj_type_t type : {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                  HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE}) {
      const int n = hwloc_get_nbobjs_by_type(topo, type);
      if (n == 0) continue;
      hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, 0);
      if (static_cast<int>(obj->attr->cache.depth) != depth) continue;
      if (obj->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION) continue;
      CacheLevel c;
      c.level = depth;
      c.type = obj->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "data" : "unified";
      c.size_bytes = obj->attr->cache.size;
      c.instances = n;
      c.line_bytes = static_cast<int>(obj->attr->cache.linesize);
      t.caches.push_back(c);
    }
  }
  if (!t.caches.empty()) {
    const hwloc_obj_type_t llc =
        static_cast<hwloc_obj_type_t>(HWLOC_OBJ_L1CACHE + std::min(4, t.caches.back().level - 1));
    for (int i = 0; i < hwloc_get_nbobjs_by_type(topo, llc); ++i)
      t.llc_core_cpus.push_back(
          first_pu_of_cores(topo, hwloc_get_obj_by_type(topo, llc, i)->cpuset));
  }
  return t;
}

}  // namespace

uint64_t Topology::llc_bytes_total() const {
  if (caches.empty()) return 0;
  return caches.back().size_bytes * static_cast<uint64_t>(caches.back().instances);
}

std::string Topology::caches_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const CacheLevel& c : caches)
    out.push_back({{"level", c.level},
                   {"type", c.type},
                   {"size", c.size_bytes},
                   {"instances", c.instances},
                   {"line", c.line_bytes}});
  return out.dump();
}

const Topology& topology() {
  static const Topology t = discover();
  return t;
}

const std::string& topology_error() {
  (void)topology();
  return g_topology_error;
}

std::vector<ThreadPlacement> thread_placements(const Topology& t) {
  std::vector<ThreadPlacement> out;
  auto add = [&](std::vector<int> cpus, const std::string& where) {
    if (cpus.empty()) return;
    for (ThreadPlacement& p : out)
      if (p.threads == static_cast<int>(cpus.size())) {
        if (p.cpus == cpus) p.where += " = " + where;  // NUMA node 0 = package 0
        return;  // the same count placed otherwise: the first, tighter one stands
      }
    out.push_back({static_cast<int>(cpus.size()), where, std::move(cpus)});
  };
  add({t.core_cpus.front()}, "one core");
  if (t.llc_core_cpus.size() > 1) {
    std::vector<int> one_each;
    for (const std::vector<int>& llc : t.llc_core_cpus)
      if (!llc.empty()) one_each.push_back(llc.front());
    add(one_each, "one per L" + std::to_string(t.caches.back().level) + " (" +
                      std::to_string(t.llc_core_cpus.size()) + " caches)");
  }
  for (const MemoryNode& m : t.memory_nodes)
    if (!m.core_cpus.empty()) {
      add(m.core_cpus, "NUMA node " + std::to_string(m.index));
      break;
    }
  if (!t.package_core_cpus.empty()) add(t.package_core_cpus.front(), "package 0");
  add(t.core_cpus, "all cores");
  std::sort(out.begin(), out.end(), [](const ThreadPlacement& a, const ThreadPlacement& b) {
    return a.threads < b.threads;
  });
  return out;
}

std::vector<PuPair> core_pairs(int per_class) {
  const std::vector<int> pus = pu_list();
  std::vector<std::pair<std::string, std::vector<PuPair>>> classes;  // in order first seen
  for (size_t i = 0; i < pus.size(); ++i)
    for (size_t j = i + 1; j < pus.size(); ++j) {
      const PuDistance d = pu_distance(pus[i], pus[j]);
      PuPair p{pus[i], pus[j], d.shared == "same core" ? "core" : d.shared, d.same_numa};
      const std::string key = p.shared + (p.same_numa ? "" : "/other numa");
      auto c = std::find_if(classes.begin(), classes.end(),
                            [&](const auto& entry) { return entry.first == key; });
      if (c == classes.end()) c = classes.insert(classes.end(), {key, {}});
      c->second.push_back(p);
    }
  std::vector<PuPair> out;
  for (auto& [key, pairs] : classes) {
    if (per_class <= 0 || static_cast<int>(pairs.size()) <= per_class) {
      out.insert(out.end(), pairs.begin(), pairs.end());
      continue;
    }
    // Evenly spaced through pairs ordered by their first unit: from all over the machine.
    for (int k = 0; k < per_class; ++k)
      out.push_back(pairs[static_cast<size_t>(k) * pairs.size() / static_cast<size_t>(per_class)]);
  }
  std::sort(out.begin(), out.end(), [](const PuPair& a, const PuPair& b) {
    return a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  return out;
}

std::vector<int> pu_list() {
  std::vector<int> out;
  hwloc_topology_t topo = hw_topology();
  if (!topo) {
    for (int i = 0; i < topology().pus; ++i) out.push_back(i);
    return out;
  }
  const int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  for (int i = 0; i < n; ++i)
    out.push_back(static_cast<int>(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index));
  return out;
}

PuDistance pu_distance(int pu_a, int pu_b) {
  PuDistance d{"machine", true};
  hwloc_topology_t topo = hw_topology();
  if (!topo) return d;
  hwloc_obj_t a = hwloc_get_pu_obj_by_os_index(topo, static_cast<unsigned>(pu_a));
  hwloc_obj_t b = hwloc_get_pu_obj_by_os_index(topo, static_cast<unsigned>(pu_b));
  if (!a || !b) return d;
  for (hwloc_obj_t o = hwloc_get_common_ancestor_obj(topo, a, b); o; o = o->parent) {
    if (o->type == HWLOC_OBJ_CORE) {
      d.shared = "same core";
      break;
    }
    if (hwloc_obj_type_is_dcache(o->type) && o->attr) {
      d.shared = "L" + std::to_string(o->attr->cache.depth);
      break;
    }
    if (o->type == HWLOC_OBJ_PACKAGE) {
      d.shared = "package";
      break;
    }
  }
  hwloc_bitmap_t na = hwloc_bitmap_alloc(), nb = hwloc_bitmap_alloc();
  hwloc_cpuset_to_nodeset(topo, a->cpuset, na);
  hwloc_cpuset_to_nodeset(topo, b->cpuset, nb);
  d.same_numa = hwloc_bitmap_isequal(na, nb);
  hwloc_bitmap_free(na);
  hwloc_bitmap_free(nb);
  return d;
}

bool bind_memory_to_node(void* p, size_t bytes, int node) {
  hwloc_topology_t topo = hw_topology();
  if (!topo) return false;
  hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node);
  if (!obj) return false;
  return hwloc_set_area_membind(topo, p, bytes, obj->nodeset, HWLOC_MEMBIND_BIND,
                                HWLOC_MEMBIND_BYNODESET) == 0;
}

int pci_numa_node(const std::string& bus_id, const std::string& sysfs) {
  std::string id = bus_id;
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::ifstream in(sysfs + "/bus/pci/devices/" + id + "/numa_node");
  int node = -1;
  if (!(in >> node)) return -1;
  return node;
}

bool bind_process_to_node(int node) {
  hwloc_topology_t topo = hw_topology();
  if (!topo) return false;
  hwloc_obj_t obj = hwloc_get_numanode_obj_by_os_index(topo, static_cast<unsigned>(node));
  if (!obj) return false;
  return hwloc_set_cpubind(topo, obj->cpuset, HWLOC_CPUBIND_PROCESS) == 0 &&
         hwloc_set_membind(topo, obj->nodeset, HWLOC_MEMBIND_BIND,
                           HWLOC_MEMBIND_PROCESS | HWLOC_MEMBIND_BYNODESET) == 0;
}

bool pin_current_thread(int cpu) {
  hwloc_topology_t topo = hw_topology();
  if (!topo) return false;
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, static_cast<unsigned>(cpu));
  const int rc = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(set);
  return rc == 0;
}

}  // namespace memwall

namespace memwall {

ScopedUnpin::ScopedUnpin() {
  hwloc_topology_t topo = hw_topology();
  if (!topo) return;
  hwloc_bitmap_t saved = hwloc_bitmap_alloc();
  if (hwloc_get_cpubind(topo, saved, HWLOC_CPUBIND_THREAD) != 0) {
    hwloc_bitmap_free(saved);
    return;
  }
  saved_ = saved;
  hwloc_set_cpubind(topo, hwloc_topology_get_allowed_cpuset(topo), HWLOC_CPUBIND_THREAD);
}

ScopedUnpin::~ScopedUnpin() {
  if (!saved_) return;
  hwloc_set_cpubind(hw_topology(), static_cast<hwloc_bitmap_t>(saved_), HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(static_cast<hwloc_bitmap_t>(saved_));
}

}  // namespace memwall
