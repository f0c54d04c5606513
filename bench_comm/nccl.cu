// comm.nccl: NCCL collectives as nccl-tests runs them: all_reduce, all_gather, reduce_scatter,
// broadcast, reduce, alltoall (grouped sends and receives, as nccl-tests does it) and sendrecv
// (a ring), over every GPU of this node from one process, or under MPI over one GPU per rank
// on every node, bootstrapped through MPI. 8 B to 8 GiB (capped by memory), in place and out
// of place; algbw and busbw with nccl-tests' factors (collectives.hpp); every GPU's result
// checked from fresh inputs. No GPU or NCCL: one skipped line.
#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_comm/collectives.hpp"
#include "bench_comm/gpu_plan.hpp"
#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"

#ifdef MEMWALL_HAVE_MPI
#include <mpi.h>
#endif

namespace memwall::comm {

namespace {

void cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
  }
}
void nccl(ncclResult_t r, const char* what) {
  if (r != ncclSuccess)
    throw std::runtime_error(std::string("NCCL: ") + what + ": " + ncclGetErrorString(r));
}
#define NCCL_CUDA(call) cuda((call), #call)
#define NCCL_CALL(call) nccl((call), #call)

__global__ void fill_input(float* p, size_t n, int rank) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    p[i] = static_cast<float>(rank + 1) + static_cast<float>(i % 5);  // input_value()
}

// The ranks this process drives: every GPU of the node, or one GPU under MPI.
struct World {
  std::vector<int> devices;
  std::vector<ncclComm_t> comms;
  std::vector<cudaStream_t> streams;
  int first_rank = 0, ranks = 0;
};

// Under MPI one world of every rank; on one node, one world per GPU count measured (the first
// `gpus` GPUs), made on first use.
World& world(int gpus) {
  static std::map<int, World> worlds;
  auto found = worlds.find(gpus);
  if (found != worlds.end()) return found->second;
  World& made = worlds[gpus] = [gpus] {
    World w;
    int count = 0;
    NCCL_CUDA(cudaGetDeviceCount(&count));
    if (mpi_active()) {
#ifdef MEMWALL_HAVE_MPI
      // One GPU per rank: the rank's place among the ranks of its node picks it.
      int local = 0;
      for (int r = 0; r < mpi_rank(); ++r) local += rank_hosts()[r] == rank_hosts()[mpi_rank()];
      w.devices = {local % count};
      w.first_rank = mpi_rank();
      w.ranks = mpi_size();
      ncclUniqueId id;
      if (mpi_rank() == 0) NCCL_CALL(ncclGetUniqueId(&id));
      MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
      NCCL_CUDA(cudaSetDevice(w.devices[0]));
      w.comms.resize(1);
      NCCL_CALL(ncclCommInitRank(&w.comms[0], w.ranks, id, w.first_rank));
#endif
    } else {
      const int n = std::min(gpus, count);
      for (int d = 0; d < n; ++d) w.devices.push_back(d);
      w.ranks = n;
      w.comms.resize(static_cast<size_t>(n));
      NCCL_CALL(ncclCommInitAll(w.comms.data(), n, w.devices.data()));
    }
    for (int d : w.devices) {
      NCCL_CUDA(cudaSetDevice(d));
      cudaStream_t s;
      NCCL_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
      w.streams.push_back(s);
    }
    return w;
  }();
  return made;
}

struct Buffers {
  std::vector<float*> send, recv;
};

