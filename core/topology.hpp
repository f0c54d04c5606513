// What the machine says about itself (hwloc), and pinning threads to cores.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace memwall {

struct CacheLevel {
  int level = 0;            // 1, 2, 3, ...
  std::string type;         // "data", "instruction", "unified"
  uint64_t size_bytes = 0;  // one instance
  int instances = 0;
  int line_bytes = 0;
};

struct Topology {
  std::string cpu_model;
  int cores = 0;
  int pus = 0;
  int numa_nodes = 0;
  std::vector<CacheLevel> caches;    // data and unified caches, level order
  std::vector<int> core_cpus;        // OS index of the first PU of each core, for pinning
  uint64_t llc_bytes_total() const;  // all instances of the last level together
  std::string caches_json() const;   // [{"level":1,"type":"data","size":..,"instances":..}]
};

// Discovered once; on failure the fields are filled from what sysconf reports.
const Topology& topology();

// Every processing unit (hardware thread) by OS index, in topology order.
std::vector<int> pu_list();
// What two processing units share, the closest first: "same core" (SMT siblings), "L2", "L3"
// (a cache both use), "package", "machine"; and whether they sit on the same NUMA node.
struct PuDistance {
  std::string shared;
  bool same_numa = true;
};
PuDistance pu_distance(int pu_a, int pu_b);
// The processing units of each NUMA node (one node on a machine without NUMA).
std::vector<std::vector<int>> numa_node_pus();
// Binds [p, p + bytes) to NUMA node `node`; call before the memory is touched. False when the
// machine or the kernel cannot.
bool bind_memory_to_node(void* p, size_t bytes, int node);

// Pins the calling thread to one OS CPU index. Returns false (and leaves it unpinned) on
// failure, for example inside a container that hides the CPU.
bool pin_current_thread(int cpu);

// While alive, lets the calling thread run on every CPU, then restores its binding. Libraries
// that start their own threads (OpenMP in oneDNN) give them the creating thread's binding: a
// pinned caller would put all of them on one core.
class ScopedUnpin {
 public:
  ScopedUnpin();
  ~ScopedUnpin();
  ScopedUnpin(const ScopedUnpin&) = delete;
  ScopedUnpin& operator=(const ScopedUnpin&) = delete;

 private:
  void* saved_ = nullptr;  // hwloc_bitmap_t
};

}  // namespace memwall
