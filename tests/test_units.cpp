#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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
