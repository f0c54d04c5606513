// bench_comm's own command line (message sizes, the collectives, whether it runs under MPI);
// each family declares the rest of its flags itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/registry.hpp"

namespace memwall::comm {

struct CommOptions {
  bool mpi = false;                      // run the MPI families (under mpirun or srun)
  uint64_t min_bytes = 0;                // message sizes; 0: by family (1 B p2p, 8 B collectives)
  uint64_t max_bytes = 0;                // 0: 64 MiB (quick 4 MiB)
  std::vector<std::string> collectives;  // empty: all
  int c2c_rounds = 20000;                // round trips per timed region of the core-to-core test

  // Message sizes from `floor` (or --min-bytes) doubling to the maximum; quick takes every
  // fourth.
  std::vector<uint64_t> message_sizes(uint64_t floor, const RunConfig& config) const;
  uint64_t largest_message(const RunConfig& config) const;
};

const CommOptions& options();
CommOptions& mutable_options();

}  // namespace memwall::comm
