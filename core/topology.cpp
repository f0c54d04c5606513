#include "core/topology.hpp"

#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace memwall {

namespace {

hwloc_topology_t hw_topology() {
  static hwloc_topology_t topo = [] {
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) != 0) return static_cast<hwloc_topology_t>(nullptr);
    if (hwloc_topology_load(t) != 0) {
      hwloc_topology_destroy(t);
      return static_cast<hwloc_topology_t>(nullptr);
    }
    return t;
  }();
  return topo;
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
  for (int i = 0; i < t.cores; ++i) {
    hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, i);
    const int pu = hwloc_bitmap_first(core->cpuset);
    if (pu >= 0) t.core_cpus.push_back(pu);
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

std::vector<std::vector<int>> numa_node_pus() {
  std::vector<std::vector<int>> out;
  hwloc_topology_t topo = hw_topology();
  const int nodes = topo ? hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE) : 0;
  if (nodes == 0) return {pu_list()};
  for (int n = 0; n < nodes; ++n) {
    hwloc_obj_t node = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n);
    std::vector<int> pus;
    int pu = -1;
    while ((pu = hwloc_bitmap_next(node->cpuset, pu)) != -1) pus.push_back(pu);
    out.push_back(pus);
  }
  return out;
}

bool bind_memory_to_node(void* p, size_t bytes, int node) {
  hwloc_topology_t topo = hw_topology();
  if (!topo) return false;
  hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node);
  if (!obj) return false;
  return hwloc_set_area_membind(topo, p, bytes, obj->nodeset, HWLOC_MEMBIND_BIND,
                                HWLOC_MEMBIND_BYNODESET) == 0;
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
