// bench_comm's command line, as its families read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/buffer.hpp"

namespace memwall::comm {

enum class Mode { quick, normal, full };

struct CommOptions {
  Mode mode = Mode::normal;
  bool mpi = false;                      // run the MPI families (under mpirun or srun)
  uint64_t min_bytes = 0;                // message sizes; 0: by family (1 B p2p, 8 B collectives)
  uint64_t max_bytes = 0;                // 0: 64 MiB (quick 4 MiB)
  std::vector<std::string> collectives;  // empty: all
  int window = 64;                       // messages in flight for bandwidth, as osu_bw
  int c2c_rounds = 20000;                // round trips per timed region of the core-to-core test
  Pages mpi_pages = Pages::small4k;      // MPI message buffers

  // Message sizes from `floor` (or --min-bytes) doubling to the maximum; quick takes every
  // fourth.
  std::vector<uint64_t> message_sizes(uint64_t floor) const;
};

const CommOptions& options();
CommOptions& mutable_options();

}  // namespace memwall::comm
