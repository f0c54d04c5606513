#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/rate.hpp"
#include "core/stream_kernels.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

using namespace memwall;

TEST(ParseBytes, AcceptsBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_bytes("4096"), 4096u);
  EXPECT_EQ(parse_bytes("4K"), 4096u);
  EXPECT_EQ(parse_bytes("4KiB"), 4096u);
  EXPECT_EQ(parse_bytes("64MiB"), 64ull << 20);
  EXPECT_EQ(parse_bytes("1G"), 1ull << 30);
  EXPECT_EQ(parse_bytes("1GB"), 1000000000ull);
  EXPECT_EQ(parse_bytes("2kB"), 2000u);
}

TEST(ParseBytes, RejectsZeroUnknownUnitsAndGarbage) {
  EXPECT_THROW(parse_bytes("0"), UsageError);
  EXPECT_THROW(parse_bytes("0KiB"), UsageError);
  EXPECT_THROW(parse_bytes("12XB"), UsageError);
  EXPECT_THROW(parse_bytes(""), UsageError);
  EXPECT_THROW(parse_bytes("-4K"), UsageError);
  EXPECT_THROW(parse_bytes("K"), UsageError);
  EXPECT_THROW(parse_bytes("99999999999999999999999"), UsageError);
  EXPECT_THROW(parse_bytes("20000000000G"), UsageError);
}

TEST(FormatBytes, PowersOfTwoAreExact) {
  EXPECT_EQ(format_bytes(4096), "4KiB");
  EXPECT_EQ(format_bytes(1ull << 30), "1GiB");
  EXPECT_EQ(format_bytes(1536), "1.5KiB");
  EXPECT_EQ(format_bytes(100), "100B");
}

TEST(PositiveList, ParsesAndRejects) {
  EXPECT_EQ(parse_positive_list("1,2,4", "threads"), (std::vector<int>{1, 2, 4}));
  EXPECT_THROW(parse_positive_list("1,,2", "threads"), UsageError);
  EXPECT_THROW(parse_positive_list("0", "threads"), UsageError);
  EXPECT_THROW(parse_positive_list("2x", "threads"), UsageError);
}

TEST(SizeSweep, HasPointsPerOctaveAndKeepsPowersOfTwo) {
  const auto sizes = size_sweep(4096, 1ull << 30, 4);
  EXPECT_EQ(sizes.front(), 4096u);
  EXPECT_EQ(sizes.back(), 1ull << 30);
  EXPECT_EQ(sizes.size(), 18u * 4 + 1);  // 18 octaves, 4 points each, both ends
  for (uint64_t p : {16384ull, 4194304ull, 1073741824ull})
    EXPECT_NE(std::find(sizes.begin(), sizes.end(), p), sizes.end()) << p;
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_GT(sizes[i], sizes[i - 1]);
    EXPECT_EQ(sizes[i] % 64, 0u);
  }
  EXPECT_THROW(size_sweep(0, 10, 4), UsageError);
  EXPECT_THROW(size_sweep(100, 10, 4), UsageError);
}

TEST(SizeSweep, EndsAtAMaximumOffTheGrid) {
  const auto sizes = size_sweep(4096, 100000, 2);
  EXPECT_EQ(sizes.back(), 100000u / 64 * 64);
}

TEST(SplitList, KeepsEmptyItemsAndEmptyIsNone) {
  EXPECT_EQ(split_list("a,b,,c"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_TRUE(split_list("").empty());
  EXPECT_EQ(split_list("x"), std::vector<std::string>{"x"});
}

// A GPU's NUMA node from sysfs, as the kernel writes it (a bus id in any case; -1 for none).
TEST(Topology, PciNumaNodeFromSysfs) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("memwall_sysfs_" + std::to_string(getpid()));
  fs::create_directories(root / "bus/pci/devices/0000:1b:00.0");
  fs::create_directories(root / "bus/pci/devices/0000:9a:00.0");
  std::ofstream(root / "bus/pci/devices/0000:1b:00.0/numa_node") << "3\n";
  std::ofstream(root / "bus/pci/devices/0000:9a:00.0/numa_node") << "-1\n";
  EXPECT_EQ(memwall::pci_numa_node("0000:1B:00.0", root.string()), 3);
  EXPECT_EQ(memwall::pci_numa_node("0000:9a:00.0", root.string()), -1);
  EXPECT_EQ(memwall::pci_numa_node("0000:00:00.0", root.string()), -1);
  fs::remove_all(root);
}

// core owns the arithmetic of device timing and energy: no family converts cycles or joules.
TEST(DeviceTiming, CyclesAtAClockAreSecondsAndAClockIsCyclesOverTime) {
  EXPECT_DOUBLE_EQ((CycleRegion{1.98e9, 1980}.seconds()), 1.0);
  EXPECT_DOUBLE_EQ((CycleRegion{1000, 0}.seconds()), 0);  // a clock nobody knows says nothing
  EXPECT_DOUBLE_EQ(clock_mhz(1755, 1000), 1755);          // cycles per ns x 1e3 = MHz
  EXPECT_DOUBLE_EQ(clock_mhz(1755, 0), 0);
}

namespace {
// The counters of one run of `body`, through Google Benchmark's own runner.
std::map<std::string, double> counters_of(void (*body)(benchmark::State&)) {
  struct Keep : benchmark::BenchmarkReporter {
    std::map<std::string, double> counters;
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override {
      for (const auto& [name, c] : runs.back().counters) counters[name] = c.value;
    }
  } keep;
  benchmark::ClearRegisteredBenchmarks();
  benchmark::RegisterBenchmark("energy", body)->Iterations(1);
  benchmark::RunSpecifiedBenchmarks(&keep);
  benchmark::ClearRegisteredBenchmarks();
  return keep.counters;
}
}  // namespace

TEST(DeviceTiming, EnergyPerByteAndFlopAndPowerOverTheWindow) {
  const auto c = counters_of([](benchmark::State& state) {
    for (auto _ : state) {
    }
    report_energy(state, 2.0, 0.5, 4e9, 1e12);
    report_cycles(state, 600, 4);
  });
  EXPECT_DOUBLE_EQ(c.at("energy_pJ_per_byte"), 500);  // 2 J over 4e9 bytes
  EXPECT_DOUBLE_EQ(c.at("energy_pJ_per_flop"), 2);
  EXPECT_DOUBLE_EQ(c.at("power_W"), 4);
  EXPECT_DOUBLE_EQ(c.at("latency_cycles"), 150);
  const auto none = counters_of([](benchmark::State& state) {
    for (auto _ : state) {
    }
    report_energy(state, 0, 0.5, 4e9, 0);  // no meter: no energy counters
  });
  EXPECT_EQ(none.count("energy_pJ_per_byte") + none.count("power_W"), 0u);
}

TEST(StreamWeights, OneTableCountsBytesForEveryDevice) {
  EXPECT_EQ(stream_bytes(stream_weights("triad"), 1000, 8), 24000u);
  EXPECT_EQ(stream_bytes(stream_weights("copy"), 1000, 4), 8000u);
  EXPECT_EQ(write_allocate_bytes(stream_weights("triad"), 1000, 8), 32000u);
  EXPECT_EQ(write_allocate_bytes(stream_weights("triad_nt"), 1000, 8), 24000u);
  EXPECT_THROW(stream_weights("nstream"), std::invalid_argument);
}
