// TEST DATA ONLY: a GPU-shaped result file for the harness tests, written by the benchmark code's
// own writer (core/bench_main) from a synthetic H100-like model, on a machine without a GPU.
// Its context says so (memwall_test_data); nothing it writes belongs under reports/.
#include <cmath>

#include "core/bench_main.hpp"
#include "core/context.hpp"
#include "core/models.hpp"
#include "core/registry.hpp"
#include "core/units.hpp"

namespace {

using namespace memwall;

// Sets the counters of a run whose region "took" `seconds` per iteration.
void fake(benchmark::State& state, double seconds) {
  measure(state, [seconds] { return seconds; });
  state.counters["valid"] = 1;
}

double fake_bandwidth(double bytes) {
  return bytes <= (16 << 20) ? 9000 : bytes <= (40 << 20) ? 5500 : 3000;  // GB/s
}
double fake_latency(double bytes, bool l1) {
  if (l1 && bytes <= (200 << 10)) return 30;
  return bytes <= (40 << 20) ? 250 : 600;  // ns
}

void register_fake(const RunConfig&) {
  for (const char* kernel : {"read", "copy", "triad"})
    for (uint64_t ws : size_sweep(4096, 8ull << 30, 2, 256)) {
      add_benchmark(
          std::string("gpu.bw/") + kernel + "/bytes:" + std::to_string(ws) + "/device:gpu0",
          [ws](benchmark::State& s) {
            const double gbps = fake_bandwidth(static_cast<double>(ws));
            fake(s, static_cast<double>(ws) / gbps / 1e9);
            s.counters["GBps"] = gbps;
            s.counters["working_set_bytes"] = static_cast<double>(ws);
          });
    }
  for (const bool l1 : {true, false})
    for (uint64_t ws : size_sweep(4096, 4ull << 30, 4, 128)) {
      add_benchmark(std::string("gpu.lat/chase/load:") + (l1 ? "ca" : "cg") +
                        "/bytes:" + std::to_string(ws) + "/device:gpu0",
                    [ws, l1](benchmark::State& s) {
                      const double ns = fake_latency(static_cast<double>(ws), l1);
                      fake(s, ns * 1e-9 * 65536);
                      s.counters["latency_ns"] = ns;
                      s.counters["lines_touched_bytes"] = static_cast<double>(ws);
                      s.counters["working_set_bytes"] = static_cast<double>(ws);
                    });
    }
  add_benchmark("gpu.l2/read/bytes:26214400/device:gpu0", [](benchmark::State& s) {
    fake(s, 26214400 / 5200e9);
    s.counters["GBps"] = 5200;  // the L2 alone: below the curve's 5500 (L1s and L2 together)
    s.counters["working_set_bytes"] = 26214400;
  });
  const std::pair<const char*, double> peaks[] = {
      {"fp64", 30000}, {"fp32", 60000}, {"bf16", 120000}};
  for (const auto& [type, gflops] : peaks)
    add_benchmark(std::string("gpu.flops/fma/type:") + type + "/device:gpu0",
                  [type = type, gflops = gflops](benchmark::State& s) {
                    fake(s, 1e-3);
                    s.counters["GFLOPps"] = gflops;
                    s.counters["theoretical_GFLOPps"] = gflops * 1.1;
                    s.counters["flops"] = gflops * 1e6;
                  });
  const std::pair<const char*, double> tensor[] = {{"bf16", 700000}, {"fp8", 1300000}};
  for (const auto& [type, gflops] : tensor)
    add_benchmark(std::string("gpu.gemm/square/n:8192/type:") + type + "/device:gpu0",
                  [gflops = gflops](benchmark::State& s) {
                    fake(s, 2.0 * 8192 * 8192 * 8192 / (gflops * 1e9));
                    s.counters["GFLOPps"] = gflops;
                    s.counters["energy_pJ_per_flop"] = 700 / (gflops * 1e-3);  // 700 W
                  });
  struct Product {
    const char* model;
    Phase phase;
    int batch, seq;
    const char* op;
    double gflops;
  };
  for (const Product& p : {Product{"bert-large", Phase::prefill, 1, 512, "ffn_up", 400000},
                           Product{"llama-2-7b", Phase::decode, 1, 1024, "ffn_up", 2400}})
    for (const MatmulOp& op : layer_ops(find_model(p.model), p.batch, p.seq, p.phase)) {
      if (op.name != p.op) continue;
      const std::string family = p.phase == Phase::prefill ? "xfmr.gemm/" : "xfmr.gemv/";
      add_benchmark(family + p.model + "/" + to_string(p.phase) + "/op:" + op.name +
                        "/batch:" + std::to_string(p.batch) + "/seq:" + std::to_string(p.seq) +
                        "/type:bf16/device:gpu0",
                    [op, gflops = p.gflops](benchmark::State& s) {
                      fake(s, op.flops() / (gflops * 1e9));
                      s.counters["GFLOPps"] = gflops;
                      s.counters["GBps"] = gflops * op.bytes(2) / op.flops();
                      s.counters["flops"] = op.flops();
                      s.counters["bytes"] = op.bytes(2);
                    });
    }
  for (const auto& [dir, gbps] : {std::pair{"h2d", 55.0}, std::pair{"d2h", 54.0}})
    add_benchmark(
        std::string("gpu.pcie/") + dir + "/memory:pinned/engine:ce/bytes:1073741824/device:gpu0",
        [gbps = gbps](benchmark::State& s) {
          fake(s, (1 << 30) / (gbps * 1e9));
          s.counters["GBps"] = gbps;
          s.counters["bytes"] = 1 << 30;
        });
}

const bool registered = add_family("fake_gpu", register_fake);

}  // namespace

int main(int argc, char** argv) {
  memwall::BenchProgram program;
  program.name = "bench_gpu";
  program.add_options = [](Flags&) {};
  program.add_context = [] {
    memwall::add_context("memwall_test_data", "fake timings from a synthetic model, for tests");
    memwall::add_context("gpu0_name", "Test GPU (fake timings)");
    memwall::add_context("gpu0_sms", "132");
    memwall::add_context("gpu0_caches",
                         "[{\"level\":1,\"size\":262144,\"instances\":132},"
                         "{\"level\":2,\"size\":52428800,\"instances\":1}]");
  };
  return memwall::bench_main(argc, argv, program);
}
