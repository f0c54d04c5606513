// comm.p2p: GPU peer-to-peer between every pair of GPUs of this node, as nvbandwidth
// distinguishes it: the copy engines (cudaMemcpyPeerAsync) and the SMs (a kernel storing into
// the peer's memory), one way and both ways at once; and the latency of a 4-byte copy. The
// link between the two (NVLink or PCIe) is recorded from the CUDA runtime's P2P attributes.
// One GPU, or none: one skipped line.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_comm/gpu_plan.hpp"
#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/gpu_timing.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"

namespace memwall::comm {

namespace {

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
  }
}
#define COMM_CUDA(call) check_cuda((call), #call)

__global__ void store_into(const int4* __restrict__ from, int4* __restrict__ to, size_t n) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    to[i] = from[i];
}

__global__ void fill_pattern(unsigned* p, size_t n, unsigned seed) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    p[i] = static_cast<unsigned>(i) * 2654435761u + seed;
}

struct Peer {
  void* src = nullptr;
  void* dst = nullptr;
  cudaStream_t stream = nullptr;
};

void run_p2p(benchmark::State& state, int a, int b, bool engine, bool both, size_t bytes) {
  int access = 0;
  COMM_CUDA(cudaDeviceCanAccessPeer(&access, a, b));
  if (!access && !engine) {
    skip(state, "GPU " + std::to_string(a) + " cannot store into GPU " + std::to_string(b));
    return;
  }
  Peer ab, ba;  // ab: a's buffer copied into b's, ba: the other way
  for (auto [peer, from, to] : {std::tuple{&ab, a, b}, std::tuple{&ba, b, a}}) {
    COMM_CUDA(cudaSetDevice(from));
    if (access) cudaDeviceEnablePeerAccess(to, 0);  // already enabled is fine
    cudaGetLastError();
    COMM_CUDA(cudaMalloc(&peer->src, bytes));
    fill_pattern<<<128, 256>>>(static_cast<unsigned*>(peer->src), bytes / 4,
                               static_cast<unsigned>(from));
    COMM_CUDA(cudaStreamCreateWithFlags(&peer->stream, cudaStreamNonBlocking));
    COMM_CUDA(cudaSetDevice(to));
    COMM_CUDA(cudaMalloc(&peer->dst, bytes));
  }
  auto once = [&](Peer& p, int from, int to) {
    COMM_CUDA(cudaSetDevice(from));
    if (engine)
      COMM_CUDA(cudaMemcpyPeerAsync(p.dst, to, p.src, from, bytes, p.stream));
    else
      store_into<<<64, 512, 0, p.stream>>>(static_cast<const int4*>(p.src),
                                           static_cast<int4*>(p.dst), bytes / 16);
  };
  const int copies = static_cast<int>(std::clamp<size_t>((256ull << 20) / bytes, 1, 1000));
  // Each direction's stream held while its copies queue, both released together.
  const std::vector<GpuStream> streams = {{a, ab.stream}, {b, ba.stream}};
  auto region = [&] {
    return time_gpu(
        [&] {
          for (int c = 0; c < copies; ++c) {
            once(ab, a, b);
            if (both) once(ba, b, a);
          }
        },
        streams, copies <= 128);
  };
  region();
  const double seconds = measure(state, region);
  // The check: what arrived on b is what a filled in (a sample of it).
  std::vector<unsigned> got(std::min<size_t>(bytes / 4, 4096));
  COMM_CUDA(cudaSetDevice(b));
  COMM_CUDA(cudaMemcpy(got.data(), ab.dst, got.size() * 4, cudaMemcpyDeviceToHost));
  bool ok = true;
  for (size_t i = 0; i < got.size(); ++i)
    ok = ok && got[i] == static_cast<unsigned>(i) * 2654435761u + static_cast<unsigned>(a);
  for (auto [peer, from, to] : {std::tuple{&ab, a, b}, std::tuple{&ba, b, a}}) {
    cudaSetDevice(from);
    cudaFree(peer->src);
    cudaStreamDestroy(peer->stream);
    cudaSetDevice(to);
    cudaFree(peer->dst);
  }
  if (seconds == 0) return;
  if (!check_result(state, ok, "the peer's copy differs from the source")) return;
  Work work;
  work.bytes = static_cast<double>(bytes) * copies * (both ? 2 : 1);
  report_work(state, work, seconds);
  state.counters["bytes"] = static_cast<double>(bytes);
  int native = 0;
  cudaDeviceGetP2PAttribute(&native, cudaDevP2PAttrNativeAtomicSupported, a, b);
  state.counters["peer_access"] = access;
  state.counters["nvlink_like"] = native;  // native atomics over the link: NVLink, not PCIe
}

void register_p2p(const RunConfig& config) {
  if (mpi_active()) return;  // a node's own families run once, not on every rank
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count < 2) {
    const std::string why = count == 1 ? "needs two GPUs (this node has one)"
                                       : "needs two GPUs (no CUDA GPU or driver here)";
    cudaGetLastError();
    add_benchmark("comm.p2p/all", [why](benchmark::State& s) { skip(s, why); });
    return;
  }
  const bool quick = config.quick();
  std::vector<size_t> sizes = quick ? std::vector<size_t>{1 << 20, 256 << 20}
                                    : std::vector<size_t>{64 << 10, 1 << 20, 16 << 20, 256 << 20};
  const std::vector<std::pair<int, int>> pairs = p2p_pairs(count, config.mode, time_scale());
  add_context("p2p_pairs", p2p_sampling(count, config.mode, time_scale()));
  for (const std::pair<int, int>& pair : pairs)
    for (const bool engine : {true, false})
      for (const bool both : {false, true}) {
        const int a = pair.first, b = pair.second;
        // Both ways once per pair: from the lower index, or where the sample has only a -> b.
        if (both && b < a &&
            std::find(pairs.begin(), pairs.end(), std::make_pair(b, a)) != pairs.end())
          continue;
        for (size_t bytes : sizes)
          add_benchmark(std::string("comm.p2p/") + (engine ? "ce" : "sm") + "/" +
                            (both ? "bidir" : "uni") + "/from:" + std::to_string(a) +
                            "/to:" + std::to_string(b) + "/bytes:" + std::to_string(bytes),
                        [=](benchmark::State& s) { run_p2p(s, a, b, engine, both, bytes); });
      }
}

const bool registered = add_family("comm.p2p", register_p2p);
const bool roles = declare_role({"comm.p2p", "", {}, "peer_link", "comm", {}});

}  // namespace

}  // namespace memwall::comm
