// bench_cpu: the CPU memory hierarchy (bandwidth and latency) as Google Benchmark runs.
#include "bench_cpu/isa.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  using namespace memwall;
  cpu::CpuOptions& opt = cpu::mutable_options();
  std::string min_bytes, max_bytes, threads, bw_pages, lat_pages, group = "256KiB";
  BenchProgram program;
  program.name = "bench_cpu";
  program.add_options = [&](CLI::App& app) {
    app.add_option("--min-bytes", min_bytes, "smallest working set (default 4KiB)");
    app.add_option("--max-bytes", max_bytes,
                   "largest working set (default: 1GiB or 4x the last-level cache, the larger)");
    app.add_option("--points-per-octave", opt.points_per_octave, "sizes per doubling (default 4)")
        ->check(CLI::Range(1, 64));
    app.add_option("--threads", threads, "thread counts, e.g. 1,2 (default 1,2,4..cores)");
    app.add_option("--isa", opt.isa, "auto, avx512, avx2, sse2 or generic (default auto)");
    app.add_option("--bw-pages", bw_pages, "page size for bandwidth: huge, 4k or huge,4k");
    app.add_option("--lat-pages", lat_pages, "page sizes for latency (default huge,4k)");
    app.add_option("--tlb-group", group, "page-group size of the TLB-friendly chase (256KiB)");
  };
  program.register_benchmarks = [&] {
    opt.mode = run_mode() == RunMode::quick  ? cpu::Mode::quick
               : run_mode() == RunMode::full ? cpu::Mode::full
                                             : cpu::Mode::normal;
    if (!min_bytes.empty()) opt.min_bytes = parse_bytes(min_bytes);
    if (!max_bytes.empty()) opt.max_bytes = parse_bytes(max_bytes);
    if (opt.resolved_max_bytes() < opt.min_bytes)
      throw UsageError("--max-bytes is below --min-bytes");
    opt.tlb_group_bytes = parse_bytes(group);
    if (!threads.empty()) opt.threads = parse_positive_list(threads, "thread count");
    auto pages_list = [](const std::string& text) {
      std::vector<Pages> out;
      if (text.empty()) return out;
      size_t start = 0;
      while (start <= text.size()) {
        const size_t end = std::min(text.find(',', start), text.size());
        out.push_back(parse_pages(text.substr(start, end - start)));
        start = end + 1;
      }
      return out;
    };
    opt.bw_pages = pages_list(bw_pages);
    opt.lat_pages = pages_list(lat_pages);
    opt.thread_counts();  // rejects counts above the cores now, not mid-run
    cpu::select_isa(opt.isa);
    cpu::register_families(opt);
  };
  program.add_context = [&] {
    add_context("isa", cpu::select_isa(opt.isa).isa);
    add_context("tlb_group_bytes", std::to_string(opt.tlb_group_bytes));
    add_context("bytes_counting",
                "GBps: STREAM (read 1, write 1, copy/scale 2, add/triad 3 words per element); "
                "hw_GBps adds one word per plain store for write-allocate");
  };
  return bench_main(argc, argv, program);
}
