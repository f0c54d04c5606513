// How the storage benchmarks keep `queue_depth` I/Os in flight: io_uring through liburing
// (one thread, as fio's io_uring engine), or where the build or the kernel has none, one
// thread per queue slot doing pread/pwrite (as fio's psync engine with numjobs).
#pragma once
#include <cstdint>
#include <string>

#include "bench_io/io_target.hpp"
#include "core/timing.hpp"

namespace memwall::io {

struct IoJob {
  bool write = false, random = false;
  int queue_depth = 1;
  uint64_t block_bytes = 1 << 20;
  uint64_t ios = 0;  // per call of run_ios
};

// Where a job continues from one call to the next: the next sequential block, the random
// sequence's state.
struct IoCursor {
  uint64_t next_block = 0;
  uint64_t random_state = 0x9e3779b97f4a7c15ull;
  uint64_t take(const IoJob& job, uint64_t blocks);  // the next block index
};

struct IoOutcome {
  uint64_t completed = 0, bytes = 0;
  std::string error;  // a failed, short or unverified I/O
};

// The engine `--io-engine` resolves to on this machine and why ("io_uring (liburing 2.3)",
// "psync: ..."); `name` is io_uring or psync.
struct EngineChoice {
  std::string name, description;
};
const EngineChoice& engine_choice(const std::string& asked);

// Allocates what run_ios will use for this job (buffers, the ring), so no timed call pays it.
void prepare_engine(const IoJob& job);

// Runs job.ios I/Os against the target, every completion's latency into `times`.
IoOutcome run_ios(const IoJob& job, IoCursor& cursor, CompletionTimes& times);

}  // namespace memwall::io
