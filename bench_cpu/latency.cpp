// cpu.lat: load-to-use latency from a dependent pointer chase over one cycle through the
// buffer, one pointer per `--chase-stride` bytes (256 by default, as multichase), with 4 KiB or
// huge pages, in a TLB-friendly order (the cache and DRAM figures), fully random (what TLB
// misses add) and sequential (what the prefetcher hides); and loaded latency: one chasing
// thread while the other cores stream reads, as Intel MLC does. `bytes` is the memory spanned
// (multichase's -m); `lines_touched_bytes` the cache lines the chain touches (span x 64 /
// stride), which is what a cache's capacity compares with.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <tuple>

#include "bench_cpu/chase.hpp"
#include "bench_cpu/isa.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

namespace {

constexpr uint64_t kLineBytes = 64;
constexpr uint64_t kStepsPerRegion = 1 << 16;

// The family's flags, as typed and as resolved when it registers.
struct LatencyFlags {
  std::string pages, group = "256KiB", stride = "256";
  uint64_t group_bytes = 256 << 10, stride_bytes = kDefaultChaseStride;
} g_flags;

uint64_t stride() {
  return g_flags.stride_bytes;
}

struct Chase {
  Buffer buffer;
  std::vector<uint64_t> order;
  void* start = nullptr;
  uint64_t lines = 0;   // elements: one pointer, one touched line, per stride
  uint64_t walked = 0;  // steps taken since start, to check where the walk must be
  void* position = nullptr;
};

Chase build_chase(uint64_t bytes, Pages pages, ChaseOrder order, uint64_t group_bytes) {
  Chase c;
  c.lines = std::max<uint64_t>(2, bytes / stride());
  c.buffer = Buffer(c.lines * stride(), pages);
  std::memset(c.buffer.data(), 0, c.lines * stride());  // fault pages in address order
  c.order = chase_order(c.lines, std::max<uint64_t>(1, group_bytes / stride()), order,
                        0x9e3779b97f4a7c15ull ^ bytes);
  c.start = c.position = link_chase(c.buffer.data(), stride(), c.order);
  return c;
}

void walk(Chase& c, uint64_t steps) {
  c.position = chase(c.position, steps);
  c.walked += steps;
}

// The walk must stand on the line the order says; otherwise a pointer was lost.
bool walk_is_where_expected(const Chase& c) {
  const uint64_t line = c.order[c.walked % c.lines];
  return c.position == pointer_slot(c.buffer.data(), stride(), line);
}

void set_latency_counters(benchmark::State& state, const Chase& c, double seconds) {
  Work work;
  work.accesses = kStepsPerRegion;
  report_work(state, work, seconds);
  state.counters["working_set_bytes"] = static_cast<double>(c.lines * stride());
  state.counters["lines_touched_bytes"] = static_cast<double>(c.lines * kLineBytes);
  state.counters["stride_bytes"] = static_cast<double>(stride());
  state.counters["huge_fraction"] = c.buffer.huge_fraction();
  state.counters["pinned"] = pool().pinned(0) ? 1 : 0;
}

// Google Benchmark calls a benchmark function several times (once to size the iteration count,
// then once per repetition). Building and warming a 1 GiB chase each time would dominate the
// run, so the last chase is kept while the same benchmark asks for it again.
Chase& chase_for(uint64_t bytes, Pages pages, ChaseOrder order) {
  static std::unique_ptr<Chase> cached;
  static std::tuple<uint64_t, Pages, ChaseOrder> cached_key;
  const auto key = std::make_tuple(bytes, pages, order);
  if (cached && cached_key == key) {
    walk(*cached, std::min<uint64_t>(2 * cached->lines, 1 << 16));  // re-warm what was evicted
    return *cached;
  }
  cached.reset();  // free the old one before the new one is allocated
  cached = std::make_unique<Chase>(build_chase(bytes, pages, order, g_flags.group_bytes));
  cached_key = key;
  walk(*cached, std::min<uint64_t>(2 * cached->lines, 1 << 21));  // warm caches and TLB
  return *cached;
}

void run_chase(benchmark::State& state, uint64_t bytes, Pages pages, ChaseOrder order) {
  Chase& c = chase_for(bytes, pages, order);
  if (!check_result(state, is_permutation_of_lines(c.order), "chase order is not a permutation"))
    return;
  const double seconds =
      measure(state, [&] { return time_region([&] { walk(c, kStepsPerRegion); }); });
  if (seconds == 0) return;
  if (!check_result(state, walk_is_where_expected(c), "chase ended off its cycle")) return;
  set_latency_counters(state, c, seconds);
}

void run_loaded(benchmark::State& state, uint64_t bytes, int load_threads) {
  const int threads = load_threads + 1;
  Chase c = build_chase(bytes, Pages::huge, ChaseOrder::local, g_flags.group_bytes);
  const StreamKernelSet& isa = select_isa(options().isa);
  // Each loader reads its own buffer, big enough to stream from DRAM.
  const uint64_t load_elems = std::max<uint64_t>(topology().llc_bytes_total(), 64ull << 20) /
                              sizeof(double) / kStreamGrain * kStreamGrain;
  std::vector<Buffer> loads;
  for (int t = 0; t < load_threads; ++t)
    loads.emplace_back(load_elems * sizeof(double), Pages::huge);
  std::atomic<bool> stop{false};
  std::atomic<int> loading{0};
  std::vector<double> load_gbps(threads, 0);
  bool sums_ok = true;
  double seconds = 0;
  pool().run(threads, [&](int tid) {
    if (tid > 0) {
      double* x = loads[tid - 1].as<double>();
      std::fill(x, x + load_elems, 1.0);
      loading.fetch_add(1);
      uint64_t passes = 0;
      const double loaded = time_region([&] {
        while (!stop.load(std::memory_order_relaxed)) {
          if (isa.fn[kRead](nullptr, x, nullptr, 0, load_elems, 1) !=
              static_cast<double>(load_elems))
            sums_ok = false;
          ++passes;
        }
      });
      load_gbps[tid] = static_cast<double>(passes * load_elems * sizeof(double)) / loaded / 1e9;
      return;
    }
    while (loading.load() < load_threads) std::this_thread::yield();
    walk(c, std::min<uint64_t>(2 * c.lines, 1 << 21));
    seconds = measure(state, [&] { return time_region([&] { walk(c, kStepsPerRegion); }); });
    stop.store(true);
  });
  if (seconds == 0) return;
  if (!check_result(state, walk_is_where_expected(c) && sums_ok,
                    "chase ended off its cycle or a loader's sum was wrong"))
    return;
  set_latency_counters(state, c, seconds);
  double total = 0;
  for (double g : load_gbps) total += g;
  state.counters["load_GBps"] = total;
  state.counters["load_threads"] = load_threads;
}

std::string lat_name(const char* variant, Pages pages, uint64_t bytes) {
  return std::string("cpu.lat/") + variant + "/pages:" + to_string(pages) +
         "/bytes:" + std::to_string(bytes);
}

void register_latency(const RunConfig& config) {
  const CpuOptions& opt = options();
  const bool quick = config.quick();
  g_flags.group_bytes = parse_bytes(g_flags.group);
  g_flags.stride_bytes = parse_bytes(g_flags.stride);
  if (g_flags.stride_bytes % 64 != 0 || g_flags.stride_bytes > g_flags.group_bytes)
    throw UsageError("--chase-stride must be a multiple of 64 bytes, at most --tlb-group");
  add_context("tlb_group_bytes", std::to_string(g_flags.group_bytes));
  add_context("chase_stride_bytes", std::to_string(g_flags.stride_bytes));
  std::vector<Pages> pages;
  for (const std::string& p : split_list(g_flags.pages)) pages.push_back(parse_pages(p));
  if (pages.empty())
    pages =
        quick ? std::vector<Pages>{Pages::huge} : std::vector<Pages>{Pages::huge, Pages::small4k};
  std::vector<uint64_t> sizes = opt.sizes();
  if (quick) {
    // Memory is flat past the last-level cache: the quick curve stops at 8x its size, within
    // 256 MiB (where huge pages' translation still shows) and 1 GiB (a guest may report an L3
    // of hundreds of MiB).
    const uint64_t cap =
        std::clamp<uint64_t>(8 * topology().llc_bytes_total(), 256ull << 20, 1ull << 30);
    std::erase_if(sizes, [cap](uint64_t b) { return b > cap; });
    add_context("cpu_lat_sampling",
                "quick: the chase to " + format_bytes(cap) +
                    " (8x the last-level cache, within 256MiB-1GiB); chase_random and "
                    "chase_stride one size per octave");
  }
  struct Variant {
    const char* name;
    ChaseOrder order;
  };
  for (const Variant v :
       {Variant{"chase", ChaseOrder::local}, Variant{"chase_random", ChaseOrder::random},
        Variant{"chase_stride", ChaseOrder::stride}}) {
    for (Pages p : pages) {
      for (size_t i = 0; i < sizes.size(); ++i) {
        // The quick run takes the random and stride curves at one size per octave.
        if (quick && v.order != ChaseOrder::local && i % opt.points_per_octave != 0) continue;
        const uint64_t bytes = sizes[i];
        add_benchmark(
            lat_name(v.name, p, bytes),
            [bytes, p, v](benchmark::State& state) { run_chase(state, bytes, p, v.order); }, 0,
            {nominal::chase_build_s(static_cast<double>(bytes), v.order == ChaseOrder::random)});
      }
    }
  }
  const int cores = static_cast<int>(topology().core_cpus.size());
  if (cores >= 2) {
    const uint64_t bytes = sizes.back();
    const int load_threads = cores - 1;
    add_benchmark(
        "cpu.lat/loaded/pages:huge/load:read/load_threads:" + std::to_string(load_threads) +
            "/bytes:" + std::to_string(bytes),
        [bytes, load_threads](benchmark::State& state) { run_loaded(state, bytes, load_threads); },
        0, {nominal::chase_build_s(static_cast<double>(bytes), false), true});
  }
}

const bool registered = add_family(
    {"cpu.lat",
     [](Flags& flags) {
       flags.add("--lat-pages", g_flags.pages, "page sizes for latency (default huge,4k)");
       flags.add("--tlb-group", g_flags.group,
                 "page-group size of the TLB-friendly chase (256KiB)");
       flags.add("--chase-stride", g_flags.stride,
                 "bytes per pointer of the latency chase, a multiple of 64 (256, as "
                 "multichase)");
     },
     register_latency});
// The local chase's plateaus are the levels; the loaded chase is one point, on no curve.
const bool roles =
    declare_role({"cpu.lat", "", {}, "latency_curve", "cpu", {}}) &&
    declare_role({"cpu.lat", "chase", {}, "latency_curve", "cpu", {{"levels", "yes"}}}) &&
    declare_role({"cpu.lat", "loaded", {}, "latency", "cpu", {}});

}  // namespace

}  // namespace memwall::cpu
