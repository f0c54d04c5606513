// gpu.pcie: the host link (PCIe or NVLink-C2C), as nvbandwidth distinguishes its cases: the
// copy engines (cudaMemcpyAsync) with pinned or pageable host memory, host-to-device,
// device-to-host and both at once; and the SMs loading or storing mapped pinned host memory.
// Plus the one-way latency of a 4-byte copy. Every copy is checked on the far side.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "bench_gpu/gpu_runtime.hpp"
#include "bench_gpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/gpu_timing.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/units.hpp"

namespace memwall::gpu {

namespace {

enum class Direction { h2d, d2h, both };

__global__ void sm_copy(const int4* __restrict__ from, int4* __restrict__ to, size_t n) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    to[i] = from[i];
}

unsigned char pattern(size_t i) {
  return static_cast<unsigned char>((i * 31 + 7) & 0xff);
}

bool sample_ok(const unsigned char* p, size_t bytes) {
  for (size_t i = 0; i < bytes; i += std::max<size_t>(1, bytes / 4096))
    if (p[i] != pattern(i)) return false;
  return p[bytes - 1] == pattern(bytes - 1);
}

void run_copy(benchmark::State& state, Direction dir, bool pinned, bool engine, size_t bytes) {
  // Host memory: pinned (mapped for the SMs), or pageable from the allocator.
  std::unique_ptr<PinnedBuffer> pin_src, pin_dst;
  std::vector<unsigned char> page_src, page_dst;
  unsigned char* host_src = nullptr;
  unsigned char* host_dst = nullptr;
  if (pinned) {
    pin_src = std::make_unique<PinnedBuffer>(bytes, !engine);
    pin_dst = std::make_unique<PinnedBuffer>(bytes, !engine);
    host_src = pin_src->as<unsigned char>();
    host_dst = pin_dst->as<unsigned char>();
  } else {
    page_src.resize(bytes);
    page_dst.resize(bytes);
    host_src = page_src.data();
    host_dst = page_dst.data();
  }
  for (size_t i = 0; i < bytes; ++i) host_src[i] = pattern(i);
  std::memset(host_dst, 0, bytes);
  DeviceBuffer dev_src(bytes), dev_dst(bytes);
  MEMWALL_CUDA(cudaMemcpy(dev_src.data(), host_src, bytes, cudaMemcpyHostToDevice));
  cudaStream_t up = nullptr, down = nullptr;
  MEMWALL_CUDA(cudaStreamCreateWithFlags(&up, cudaStreamNonBlocking));
  MEMWALL_CUDA(cudaStreamCreateWithFlags(&down, cudaStreamNonBlocking));
  const int blocks = device().sms * 4;
  auto once = [&] {
    if (dir != Direction::d2h) {
      if (engine)
        MEMWALL_CUDA(cudaMemcpyAsync(dev_dst.data(), host_src, bytes, cudaMemcpyHostToDevice, up));
      else
        sm_copy<<<blocks, 256, 0, up>>>(static_cast<const int4*>(pin_src->device_pointer()),
                                        dev_dst.as<int4>(), bytes / 16);
    }
    if (dir != Direction::h2d) {
      if (engine)
        MEMWALL_CUDA(
            cudaMemcpyAsync(host_dst, dev_src.data(), bytes, cudaMemcpyDeviceToHost, down));
      else
        sm_copy<<<blocks, 256, 0, down>>>(
            dev_src.as<int4>(), static_cast<int4*>(pin_dst->device_pointer()), bytes / 16);
    }
  };
  // Enough copies per region to make it last (at least 64 MiB moved).
  const int copies = static_cast<int>(std::clamp<size_t>((64ull << 20) / bytes, 1, 4096));
  // Both streams held while the copies queue, released together; a copy from pageable memory
  // waits for the device as it is queued, and more than a few hundred would fill the queue.
  const std::vector<GpuStream> streams = {{device().index, up}, {device().index, down}};
  const bool hold = pinned && copies <= 256;
  time_gpu(once, streams, false);
  const double seconds = measure(state, [&] {
    return time_gpu(
        [&] {
          for (int c = 0; c < copies; ++c) once();
        },
        streams, hold);
  });
  std::vector<unsigned char> back;
  bool ok = true;
  if (seconds > 0 && dir != Direction::d2h) {
    back.resize(bytes);
    MEMWALL_CUDA(cudaMemcpy(back.data(), dev_dst.data(), bytes, cudaMemcpyDeviceToHost));
    ok = sample_ok(back.data(), bytes);
  }
  if (seconds > 0 && dir != Direction::h2d) ok = ok && sample_ok(host_dst, bytes);
  cudaStreamDestroy(up);
  cudaStreamDestroy(down);
  if (seconds == 0) return;
  if (!check_result(state, ok, "the copy did not arrive as sent")) return;
  Work work;
  work.bytes = static_cast<double>(bytes) * copies * (dir == Direction::both ? 2 : 1);
  report_work(state, work, seconds);
  state.counters["bytes"] = static_cast<double>(bytes);
}

// One 4-byte copy at a time, waited for: what a small transfer costs from call to arrival.
void run_latency(benchmark::State& state, Direction dir) {
  PinnedBuffer host(64, false);
  DeviceBuffer dev(64);
  host.as<int>()[0] = 42;
  MEMWALL_CUDA(cudaMemcpy(dev.data(), host.as<int>(), 4, cudaMemcpyHostToDevice));
  if (dir == Direction::d2h) host.as<int>()[0] = 0;  // the copies must bring the 42 back
  constexpr int kCopies = 1000;
  // Each copy waited for before the next: the host's view of a small transfer, call to arrival.
  const double seconds = measure(state, [&] {
    return time_region([&] {
      for (int i = 0; i < kCopies; ++i) {
        if (dir == Direction::h2d)
          MEMWALL_CUDA(cudaMemcpyAsync(dev.data(), host.as<int>(), 4, cudaMemcpyHostToDevice, 0));
        else
          MEMWALL_CUDA(cudaMemcpyAsync(host.as<int>(), dev.data(), 4, cudaMemcpyDeviceToHost, 0));
        MEMWALL_CUDA(cudaStreamSynchronize(0));
      }
    });
  });
  if (seconds == 0) return;
  int value = host.as<int>()[0];
  if (dir == Direction::h2d)
    MEMWALL_CUDA(cudaMemcpy(&value, dev.data(), 4, cudaMemcpyDeviceToHost));
  if (!check_result(state, value == 42, "the 4-byte copy did not arrive")) return;
  Work work;
  work.accesses = kCopies;
  report_work(state, work, seconds);
  state.counters["bytes"] = 4;
}

void register_pcie(const RunConfig& config) {
  if (!device_ready()) return;
  const bool quick = config.quick();
  std::vector<size_t> sizes;
  for (size_t b = 4096; b <= (1ull << 30); b *= quick ? 16 : 4) sizes.push_back(b);
  if (sizes.back() != (1ull << 30)) sizes.push_back(1ull << 30);
  struct Case {
    const char* name;
    Direction dir;
    bool pinned, engine;
  };
  const Case cases[] = {{"h2d/memory:pinned/engine:ce", Direction::h2d, true, true},
                        {"d2h/memory:pinned/engine:ce", Direction::d2h, true, true},
                        {"bidir/memory:pinned/engine:ce", Direction::both, true, true},
                        {"h2d/memory:pageable/engine:ce", Direction::h2d, false, true},
                        {"d2h/memory:pageable/engine:ce", Direction::d2h, false, true},
                        {"h2d/memory:pinned/engine:sm", Direction::h2d, true, false},
                        {"d2h/memory:pinned/engine:sm", Direction::d2h, true, false}};
  for (const Case& c : cases) {
    if (!c.engine && !device().can_map_host) continue;
    for (size_t bytes : sizes) {
      if (!c.engine && bytes % 16) continue;
      add_benchmark(
          "gpu.pcie/" + std::string(c.name) + "/bytes:" + std::to_string(bytes) + device_key(),
          [c, bytes](benchmark::State& state) {
            run_copy(state, c.dir, c.pinned, c.engine, bytes);
          });
    }
  }
  add_benchmark("gpu.pcie/latency/h2d/bytes:4" + device_key(),
                [](benchmark::State& state) { run_latency(state, Direction::h2d); });
  add_benchmark("gpu.pcie/latency/d2h/bytes:4" + device_key(),
                [](benchmark::State& state) { run_latency(state, Direction::d2h); });
}

const bool registered = add_family("gpu.pcie", register_pcie);
const bool roles = declare_role({"gpu.pcie", "", {}, "host_link", "gpu0", {}}) &&
                   declare_role({"gpu.pcie", "latency", {}, "host_link_latency", "gpu0", {}});

}  // namespace

}  // namespace memwall::gpu
