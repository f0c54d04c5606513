// comm.mpi/<collective>: allreduce, allgather, reduce_scatter, broadcast, reduce and alltoall
// over every rank, in place and out of place, timed as the slowest rank's time per call and
// reported as algbw and busbw with nccl-tests' definitions (bench_comm/collectives.hpp). After
// the timing every rank checks its result from fresh inputs.
#ifdef MEMWALL_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <vector>

#include "bench_comm/collectives.hpp"
#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"

namespace memwall::comm {

namespace {

struct Buffers {
  std::vector<float> send, recv;
};

// Fresh inputs: in place, the input sits where the result will be.
void fill(Buffers& b, Collective c, bool in_place, int rank, int ranks, const Counts& n) {
  for (size_t i = 0; i < n.send; ++i) b.send[i] = input_value(rank, i);
  std::fill(b.recv.begin(), b.recv.end(), -1.0f);
  if (c == Collective::broadcast && rank == 0)
    for (size_t i = 0; i < n.recv; ++i) b.recv[i] = input_value(0, i);
  if (!in_place) return;
  if (c == Collective::all_gather)
    for (size_t i = 0; i < n.send; ++i)
      b.recv[static_cast<size_t>(rank) * n.send + i] = input_value(rank, i);
  else if (c == Collective::reduce_scatter)
    b.recv = b.send;  // the whole input; the result lands in the first part
  else
    for (size_t i = 0; i < n.send && i < b.recv.size(); ++i) b.recv[i] = input_value(rank, i);
  (void)ranks;
}

void call(Collective c, bool in_place, Buffers& b, const Counts& n, int ranks) {
  const int rank = mpi_rank();
  void* own = in_place ? MPI_IN_PLACE : static_cast<void*>(b.send.data());
  const int per = static_cast<int>(c == Collective::all_to_all ? n.send / ranks : n.send);
  switch (c) {
    case Collective::all_reduce:
      MPI_Allreduce(own, b.recv.data(), static_cast<int>(n.recv), MPI_FLOAT, MPI_SUM,
                    MPI_COMM_WORLD);
      break;
    case Collective::all_gather:
      MPI_Allgather(own, per, MPI_FLOAT, b.recv.data(), per, MPI_FLOAT, MPI_COMM_WORLD);
      break;
    case Collective::reduce_scatter:
      MPI_Reduce_scatter_block(own, b.recv.data(), static_cast<int>(n.recv), MPI_FLOAT, MPI_SUM,
                               MPI_COMM_WORLD);
      break;
    case Collective::broadcast:
      MPI_Bcast(b.recv.data(), static_cast<int>(n.recv), MPI_FLOAT, 0, MPI_COMM_WORLD);
      break;
    case Collective::reduce:
      MPI_Reduce(in_place && rank == 0 ? MPI_IN_PLACE : static_cast<void*>(b.send.data()),
                 b.recv.data(), static_cast<int>(n.recv), MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD);
      break;
    case Collective::all_to_all:
      MPI_Alltoall(own, per, MPI_FLOAT, b.recv.data(), per, MPI_FLOAT, MPI_COMM_WORLD);
      break;
  }
}

void run_collective(benchmark::State& state, const CollectiveInfo& info, bool in_place,
                    size_t bytes) {
  const int ranks = mpi_size(), rank = mpi_rank();
  const Counts n = counts(info.kind, bytes, ranks);
  Buffers b;
  b.send.assign(std::max<size_t>(1, n.send), 0);
  b.recv.assign(
      std::max<size_t>(1, info.kind == Collective::reduce_scatter && in_place ? n.send : n.recv),
      0);
  fill(b, info.kind, in_place, rank, ranks, n);
  const int iters = static_cast<int>(std::clamp<uint64_t>((64ull << 20) / bytes, 1, 200));
  call(info.kind, in_place, b, n, ranks);  // warm-up
  const double seconds = measure(state, [&] {
    return time_after([] { MPI_Barrier(MPI_COMM_WORLD); },
                      [&] {
                        for (int i = 0; i < iters; ++i) call(info.kind, in_place, b, n, ranks);
                      });
  });
  if (seconds == 0) return;
  fill(b, info.kind, in_place, rank, ranks, n);
  call(info.kind, in_place, b, n, ranks);
  const std::string wrong = check_collective(info.kind, rank, ranks, b.recv.data(), n.recv);
  if (!check_result(state, all_ranks_ok(wrong.empty()),
                    wrong.empty() ? "another rank's result is wrong" : wrong))
    return;
  report_collective(state, static_cast<double>(n.bytes), bus_factor(info.kind, ranks), ranks, iters,
                    seconds);
}

void register_collectives(const RunConfig& config) {
  if (!mpi_active() || mpi_size() < 2) return;
  std::vector<const CollectiveInfo*> chosen;
  for (const std::string& name : options().collectives) chosen.push_back(&find_collective(name));
  if (chosen.empty())
    for (const CollectiveInfo& c : collectives()) chosen.push_back(&c);
  const int ranks = mpi_size();
  for (const CollectiveInfo* c : chosen)
    for (const bool in_place : {false, true}) {
      if (in_place && !c->in_place) continue;
      for (uint64_t bytes : options().message_sizes(8, config)) {
        const Counts n = counts(c->kind, bytes, ranks);
        if (n.send == 0) continue;  // not one element per rank
        // Named by the size counted, as nccl-tests prints it (the count rounded to the ranks).
        add_benchmark(std::string("comm.mpi/") + c->mpi_name +
                          "/inplace:" + (in_place ? "1" : "0") + "/ranks:" + std::to_string(ranks) +
                          "/bytes:" + std::to_string(n.bytes),
                      [c, in_place, bytes](benchmark::State& state) {
                        run_collective(state, *c, in_place, bytes);
                      },
                      0, {nominal::message_s(static_cast<double>(bytes)) / 4});
      }
    }
}

const bool registered = add_family("comm.mpi.collectives", register_collectives);
const bool roles = declare_role(
    {"comm.mpi", "", {}, "collective", "comm", {{"library", "MPI"}, {"ranks_on", "cpu"}}});

}  // namespace

}  // namespace memwall::comm
#endif
