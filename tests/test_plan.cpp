// memwall run --plan on real machines' topologies (tests/fixtures/topology, from hwloc's own
// test suite): thread counts that follow the machine, core-to-core pairs over every distance
// class, the NUMA matrix with its memory kinds, an estimate; and on this machine, the names the
// run itself uses. Planned, never measured.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "run_command.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("memwall_plan_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

std::string fixture(const std::string& name) {
  return std::string(MEMWALL_FIXTURES) + "/topology/" + name;
}

// The value of `key:` in a benchmark name ("threads" of cpu.bw/.../threads:24/...).
std::string key_of(const std::string& name, const std::string& key) {
  const size_t at = name.find("/" + key + ":");
  if (at == std::string::npos) return "";
  const size_t from = at + key.size() + 2;
  return name.substr(from, name.find('/', from) - from);
}

struct Planned {
  json plan;
  std::set<int> bw_threads;
  std::set<std::string> c2c_classes;  // shared/numa
  int c2c_pairs = 0;
  std::map<std::string, int> numa_kinds;  // comm.numa/read cells per memory kind
  std::set<std::string> curve_nodes;      // cpu.lat/curve: node/kind
  std::set<int> curve_generators;
  double chase_bytes = 0;  // the largest span of the TLB-friendly chase
  double cpu_and_c2c_s = 0;
};

Planned plan_of(const std::string& topology, const std::string& name, bool quick = true) {
  const fs::path out = temp_dir(name);
  const std::string xml = topology.find('/') == std::string::npos ? fixture(topology) : topology;
  const Outcome o = run("HWLOC_XMLFILE='" + xml + "' " MEMWALL_PATH " run --plan " +
                        (quick ? "--quick " : "") + "--only cpu,comm --out " + out.string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  Planned p;
  std::ifstream in(out / "plan.json");
  p.plan = json::parse(in, nullptr, false);
  EXPECT_FALSE(p.plan.is_discarded()) << o.output;
  if (p.plan.is_discarded()) return p;
  for (const json& b : p.plan["benchmarks"]) {
    const std::string n = b["name"];
    if (n.rfind("cpu.bw/", 0) == 0) p.bw_threads.insert(std::stoi(key_of(n, "threads")));
    if (n.rfind("cpu.lat/chase/", 0) == 0)
      p.chase_bytes = std::max(p.chase_bytes, std::stod(key_of(n, "bytes")));
    if (n.rfind("cpu.lat/curve/", 0) == 0) {
      p.curve_nodes.insert(key_of(n, "node") + "/" + key_of(n, "kind"));
      if (key_of(n, "gen") != "0") p.curve_generators.insert(std::stoi(key_of(n, "gen")));
    }
    if (n.rfind("comm.c2c/pingpong/", 0) == 0) {
      p.c2c_classes.insert(key_of(n, "shared") + "/" + key_of(n, "numa"));
      ++p.c2c_pairs;
    }
    if (n.rfind("comm.numa/read/", 0) == 0) ++p.numa_kinds[key_of(n, "kind")];
    if (b["binary"] == "bench_cpu" || n.rfind("comm.c2c/", 0) == 0)
      p.cpu_and_c2c_s += b["estimated_s"].get<double>();
  }
  fs::remove_all(out);
  return p;
}

}  // namespace

TEST(Plan, TwoEpyc9654FollowTheCcdsAndFitTenMinutes) {
  const Planned p = plan_of("amd-zen4-2x-epyc-9654.xml", "zen4");
  // One core, one per CCD's L3 (24), one package (96), every core (192).
  EXPECT_EQ(p.bw_threads, (std::set<int>{1, 24, 96, 192}));
  // SMT siblings, one CCD, another CCD of the package, the other package.
  EXPECT_EQ(p.c2c_classes,
            (std::set<std::string>{"core/same", "L3/same", "package/same", "machine/same"}));
  EXPECT_LE(p.c2c_pairs, 3 * 192);  // a few per core, not 73,536
  EXPECT_GT(p.cpu_and_c2c_s, 0);
  EXPECT_LE(p.cpu_and_c2c_s, 600);
  EXPECT_EQ(p.plan["topology"]["pus"], 384);
  EXPECT_EQ(p.plan["topology"]["packages"], 2);
  // Ranks of a machine we are not on are planned when launched there, and say how.
  bool mpi_said = false;
  for (const json& l : p.plan["launches"])
    if (l["stem"] == "bench_comm_mpi")
      mpi_said = l.value("skip", "").find("-np 192") != std::string::npos ||
                 l.value("skip", "").find("MPI") != std::string::npos;
  EXPECT_TRUE(mpi_said);
}

