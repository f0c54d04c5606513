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

// A NUMA node: memory, and the cores beside it (none for HBM-only or CXL memory nodes).
struct MemoryNode {
  int index = 0;     // logical, as the node's benchmarks name it
  std::string kind;  // DRAM, HBM, NVM, CXL-DRAM, ... (hwloc's subtype; DRAM where none)
  uint64_t bytes = 0;
  std::vector<int> core_cpus;  // the first PU of each core attached to it
};

struct Topology {
  std::string cpu_model;
  // "this machine", or the HWLOC_XMLFILE it was read from: another machine's, which can be
  // planned for but where nothing is pinned or run.
  std::string source = "this machine";
  bool foreign = false;
  int cores = 0;
  int pus = 0;
  int numa_nodes = 0;
  int packages = 1;
  std::vector<CacheLevel> caches;  // data and unified caches, level order
  std::vector<int> core_cpus;      // OS index of the first PU of each core, for pinning
  // The cores under each instance of the last-level cache, of each package, in topology order.
  std::vector<std::vector<int>> llc_core_cpus, package_core_cpus;
  std::vector<MemoryNode> memory_nodes;
  uint64_t llc_bytes_total() const;  // all instances of the last level together
  std::string caches_json() const;   // [{"level":1,"type":"data","size":..,"instances":..}]
};

// Discovered once; on failure the fields are filled from what sysconf reports. With
// HWLOC_XMLFILE set (hwloc's own variable) it is read from that file, and a file hwloc cannot
// read is a UsageError-worthy problem: topology_error() says why.
const Topology& topology();
const std::string& topology_error();

// The thread placements where a machine's bandwidth steps are: one core, one core per
// last-level cache (CCX, L3 slice), one NUMA node, one package, every core; duplicates merged.
struct ThreadPlacement {
  int threads = 0;
  std::string where;      // "one per L3 (24 L3 caches)"
  std::vector<int> cpus;  // where thread i is pinned
};
std::vector<ThreadPlacement> thread_placements(const Topology& t);

// Two processing units and what they share (pu_distance); the class is shared + NUMA.
struct PuPair {
  int from = 0, to = 0;
  std::string shared;  // core, L2, L3, package, machine
  bool same_numa = true;
};
// Core-to-core pairs: every pair when `per_class` is 0; else, of each distance class the
// machine has, at most `per_class` pairs spread over the machine (from different places).
std::vector<PuPair> core_pairs(int per_class);

// Every processing unit (hardware thread) by OS index, in topology order.
std::vector<int> pu_list();
// What two processing units share, the closest first: "same core" (SMT siblings), "L2", "L3"
// (a cache both use), "package", "machine"; and whether they sit on the same NUMA node.
struct PuDistance {
  std::string shared;
  bool same_numa = true;
};
PuDistance pu_distance(int pu_a, int pu_b);
// Binds [p, p + bytes) to NUMA node `node`; call before the memory is touched. False when the
// machine or the kernel cannot.
bool bind_memory_to_node(void* p, size_t bytes, int node);

// The NUMA node (OS index) a PCI device sits on ("0000:1b:00.0", any case), from
// `sysfs`/bus/pci/devices/<id>/numa_node; -1 where the firmware does not say (one node, a VM).
int pci_numa_node(const std::string& bus_id, const std::string& sysfs = "/sys");
// Binds the calling process's CPUs and its memory from now on to NUMA node `node` (OS index):
// a GPU's host buffers on the GPU's own node, as nvbandwidth places them. False where the
// machine or the kernel cannot.
bool bind_process_to_node(int node);

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
