// comm.numa: memory of NUMA node j read by the cores of node i: bandwidth (every core of node i
// reads its part of a buffer bound to node j) and latency (one core chases pointers through
// it). One row on a machine with one node.
#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/buffer.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/thread_pool.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall::comm {

namespace {

// Past every cache: 4x the last-level cache (quick: at most 1 GiB, as a guest may report an L3
// of hundreds of MiB).
uint64_t g_buffer_bytes = 256ull << 20;
uint64_t buffer_bytes() {
  return g_buffer_bytes;
}

// One pinned thread per core local to the node (its first unit), each reading its slice.
std::vector<int> reader_pus(int node) {
  const auto& nodes = topology().memory_nodes;
  if (nodes.empty()) return topology().core_cpus;  // no hwloc: one node, every core
  return nodes[static_cast<size_t>(node)].core_cpus;
}

void run_read(benchmark::State& state, int cpus_node, int memory_node) {
  const uint64_t n = buffer_bytes() / sizeof(double);
  Buffer buffer(n * sizeof(double), Pages::huge);
  const bool bound = bind_memory_to_node(buffer.data(), buffer.bytes(), memory_node);
  double* x = buffer.as<double>();
  std::fill(x, x + n, 1.0);
  const std::vector<int> pus = reader_pus(cpus_node);
  const size_t threads = pus.size();
  const uint64_t chunk = n / threads;
  std::vector<double> sums(threads);
  // The node's cores, pinned, released together; the slowest counted. The caller is one of
  // them for the while, and keeps its own binding afterwards.
  const ScopedUnpin restore;
  ThreadPool readers(pus);
  const double seconds = measure(state, [&] {
    return readers.run_timed(static_cast<int>(threads), [&](int t) {
      const double* p = x + t * chunk;
      double s[8] = {};
      for (uint64_t i = 0; i + 8 <= chunk; i += 8)
        for (int k = 0; k < 8; ++k) s[k] += p[i + k];
      sums[t] = s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
    });
  });
  if (seconds == 0) return;
  bool ok = true;
  for (double s : sums) ok = ok && s == static_cast<double>(chunk / 8 * 8);
  if (!check_result(state, ok, "a reader's sum differs from the known input")) return;
  Work work;
  work.bytes = static_cast<double>(threads * chunk * sizeof(double));
  report_work(state, work, seconds);
  state.counters["bytes"] = static_cast<double>(n * sizeof(double));
  state.counters["thread_count"] = static_cast<double>(threads);
  state.counters["bound"] = bound ? 1 : 0;
}

void run_latency(benchmark::State& state, int cpus_node, int memory_node) {
  constexpr uint64_t kStride = 256;
  const uint64_t elements = buffer_bytes() / kStride;
  Buffer buffer(elements * kStride, Pages::huge);
  const bool bound = bind_memory_to_node(buffer.data(), buffer.bytes(), memory_node);
  std::vector<uint64_t> order(elements);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  char* base = static_cast<char*>(buffer.data());
  for (uint64_t k = 0; k < elements; ++k)
    *reinterpret_cast<void**>(base + order[k] * kStride) =
        base + order[(k + 1) % elements] * kStride;
  const ScopedUnpin restore;
  pin_current_thread(reader_pus(cpus_node).front());
  void* p = base + order[0] * kStride;
  constexpr uint64_t kSteps = 1 << 16;
  uint64_t walked = 0;
  const double seconds = measure(state, [&] {
    const double s = time_region([&] {
      for (uint64_t i = 0; i < kSteps; ++i) p = *static_cast<void**>(p);
    });
    walked += kSteps;
    return s;
  });
  if (seconds == 0) return;
  if (!check_result(state, p == base + order[walked % elements] * kStride,
                    "the chase ended off its cycle"))
    return;
  Work work;
  work.accesses = kSteps;
  report_work(state, work, seconds);
  state.counters["bytes"] = static_cast<double>(elements * kStride);
  state.counters["bound"] = bound ? 1 : 0;
}

void register_numa(const RunConfig& config) {
  g_buffer_bytes = std::max<uint64_t>(256ull << 20, 4 * topology().llc_bytes_total());
  if (config.quick()) g_buffer_bytes = std::min<uint64_t>(g_buffer_bytes, 1ull << 30);
  if (mpi_active()) return;  // a node's own families run once, not on every rank
  // Rows: the cores of each node that has cores (an HBM or NVM node beside a DRAM node has
  // the same local cores: one row for them, named by the first). Columns: every node, CPU-less
  // HBM and CXL memory included, with its kind.
  std::vector<MemoryNode> nodes = topology().memory_nodes;
  if (nodes.empty()) nodes.push_back({0, "DRAM", 0, topology().core_cpus});
  std::vector<int> rows;
  for (const MemoryNode& n : nodes)
    if (!n.core_cpus.empty() && std::none_of(rows.begin(), rows.end(), [&](int r) {
          return nodes[static_cast<size_t>(r)].core_cpus == n.core_cpus;
        }))
      rows.push_back(n.index);
  for (int i : rows)
    for (const MemoryNode& memory : nodes) {
      const int j = memory.index;
      const std::string where =
          "/cpus:" + std::to_string(i) + "/memory:" + std::to_string(j) + "/kind:" + memory.kind;
      add_benchmark("comm.numa/read" + where,
                    [i, j](benchmark::State& state) { run_read(state, i, j); }, 0.1,
                    {nominal::touch_s(static_cast<double>(buffer_bytes())), true});
      // Its chase links one line in 256 B of the buffer, shuffled.
      add_benchmark("comm.numa/latency" + where,
                    [i, j](benchmark::State& state) { run_latency(state, i, j); }, 0,
                    {nominal::chase_build_s(static_cast<double>(buffer_bytes()) / 16, true), true});
    }
}

const bool registered = add_family("comm.numa", register_numa);
const bool roles = declare_role({"comm.numa", "", {}, "numa_matrix", "comm", {}});

}  // namespace

}  // namespace memwall::comm
