// bench_cpu: the CPU's memory hierarchy (bandwidth, latency), peak arithmetic and Transformer
// products as Google Benchmark runs. Each family registers itself (core/registry.hpp).
#include <cstdio>

#include "bench_cpu/isa.hpp"
#include "bench_cpu/matmul.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/cycles.hpp"
#include "core/memory.hpp"
#include "core/models.hpp"
#include "core/peak.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  using namespace memwall;
  cpu::CpuOptions& opt = cpu::mutable_options();
  std::string min_bytes, max_bytes, threads, bw_pages, lat_pages, group = "256KiB";
  std::string chase_stride = "256";
  std::string models, batches, seqs, phases, xfmr_types, xfmr_max_bytes, gemm_sizes;
  int fma_units = 0, fma_bits = 0;
  BenchProgram program;
  program.name = "bench_cpu";
  program.add_options = [&](CLI::App& app) {
    app.add_option("--min-bytes", min_bytes, "smallest working set (default 4KiB)");
    app.add_option("--max-bytes", max_bytes,
                   "largest working set (default: 1GiB or 4x the last-level cache, the larger)");
    app.add_option("--points-per-octave", opt.points_per_octave, "sizes per doubling (default 4)")
        ->check(CLI::Range(1, 64));
    app.add_option("--threads", threads, "thread counts, e.g. 1,2 (default 1,2,4..cores)");
    app.add_option("--isa", opt.isa,
                   "vectors of the bandwidth kernels: auto (the widest that streams fastest: "
                   "AVX2 on AMD Zen 4, whose AVX-512 runs as 256-bit halves), avx512, avx2, "
                   "sse2 or generic");
    app.add_option("--bw-pages", bw_pages, "page size for bandwidth: huge, 4k or huge,4k");
    app.add_option("--lat-pages", lat_pages, "page sizes for latency (default huge,4k)");
    app.add_option("--tlb-group", group, "page-group size of the TLB-friendly chase (256KiB)");
    app.add_option("--chase-stride", chase_stride,
                   "bytes per pointer of the latency chase, a multiple of 64 (256, as multichase)");
    app.add_option("--model", models,
                   "Transformer models: catalog names or JSON files, comma-separated");
    app.add_option("--batch", batches, "batch sizes, e.g. 1,8");
    app.add_option("--seq", seqs, "sequence lengths (prefill tokens, decode KV cache), e.g. 512");
    app.add_option("--phase", phases, "prefill, decode or prefill,decode");
    app.add_option("--xfmr-type", xfmr_types, "number formats of the products: fp32, fp64");
    app.add_option("--xfmr-max-flops", opt.xfmr_max_flops, "skip products above this many FLOPs");
    app.add_option("--gemm-n", gemm_sizes,
                   "sizes n of the square GEMM, e.g. 4096 (default by mode)");
    app.add_option("--xfmr-max-bytes", xfmr_max_bytes,
                   "skip benchmarks whose operands exceed this");
    app.add_option("--fma-units", fma_units,
                   "FMA pipes per core for the theoretical peak (overrides the CPU table)")
        ->check(CLI::Range(1, 16));
    app.add_option("--fma-bits", fma_bits, "width of each FMA pipe in bits (128, 256, 512)")
        ->check(CLI::IsMember({128, 256, 512, 1024, 2048}));
  };
  program.prepare = [&] {
    opt.mode = run_mode() == RunMode::quick  ? cpu::Mode::quick
               : run_mode() == RunMode::full ? cpu::Mode::full
                                             : cpu::Mode::normal;
    if (!min_bytes.empty()) opt.min_bytes = parse_bytes(min_bytes);
    if (!max_bytes.empty()) opt.max_bytes = parse_bytes(max_bytes);
    if (opt.resolved_max_bytes() < opt.min_bytes)
      throw UsageError("--max-bytes is below --min-bytes");
    opt.tlb_group_bytes = parse_bytes(group);
    opt.chase_stride = parse_bytes(chase_stride);
    if (opt.chase_stride % 64 != 0 || opt.chase_stride > opt.tlb_group_bytes)
      throw UsageError("--chase-stride must be a multiple of 64 bytes, at most --tlb-group");
    if (!threads.empty()) opt.threads = parse_positive_list(threads, "thread count");
    for (const std::string& p : split_list(bw_pages)) opt.bw_pages.push_back(parse_pages(p));
    for (const std::string& p : split_list(lat_pages)) opt.lat_pages.push_back(parse_pages(p));
    for (const std::string& m : split_list(models))
      opt.models.push_back(m.find(".json") != std::string::npos ? load_model_file(m)
                                                                : find_model(m));
    if (!batches.empty()) opt.batches = parse_positive_list(batches, "batch size");
    if (!seqs.empty()) opt.seqs = parse_positive_list(seqs, "sequence length");
    if (!gemm_sizes.empty()) opt.gemm_sizes = parse_positive_list(gemm_sizes, "GEMM size");
    for (const std::string& p : split_list(phases)) {
      if (p == "prefill")
        opt.phases.push_back(Phase::prefill);
      else if (p == "decode")
        opt.phases.push_back(Phase::decode);
      else
        throw UsageError("unknown phase '" + p + "' (prefill, decode)");
    }
    for (const std::string& t : split_list(xfmr_types)) {
      cpu::parse_number(t);  // rejects formats the BLAS lacks, now
      opt.xfmr_types.push_back(t);
    }
    if (!xfmr_max_bytes.empty()) opt.xfmr_max_bytes = parse_bytes(xfmr_max_bytes);
    opt.thread_counts();  // rejects counts above the cores now, not mid-run
    cpu::select_isa(opt.isa);
    set_fma_override(fma_units, fma_bits);
    // Every benchmark thread is pinned by the pool before any benchmark runs (the caller is
    // thread 0, so a one-thread chase is pinned too); a failed pin is said, not hidden.
    if (!cpu::pool().pinned())
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
    add_context("tlb_group_bytes", std::to_string(opt.tlb_group_bytes));
    add_context("chase_stride_bytes", std::to_string(opt.chase_stride));
    std::string pins;
    for (int t = 0; t < cpu::pool().size(); ++t)
      pins += std::string(pins.empty() ? "" : ",") + (cpu::pool().pinned(t) ? "ok" : "failed");
    add_context("thread_pinning", pins);
    add_context("blas", cpu::blas_description());
    const FmaModel fma = detect_fma_model();
    add_context("fma_model", fma.uarch + ": " + fma.describe());
    add_context("clock_source", cycle_counter_available() ? "PMU cycles counted during each kernel"
                                                          : "add chain after the kernel (" +
                                                                cycle_counter_status() + ")");
    add_context("bytes_counting",
                "GBps: STREAM (read 1, write 1, copy/scale 2, add/triad 3 words per element); "
                "hw_GBps adds one word per plain store for write-allocate");
  };
  return bench_main(argc, argv, program);
}
