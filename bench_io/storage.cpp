// io.seq, io.rand: storage, the hierarchy's last level. Sequential 1 MiB and random 4 KiB
// reads and writes at queue depths 1..32, with O_DIRECT (the device) and buffered (through the
// page cache), on a file of memwall's own (bench_io/io_target.hpp) or a block device, read
// only. Counted as fio counts: bytes (and I/Os) completed over the elapsed time, 1 GB/s = 1e9
// B/s; latency from each I/O's submission to its completion, percentiles over every one.
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_io/io_engine.hpp"
#include "bench_io/io_target.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/units.hpp"

namespace memwall::io {

namespace {

struct Variant {
  const char* family;  // io.seq
  const char* op;      // read
  bool random, write;
  uint64_t block_bytes;
};

constexpr Variant kVariants[] = {
    {"io.seq", "read", false, false, 1 << 20},
    {"io.seq", "write", false, true, 1 << 20},
    {"io.rand", "read", true, false, 4096},
    {"io.rand", "write", true, true, 4096},
};

// Enough I/Os per iteration that the queue is full for all but a sixteenth of it (it fills
// and drains once per iteration).
uint64_t ios_per_iteration(const Variant& v, int depth) {
  return static_cast<uint64_t>(std::max(v.random ? 256 : 64, (v.random ? 128 : 16) * depth));
}

void run_io(benchmark::State& state, const Variant& v, bool direct, int depth) {
  IoTarget& t = IoTarget::get();
  if (direct && !t.direct_works()) return skip(state, t.why_no_direct());
  if (!t.set_direct(direct)) throw std::runtime_error("cannot switch O_DIRECT on the test file");
  const IoJob job{v.write, v.random, depth, v.block_bytes, ios_per_iteration(v, depth)};
  prepare_engine(job);
  IoCursor cursor;
  CompletionTimes times;
  std::string error;
  const double seconds = measure(state, [&] {
    return time_after(
        [&] {  // buffered: nothing of the file in the page cache when a pass starts
          if (!direct) t.drop_cache(0, t.bytes());
        },
        [&] {
          const IoOutcome o = run_ios(job, cursor, times);
          if (error.empty()) error = o.error;
          // Buffered writes count once they reach the device, as fio's end_fsync.
          if (v.write && !direct && fdatasync(t.fd()) != 0 && error.empty())
            error = "fdatasync failed";
        });
  });
  if (seconds == 0) return;
  if (!check_result(state, error.empty(), error)) return;
  Work w;
  w.bytes = static_cast<double>(job.ios * job.block_bytes);
  if (v.random) w.rates = {{"iops", static_cast<double>(job.ios)}};
  report_work(state, w, seconds);
  report_completions(state, times);
  state.counters["queue_depth"] = depth;
  state.counters["file_bytes"] = static_cast<double>(t.bytes());
}

std::vector<int> depths(const RunConfig& config, bool direct, bool random) {
  if (direct) {
    if (config.quick()) return {1, 32};
    if (config.full()) return {1, 2, 4, 8, 16, 32};
    return {1, 4, 32};
  }
  if (config.quick()) return random ? std::vector<int>{} : std::vector<int>{1};
  if (config.full()) return {1, 32};
  return random ? std::vector<int>{} : std::vector<int>{1, 32};
}

void register_storage(const RunConfig& config) {
  constexpr uint64_t kGiB = 1ull << 30;
  check_target(config.quick() ? kGiB : config.full() ? 16 * kGiB : 4 * kGiB);
  const EngineChoice& engine = engine_choice(io_options().engine);
  std::string no_direct;
  const bool direct_ok = planning() || probe_direct(no_direct);  // a plan writes nothing
  add_target_context();
  add_context("io_engine", engine.description);
  add_context("io_direct", planning()  ? "not probed: a plan writes nothing"
                           : direct_ok ? "O_DIRECT works here"
                                       : no_direct);
  add_context("io_counting",
              "as fio: bytes and I/Os completed over the elapsed time (1 GB/s = 1e9 B/s); "
              "latency from each I/O's submission to its completion (fio's lat), percentiles by "
              "nearest rank over every completion");
  add_context("io_page_cache",
              "buffered: the file's pages are dropped before each pass (POSIX_FADV_DONTNEED, as "
              "fio's invalidate=1), so reads come from the device through the page cache; "
              "buffered writes end each pass with fdatasync (fio's end_fsync)");
  if (!direct_ok) std::fprintf(stderr, "bench_io: %s\n", no_direct.c_str());
  bool first = true;
  for (const bool direct : {true, false})
    for (const Variant& v : kVariants) {
      if (v.write && target_is_device()) continue;  // a device is never written
      for (const int depth : depths(config, direct, v.random)) {
        const std::string name =
            std::string(v.family) + "/" + v.op + "/mode:" + (direct ? "direct" : "buffered") +
            "/qd:" + std::to_string(depth) + "/bytes:" + std::to_string(v.block_bytes);
        Estimate e;
        if (first) e.setup_s = nominal::storage_write_s(static_cast<double>(planned_bytes()));
        first = false;
        add_benchmark(
            name, [v, direct, depth](benchmark::State& s) { run_io(s, v, direct, depth); },
            config.quick()  ? 0.25
            : config.full() ? 1.0
                            : 0.5,
            e);
      }
    }
}

const bool registered = add_family(
    {"io",
     [](Flags& flags) {
       IoOptions& o = io_options();
       flags.add("--io-dir", o.dir,
                 "folder of the test file (default: the result file's folder, else the "
                 "working one)");
       flags.add("--io-device", o.device, "a block device to read (never written)");
       flags.add("--io-size", o.size,
                 "test file size (default 1GiB quick, 4GiB, 16GiB full; at most a quarter of "
                 "the free space)");
       flags.add("--io-engine", o.engine, "auto (io_uring where it works), io_uring or psync");
     },
     register_storage});
const bool roles = declare_role({"io.seq", "", {}, "storage", "storage0", {{"pattern", "seq"}}}) &&
                   declare_role({"io.rand", "", {}, "storage", "storage0", {{"pattern", "rand"}}});

}  // namespace

}  // namespace memwall::io
