// Verdicts and the run's state, from real result files with a state injected (never from this
// machine's load): a loaded run is named in its report, its figures are suspect, and gate and
// fleet read the load, not a regression; a GPU whose link trained low and whose clock a power
// cap held gets both named; a references file that is not one is one clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "harness/profile/pipeline.hpp"
#include "harness/profile/references.hpp"
#include "harness/profile/steps.hpp"
#include "harness/report/content.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"
#include "harness/track/fleet.hpp"
#include "harness/track/gate.hpp"

using namespace memwall::harness;
namespace fs = std::filesystem;

namespace {

Profile profile_of(std::vector<ResultFile> files) {
  ProfileInputs in;
  in.files = std::move(files);
  in.data_dir = MEMWALL_DATA;
  return build_profile(in);
}

// The fixture run with every benchmark's state as core records it: `other_cpus` busy with
// other processes (loaded past half a CPU), and its DRAM figures `scale` of what they were.
std::vector<ResultFile> run_with_state(double other_cpus, double scale) {
  std::vector<ResultFile> files =
      load_result_files({std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json"});
  for (ResultFile& f : files)
    for (Measurement& m : f.measurements) {
      const size_t n = m.counters.empty() ? 1 : m.counters.begin()->second.size();
      m.counters["state_other_cpus_busy"] = std::vector<double>(n, other_cpus);
      m.counters["state_steal_percent"] = std::vector<double>(n, 0);
      m.counters["state_loaded"] = std::vector<double>(n, other_cpus >= 0.5 ? 1 : 0);
      if (m.key_number("bytes") >= 256e6)
        for (auto& [name, v] : m.counters)
          if (name == "GBps" || name == "hw_GBps")
            for (double& x : v) x *= scale;
    }
  return files;
}

const Verdict& verdict_of(const Profile& p, const std::string& key) {
  for (const Verdict& v : p.verdicts)
    if (v.key == key) return v;
  static const Verdict none;
  ADD_FAILURE() << "no verdict " << key;
  return none;
}

}  // namespace

TEST(Verdicts, ALoadedRunIsNamedAndItsFiguresAreSuspect) {
  const Profile loaded = profile_of(run_with_state(1.3, 0.6));
  EXPECT_GT(loaded.run_state.benchmarks_with_state, 0);
  EXPECT_EQ(loaded.run_state.loaded.size(),
            static_cast<size_t>(loaded.run_state.benchmarks_with_state));
  const Verdict& dram = verdict_of(loaded, "memory/cpu/DRAM/bandwidth_GBps");
  EXPECT_EQ(dram.verdict, VerdictState::suspect);
  EXPECT_NE(dram.reason.find("other processes kept 1.3 CPUs busy"), std::string::npos)
      << dram.reason;
  const std::string md = MarkdownWriter().write(report_document(loaded));
  EXPECT_NE(md.find("benchmarks ran under load"), std::string::npos);
  EXPECT_NE(md.find("Benchmarks measured under load"), std::string::npos);

  const Profile clean = profile_of(run_with_state(0.02, 1));
  EXPECT_TRUE(clean.run_state.loaded.empty());
  for (const Verdict& v : clean.verdicts) EXPECT_TRUE(v.state.empty()) << v.key;
  const std::string clean_md = MarkdownWriter().write(report_document(clean));
  EXPECT_NE(clean_md.find("none ran under load"), std::string::npos);
  EXPECT_EQ(clean_md.find("Benchmarks measured under load"), std::string::npos);
}

TEST(Verdicts, GateAndFleetReadTheLoadNotARegression) {
  const Profile clean = profile_of(run_with_state(0.02, 1));
  const Profile loaded = profile_of(run_with_state(1.3, 0.6));
  const std::vector<Profile> history(5, clean);
  const GateResult r = gate(loaded, history, GateOptions{});
  EXPECT_EQ(r.regressions, 0);
  EXPECT_GT(r.loaded, 0);
  const std::string table = gate_table(r, GateOptions{}, false);
  EXPECT_NE(table.find("loaded (other processes kept 1.3 CPUs busy"), std::string::npos) << table;
  // The same drop on a clean run is a regression.
  const GateResult real = gate(profile_of(run_with_state(0.02, 0.6)), history, GateOptions{});
  EXPECT_GT(real.regressions, 0);
  EXPECT_EQ(real.loaded, 0);

  std::vector<FleetNode> nodes;
  for (int i = 0; i < 4; ++i) {
    FleetNode n;
    n.name = n.source = "node" + std::to_string(i);
    n.kind = "x";
    n.metrics = headline_metrics(i == 2 ? loaded : clean);
    nodes.push_back(n);
  }
  const FleetResult f = fleet(nodes, FleetOptions{});
  EXPECT_EQ(f.outlier_nodes, 0);
  EXPECT_GT(f.loaded[2], 0);
  EXPECT_NE(fleet_table(f, FleetOptions{}).find("measured under load"), std::string::npos);
}

TEST(Verdicts, ALinkTrainedLowAndAPowerCappedClockAreNamed) {
  std::vector<ResultFile> files =
      load_result_files({std::string(MEMWALL_REPORTS) + "/nvidia-h200"});
  for (ResultFile& f : files) {
    if (f.context.contains("gpu0_pcie")) {  // these files' keys for GPU 0
      f.context["gpu0_pcie"] = "gen 4 x8";
      f.context["gpu0_pcie_max"] = "gen 5 x16";
      f.context["gpu0_max_sm_clock_mhz"] = "1980";
    }
    for (Measurement& m : f.measurements) {
      const size_t n = m.counters.empty() ? 1 : m.counters.begin()->second.size();
      if (m.family == "gpu.pcie")
        for (double& x : m.counters["GBps"]) x *= 0.25;  // what gen 4 x8 carries
      if (m.family == "gpu.flops" || m.family == "gpu.gemm") {
        for (double& x : m.counters["GFLOPps"]) x *= 0.62;
        m.counters["state_gpu_sm_mhz"] = std::vector<double>(n, 1230);
        m.counters["state_gpu_clock_reasons"] = std::vector<double>(n, 0x4);  // SW power cap
      }
    }
  }
  const Profile p = profile_of(files);
  const Verdict& h2d = verdict_of(p, "interconnect/host/gpu0/PCIe_H2D/pinned/ce/bandwidth_GBps");
  EXPECT_EQ(h2d.verdict, VerdictState::low);
  EXPECT_NE(h2d.reason.find("trained at gen 4 x8 of its gen 5 x16"), std::string::npos)
      << h2d.reason;
  const Verdict& bf16 = verdict_of(p, "compute/gpu0/bf16/peak_GFLOPps");
  EXPECT_EQ(bf16.verdict, VerdictState::low);
  EXPECT_NE(bf16.reason.find("SM clock 1230 of 1980 MHz"), std::string::npos) << bf16.reason;
  EXPECT_NE(bf16.reason.find("held by: software power cap"), std::string::npos) << bf16.reason;
}

TEST(Verdicts, TheCommittedH200Report) {
  const Profile p = profile_of(load_result_files({std::string(MEMWALL_REPORTS) + "/nvidia-h200"}));
  const Verdict& h2d = verdict_of(p, "interconnect/host/gpu0/PCIe_H2D/pinned/ce/bandwidth_GBps");
  EXPECT_EQ(h2d.verdict, VerdictState::ok) << h2d.reason;
  EXPECT_NEAR(h2d.theoretical, 63.0, 0.1);  // gen 5 x16, 128b/130b
  EXPECT_NEAR(h2d.percent_of_theoretical, 88, 1);
  for (const Collective& c : p.links.nccl) {
    EXPECT_EQ(c.ranks, 1);
    EXPECT_EQ(c.busGBps, 0);
    EXPECT_EQ(c.algGBps, 0);
    EXPECT_FALSE(c.no_bandwidth_why.empty());
  }
  for (const Verdict& v : p.verdicts) {
    EXPECT_NE(v.verdict, VerdictState::unset) << v.key;
    EXPECT_FALSE(v.reason.empty()) << v.key;
  }
}

TEST(Verdicts, ZenReportsPlaceDramAndLatencyBesideTwoReferences) {
  for (const char* r : {"amd-epyc-zen5-2core-kvm", "amd-epyc-zen4-2core-kvm"}) {
    const Profile p = profile_of(load_result_files({std::string(MEMWALL_REPORTS) + "/" + r}));
    for (const char* key : {"memory/cpu/DRAM/bandwidth_GBps", "memory/cpu/DRAM/latency_ns"}) {
      const Verdict& v = verdict_of(p, key);
      EXPECT_GE(v.references.size(), 2u) << r << " " << key;
      for (int i : v.references) EXPECT_FALSE(p.references.at(i).source.empty());
    }
  }
}

// A product of the run read faster than memory's roof with nothing measured to explain it: the
// roof was measured in a slow moment, and memory's bandwidth is suspect, naming that product.
TEST(Verdicts, AProductAboveTheMemoryRoofUnexplainedMakesTheRoofSuspect) {
  ProfileInputs in;
  in.files = load_result_files({std::string(MEMWALL_REPORTS) + "/amd-epyc-zen5-2core-kvm"});
  in.data_dir = MEMWALL_DATA;
  Profile p = build_profile(in);
  const std::string key = "memory/cpu/DRAM/bandwidth_GBps";
  ASSERT_NE(verdict_of(p, key).verdict, VerdictState::suspect) << verdict_of(p, key).reason;
  Product op;
  op.device = "cpu";
  op.model = "llama-2-7b";
  op.op = "ffn_down";
  op.type = "fp32";
  op.roof_level = "DRAM";
  op.bound = Bound::memory;
  op.GBps = 86.2;
  op.percent_of_roofline = 192;
  // Explained (the read kernel streams that much at its size), the roof stands.
  op.above_roof_because = "at its 48MiB the read kernel still streams 90 GB/s";
  p.transformer.ops.push_back(op);
  std::vector<Reference> used;
  p.verdicts = verdicts_step(in, p, {}, used);
  EXPECT_NE(verdict_of(p, key).verdict, VerdictState::suspect) << verdict_of(p, key).reason;
  p.transformer.ops.back().above_roof_because =
      "nothing measured explains it: 86.2 GB/s is above every bandwidth";
  p.transformer.ops.back().above_roof_unexplained = true;
  used.clear();
  p.verdicts = verdicts_step(in, p, {}, used);
  const Verdict& v = verdict_of(p, key);
  EXPECT_EQ(v.verdict, VerdictState::suspect);
  EXPECT_NE(v.reason.find("llama-2-7b ffn_down"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("moved during the run"), std::string::npos) << v.reason;
}

TEST(References, TheShippedFileLoadsAndABadOneIsOneError) {
  const auto refs = load_references(std::string(MEMWALL_DATA) + "/reference_machines.csv");
  EXPECT_GE(refs.size(), 30u);
  for (const Reference& r : refs) {
    EXPECT_GT(r.low, 0) << r.machine;
    EXPECT_GE(r.high, r.low) << r.machine;
  }
  const fs::path dir = fs::temp_directory_path() / ("memwall_refs_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string header = "machine,kind,uarch,figure,value,unit,cores,scope,method,source\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"machine,kind,figure,value\nx,cpu,dram_triad,1\n", "no column 'uarch'"},
      {header + "x,cpu,Zen 4,dram_triad,abc,GB/s,,n,m,s\n", "line 2: value 'abc'"},
      {header + "x,cpu,Zen 4,dram_triad,9-3,GB/s,,n,m,s\n", "from high to low"},
      {header + "x,cpu,Zen 4,dram_triad,1,GB/s,1.5,n,m,s\n", "cores '1.5'"},
      {header + "x,cpu,Zen 4,dram_triad,1,GB/s\n", "cells where the header has"}};
  for (const auto& [text, said] : bad) {
    std::ofstream(dir / "refs.csv") << text;
    try {
      load_references((dir / "refs.csv").string());
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(said), std::string::npos) << e.what();
    }
  }
  fs::remove_all(dir);
}

// A node's curve from idle to saturation: the knee where latency reaches twice idle, read
// between the two points around it; the idle point and cpu.lat/loaded join the curve.
TEST(LoadedCurves, TheKneeIsWhereLatencyDoublesAndGateReadsIt) {
  ResultFile f;
  f.path = "synthetic";
  f.roles = {{"cpu.lat", "curve", {}, "latency_under_load", "cpu", {}}};
  auto add = [&](const std::string& name, double latency, double gbps) {
    Measurement m = parse_name(name);
    m.role = Role::latency_under_load;
    m.declared_device = "cpu";
    m.counters["latency_ns"] = {latency, latency, latency};
    if (gbps > 0) m.counters["load_GBps"] = {gbps, gbps, gbps};
    f.measurements.push_back(m);
  };
  const std::string base = "cpu.lat/curve/pages:huge/node:0/kind:DRAM/mix:";
  add(base + "idle/gen:0/delay:0/bytes:1073741824", 100, 0);
  // delay -> (GB/s, ns): flat, then climbing past 200 ns between 60 and 80 GB/s.
  const std::vector<std::tuple<int, double, double>> read = {
      {1000, 5, 101}, {256, 20, 104}, {64, 60, 150}, {16, 80, 250}, {0, 85, 400}};
  for (const auto& [delay, gbps, ns] : read)
    add(base + "read/gen:7/delay:" + std::to_string(delay) + "/bytes:1073741824", ns, gbps);
  ProfileInputs in;
  in.files = {f};
  in.data_dir = MEMWALL_DATA;
  const std::vector<LoadedCurve> curves = loaded_curves_step(in, {});
  ASSERT_EQ(curves.size(), 1u);
  const LoadedCurve& c = curves.front();
  EXPECT_EQ(c.mix, "read");
  EXPECT_EQ(c.generators, 7);
  EXPECT_EQ(c.idle_latency_ns, 100);
  EXPECT_EQ(c.max_GBps, 85);
  EXPECT_NEAR(c.knee_GBps, 60 + 20 * (200.0 - 150) / (250 - 150), 1e-9);  // 70 GB/s
  ASSERT_EQ(c.points.size(), 5u);
  EXPECT_EQ(c.points.front().delay, 1000);  // from idle to saturation
  Profile p;
  p.loaded_curves = curves;
  const auto h = headline_metrics(p);
  EXPECT_EQ(h.at("loaded/cpu/node:0/read/knee_GBps").value, c.knee_GBps);
  EXPECT_EQ(h.at("loaded/cpu/node:0/read/max_GBps").value, 85);
}

// Two CPU nodes (the chaser's DRAM and a CXL expander) and a GPU's HBM: each device's first node
// is its local one (its theoretical bandwidth, the loaded point), and the report sets the CPU's
// nodes side by side in a table and a plot.
TEST(LoadedCurves, EachDeviceHasItsOwnLocalNodeAndNodesStandSideBySide) {
  ResultFile f;
  f.path = "synthetic";
  auto add = [&](const std::string& name, const std::string& device, double latency, double gbps) {
    Measurement m = parse_name(name);
    m.role = Role::latency_under_load;
    m.declared_device = device;
    m.counters["latency_ns"] = {latency, latency, latency};
    if (gbps > 0) m.counters["load_GBps"] = {gbps, gbps, gbps};
    f.measurements.push_back(m);
  };
  const std::string dram = "cpu.lat/curve/pages:huge/node:0/kind:DRAM/mix:";
  const std::string cxl = "cpu.lat/curve/pages:huge/node:2/kind:CXL/mix:";
  const std::string hbm = "gpu.lat/curve/node:0/kind:HBM/mix:";
  add(dram + "idle/gen:0/delay:0/bytes:1073741824", "cpu", 110, 0);
  add(cxl + "idle/gen:0/delay:0/bytes:1073741824", "cpu", 260, 0);
  add(hbm + "idle/gen:0/delay:0/bytes:1677721600/device:gpu0", "gpu0", 500, 0);
  for (const auto& [delay, dram_gbps, dram_ns, cxl_gbps, cxl_ns] :
       std::vector<std::tuple<int, double, double, double, double>>{
           {1000, 20, 112, 8, 262}, {64, 150, 160, 40, 400}, {0, 220, 300, 52, 700}}) {
    const std::string tail = "/gen:47/delay:" + std::to_string(delay) + "/bytes:1073741824";
    add(dram + "read" + tail, "cpu", dram_ns, dram_gbps);
    add(cxl + "read" + tail, "cpu", cxl_ns, cxl_gbps);
    add(hbm + "read/gen:131/delay:" + std::to_string(delay) + "/bytes:1677721600/device:gpu0",
        "gpu0", 500 + 3000 / (delay + 5.0), 4000 - delay);
  }
  Measurement loaded = parse_name("cpu.lat/loaded/pages:huge/load:read/load_threads:47");
  loaded.role = Role::latency;
  loaded.role_fields["under_load"] = "read";
  loaded.declared_device = "cpu";
  loaded.counters["latency_ns"] = {280, 280, 280};
  loaded.counters["load_GBps"] = {230, 230, 230};
  f.measurements.push_back(loaded);
  ProfileInputs in;
  in.files = {f};
  in.data_dir = MEMWALL_DATA;
  PerDevice<std::vector<Level>> memory;
  memory["cpu"].push_back(Level{});
  memory["cpu"].back().kind = LevelKind::memory;
  memory["cpu"].back().theoretical_GBps = 460.8;
  memory["gpu0"].push_back(Level{});
  memory["gpu0"].back().kind = LevelKind::memory;
  memory["gpu0"].back().theoretical_GBps = 4800;
  Profile p;
  p.loaded_curves = loaded_curves_step(in, memory);
  ASSERT_EQ(p.loaded_curves.size(), 3u);
  for (const LoadedCurve& c : p.loaded_curves) {
    if (c.device == "gpu0") {
      EXPECT_EQ(c.theoretical_GBps, 4800);
      EXPECT_EQ(c.points.size(), 3u);  // the CPU's loaded point stays on the CPU
      EXPECT_EQ(c.kind, "HBM");
      EXPECT_EQ(c.generators, 131);
    } else if (c.node == 0) {
      EXPECT_EQ(c.theoretical_GBps, 460.8);
      EXPECT_EQ(c.points.size(), 4u);  // cpu.lat/loaded joins the local all-read curve
      EXPECT_EQ(c.max_GBps, 230);
    } else {
      EXPECT_EQ(c.kind, "CXL");
      EXPECT_EQ(c.theoretical_GBps, 0);  // an expander's own bandwidth is not the DRAM's
      EXPECT_EQ(c.idle_latency_ns, 260);
    }
  }
  const std::string md = MarkdownWriter().write(report_document(p));
  EXPECT_NE(md.find("The memory nodes side by side"), std::string::npos);
  EXPECT_NE(md.find("| cpu | 2 (CXL) | 260 | 2.36x | 52.0 | 0.23x |"), std::string::npos) << md;
  bool plotted = false;
  for (const Figure& fig : figures_of(p))
    if (fig.file == "loaded_cpu_nodes.svg") {
      const std::string svg = fig.render();
      plotted = svg.find("node 0 (DRAM), read") != std::string::npos &&
                svg.find("node 2 (CXL), read") != std::string::npos &&
                svg.find("HBM") == std::string::npos;
    }
  EXPECT_TRUE(plotted);
}