void issue(const CollectiveInfo& c, bool in_place, Buffers& b, const Counts& n, World& w) {
  NCCL_CALL(ncclGroupStart());
  for (size_t i = 0; i < w.devices.size(); ++i) {
    const int rank = w.first_rank + static_cast<int>(i);
    float* send = in_place ? b.recv[i] : b.send[i];
    ncclComm_t comm = w.comms[i];
    cudaStream_t s = w.streams[i];
    const size_t per = c.kind == Collective::all_to_all ? n.send / w.ranks : n.send;
    switch (c.kind) {
      case Collective::all_reduce:
        NCCL_CALL(ncclAllReduce(send, b.recv[i], n.recv, ncclFloat, ncclSum, comm, s));
        break;
      case Collective::all_gather:
        NCCL_CALL(ncclAllGather(in_place ? b.recv[i] + rank * per : send, b.recv[i], per, ncclFloat,
                                comm, s));
        break;
      case Collective::reduce_scatter:
        NCCL_CALL(ncclReduceScatter(send, in_place ? b.recv[i] + rank * n.recv : b.recv[i], n.recv,
                                    ncclFloat, ncclSum, comm, s));
        break;
      case Collective::broadcast:
        NCCL_CALL(ncclBroadcast(b.recv[i], b.recv[i], n.recv, ncclFloat, 0, comm, s));
        break;
      case Collective::reduce:
        NCCL_CALL(ncclReduce(send, b.recv[i], n.recv, ncclFloat, ncclSum, 0, comm, s));
        break;
      case Collective::all_to_all:  // grouped sends and receives, as nccl-tests' alltoall
        for (int peer = 0; peer < w.ranks; ++peer) {
          NCCL_CALL(ncclSend(send + peer * per, per, ncclFloat, peer, comm, s));
          NCCL_CALL(ncclRecv(b.recv[i] + peer * per, per, ncclFloat, peer, comm, s));
        }
        break;
    }
  }
  NCCL_CALL(ncclGroupEnd());
}

void sync_all(World& w) {
  for (size_t i = 0; i < w.devices.size(); ++i) {
    NCCL_CUDA(cudaSetDevice(w.devices[i]));
    NCCL_CUDA(cudaStreamSynchronize(w.streams[i]));
  }
}

void fill(const CollectiveInfo& c, bool in_place, Buffers& b, const Counts& n, World& w) {
  for (size_t i = 0; i < w.devices.size(); ++i) {
    const int rank = w.first_rank + static_cast<int>(i);
    NCCL_CUDA(cudaSetDevice(w.devices[i]));
    fill_input<<<256, 256, 0, w.streams[i]>>>(b.send[i], n.send, rank);
    NCCL_CUDA(cudaMemsetAsync(b.recv[i], 0, std::max(n.send, n.recv) * 4, w.streams[i]));
    if (c.kind == Collective::broadcast && rank == 0)
      fill_input<<<256, 256, 0, w.streams[i]>>>(b.recv[i], n.recv, 0);
    else if (in_place && c.kind == Collective::all_gather) {
      const size_t per = n.send;
      NCCL_CUDA(cudaMemcpyAsync(b.recv[i] + rank * per, b.send[i], per * 4,
                                cudaMemcpyDeviceToDevice, w.streams[i]));
    } else if (in_place) {
      NCCL_CUDA(cudaMemcpyAsync(b.recv[i], b.send[i], n.send * 4, cudaMemcpyDeviceToDevice,
                                w.streams[i]));
    }
  }
  sync_all(w);
}

void run_nccl(benchmark::State& state, const CollectiveInfo& c, bool in_place, size_t bytes,
              int gpus) {
  World& w = world(gpus);
  const Counts n = counts(c.kind, bytes, w.ranks);
  Buffers b;
  for (int d : w.devices) {
    NCCL_CUDA(cudaSetDevice(d));
    float* s = nullptr;
    float* r = nullptr;
    NCCL_CUDA(cudaMalloc(&s, std::max<size_t>(n.send, 1) * 4));
    NCCL_CUDA(cudaMalloc(&r, std::max(n.send, n.recv) * 4 + 4));
    b.send.push_back(s);
    b.recv.push_back(r);
  }
  fill(c, in_place, b, n, w);
  issue(c, in_place, b, n, w);  // warm-up
  sync_all(w);
  const int iters = static_cast<int>(std::clamp<uint64_t>((1ull << 30) / bytes, 1, 100));
  // Every GPU's stream drained first; the slowest rank's time (under MPI) is the collective's.
  const double seconds = measure(state, [&] {
    return time_after([&] { sync_all(w); },
                      [&] {
                        for (int k = 0; k < iters; ++k) issue(c, in_place, b, n, w);
                        sync_all(w);
                      });
  });
  std::string wrong;
  if (seconds > 0) {
    fill(c, in_place, b, n, w);
    issue(c, in_place, b, n, w);
    sync_all(w);
    for (size_t i = 0; i < w.devices.size() && wrong.empty(); ++i) {
      const int rank = w.first_rank + static_cast<int>(i);
      const size_t results = c.kind == Collective::reduce_scatter ? n.recv : n.recv;
      const size_t offset = in_place && c.kind == Collective::reduce_scatter ? rank * n.recv : 0;
      std::vector<float> got(results);
      NCCL_CUDA(cudaSetDevice(w.devices[i]));
      NCCL_CUDA(cudaMemcpy(got.data(), b.recv[i] + offset, results * 4, cudaMemcpyDeviceToHost));
      wrong = check_collective(c.kind, rank, w.ranks, got.data(), results);
    }
  }
  for (size_t i = 0; i < w.devices.size(); ++i) {
    cudaSetDevice(w.devices[i]);
    cudaFree(b.send[i]);
    cudaFree(b.recv[i]);
  }
  if (seconds == 0) return;
  if (!check_result(state, all_ranks_ok(wrong.empty()),
                    wrong.empty() ? "another rank's result is wrong" : wrong))
    return;
  report_collective(state, static_cast<double>(n.bytes), bus_factor(c.kind, w.ranks), w.ranks,
                    iters, seconds);
}

