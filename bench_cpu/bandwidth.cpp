// cpu.bw: STREAM kernels over working sets from L1 to DRAM on 1..N pinned threads.
// Bytes are counted as STREAM does (each array element read or written once per pass);
// hw_GBps adds the line a plain store reads first (write-allocate), which _nt kernels avoid.
#include "bench_cpu/bandwidth.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <tuple>

#include "bench_cpu/isa.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/stream_kernels.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

namespace {
constexpr double kX = 1.0, kY = 2.0, kS = 3.0;  // exact in every operation below

// How this CPU runs each of core's kernels (core/stream_kernels.hpp counts their bytes).
StreamKernel kernel(const char* name, StreamOp op, bool in_quick,
                    double (*expect)(double, double, double)) {
  const StreamWeights& w = stream_weights(name);
  return {name, op, w.reads, w.writes, w.nontemporal, in_quick, expect};
}

}  // namespace

std::span<const StreamKernel> stream_kernels() {
  static const StreamKernel all[] = {
      kernel("read", kRead, true, [](double x, double, double) { return x; }),
      kernel("write", kWrite, false, [](double, double, double s) { return s; }),
      kernel("copy", kCopy, true, [](double x, double, double) { return x; }),
      kernel("scale", kScale, false, [](double x, double, double s) { return s * x; }),
      kernel("add", kAdd, false, [](double x, double y, double) { return x + y; }),
      kernel("triad", kTriad, true, [](double x, double y, double s) { return x + s * y; }),
      kernel("write_nt", kWriteNt, false, [](double, double, double s) { return s; }),
      kernel("copy_nt", kCopyNt, false, [](double x, double, double) { return x; }),
      kernel("triad_nt", kTriadNt, true, [](double x, double y, double s) { return x + s * y; }),
  };
  return all;
}

uint64_t stream_bytes(const StreamKernel& k, uint64_t elements) {
  return memwall::stream_bytes(stream_weights(k.name), elements, sizeof(double));
}

uint64_t hw_bytes(const StreamKernel& k, uint64_t elements) {
  return write_allocate_bytes(stream_weights(k.name), elements, sizeof(double));
}

