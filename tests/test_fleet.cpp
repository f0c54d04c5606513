// memwall fleet: the node that is not like the others stands out, the ordinary spread does not;
// bad input (too few nodes, kinds mixed, a path that is nothing) is one clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "harness/cli/views.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/track/fleet.hpp"

namespace fs = std::filesystem;
using namespace memwall::harness;

namespace {

// Eight nodes with the node-to-node spread of a real fleet (a few percent), node 5 with a DIMM
// channel down (DRAM bandwidth at 60%) and its latency a little up.
std::vector<FleetNode> eight_nodes() {
  std::vector<FleetNode> nodes;
  const double jitter[] = {1.00, 1.02, 0.98, 1.01, 0.99, 1.00, 0.97, 1.03};
  for (int i = 0; i < 8; ++i) {
    FleetNode n;
    n.name = "node" + std::to_string(i);
    n.source = "results/node" + std::to_string(i);
    n.kind = "AMD EPYC 9654";
    n.metrics["memory/cpu/DRAM/bandwidth_GBps"] = {700 * jitter[i] * (i == 5 ? 0.6 : 1), true, ""};
    n.metrics["memory/cpu/DRAM/latency_ns"] = {110 / jitter[i] * (i == 5 ? 1.05 : 1), false, ""};
    n.metrics["compute/cpu/fp64/peak_GFLOPps"] = {9000 * jitter[(i + 3) % 8], true, ""};
    nodes.push_back(n);
  }
  return nodes;
}

}  // namespace

TEST(Fleet, TheNodeWithAChannelDownStandsOut) {
  const FleetResult r = fleet(eight_nodes(), {});
  EXPECT_EQ(r.outlier_nodes, 1);
  EXPECT_EQ(r.outliers[5], 1);  // bandwidth, not the 5% latency change
  for (int i = 0; i < 8; ++i)
    if (i != 5) {
      EXPECT_EQ(r.outliers[i], 0) << i;
    }
  const std::string table = fleet_table(r, {});
  EXPECT_NE(table.find("node5 | 1 | memory/cpu/DRAM/bandwidth_GBps -39.7%"), std::string::npos)
      << table;
  EXPECT_NE(table.find("node0 | 0 | like the others"), std::string::npos) << table;
  const HeatMap map = fleet_heat_map(r);
  ASSERT_EQ(map.values.size(), 8u);
  ASSERT_EQ(map.column_labels.size(), 3u);
  // The bandwidth column: node 5 is about 40% worse; the others within a few percent.
  size_t bw = 0;
  for (size_t c = 0; c < r.metrics.size(); ++c)
    if (r.metrics[c].name == "memory/cpu/DRAM/bandwidth_GBps") bw = c;
  EXPECT_NEAR(map.values[5][bw], 39.7, 0.1);
  EXPECT_LT(std::fabs(map.values[0][bw]), 5);
}

TEST(Fleet, AllAlikeIsExitZeroMaterial) {
  std::vector<FleetNode> nodes = eight_nodes();
  nodes.erase(nodes.begin() + 5);
  const FleetResult r = fleet(nodes, {});
  EXPECT_EQ(r.outlier_nodes, 0);
  EXPECT_EQ(r.failed_nodes, 0);
}

TEST(Fleet, AFailedNodeIsNamedAndTheOthersStillReport) {
  std::vector<FleetNode> nodes = eight_nodes();
  nodes[2].metrics.clear();
  nodes[2].failed = "no profile.json: its run did not finish";
  const FleetResult r = fleet(nodes, {});
  EXPECT_EQ(r.failed_nodes, 1);
  EXPECT_EQ(r.outlier_nodes, 1);
  EXPECT_NE(fleet_table(r, {}).find("node2 | failed | no profile.json"), std::string::npos);
}

TEST(Fleet, RepeatedHostsAreNamedByTheirFolders) {
  std::vector<FleetNode> nodes = eight_nodes();
  nodes[1].name = nodes[0].name;
  const FleetResult r = fleet(nodes, {});
  EXPECT_EQ(r.nodes[0].name, "results/node0");
  EXPECT_EQ(r.nodes[1].name, "results/node1");
  EXPECT_EQ(r.nodes[2].name, "node2");
}

TEST(Fleet, BadInputIsOneClearError) {
  std::vector<FleetNode> nodes = eight_nodes();
  nodes[3].kind = "Intel Xeon 8480";
  try {
    fleet(nodes, {});
    FAIL() << "kinds mixed";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("different kinds"), std::string::npos);
    EXPECT_NE(what.find("Intel Xeon 8480: node3"), std::string::npos) << what;
  }
  nodes = eight_nodes();
  nodes.resize(2);
  EXPECT_THROW(fleet(nodes, {}), InputError);
  EXPECT_THROW(load_fleet_node("/nonexistent/profile.json"), InputError);
}

// From the files a run writes: a results folder, and one whose run left no profile.
TEST(Fleet, LoadsResultFolders) {
  const fs::path dir = fs::temp_directory_path() / ("memwall_fleet_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "empty");
  const FleetNode empty = load_fleet_node((dir / "empty").string());
  EXPECT_EQ(empty.name, "empty");
  EXPECT_NE(empty.failed.find("no profile.json"), std::string::npos);
  const FleetNode real =
      load_fleet_node(std::string(MEMWALL_REPORTS) + "/amd-epyc-zen5-2core-kvm/profile.json");
  EXPECT_TRUE(real.failed.empty());
  EXPECT_TRUE(real.metrics.count("memory/cpu/DRAM/bandwidth_GBps"));
  EXPECT_FALSE(real.kind.empty());
  fs::remove_all(dir);
}