void register_nccl(const RunConfig& config) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    if (!mpi_active())
      add_benchmark("comm.nccl/all", [](benchmark::State& s) {
        skip(s, "needs a CUDA GPU and driver (none here)");
      });
    return;
  }
  // Under MPI: every rank. On one node: 2, 4, 8, ... GPUs and all of them; below all of them
  // all_reduce alone, the collective whose bus bandwidth compares across counts.
  const std::vector<int> rank_counts =
      mpi_active() ? std::vector<int>{mpi_size()} : nccl_rank_counts(count);
  if (!mpi_active()) {
    std::string list;
    for (int k : rank_counts) list += (list.empty() ? "" : ", ") + std::to_string(k);
    add_context("nccl_gpu_counts", list + " GPUs (all_reduce below " + std::to_string(count) +
                                       ", every collective at " + std::to_string(count) + ")");
  }
  // Largest: 8 GiB, or what two buffers per GPU leave of a quarter of its memory, or
  // --max-bytes; smallest 8 B or --min-bytes.
  cudaDeviceProp p{};
  cudaGetDeviceProperties(&p, 0);
  uint64_t cap = std::min<uint64_t>(8ull << 30, p.totalGlobalMem / 8);
  if (options().max_bytes) cap = std::min(cap, options().max_bytes);
  const uint64_t first = std::max<uint64_t>(8, options().min_bytes);
  std::vector<const CollectiveInfo*> chosen;
  for (const std::string& name : options().collectives) chosen.push_back(&find_collective(name));
  if (chosen.empty())
    for (const CollectiveInfo& c : collectives()) chosen.push_back(&c);
  for (const int ranks : rank_counts)
    for (const CollectiveInfo* c : chosen)
      for (const bool in_place : {false, true}) {
        if (ranks != rank_counts.back() && c->kind != Collective::all_reduce) continue;
        if (in_place && (!c->in_place || c->kind == Collective::all_to_all)) continue;
        for (uint64_t bytes = first; bytes <= cap; bytes *= config.quick() ? 64 : 4) {
          const Counts n = counts(c->kind, bytes, ranks);
          if (n.send == 0) continue;  // not one element per rank
          // Named by the size counted: the count rounded to the ranks, as nccl-tests prints it.
          add_benchmark(std::string("comm.nccl/") + c->name + "/inplace:" + (in_place ? "1" : "0") +
                            "/ranks:" + std::to_string(ranks) + "/bytes:" + std::to_string(n.bytes),
                        [c, in_place, bytes, ranks](benchmark::State& s) {
                          run_nccl(s, *c, in_place, bytes, ranks);
                        });
        }
      }
}

const bool registered = add_family("comm.nccl", register_nccl);
const bool roles = declare_role(
    {"comm.nccl", "", {}, "collective", "comm", {{"library", "NCCL"}, {"ranks_on", "gpu"}}});

}  // namespace

}  // namespace memwall::comm