namespace {

struct alignas(64) ThreadResult {
  bool bad = false;
};

// Enough passes per timed region that the barrier and clock reads are noise.
constexpr uint64_t kRegionBytes = 64ull << 20;
// Each repetition averages at least this long of passes: one 26 ms pass of a 1 GiB triad is
// at the mercy of the moment.
constexpr double kSampleSeconds = 0.1;

struct StreamArrays {
  Buffer x, y, out;
};

// Google Benchmark calls a benchmark function several times (to size the iteration count, then
// per repetition); the arrays of the last call are kept while the same benchmark asks again,
// so a 1 GiB working set is not allocated and first-touched each time. The output is reset on
// every call, so a kernel that wrote nothing cannot pass the check with an earlier result.
StreamArrays& arrays_for(const StreamKernel& k, ThreadPool& workers, uint64_t n, Pages pages) {
  static std::unique_ptr<StreamArrays> cached;
  static std::tuple<const StreamKernel*, ThreadPool*, uint64_t, Pages> cached_key;
  const auto key = std::make_tuple(&k, &workers, n, pages);
  const int threads = workers.size();
  const bool fresh = !cached || cached_key != key;
  if (fresh) {
    cached.reset();  // free the old arrays before allocating the new
    cached = std::make_unique<StreamArrays>();
    cached->x = Buffer(n * sizeof(double), pages);
    cached->y = Buffer(k.reads == 2 ? n * sizeof(double) : 64, pages);
    cached->out = Buffer(k.writes == 1 ? n * sizeof(double) : 64, pages);
    cached_key = key;
  }
  StreamArrays& a = *cached;
  const uint64_t chunk = n / threads;
  workers.run(threads, [&](int tid) {  // first touch by the thread that will use the chunk
    const uint64_t lo = tid * chunk;
    for (uint64_t i = lo; i < lo + chunk; ++i) {
      if (fresh) a.x.as<double>()[i] = kX;
      if (fresh && k.reads == 2) a.y.as<double>()[i] = kY;
      if (k.writes == 1) a.out.as<double>()[i] = 0;
    }
  });
  return a;
}

void run_stream(benchmark::State& state, const StreamKernel& k, ThreadPool& workers,
                uint64_t ws_bytes, Pages pages) {
  const int threads = workers.size();
  const StreamKernelSet& isa = select_isa(options().isa);
  const int arrays = k.reads + k.writes;
  const uint64_t grain = static_cast<uint64_t>(threads) * kStreamGrain;
  const uint64_t n = std::max<uint64_t>(1, ws_bytes / (arrays * sizeof(double)) / grain) * grain;
  const uint64_t chunk = n / threads;
  const bool uses_y = k.reads == 2;
  const bool uses_out = k.writes == 1;
  StreamArrays& a = arrays_for(k, workers, n, pages);
  const StreamFn fn = isa.fn[k.op];
  // One untimed pass after the reset, so the first timed pass finds the caches and TLBs as
  // every later one does.
  workers.run(threads, [&](int tid) {
    const uint64_t lo = tid * chunk;
    fn(k.writes ? a.out.as<double>() + lo : nullptr, a.x.as<double>() + lo,
       k.reads == 2 ? a.y.as<double>() + lo : nullptr, kS, chunk, 1);
  });
  const Buffer& x = a.x;
  const Buffer& y = a.y;
  const Buffer& out = a.out;

  const uint64_t pass_bytes = stream_bytes(k, n);
  const uint64_t pass_hw_bytes = hw_bytes(k, n);
  const uint64_t passes = std::max<uint64_t>(1, kRegionBytes / pass_bytes);
  const double expected_sum = kX * static_cast<double>(chunk) * static_cast<double>(passes);
  std::vector<ThreadResult> results(threads);

  const double seconds = measure(state, [&] {
    return workers.run_timed(threads, [&](int tid) {
      const uint64_t lo = tid * chunk;
      double* o = uses_out ? out.as<double>() + lo : nullptr;
      const double* xs = x.as<double>() + lo;
      const double* ys = uses_y ? y.as<double>() + lo : nullptr;
      const double sum = fn(o, xs, ys, kS, chunk, passes);
      if (k.op == kRead && sum != expected_sum) results[tid].bad = true;
    });
  });
  if (seconds == 0) return;

  bool ok = true;
  std::string what;
  for (const ThreadResult& r : results) ok = ok && !r.bad;
  if (!ok) what = std::string(k.name) + ": sum differs from the known input";
  if (ok && uses_out) {
    const double want = k.expect(kX, kY, kS);
    for (uint64_t i = 0; i < n; ++i) {
      if (out.as<double>()[i] != want) {
        ok = false;
        what = std::string(k.name) + ": element " + std::to_string(i) + " is " +
               std::to_string(out.as<double>()[i]) + ", expected " + std::to_string(want);
        break;
      }
    }
  }
  if (!check_result(state, ok, what)) return;

  Work work;
  work.bytes = static_cast<double>(pass_bytes) * static_cast<double>(passes);
  work.hw_bytes = static_cast<double>(pass_hw_bytes) * static_cast<double>(passes);
  report_work(state, work, seconds);
  state.counters["working_set_bytes"] = static_cast<double>(pass_bytes);
  state.counters["thread_count"] = threads;
  state.counters["huge_fraction"] = (uses_out ? out : x).huge_fraction();
  state.SetLabel(isa.isa);
}

std::string g_pages;  // --bw-pages

// The sizes a run samples: the quick run takes every other size (a level's bandwidth is read
// off an interval of the curve the latency sweep found, which half the points still cover); a
// time budget (--time-scale) halves the points again: still every level, fewer per octave.
std::vector<uint64_t> sampled_sizes(const RunConfig& config, size_t& step) {
  std::vector<uint64_t> sizes = options().sizes();
  step = (config.quick() && sizes.size() > 8 ? 2 : 1) * (time_scale() < 0.6 ? 2 : 1);
  if (step == 1) return sizes;
  std::vector<uint64_t> fewer;
  for (size_t i = 0; i < sizes.size(); ++i)
    if (i % step == 0 || i + 1 == sizes.size()) fewer.push_back(sizes[i]);
  return fewer;
}

// Where memory's figures are read: past 4x the last-level cache.
uint64_t memory_from_bytes() {
  return 4 * topology().llc_bytes_total();
}

std::vector<Pages> bandwidth_pages() {
  std::vector<Pages> pages;
  for (const std::string& p : split_list(g_pages)) pages.push_back(parse_pages(p));
  if (pages.empty()) pages = {Pages::huge};
  return pages;
}

void add_stream(const RunConfig& config, const StreamKernel& k, const ThreadPlacement& place,
                uint64_t bytes, Pages p, const std::string& suffix = "") {
  const std::string name = std::string("cpu.bw/") + k.name + "/pages:" + to_string(p) +
                           "/threads:" + std::to_string(place.threads) +
                           "/bytes:" + std::to_string(bytes) + suffix;
  add_benchmark(
      name,
      [&k, cpus = place.cpus, bytes, p](benchmark::State& state) {
        run_stream(state, k, pool_for(cpus), bytes, p);
      },
      // Quick: a cache's sample of 0.05 s is still thousands of passes.
      config.quick() && bytes < memory_from_bytes() ? kSampleSeconds / 2 : kSampleSeconds,
      Estimate{
          nominal::touch_s(static_cast<double>(bytes), place.threads) +
              nominal::stream_s(static_cast<double>(bytes), place.threads),
          false,
          nominal::stream_s(static_cast<double>(std::max(bytes, kRegionBytes)), place.threads)});
}

void register_bandwidth(const RunConfig& config) {
  const CpuOptions& opt = options();
  const std::vector<Pages> pages = bandwidth_pages();
  size_t step = 1;
  const std::vector<uint64_t> sizes = sampled_sizes(config, step);
  // Quick: the caches' bandwidths come from `read`, memory's from triad (and triad_nt, copy
  // beside it) past 4x the last-level cache: the other kernels only there; the placements
  // other than all cores (where memory bandwidth steps: one core, one per L3, a NUMA node, a
  // package) run triad at the first size there only.
  const uint64_t memory_from = memory_from_bytes();
  const auto first_memory_size =
      std::find_if(sizes.begin(), sizes.end(), [&](uint64_t b) { return b >= memory_from; });
  const std::vector<ThreadPlacement> placements = opt.placements();
  std::string placed;
  for (const ThreadPlacement& t : placements)
    placed += (placed.empty() ? "" : "; ") + std::to_string(t.threads) + ": " + t.where;
  add_context("cpu_bw_threads", placed);
  if (config.quick() || step > 1)
    add_context("cpu_bw_sampling",
                std::string(config.quick() ? "quick: " : "") + "every " + std::to_string(step) +
                    (step == 2 ? "nd" : "th") + " size" +
                    (time_scale() < 0.6 ? " (time budget)" : "") +
                    (config.quick() ? "; read at every size, copy, triad and triad_nt from " +
                                          format_bytes(memory_from) +
                                          " (4x the last-level cache) only, and triad at the "
                                          "first such size on fewer than all cores; samples "
                                          "of 0.05 s below that size"
                                    : ""));
  for (const StreamKernel& k : stream_kernels()) {
    if (config.quick() && !k.in_quick) continue;
    for (Pages p : pages)
      for (const ThreadPlacement& place : placements)
        for (uint64_t bytes : sizes) {
          const bool all_cores = place.threads == static_cast<int>(topology().core_cpus.size());
          if (config.quick() && k.op != kRead && bytes < memory_from) continue;
          if (config.quick() && !all_cores &&
              (first_memory_size == sizes.end() || bytes != *first_memory_size || k.op != kTriad))
            continue;
          // Each thread at least a page of its own: below that the split is not the placement.
          if (bytes < static_cast<uint64_t>(place.threads) * 4096) continue;
          add_stream(config, k, place, bytes, p);
        }
  }
}

}  // namespace

