// comm.c2c: core-to-core latency. A cache line is bounced between two threads pinned to two
// processing units (one writes an odd value, the other answers with the next even one), as
// multichase's pingpong -u and Intel MLC's c2c do; latency_ns is one way (half the round
// trip, which multichase also prints). Both sides spin without pausing: multichase's default
// ten PAUSEs between polls (-r 10) measure mostly the PAUSE on CPUs where it takes ~65
// cycles; `pingpong -u -r 0` is the like-for-like reference. What the pair shares (same
// core, an L2, an L3, a package) and whether they sit on one NUMA node are in the name.
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"

namespace memwall::comm {

namespace {

struct alignas(128) BouncingLine {  // alone on its lines: no false sharing with anything
  std::atomic<uint32_t> value{0};
};
// The partner polls this between answers: on a line of its own too, or every write to the
// caller's locals beside it would bounce that line as well.
struct alignas(128) StopFlag {
  std::atomic<bool> stop{false};
};

// A cache line's round trip takes hundreds of spins at most on cores of their own.
constexpr uint32_t kSpinsBeforeYield = 1u << 16;

void run_pingpong(benchmark::State& state, int from, int to) {
  const auto line = std::make_unique<BouncingLine>();
  const auto flag = std::make_unique<StopFlag>();
  std::atomic<bool> ready{false};
  bool pinned_to = true;
  std::thread partner([&] {
    pinned_to = pin_current_thread(to);
    ready.store(true);
    uint32_t answered = 0;
    uint32_t idle = 0;
    while (!flag->stop.load(std::memory_order_relaxed)) {
      const uint32_t v = line->value.load(std::memory_order_acquire);
      if ((v & 1) && v != answered) {
        line->value.store(v + 1, std::memory_order_release);
        answered = v;
        idle = 0;
      } else if (++idle > kSpinsBeforeYield) {
        std::this_thread::yield();  // between measurements, or its core is shared: let it go
      }
    }
  });
  const ScopedUnpin restore;  // the caller's own binding comes back afterwards
  const bool pinned_from = pin_current_thread(from);
  while (!ready.load()) std::this_thread::yield();
  const int rounds = options().c2c_rounds;
  uint32_t expect = 0;
  bool lost = false;
  const double seconds = measure(state, [&] {
    std::atomic<uint32_t>& v = line->value;
    uint32_t next = expect;  // in a register: the loop writes nothing but the line
    const double s = time_region([&] {
      for (int r = 0; r < rounds && !lost; ++r) {
        v.store(next + 1, std::memory_order_release);
        next += 2;
        int64_t spins = 0;
        while (v.load(std::memory_order_acquire) != next) {
          if (++spins > (int64_t{1} << 32)) {  // the partner never answered
            lost = true;
            break;
          }
          // A partner that has not answered in this many spins is not running (two threads on
          // one core: a guest's, an emulator's): give it the core rather than spin out the slice.
          if (spins % kSpinsBeforeYield == 0) std::this_thread::yield();
        }
      }
    });
    expect = next;
    return s;
  });
  flag->stop.store(true);
  partner.join();
  if (seconds == 0) return;
  if (!check_result(state, !lost && line->value.load() == expect,
                    "the line did not come back with the partner's answer"))
    return;
  Work work;
  work.accesses = rounds;  // one way is half a round trip, as multichase's pingpong reports it
  work.latency_divisor = 2;
  report_work(state, work, seconds);
  state.counters["round_trip_ns"] = 2 * state.counters["latency_ns"];
  state.counters["pinned"] = pinned_from && pinned_to ? 1 : 0;
}

// Every pair on small machines and in --full; else each distance class the machine has (SMT
// siblings, a shared L2, L3, the package, another NUMA node, another package), sampled from
// all over it: O(cores) pairs in quick mode, a few per core otherwise; a time budget samples
// fewer, never fewer than two of a class.
void register_c2c(const RunConfig& config) {
  if (mpi_active()) return;  // a node's own families run once, not on every rank
  const std::vector<int> pus = pu_list();
  if (pus.size() < 2) {
    add_benchmark("comm.c2c/pingpong",
                  [](benchmark::State& state) { skip(state, "needs two processing units"); });
    return;
  }
  const int cores = static_cast<int>(topology().core_cpus.size());
  int per_class = config.quick() ? std::max(4, cores / 4) : std::max(8, cores);
  per_class = std::max(2, static_cast<int>(per_class * time_scale()));
  if (pus.size() <= 16 || config.full()) per_class = 0;
  const std::vector<PuPair> pairs = core_pairs(per_class);
  add_context("c2c_pairs", std::to_string(pairs.size()) + " pairs of " +
                               std::to_string(pus.size() * (pus.size() - 1) / 2) +
                               (per_class ? ": at most " + std::to_string(per_class) +
                                                " of each distance class, spread over the machine"
                                          : ": every pair"));
  for (const PuPair& p : pairs) {
    const int a = p.from, b = p.to;
    add_benchmark("comm.c2c/pingpong/from:" + std::to_string(a) + "/to:" + std::to_string(b) +
                      "/shared:" + p.shared + "/numa:" + (p.same_numa ? "same" : "other"),
                  [a, b](benchmark::State& state) { run_pingpong(state, a, b); });
  }
}

const bool registered = add_family("comm.c2c", register_c2c);
const bool roles = declare_role({"comm.c2c", "", {}, "core_pairs", "comm", {}});

}  // namespace

}  // namespace memwall::comm
