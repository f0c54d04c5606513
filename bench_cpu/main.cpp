// bench_cpu: the CPU's memory hierarchy (bandwidth, latency), peak arithmetic and Transformer
// products as Google Benchmark runs. Each family registers itself (core/registry.hpp) with its
// own flags; these are the ones every family shares.
#include <cstdio>

#include "bench_cpu/isa.hpp"
#include "bench_cpu/matmul.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/memory.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  using namespace memwall;
  cpu::CpuOptions& opt = cpu::mutable_options();
  std::string min_bytes, max_bytes, threads;
  BenchProgram program;
  program.name = "bench_cpu";
  program.part = "cpu";
  program.add_options = [&](Flags& flags) {
    flags.add("--min-bytes", min_bytes, "smallest working set (default 4KiB)");
    flags.add("--max-bytes", max_bytes,
              "largest working set (default: 1GiB or 4x the last-level cache, the larger)");
    flags.add("--points-per-octave", opt.points_per_octave, "sizes per doubling (default 4)")
        .range(1, 64);
    flags.add("--threads", threads, "thread counts, e.g. 1,2 (default 1,2,4..cores)");
    flags.add("--isa", opt.isa,
              "vectors of the bandwidth kernels: auto (the widest that streams fastest: "
              "AVX2 on AMD Zen 4, whose AVX-512 runs as 256-bit halves), avx512, avx2, "
              "sse2 or generic");
  };
  program.prepare = [&] {
    if (!min_bytes.empty()) opt.min_bytes = parse_bytes(min_bytes);
    if (!max_bytes.empty()) opt.max_bytes = parse_bytes(max_bytes);
    if (opt.resolved_max_bytes() < opt.min_bytes)
      throw UsageError("--max-bytes is below --min-bytes");
    if (!threads.empty()) opt.threads = parse_positive_list(threads, "thread count");
    opt.placements();  // rejects counts above the cores now, not mid-run
    cpu::select_isa(opt.isa);
    // Every benchmark thread is pinned by the pool before any benchmark runs (the caller is
    // thread 0, so a one-thread chase is pinned too); a failed pin is said, not hidden.
    if (!topology().foreign && !cpu::pool().pinned())
      std::fprintf(stderr,
                   "bench_cpu: warning: could not pin every thread to its core "
                   "(results may move between cores)\n");
    // Refused before anything is allocated: the largest array set must fit in free memory.
    const uint64_t available = memory_available_bytes();
    if (available > 0 && opt.resolved_max_bytes() > available)
      throw UsageError("working set " + format_bytes(opt.resolved_max_bytes()) + " is above the " +
                       format_bytes(available) + " of memory available (lower --max-bytes)");
  };
  program.counts_memory_reads = true;
  program.counted_threads = [] {  // the workers: thread 0 is the caller, counted anyway
    std::vector<int> ids = cpu::pool().os_ids();
    ids.erase(ids.begin());
    return ids;
  };
  program.add_context = [&] {
    const std::string isa = cpu::select_isa(opt.isa).isa;
    add_context("isa", opt.isa == "auto" && isa == "avx2" && cpu::cpu_supports("avx512")
                           ? isa + " (AVX-512 runs as two 256-bit halves on this CPU)"
                           : isa);
    std::string pins;
    for (int t = 0; t < cpu::pool().size(); ++t)
      pins += std::string(pins.empty() ? "" : ",") + (cpu::pool().pinned(t) ? "ok" : "failed");
    add_context("thread_pinning", pins);
    add_context("blas", cpu::blas_description());
    add_context("bytes_counting",
                "GBps: STREAM (read 1, write 1, copy/scale 2, add/triad 3 words per element); "
                "hw_GBps adds one word per plain store for write-allocate");
  };
  return bench_main(argc, argv, program);
}
