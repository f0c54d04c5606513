// bench_comm: the interconnect wall. Without --mpi: core-to-core latency, the NUMA matrix and
// the GPU families (peer-to-peer, NCCL) of this node. With --mpi, started by mpirun or srun:
// MPI point-to-point and collectives over every rank, rank 0 writing the one result file.
#include <algorithm>
#include <cstdio>

#include "bench_comm/collectives.hpp"
#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/memory.hpp"
#include "core/run_state.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  using namespace memwall;
  using namespace memwall::comm;
  // --mpi is read before anything else: MPI must start before the benchmarks register.
  bool want_mpi = false;
  for (int i = 1; i < argc; ++i) want_mpi = want_mpi || std::string(argv[i]) == "--mpi";
  if (want_mpi) {
    std::string why;
    if (!mpi_start(&argc, &argv, why)) {
      std::fprintf(stderr, "bench_comm: error: --mpi: %s\n", why.c_str());
      return 2;
    }
  }
  CommOptions& opt = mutable_options();
  std::string min_bytes, max_bytes, collectives;
  BenchProgram program;
  program.name = "bench_comm";
  program.part = "comm";
  program.runs_under_mpi = true;
  program.add_options = [&](Flags& flags) {
    flags.add("--mpi", opt.mpi, "run the MPI families (start under mpirun or srun)");
    flags.add("--min-bytes", min_bytes, "smallest message (default 1 B, 8 B collectives)");
    flags.add("--max-bytes", max_bytes, "largest message (default 64 MiB, quick 4 MiB)");
    flags.add("--collectives", collectives,
              "allreduce,allgather,reduce_scatter,broadcast,reduce,alltoall (default all)");
  };
  program.prepare = [&] {
    if (!min_bytes.empty()) opt.min_bytes = parse_bytes(min_bytes);
    if (!max_bytes.empty()) opt.max_bytes = parse_bytes(max_bytes);
    if (opt.min_bytes && opt.max_bytes && opt.max_bytes < opt.min_bytes)
      throw UsageError("--max-bytes is below --min-bytes");
    // A collective's send and receive buffers, on every rank of this node, must fit in memory
    // (the MPI point-to-point family checks its window of messages itself).
    const uint64_t largest = opt.largest_message(RunConfig{run_mode()});
    const uint64_t need = largest * 2 * static_cast<uint64_t>(std::max(1, mpi_size()));
    const uint64_t available = memory_available_bytes();
    if (available > 0 && need > available)
      throw UsageError("messages of " + format_bytes(largest) + " need " + format_bytes(need) +
                       " on this node, above the " + format_bytes(available) +
                       " available (lower --max-bytes)");
    for (const std::string& c : split_list(collectives)) opt.collectives.push_back(c);
    for (const std::string& c : opt.collectives) (void)comm_collective_known(c);
  };
  program.add_context = [&] {
    add_context("mpi", mpi_active() ? launcher() + ", " + std::to_string(mpi_size()) + " ranks"
                                    : "not used");
    if (mpi_active()) {
      std::string hosts;
      for (const std::string& h : rank_hosts()) hosts += (hosts.empty() ? "" : ",") + h;
      add_context("rank_hosts", hosts);
    }
    add_context("bytes_counting",
                "MPI p2p: bytes per message (bibw both ways), as OSU; collectives: algbw = size / "
                "time, busbw = algbw x nccl-tests' factor (allreduce 2(n-1)/n; allgather, "
                "reduce_scatter, alltoall (n-1)/n; broadcast, reduce 1)");
  };
  if (mpi_active()) {
    // The other ranks on this host are this run's own work, not another process's load.
    const auto& hosts = rank_hosts();
    if (static_cast<size_t>(mpi_rank()) < hosts.size())
      state_window().set_siblings(
          static_cast<int>(std::count(hosts.begin(), hosts.end(), hosts[mpi_rank()])) - 1);
    program.is_primary = [] { return mpi_rank() == 0; };
    program.agree_seconds = slowest_seconds;
  }
  const int rc = bench_main(argc, argv, program);
  mpi_stop();
  return rc;
}
