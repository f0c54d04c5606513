// TEST DATA ONLY: a stand-in family in one file, as a new family would be added: a GPU's texture
// cache, a level the chase does not find, measured on its own (the level_bandwidth role), and
// a host link that is not PCIe (the host_link role, named by the family). Built beside the fake
// GPU bench (tests/fake_gpu_bench.cpp) with one line of CMake; the harness knows neither name.
#include <string>

#include "core/bench_main.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"

namespace {

using namespace memwall;

void fake_rate(benchmark::State& state, double bytes, double gbps) {
  measure(state, [=] { return bytes / (gbps * 1e9); });
  state.counters["GBps"] = gbps;
  state.counters["valid"] = 1;
}

void register_standin(const RunConfig&) {
  for (const uint64_t bytes : {16384ull, 32768ull, 65536ull})
    add_benchmark("gpu.tex/read/bytes:" + std::to_string(bytes) + "/device:gpu0",
                  [bytes](benchmark::State& s) { fake_rate(s, static_cast<double>(bytes), 7000); });
  for (const auto& [direction, gbps] : {std::pair{"h2d", 410.0}, std::pair{"d2h", 400.0}})
    add_benchmark(std::string("gpu.c2c/") + direction +
                      "/memory:pinned/engine:ce/bytes:1073741824/device:gpu0",
                  [gbps = gbps](benchmark::State& s) { fake_rate(s, 1 << 30, gbps); });
}

const bool registered = add_family("standin", register_standin);
const bool roles =
    declare_role({"gpu.tex", "", {}, "level_bandwidth", "gpu0", {{"level", "GPU_TEX"}}}) &&
    declare_role(
        {"gpu.c2c", "", {}, "host_link", "gpu0", {{"link", "NVLink-C2C"}, {"name", "C2C"}}});

}  // namespace