// What hwloc 3's lstopo writes (version="3.0", as these x86 exports were made) is planned as
// its hwloc 2 reading: the same threads for the same machine.
TEST(Plan, Hwloc3XmlIsReadAsItsVersion2) {
  std::ifstream in(fixture("amd-zen4-2x-epyc-9654.xml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("<topology version=\"2.0\">");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 27, "<topology version=\"3.0\">");
  const fs::path dir = temp_dir("hwloc3");
  fs::create_directories(dir);
  const fs::path v3 = dir / "zen4.v3.xml";
  std::ofstream(v3) << text;
  const Outcome o =
      run("HWLOC_XMLFILE='" + v3.string() +
          "' " MEMWALL_PATH " run --plan --quick --only cpu --out " + (dir / "out").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  std::ifstream planned(dir / "out" / "plan.json");
  const json plan = json::parse(planned, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << o.output;
  EXPECT_EQ(plan["topology"]["pus"], 384);
  fs::remove_all(dir);
}

// A chase touches one line per 256 B it spans, and the profile calls a level memory only where
// the lines touched pass twice the last-level cache: an L3 of 504 MiB (Granite Rapids; here the
// Sapphire Rapids export with its L3 enlarged) takes a span past 4 GiB, quick or not.
TEST(Plan, TheChaseLeavesTheLastLevelCacheInLinesTouched) {
  std::ifstream in(fixture("intel-spr-2x-xeon-max-9460.xml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string l3 = "cache_size=\"102236160\"";
  for (size_t at; (at = text.find(l3)) != std::string::npos;)
    text.replace(at, l3.size(), "cache_size=\"528482304\"");
  const fs::path dir = temp_dir("big_l3");
  fs::create_directories(dir);
  std::ofstream(dir / "big-l3.xml") << text;
  const std::vector<std::pair<std::string, double>> machines = {
      {"amd-zen4-2x-epyc-9654.xml", 32 << 20},
      {"intel-spr-2x-xeon-max-9460.xml", 102236160},
      {(dir / "big-l3.xml").string(), 528482304}};
  for (const auto& [xml, llc] : machines) {
    EXPECT_GT(plan_of(xml, "chase_quick").chase_bytes * 64 / 256, 2 * llc) << xml;
    EXPECT_GE(plan_of(xml, "chase_full", false).chase_bytes * 64 / 256, 4 * llc) << xml;
  }
  fs::remove_all(dir);
}

// Latency under load: a curve for the chasing core's node, one on another package, and one
// per other memory kind, loaded by the other cores of the chasing core's node.
TEST(Plan, LoadedLatencyCurvesPerMemoryNode) {
  Planned p = plan_of("dram-hbm-nvm-memory-nodes.xml", "curves_hetero");
  std::set<std::string> kinds;
  for (const std::string& n : p.curve_nodes) kinds.insert(n.substr(n.find('/') + 1));
  EXPECT_EQ(kinds, (std::set<std::string>{"DRAM", "HBM", "NVM"}));
  EXPECT_EQ(p.curve_nodes.size(), 3u);
  EXPECT_EQ(p.curve_generators.size(), 1u);
  p = plan_of("amd-4-packages-8-numa.xml", "curves_opteron");
  EXPECT_EQ(p.curve_nodes.size(), 2u);                // its own node and one on another package
  EXPECT_EQ(p.curve_generators, (std::set<int>{7}));  // the other 7 cores of its node
  p = plan_of("amd-zen4-2x-epyc-9654.xml", "curves_zen4");
  EXPECT_EQ(p.curve_nodes.size(), 1u);  // one NUMA node in this export
  EXPECT_EQ(p.curve_generators, (std::set<int>{191}));
  EXPECT_LE(p.cpu_and_c2c_s, 600);
}

TEST(Plan, XeonMaxPairsAndPlacements) {
  const Planned p = plan_of("intel-spr-2x-xeon-max-9460.xml", "spr");
  EXPECT_EQ(p.bw_threads, (std::set<int>{1, 2, 40, 80}));
  EXPECT_EQ(p.c2c_classes, (std::set<std::string>{"core/same", "L3/same", "machine/same"}));
  EXPECT_LE(p.c2c_pairs, 3 * 80);
}

TEST(Plan, ArmServerWithFourNumaNodes) {
  const Planned p = plan_of("arm-128-cores-2-packages-4-numa.xml", "arm");
  EXPECT_EQ(p.bw_threads, (std::set<int>{1, 4, 32, 64, 128}));
  EXPECT_EQ(p.c2c_classes, (std::set<std::string>{"L3/same", "package/other", "machine/other"}));
  EXPECT_EQ(p.numa_kinds.at("DRAM"), 16);  // every node pair
}

TEST(Plan, HbmAndNvmNodesAreInTheNumaMatrixByKind) {
  const Planned p = plan_of("dram-hbm-nvm-memory-nodes.xml", "hetero");
  // Three groups of cores, each beside a DRAM, an HBM or NVM node: 3 rows x 7 nodes.
  EXPECT_EQ(p.numa_kinds.at("DRAM") + p.numa_kinds.at("HBM") + p.numa_kinds.at("NVM"), 21);
  EXPECT_GT(p.numa_kinds.at("HBM"), 0);
  EXPECT_EQ(p.c2c_pairs, 15);  // six cores: every pair
}

TEST(Plan, FourSocketOpteronEveryNumaPair) {
  const Planned p = plan_of("amd-4-packages-8-numa.xml", "opteron");
  EXPECT_EQ(p.bw_threads, (std::set<int>{1, 8, 16, 64}));
  EXPECT_EQ(p.numa_kinds.at("DRAM"), 64);
  EXPECT_TRUE(p.c2c_classes.count("machine/other"));
  EXPECT_TRUE(p.c2c_classes.count("package/other"));
}

// On this machine the plan is the run's own registration: the same names as the binary lists.
TEST(Plan, HereListsTheNamesTheRunUses) {
  const fs::path out = temp_dir("here");
  const Outcome o = run(MEMWALL_PATH " run --plan --quick --only cpu --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("in all: about"), std::string::npos) << o.output;
  std::ifstream in(out / "plan.json");
  const json plan = json::parse(in);
  std::set<std::string> planned;
  for (const json& b : plan["benchmarks"]) {
    planned.insert(b["name"].get<std::string>());
    EXPECT_GT(b["estimated_s"].get<double>(), 0);
  }
  const Outcome listed = run(BENCH_CPU_PATH " --quick --benchmark_list_tests");
  ASSERT_EQ(listed.exit_code, 0);
  std::set<std::string> names;
  std::istringstream lines(listed.output);
  for (std::string line; std::getline(lines, line);) {
    // Google Benchmark's own suffixes: the minimum time a family set, the manual timing.
    size_t suffix = std::min(line.find("/min_time:"), line.find("/manual_time"));
    if (suffix != std::string::npos) names.insert(line.substr(0, suffix));
  }
  EXPECT_EQ(planned, names);
  fs::remove_all(out);
}

TEST(Plan, BadTopologyAndBudgetAreOneErrorLine) {
  const fs::path out = temp_dir("bad");
  Outcome o =
      run("HWLOC_XMLFILE=/nonexistent.xml " MEMWALL_PATH " run --plan --out " + out.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("HWLOC_XMLFILE=/nonexistent.xml"), std::string::npos) << o.output;
  // Another machine's topology is planned, never measured.
  o = run("HWLOC_XMLFILE='" + fixture("amd-zen4-2x-epyc-9654.xml") +
          "' " MEMWALL_PATH " run --quick --only cpu --out " + out.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("describes another machine"), std::string::npos) << o.output;
  o = run("HWLOC_XMLFILE='" + fixture("amd-zen4-2x-epyc-9654.xml") +
          "' " BENCH_CPU_PATH " --quick");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("describes another machine"), std::string::npos) << o.output;
  for (const char* bad : {"10x", "-5m", "m", "0s"}) {
    o = run(std::string(MEMWALL_PATH) + " run --plan --budget " + bad + " --out " + out.string());
    EXPECT_EQ(o.exit_code, 2) << bad;
    EXPECT_NE(o.output.find("bad duration"), std::string::npos) << o.output;
  }
  EXPECT_FALSE(fs::exists(out / "bench_cpu.json"));
  fs::remove_all(out);
}

// A budget below the plan scales the samples; the plan says by how much and keeps every level.
TEST(Plan, ABudgetScalesTheSamplesAndSaysSo) {
  const fs::path out = temp_dir("budget");
  const Outcome o =
      run(MEMWALL_PATH " run --plan --quick --only cpu --budget 40s --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("time budget 40s"), std::string::npos) << o.output;
  std::ifstream in(out / "plan.json");
  const json plan = json::parse(in);
  EXPECT_LT(plan["time_scale"].get<double>(), 1);
  bool chase = false, bw_memory = false;
  for (const json& b : plan["benchmarks"]) {
    const std::string n = b["name"];
    chase = chase || n.rfind("cpu.lat/chase/", 0) == 0;
    bw_memory = bw_memory || n.rfind("cpu.bw/triad/", 0) == 0;
  }
  EXPECT_TRUE(chase && bw_memory);
  fs::remove_all(out);
}

// An eight-GPU node: memwall starts bench_gpu once per GPU (--device N, each GPU's own
// result file), unless the user names one. The GPU count comes from the binary's --describe;
// here a stand-in reports eight, as bench_gpu does on a DGX.
TEST(Plan, OneBenchGpuStartPerGpuOfTheNode) {
  const fs::path dir = temp_dir("gpus");
  fs::create_directories(dir / "bin");
  const fs::path fake = dir / "bin" / "bench_gpu";
  std::ofstream(fake) << R"(#!/bin/sh
case " $* " in
*" --describe "*)
  echo '{"binary":"bench_gpu","part":"gpu","runs_under_mpi":false,"devices":8,"families":["gpu.bw"],"built_with":["CUDA"]}';;
*" --plan "*)
  dev=0; prev=""
  for a in "$@"; do [ "$prev" = --device ] && dev=$a; prev=$a; done
  echo '{"binary":"bench_gpu","estimated_s":2,"repetitions":3,"benchmarks":[{"name":"gpu.bw/read/bytes:1048576/device:gpu'$dev'","estimated_s":2}]}';;
*) exit 2;;
esac
)";
  fs::permissions(fake, fs::perms::owner_all);
  const std::string env = "MEMWALL_BENCH_PATH='" + (dir / "bin").string() + "' ";
  Outcome o =
      run(env + MEMWALL_PATH " run --plan --quick --only gpu --out " + (dir / "all").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const json plan = json::parse(std::ifstream(dir / "all" / "plan.json"));
  std::vector<std::string> stems, names;
  for (const json& l : plan["launches"]) {
    stems.push_back(l["stem"]);
    const std::string device = std::to_string(stems.size() - 1);
    EXPECT_NE(l["command"].get<std::string>().find("--device " + device), std::string::npos)
        << l["command"];
  }
  for (const json& b : plan["benchmarks"]) names.push_back(b["name"]);
  ASSERT_EQ(stems.size(), 8u) << o.output;
  EXPECT_EQ(stems.front(), "bench_gpu.gpu0");
  EXPECT_EQ(stems.back(), "bench_gpu.gpu7");
  EXPECT_EQ(names.back(), "gpu.bw/read/bytes:1048576/device:gpu7");

  o = run(env + MEMWALL_PATH " run --plan --quick --only gpu --gpu-args '--device 3' --out " +
          (dir / "one").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const json one = json::parse(std::ifstream(dir / "one" / "plan.json"));
  ASSERT_EQ(one["launches"].size(), 1u);
  EXPECT_EQ(one["launches"][0]["stem"], "bench_gpu");
  EXPECT_EQ(one["benchmarks"][0]["name"], "gpu.bw/read/bytes:1048576/device:gpu3");
  fs::remove_all(dir);
}

// A hostfile whose host does not resolve, or that names none: one line, exit 2, before any
// rank starts (mpirun's own error comes after it has started the others).
TEST(Plan, AHostfileHostThatDoesNotResolveIsOneError) {
  const fs::path dir = temp_dir("hostfile");
  fs::create_directories(dir);
  // A numeric address resolves without a resolver (a minimal root may not know "localhost").
  std::ofstream(dir / "hosts") << "# two nodes\n127.0.0.1 slots=1\nno-such-node.invalid slots=1\n";
  std::ofstream(dir / "empty") << "# nothing\n";
  Outcome o = run(MEMWALL_PATH " run --plan --quick --only comm --hostfile " +
                  (dir / "hosts").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("line 3: host 'no-such-node.invalid' does not resolve"),
            std::string::npos)
      << o.output;
  o = run(MEMWALL_PATH " run --plan --quick --only comm --hostfile " + (dir / "empty").string() +
          " --out " + (dir / "out").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("no hosts in it"), std::string::npos) << o.output;
  fs::remove_all(dir);
}