namespace {

// The memory read the products are judged by, measured again once they ran (as
// `cpu.bw/read/.../after:xfmr`, in the run's second phase): on a shared host the bandwidth
// moves within a run, and the profile takes the better of the two moments.
void register_memory_read_again(const RunConfig& config) {
  size_t step = 1;
  const std::vector<uint64_t> sizes = sampled_sizes(config, step);
  const auto at =
      std::find_if(sizes.begin(), sizes.end(), [](uint64_t b) { return b >= memory_from_bytes(); });
  const std::vector<ThreadPlacement> placements = options().placements();
  if (at == sizes.end() || placements.empty()) return;
  const ThreadPlacement& most = *std::max_element(
      placements.begin(), placements.end(),
      [](const ThreadPlacement& a, const ThreadPlacement& b) { return a.threads < b.threads; });
  for (const StreamKernel& k : stream_kernels())
    if (k.op == kRead) add_stream(config, k, most, *at, bandwidth_pages().front(), "/after:xfmr");
}

const bool registered =
    add_family({"cpu.bw",
                [](Flags& flags) {
                  flags.add("--bw-pages", g_pages, "page size for bandwidth: huge, 4k or huge,4k");
                },
                register_bandwidth, register_memory_read_again});
// The read measured again after the products (the run's second phase): their roof, taken
// at the better of two moments of the run.
const bool again = declare_role({"cpu.bw", "read", {{"after", "*"}}, "bandwidth_again", "cpu", {}});
// Caches are quoted by their read bandwidth, memory by triad as STREAM counts it (non-temporal
// triad beside).
const bool roles = declare_role(
    {"cpu.bw",
     "",
     {},
     "bandwidth_curve",
     "cpu",
     {{"cache_kernel", "read"}, {"memory_kernel", "triad"}, {"beside_kernel", "triad_nt"}}});

}  // namespace

}  // namespace memwall::cpu
