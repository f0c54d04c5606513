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
#include <set>
#include <thread>
#include <tuple>

#include "bench_cpu/chase.hpp"
#include "bench_cpu/isa.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/buffer.hpp"
#include "core/context.hpp"
#include "core/memory.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/thread_pool.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

namespace {

constexpr uint64_t kLineBytes = 64;
constexpr uint64_t kStepsPerRegion = 1 << 16;

// The family's flags, as typed and as resolved when it registers.
struct LatencyFlags {
  std::string pages, group = "256KiB", stride = "256", curve_mixes;
  uint64_t group_bytes = 256 << 10, stride_bytes = kDefaultChaseStride;
} g_flags;

uint64_t stride() {
  return g_flags.stride_bytes;
}

// The span over which a chase touches `times` the last-level cache one thread can use: one line
// per stride, so it spans stride/64 times the lines it touches (left twice over at the default
// stride, a 504 MiB L3 takes a 4 GiB span); within half the memory.
uint64_t span_past_llc(double times) {
  const std::vector<CacheLevel>& caches = topology().caches;
  const double llc = caches.empty() ? 0 : static_cast<double>(caches.back().size_bytes);
  const auto span = static_cast<uint64_t>(times * llc * static_cast<double>(stride() / kLineBytes));
  // Another machine's plan is bounded by the memory its topology reports, not ours.
  uint64_t available = 0;
  if (!topology().foreign)
    available = memory_available_bytes();
  else
    for (const MemoryNode& n : topology().memory_nodes) available += n.bytes;
  return available > 0 ? std::min(span, available / 2) : span;
}

struct Chase {
  Buffer buffer;
  std::vector<uint64_t> order;
  void* start = nullptr;
  uint64_t lines = 0;   // elements: one pointer, one touched line, per stride
  uint64_t walked = 0;  // steps taken since start, to check where the walk must be
  void* position = nullptr;
};

Chase build_chase(uint64_t bytes, Pages pages, ChaseOrder order, uint64_t group_bytes,
                  int node = -1) {
  Chase c;
  c.lines = std::max<uint64_t>(2, bytes / stride());
  c.buffer = Buffer(c.lines * stride(), pages);
  if (node >= 0) bind_memory_to_node(c.buffer.data(), c.buffer.bytes(), node);
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
Chase& chase_for(uint64_t bytes, Pages pages, ChaseOrder order, int node = -1) {
  static std::unique_ptr<Chase> cached;
  static std::tuple<uint64_t, Pages, ChaseOrder, int> cached_key;
  const auto key = std::make_tuple(bytes, pages, order, node);
  if (cached && cached_key == key) {
    walk(*cached, std::min<uint64_t>(2 * cached->lines, 1 << 16));  // re-warm what was evicted
    return *cached;
  }
  cached.reset();  // free the old one before the new one is allocated
  cached = std::make_unique<Chase>(build_chase(bytes, pages, order, g_flags.group_bytes, node));
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

// The generators' buffers, kept while the same benchmark asks again (as the chase is: filling
// gigabytes on every call would dominate the run), bound to `node` (-1: first touch). Each
// generator fills its own where `fresh`, so an unbound one lands on that generator's node.
struct GeneratorBuffers {
  std::vector<Buffer> buffers;
  bool fresh = false;
};
GeneratorBuffers& generator_buffers(int count, uint64_t bytes, int node) {
  static GeneratorBuffers cached;
  static std::tuple<int, uint64_t, int> cached_key;
  const auto key = std::make_tuple(count, bytes, node);
  cached.fresh = cached.buffers.empty() || cached_key != key;
  if (cached.fresh) {
    cached.buffers.clear();
    for (int g = 0; g < count; ++g) {
      cached.buffers.emplace_back(bytes, Pages::huge);
      if (node >= 0) bind_memory_to_node(cached.buffers.back().data(), bytes, node);
    }
    cached_key = key;
  }
  return cached;
}

// The node of the chasing core (the first core's), -1 where hwloc names none.
int chaser_node() {
  for (const MemoryNode& n : topology().memory_nodes)
    if (!n.core_cpus.empty()) return n.index;
  return -1;
}

// The bandwidth-latency curve (Intel MLC's --loaded_latency, Mess): the chase of one core while
// generators on the other cores of its node move a mix of reads and writes, a line at a time,
// with a delay between lines swept from saturation (0) to nearly idle; gen:0 is the idle point.
// Every buffer is bound to the memory node measured. Bytes count as STREAM counts them (a line
// read 64, a line written 64); load_hw_GBps adds the line a plain store reads first (a
// non-temporal store reads none).
struct Mix {
  const char* name;
  int reads, writes;  // in each group of reads + writes lines
  bool nontemporal;   // writes bypass the caches (MLC's -W6..W8)
};
constexpr Mix kMixes[] = {{"read", 1, 0, false}, {"3r1w", 3, 1, false},  {"2r1w", 2, 1, false},
                          {"1r1w", 1, 1, false}, {"2r1ntw", 2, 1, true}, {"1r1ntw", 1, 1, true},
                          {"ntw", 0, 1, true}};

const Mix& mix_named(const std::string& name) {
  for (const Mix& m : kMixes)
    if (name == m.name) return m;
  throw UsageError("unknown --curve-mixes entry '" + name +
                   "' (read, 3r1w, 2r1w, 1r1w, 2r1ntw, 1r1ntw, ntw)");
}

struct GeneratorRun {
  Generated moved;
  bool sum_ok = true;
};

// One generator: its buffer in order, a group of the mix's reads then its writes at a time,
// each a block of lines through the CPU's widest STREAM kernels (read, write, non-temporal
// write: what cpu.bw measures with), and `delay` empty turns per line after each block. A
// block is 64 lines, so the load is smooth at the scale of one chase step; at delay 0 it is
// 16384 (1 MiB), as cpu.bw/read streams: a call's own cost (zeroing and spilling its
// accumulators, the reduction) paced 64-line blocks, and read's four streams a thread cut
// 1024-line blocks into pieces too short to stream (27 against cpu.bw/read's 34-42 GB/s).
GeneratorRun generate(double* x, uint64_t lines, const Mix& mix, int delay,
                      const std::atomic<bool>& measuring, const std::atomic<bool>& stop) {
  GeneratorRun g;
  const StreamKernelSet& isa = select_isa(options().isa);
  const StreamFn store = isa.fn[mix.nontemporal ? kWriteNt : kWrite];
  const uint64_t block_lines = delay == 0 ? 16384 : 64;
  const uint64_t block_doubles = block_lines * kLineBytes / sizeof(double);  // doubles
  const uint64_t group = static_cast<uint64_t>(mix.reads + mix.writes);
  const uint64_t groups = lines / block_lines / group;
  const int turns = delay * static_cast<int>(block_lines);
  auto pause = [turns] {
    for (int d = 0; d < turns; ++d) asm volatile("" : : : "memory");
  };
  double sum = 0;
  uint64_t done = 0, at = 0;  // groups done, and the next one
  auto burst = [&] {
    for (int b = 0; b < 16; ++b) {
      double* block = x + at * group * block_doubles;
      for (int r = 0; r < mix.reads; ++r, block += block_doubles) {
        sum += isa.fn[kRead](nullptr, block, nullptr, 0, block_doubles, 1);
        pause();
      }
      for (int w = 0; w < mix.writes; ++w, block += block_doubles) {
        store(block, nullptr, nullptr, 1.0, block_doubles, 1);  // what every line holds
        pause();
      }
      if (++at == groups) at = 0;
    }
    done += 16;
  };
  // Counted only while the chase is measured: a generator's first milliseconds on a core that
  // was idle streamed slower, and counted they put the saturated all-read point 10% below
  // cpu.bw/read on the same core (which times only after an untimed pass).
  while (!measuring.load(std::memory_order_relaxed) && !stop.load(std::memory_order_relaxed))
    burst();
  const uint64_t before = done;
  const double seconds = time_region([&] {
    while (!stop.load(std::memory_order_relaxed)) burst();
  });
  done -= before;
  const double read = static_cast<double>(done * static_cast<uint64_t>(mix.reads) * block_lines);
  const double written =
      static_cast<double>(done * static_cast<uint64_t>(mix.writes) * block_lines);
  g.moved.bytes = (read + written) * kLineBytes;
  g.moved.hw_bytes = g.moved.bytes + (mix.nontemporal ? 0 : written * kLineBytes);
  g.moved.seconds = seconds;
  g.sum_ok = sum == static_cast<double>((done + before) * static_cast<uint64_t>(mix.reads) *
                                        block_doubles);
  return g;
}

// The cores of the memory node the chasing core sits on: the chase on the first, generators on
// the rest (every core where hwloc names no nodes).
std::vector<int> curve_cores() {
  for (const MemoryNode& n : topology().memory_nodes)
    if (!n.core_cpus.empty()) return n.core_cpus;
  return topology().core_cpus;
}

// The chase on cores[0] while `gens` generators on the next cores move `mix` with `delay`,
// their buffers bound to `node` (-1: each where its generator runs).
void run_under_load(benchmark::State& state, Chase& c, const std::vector<int>& cores, int node,
                    const Mix& mix, int gens, int delay) {
  // Each generator streams its own buffer past the caches, bound to the node measured: together
  // at least 4x the last-level cache, the span every memory figure is read past.
  const uint64_t gen_bytes =
      std::clamp<uint64_t>(4 * topology().llc_bytes_total() / std::max(1, gens), 64ull << 20,
                           run_mode() == RunMode::quick ? 256ull << 20 : 1ull << 30);
  const uint64_t lines = gen_bytes / kLineBytes;
  GeneratorBuffers& buffers = generator_buffers(gens, gen_bytes, node);
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<int> running{0};
  std::vector<GeneratorRun> generated(static_cast<size_t>(gens));
  double seconds = 0;
  const ScopedUnpin restore;
  std::vector<int> pus(cores.begin(), cores.begin() + std::min<size_t>(cores.size(), gens + 1));
  ThreadPool threads(pus);
  threads.run(gens + 1, [&](int tid) {
    if (tid > 0) {
      double* x = buffers.buffers[tid - 1].as<double>();
      if (buffers.fresh) std::fill(x, x + gen_bytes / sizeof(double), 1.0);
      running.fetch_add(1);
      generated[tid - 1] = generate(x, lines, mix, delay, measuring, stop);
      return;
    }
    while (running.load() < gens) std::this_thread::yield();
    walk(c, 1 << 14);  // the chase is warm (cached): the generators reach their rate
    measuring.store(true);
    seconds = measure(state, [&] { return time_region([&] { walk(c, kStepsPerRegion); }); });
    stop.store(true);
  });
  if (seconds == 0) return;
  bool sums_ok = true;
  std::vector<Generated> moved;
  for (const GeneratorRun& g : generated) {
    sums_ok = sums_ok && g.sum_ok;
    moved.push_back(g.moved);
  }
  if (!check_result(state, walk_is_where_expected(c) && sums_ok,
                    "chase ended off its cycle or a generator's sum was wrong"))
    return;
  set_latency_counters(state, c, seconds);
  report_load(state, moved);
}

void run_curve(benchmark::State& state, uint64_t bytes, int node, const Mix& mix, int gens,
               int delay) {
  run_under_load(state, chase_for(bytes, Pages::huge, ChaseOrder::local, node), curve_cores(), node,
                 mix, gens, delay);
}

// cpu.lat/loaded (MLC's loaded latency at one point): every other core reads flat out, wherever
// it is; the all-read curve's saturated point taken across the whole machine.
void run_loaded(benchmark::State& state, uint64_t bytes, int load_threads) {
  run_under_load(state, chase_for(bytes, Pages::huge, ChaseOrder::local, chaser_node()),
                 topology().core_cpus, -1, kMixes[0], load_threads, 0);
}

// The memory nodes a curve is drawn for: every node; quick, the first of each kind (the
// chasing core's own first) and one DRAM node on another package.
std::vector<const MemoryNode*> curve_nodes(bool quick) {
  const int chaser = curve_cores().front();
  std::vector<int> package;  // the chasing core's package
  for (const auto& cores : topology().package_core_cpus)
    if (std::find(cores.begin(), cores.end(), chaser) != cores.end()) package = cores;
  auto on = [](const std::vector<int>& cores, int cpu) {
    return std::find(cores.begin(), cores.end(), cpu) != cores.end();
  };
  std::vector<const MemoryNode*> local, others;
  for (const MemoryNode& n : topology().memory_nodes)
    (on(n.core_cpus, chaser) ? local : others).push_back(&n);
  local.insert(local.end(), others.begin(), others.end());  // its own nodes first
  std::vector<const MemoryNode*> out;
  std::set<std::string> kinds;
  bool remote = false;
  for (const MemoryNode* n : local) {
    const bool other_package =
        !n->core_cpus.empty() && !package.empty() && !on(package, n->core_cpus.front());
    bool take = !quick || kinds.insert(n->kind).second;
    if (quick && !take && n->kind == "DRAM" && other_package && !remote) take = remote = true;
    if (take) out.push_back(n);
  }
  return out;
}

void register_curves(const RunConfig& config, uint64_t bytes) {
  const bool quick = config.quick();
  const int gens = static_cast<int>(curve_cores().size()) - 1;
  if (gens < 1) return;  // one core: nothing to load it with
  std::vector<std::string> mixes = split_list(g_flags.curve_mixes);
  if (mixes.empty())
    mixes =
        quick ? std::vector<std::string>{"read", "1r1w"}
              : std::vector<std::string>{"read", "3r1w", "2r1w", "1r1w", "2r1ntw", "1r1ntw", "ntw"};
  for (const std::string& m : mixes) mix_named(m);
  // From saturation to nearly idle, densest where latency climbs; quick keeps 4 and the idle.
  const std::vector<int> delays =
      quick ? std::vector<int>{0, 32, 128, 1000}
            : std::vector<int>{0, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 400, 640, 1000, 2000};
  std::vector<const MemoryNode*> nodes = curve_nodes(quick);
  static const MemoryNode one_node{0, "DRAM", 0, {}};
  if (nodes.empty()) nodes.push_back(&one_node);  // no hwloc nodes: the one memory
  for (const MemoryNode* n : nodes) {
    const int node = topology().memory_nodes.empty() ? -1 : n->index;
    const std::string where = "/pages:huge/node:" + std::to_string(n->index) + "/kind:" + n->kind;
    add_benchmark(
        "cpu.lat/curve" + where + "/mix:idle/gen:0/delay:0/bytes:" + std::to_string(bytes),
        [bytes, node](benchmark::State& state) { run_curve(state, bytes, node, kMixes[0], 0, 0); },
        0, {nominal::chase_build_s(static_cast<double>(bytes), false)});
    for (const std::string& m : mixes)
      for (int delay : delays) {
        const Mix& mix = mix_named(m);
        add_benchmark("cpu.lat/curve" + where + "/mix:" + m + "/gen:" + std::to_string(gens) +
                          "/delay:" + std::to_string(delay) + "/bytes:" + std::to_string(bytes),
                      [bytes, node, &mix, gens, delay](benchmark::State& state) {
                        run_curve(state, bytes, node, mix, gens, delay);
                      },
                      0, {nominal::touch_s(64e6, 1), false});
      }
  }
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
  // Random and stride orders show translation and the prefetcher, not another level: they
  // stop where the bandwidth sweep does (a shuffle of gigabytes is slow).
  uint64_t translation_cap = sizes.back();
  // The sweep's sizes count the bytes a kernel streams, a chase's curve the lines it touches:
  // it must span far enough to leave the last-level cache (4x, or past 2x quick, where the
  // profile calls the level memory), unless the user capped the sweep.
  const uint64_t memory_reach = span_past_llc(quick ? 2.2 : 4);
  if (!opt.max_bytes && memory_reach > sizes.back()) {
    sizes = size_sweep(opt.min_bytes, memory_reach, opt.points_per_octave, kLineBytes);
    // The sweep's own end stays a point of the curve.
    sizes.insert(std::upper_bound(sizes.begin(), sizes.end(), translation_cap), translation_cap);
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  }
  if (quick) {
    // Memory is flat past the last-level cache: the quick curve stops at 8x its size, within
    // 256 MiB (where huge pages' translation still shows) and 1 GiB (a guest may report an L3
    // of hundreds of MiB), or where the chase's lines leave that cache, the farther.
    translation_cap =
        std::clamp<uint64_t>(8 * topology().llc_bytes_total(), 256ull << 20, 1ull << 30);
    const uint64_t cap = std::max(translation_cap, std::min(memory_reach, sizes.back()));
    std::erase_if(sizes, [cap](uint64_t b) { return b > cap; });
    add_context("cpu_lat_sampling",
                "quick: the chase to " + format_bytes(cap) +
                    " (past twice the last-level cache in lines touched, and at least 8x it "
                    "within 256MiB-1GiB), one size per octave from 256MiB to " +
                    format_bytes(translation_cap) +
                    " and the last beyond; chase_random and chase_stride one size per octave "
                    "to " +
                    format_bytes(translation_cap));
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
        // The quick run takes the random and stride curves at one size per octave, and the
        // local chase too past 256 MiB, where memory is flat and each size takes seconds to
        // build; and always the last, where the curve must end.
        const bool octave = i % opt.points_per_octave == 0 || i + 1 == sizes.size();
        if (quick && !octave && (v.order != ChaseOrder::local || sizes[i] > (256ull << 20)))
          continue;
        // Past the translation cap only the local chase, and a quick run only its last size,
        // where its lines leave the cache.
        if (sizes[i] > translation_cap &&
            (v.order != ChaseOrder::local || (quick && i + 1 != sizes.size())))
          continue;
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
  register_curves(config, sizes.back());
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
       flags.add("--curve-mixes", g_flags.curve_mixes,
                 "read/write mixes of the loaded-latency curves: read, 3r1w, 2r1w, 1r1w, and "
                 "with non-temporal writes 2r1ntw, 1r1ntw, ntw (quick: read,1r1w; else all)");
     },
     register_latency});
// The local chase's plateaus are the levels; the loaded chase is one point, on no curve; the
// curves are latency against the generators' bandwidth, per memory node and mix.
const bool roles =
    declare_role({"cpu.lat", "", {}, "latency_curve", "cpu", {}}) &&
    declare_role({"cpu.lat", "chase", {}, "latency_curve", "cpu", {{"levels", "yes"}}}) &&
    declare_role({"cpu.lat", "loaded", {}, "latency", "cpu", {{"under_load", "read"}}}) &&
    declare_role({"cpu.lat", "curve", {}, "latency_under_load", "cpu", {}});

}  // namespace

}  // namespace memwall::cpu
