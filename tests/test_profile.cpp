#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/profile/levels.hpp"
#include "harness/profile/pipeline.hpp"
#include "harness/profile/roofline.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/track/compare.hpp"
#include "harness/track/gate.hpp"
#include "harness/track/history.hpp"

using namespace memwall::harness;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  return std::string(MEMWALL_FIXTURES) + "/" + name;
}

Profile profile_of(const std::vector<std::string>& paths, const std::string& data = MEMWALL_DATA) {
  ProfileInputs in;
  in.files = load_result_files(paths);
  in.data_dir = data;
  return build_profile(in);
}

Profile profile_of(std::vector<ResultFile> files) {
  ProfileInputs in;
  in.files = std::move(files);
  return build_profile(in);
}

Profile build_fixture() {
  return profile_of({fixture("run_a/bench_cpu.json")});
}

Profile h200() {
  return profile_of({std::string(MEMWALL_REPORTS) + "/nvidia-h200"});
}

}  // namespace

TEST(Profile, FromTheFixtureRun) {
  const Profile p = build_fixture();
  EXPECT_EQ(p.schema, kProfileSchema);
  EXPECT_EQ(p.machine.at("memwall_binary"), "bench_cpu");
  ASSERT_TRUE(p.devices.count("cpu"));
  EXPECT_EQ(p.devices.at("cpu").kind, DeviceKind::cpu);
  const auto& levels = p.memory.at("cpu");
  ASSERT_GE(levels.size(), 2u);
  EXPECT_EQ(levels.front().name, "L1");
  EXPECT_EQ(levels.back().name, "DRAM");
  EXPECT_GT(levels.front().bandwidth_GBps, levels.back().bandwidth_GBps);
  EXPECT_GT(levels.back().latency_ns, levels.front().latency_ns);
  EXPECT_EQ(levels.back().bandwidth_kernel, "triad");
  EXPECT_EQ(levels.front().bandwidth_kernel, "read");
  ASSERT_TRUE(p.compute.at("cpu").count("fp32"));
  EXPECT_GT(p.compute.at("cpu").at("fp32").peak.best, 0);
  ASSERT_EQ(p.provenance.inputs.size(), 1u);
  EXPECT_EQ(p.provenance.inputs[0].path, "bench_cpu.json");
  EXPECT_EQ(p.provenance.inputs[0].sha256, sha256_file(fixture("run_a/bench_cpu.json")));
  EXPECT_FALSE(p.metrics.empty());
}

// profile.json holds the whole profile: read back, it is the same profile.
TEST(Profile, JsonRoundTripIsExact) {
  for (const Profile& p : {build_fixture(), h200()}) {
    const std::string text = profile_json_text(p);
    EXPECT_EQ(profile_json_text(parse_profile(text, "round trip")), text);
  }
}

// A profile of the previous schema (the committed H200 profile before schema 3) still reads:
// its metrics and headline figures are there for compare, history and gate.
TEST(Profile, ReadsTheSchemaBeforeIt) {
  const Profile p = load_profile(fixture("profile_schema2.json"));
  EXPECT_EQ(p.schema, kProfileSchema);
  EXPECT_FALSE(p.metrics.empty());
  const auto headline = headline_metrics(p);
  ASSERT_TRUE(headline.count("memory/gpu0/HBM/bandwidth_GBps"));
  EXPECT_NEAR(headline.at("memory/gpu0/HBM/bandwidth_GBps").value, 3975, 1);
  EXPECT_TRUE(headline.count("compute/gpu0/bf16/peak_GFLOPps"));
  EXPECT_THROW(parse_profile("{\"schema\": 99, \"metrics\": []}", "x"), InputError);
  EXPECT_THROW(parse_profile("{\"schema\": 3", "x"), InputError);
}

// Ridge points, roofs, bounds and the walls must rest on the same bandwidth per level: this
// fails if any of them took its bandwidth from anywhere else.
TEST(Profile, RidgeRoofBoundAndWallsUseOneBandwidthPerLevel) {
  const Profile p = build_fixture();
  const auto& ridge = p.ratios.at("cpu").ridge_flop_per_byte;
  ASSERT_FALSE(ridge.empty());
  for (const auto& [level, types] : ridge)
    for (const auto& [type, r] : types)
      EXPECT_DOUBLE_EQ(
          r, p.compute.at("cpu").at(type).peak.best / find_level(p, "cpu", level)->bandwidth_GBps);
  const Walls& walls = p.ratios.at("cpu").walls;
  EXPECT_DOUBLE_EQ(walls.memory_GBps, p.memory.at("cpu").back().bandwidth_GBps);
  int placed = 0;
  for (const Product& op : p.transformer.ops) {
    if (op.roof_level.empty()) continue;
    const Level* l = find_level(p, "cpu", op.roof_level);
    ASSERT_NE(l, nullptr) << op.roof_level;
    EXPECT_DOUBLE_EQ(op.roof_bandwidth_GBps, l->bandwidth_GBps) << op.name;
    const double r = ridge.at(op.roof_level).at(op.type);
    EXPECT_DOUBLE_EQ(op.ridge_flop_per_byte, r);
    EXPECT_EQ(op.bound, op.intensity_flop_per_byte < r ? Bound::memory : Bound::compute);
    const double peak = p.compute.at("cpu").at(op.type).peak.best;
    EXPECT_DOUBLE_EQ(op.roofline_GFLOPps,
                     std::min(peak, op.intensity_flop_per_byte * l->bandwidth_GBps));
    // No product above its roof unless the profile says why.
    if (op.percent_of_roofline > 102) {
      EXPECT_FALSE(op.above_roof_because.empty()) << op.name;
    }
    ++placed;
  }
  EXPECT_GT(placed, 0);
}

// Real runs of real machines (tests/fixtures/machines, recorded by
// scripts/record-machine-fixture): exactly the levels hwloc says the machine has, plus DRAM;
// each cache's edge within x2 of hwloc's size by the chase or, where the chase keeps less of the
// cache than a stream does, by one thread's reads; every level on a plateau; every product
// above its roof explained by a measured figure.
TEST(Profile, RealMachinesHaveTheirLevelsAndEveryRoofExcessExplained) {
  int machines = 0;
  for (const auto& entry : fs::directory_iterator(fixture("machines"))) {
    const std::string file = entry.path().filename();
    const Profile p = profile_of({entry.path().string()});
    std::vector<std::string> names, expected;
    for (const auto& c : nlohmann::json::parse(p.machine.at("hwloc_caches")))
      expected.push_back("L" + std::to_string(c["level"].get<int>()));
    expected.push_back("DRAM");
    for (const Level& l : p.memory.at("cpu")) {
      names.push_back(l.name);
      EXPECT_GT(l.bandwidth_GBps, 0) << file << " " << l.name << ": " << l.no_bandwidth_why;
      if (l.kind != LevelKind::cache || l.detected_bytes == 0) continue;
      EXPECT_FALSE(l.size_disagrees) << file << " " << l.name;
      const double edge =
          l.detected_bytes >= l.size_bytes / 2 ? l.detected_bytes : l.stream_edge_bytes;
      EXPECT_GE(edge, l.size_bytes / 2) << file << " " << l.name;
      EXPECT_LE(edge, l.size_bytes * 2) << file << " " << l.name;
    }
    EXPECT_EQ(names, expected) << file;
    for (const Product& op : p.transformer.ops) {
      if (op.percent_of_roofline <= 102) continue;
      EXPECT_FALSE(op.above_roof_because.empty()) << file << " " << op.name;
      EXPECT_FALSE(op.above_roof_unexplained) << file << ": " << op.above_roof_because;
    }
    ++machines;
  }
  EXPECT_GE(machines, 1);
}

// The committed Zen 4 run (products measured hot, one copy): out_proj's 64 MiB sits where the
// read curve still slopes, so its roof is the read kernel's rate at that span and it is under
// it; qkv (192 MiB, on the plateau) beats the DRAM roof for a reason the profile knows.
TEST(Profile, RoofExcessNamesItsMeasuredReason) {
  const Profile p = profile_of({fixture("machines/amd-epyc-zen4-kvm.json")});
  const Level* dram = find_level(p, "cpu", "DRAM");
  ASSERT_NE(dram, nullptr);
  EXPECT_GT(dram->bandwidth_hw_GBps, dram->bandwidth_GBps);
  int above = 0, on_the_slope = 0;
  for (const Product& op : p.transformer.ops) {
    if (op.op == "out_proj" && op.type == "fp32" && op.model == "llama-2-7b" &&
        op.phase == "decode") {
      EXPECT_EQ(op.roof_kernel, "read at 64 MiB");
      EXPECT_GT(op.roof_bandwidth_GBps, dram->read_GBps);
      EXPECT_LE(op.percent_of_roofline, 102);
      ++on_the_slope;
    }
    if (op.percent_of_roofline <= 102) continue;
    ++above;
    if (op.op == "qkv") {  // 192 MiB of weights: only reads, up to what triad moved
      EXPECT_NE(op.above_roof_because.find("write-allocate"), std::string::npos)
          << op.above_roof_because;
    }
  }
  EXPECT_EQ(on_the_slope, 1);
  EXPECT_EQ(above, 1);
}

// The read measured again after the products (role bandwidth_again): memory's read roof is the
// better of the two moments, and a gap between them is said on the level.
TEST(Profile, TheReadMeasuredAgainTakesTheBetterMomentAndSaysTheGap) {
  std::vector<ResultFile> files = load_result_files({fixture("machines/amd-epyc-zen5-kvm.json")});
  // The file predates declared roles: read as older files are, with the declaration of the
  // points measured again that bench_cpu writes into its files today.
  files[0].roles = roles_before_declarations(MEMWALL_DATA);
  files[0].roles.push_back({"cpu.bw", "read", {{"after", "*"}}, "bandwidth_again", "cpu", {}});
  const Profile before = profile_of(files);
  const Level* dram = find_level(before, "cpu", "DRAM");
  ASSERT_NE(dram, nullptr);
  ASSERT_GT(dram->read_GBps, 0);
  // Every read point of memory's interval, measured again faster.
  std::vector<Measurement> again;
  for (const Measurement& m : files[0].measurements)
    if (m.family == "cpu.bw" && m.variant == "read" && m.has("GBps") &&
        m.key_number("bytes") >= dram->interval_lo_bytes) {
      Measurement a = m;
      a.name += "/after:xfmr";
      a.keys["after"] = "xfmr";
      for (double& v : a.counters["GBps"]) v *= 1.5;
      again.push_back(a);
    }
  ASSERT_FALSE(again.empty());
  files[0].measurements.insert(files[0].measurements.end(), again.begin(), again.end());
  const Profile after = profile_of(files);
  const Level* lifted = find_level(after, "cpu", "DRAM");
  ASSERT_NE(lifted, nullptr);
  EXPECT_NEAR(lifted->read_GBps, 1.5 * dram->read_GBps, 1e-6 * dram->read_GBps);
  EXPECT_NE(lifted->note.find("measured again later in the run"), std::string::npos)
      << lifted->note;
  EXPECT_EQ(dram->note.find("measured again"), std::string::npos);
}

// A decode layer writes a few rows of activations and reads every weight: with what it writes
// (counter written_bytes) under a tenth of its bytes, its roof is the read kernel's, as its
// products' are; without the counter (older files) the level's named kernel.
TEST(Profile, ADecodeLayerThatOnlyReadsHasTheReadRoof) {
  auto layer_roofs = [](bool with_written) {
    ProfileInputs in;
    in.files = load_result_files({std::string(MEMWALL_REPORTS) + "/amd-epyc-zen5-2core-kvm"});
    in.data_dir = MEMWALL_DATA;
    for (ResultFile& f : in.files)
      for (Measurement& m : f.measurements) {
        // Memory's read above its triad, as the Zen 4 had it (73.8 against 59.2 GB/s).
        if (m.family == "cpu.bw" && m.variant == "read" && m.key_number("bytes") >= (1 << 26))
          for (double& v : m.counters["GBps"]) v *= 1.5;
        if (with_written && m.family == "xfmr.layer" && m.keys.count("batch"))
          m.counters["written_bytes"] = {m.name.find("/decode/") != std::string::npos ? 1e3 : 1e12};
      }
    std::set<std::string> roofs;
    for (const Product& op : build_profile(in).transformer.ops)
      if (op.op == "layer" && op.phase == "decode" && op.roof_level == "DRAM")
        roofs.insert(op.roof_kernel.substr(0, 4));
    return roofs;
  };
  EXPECT_EQ(layer_roofs(true), std::set<std::string>{"read"});
  EXPECT_EQ(layer_roofs(false), std::set<std::string>{"tria"});
}

// A Zen 4 run whose triad caught a slow moment of the shared memory (37 GB/s, triad_nt 75 in
// the same run): decode GEMVs above that roof are explained by what triad_nt was given.
TEST(Profile, RoofExcessFromWhatTheNonTemporalKernelWasGiven) {
  const Profile p = profile_of({fixture("machines/amd-epyc-zen4-kvm-avx2-kernels.json")});
  const Level* dram = find_level(p, "cpu", "DRAM");
  ASSERT_NE(dram, nullptr);
  ASSERT_GT(dram->beside_GBps, dram->bandwidth_GBps);
  EXPECT_EQ(dram->beside_kernel, "triad_nt");
  int from_nt = 0;
  for (const Product& op : p.transformer.ops) {
    if (op.above_roof_because.find("to triad_nt in this run") == std::string::npos) continue;
    ++from_nt;
    EXPECT_LE(op.GBps, 1.05 * dram->beside_GBps) << op.name;
  }
  EXPECT_GT(from_nt, 0);
}

// Where the PMU counted the lines read from memory (test data: the read kernel's own rate
// scaled, added to a real run), DRAM gives the counted figure beside the read kernel's and says
// when the two disagree.
TEST(Profile, DramComparesTheCountedReadsWithTheReadKernel) {
  for (const double counted_share : {0.97, 0.5}) {
    ResultFile f = load_result_file(fixture("machines/amd-epyc-zen4-kvm.json"));
    for (Measurement& m : f.measurements)
      if (m.family == "cpu.bw" && m.variant == "read") {
        std::vector<double> counted = m.counters.at("GBps");
        for (double& v : counted) v *= counted_share;
        m.counters["counted_read_GBps"] = counted;
      }
    const Profile p = profile_of({f});
    const Level* dram = find_level(p, "cpu", "DRAM");
    ASSERT_NE(dram, nullptr);
    EXPECT_NEAR(dram->counted_read_GBps / dram->read_GBps, counted_share, 0.02);
    EXPECT_NE(dram->note.find("the PMU counted"), std::string::npos) << dram->note;
    EXPECT_EQ(dram->note.find("disagree") != std::string::npos, counted_share < 0.8) << dram->note;
  }
  const Profile plain = profile_of({load_result_file(fixture("machines/amd-epyc-zen4-kvm.json"))});
  EXPECT_EQ(find_level(plain, "cpu", "DRAM")->counted_read_GBps, 0);
}

TEST(Profile, DecodeIsMemoryBoundAndCpuAndGpuProductsStayTwoRows) {
  ResultFile f = load_result_file(fixture("run_a/bench_cpu.json"));
  // The same product measured on a GPU (test data: the CPU's numbers renamed with a device
  // key): it must stay a separate row, placed on the GPU's roofline, not merged with the CPU's.
  std::vector<Measurement> gpu;
  for (const Measurement& m : f.measurements)
    if (m.family == "xfmr.gemv") {
      Measurement g = m;
      g.name += "/device:gpu0";
      g.keys["device"] = "gpu0";
      gpu.push_back(g);
    }
  ASSERT_FALSE(gpu.empty());
  f.measurements.insert(f.measurements.end(), gpu.begin(), gpu.end());
  const Profile p = profile_of({f});
  int cpu_rows = 0, gpu_rows = 0;
  for (const Product& op : p.transformer.ops) {
    cpu_rows += op.device == "cpu";
    gpu_rows += op.device == "gpu0";
    if (op.device == "cpu" && op.phase == "decode" && op.op == "ffn_up") {
      EXPECT_EQ(op.bound, Bound::memory);
    }
    if (op.device == "gpu0") {  // no GPU roofline in this data
      EXPECT_EQ(op.bound, Bound::unknown);
    }
  }
  EXPECT_GT(cpu_rows, 0);
  EXPECT_EQ(gpu_rows, static_cast<int>(gpu.size()));
}

TEST(Profile, TwoRunsMergeByNameNotDuplicated) {
  const ResultFile a = load_result_file(fixture("run_a/bench_cpu.json"));
  ResultFile b = a;
  b.path = "second";
  for (Measurement& m : b.measurements)
    for (auto& [counter, samples] : m.counters)
      for (double& v : samples) v *= 2;
  const auto merged = merge_by_name({a, b});
  const auto metrics = metrics_of(merged);
  EXPECT_EQ(metrics.size(), metrics_of({a}).size());
  const Metric& first = metrics.front();  // the later file wins
  for (const Metric& m : metrics_of({a}))
    if (m.name == first.name) {
      EXPECT_DOUBLE_EQ(first.median, 2 * m.median);
    }
}

// The H200's levels: the L1 read curve doubles with size (launch-bound), so the L1 has no
// bandwidth and says why; the L2's own benchmark did not run. Products are placed where their
// operands fit and judged by the next level that has a roof (HBM).
TEST(Profile, ALevelWithoutAPlateauHasNoRoof) {
  const Profile p = h200();
  const Level* l1 = find_level(p, "gpu0", "GPU_L1");
  ASSERT_NE(l1, nullptr);
  EXPECT_EQ(l1->bandwidth_GBps, 0);
  EXPECT_NE(l1->no_bandwidth_why.find("no plateau"), std::string::npos) << l1->no_bandwidth_why;
  EXPECT_GE(l1->slope_per_doubling, memwall::harness::kRampPerDoubling);
  EXPECT_FALSE(p.ratios.at("gpu0").ridge_flop_per_byte.count("GPU_L1"));
  int in_l2 = 0;
  for (const Product& op : p.transformer.ops)
    if (op.operands_fit_in == "GPU_L2") {
      ++in_l2;
      EXPECT_EQ(op.roof_level, "HBM") << op.name;
      EXPECT_FALSE(op.roof_note.empty());
    }
  EXPECT_GT(in_l2, 0);  // BERT-base's 4.3 MB qkv among them
}

// Every peak carries the shape it came from, its median, and the formats' rates at the one
// shape they share.
TEST(Profile, PeaksCarryTheirShapeAndFormatsCompareAtOneShape) {
  const Profile p = h200();
  const Compute& bf16 = p.compute.at("gpu0").at("bf16");
  EXPECT_EQ(bf16.peak_shape, "8192^3");
  EXPECT_LT(bf16.peak.median, bf16.peak.best);
  EXPECT_EQ(bf16.common_shape, "4096^3");
  EXPECT_GT(bf16.common_shape_GFLOPps, 0);
  EXPECT_LT(bf16.common_shape_GFLOPps, bf16.peak.best);
  EXPECT_EQ(p.compute.at("gpu0").at("fp16").common_shape, "4096^3");
  EXPECT_EQ(p.ratios.at("gpu0").walls.compute_shape, "8192^3");
  EXPECT_GT(bf16.percent_of_datasheet, 80);
  const Level* hbm = find_level(p, "gpu0", "HBM");
  ASSERT_NE(hbm, nullptr);
  EXPECT_NEAR(hbm->percent_of_datasheet, 100 * hbm->bandwidth_GBps / 4800, 1e-9);
}

// The host link is in the profile's links, with its latency, and is the GPU's interconnect wall
// where NCCL ran on one GPU only.
TEST(Profile, HostLinksAreLinks) {
  const Profile p = h200();
  int pinned_ce = 0;
  for (const HostLink& l : p.links.host)
    if (l.memory == "pinned" && l.engine == "ce") {
      ++pinned_ce;
      EXPECT_GT(l.bandwidth_GBps, 40) << l.name;
      if (l.direction != "bidir") {
        EXPECT_GT(l.latency_ns, 1000) << l.name;
      }
      EXPECT_EQ(l.link, "PCIe gen 5 x16");
    }
  EXPECT_EQ(pinned_ce, 3);
  const Walls& w = p.ratios.at("gpu0").walls;
  EXPECT_GT(w.link_GBps, 50);
  EXPECT_NE(w.link.find("host link"), std::string::npos) << w.link;
  EXPECT_NEAR(w.flop_per_link_byte, w.compute_GFLOPps / w.link_GBps, 1e-6);
}

// A result file of `bench_gpu --device 1` beside one of `--device 0`, two different GPUs: two
// GPU devices, each with its own name and caches.
TEST(Profile, TwoGpusEachWithItsOwnNameAndCaches) {
  const Profile p = profile_of({fixture("gpu_node_2")});
  ASSERT_TRUE(p.devices.count("gpu0"));
  ASSERT_TRUE(p.devices.count("gpu1"));
  EXPECT_EQ(p.devices.at("gpu0").name, "NVIDIA H200");
  EXPECT_EQ(p.devices.at("gpu1").name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(find_level(p, "gpu0", "GPU_L2")->size_bytes, 60.0 * (1 << 20));
  EXPECT_EQ(find_level(p, "gpu1", "GPU_L2")->size_bytes, 50.0 * (1 << 20));
  EXPECT_EQ(p.devices.at("gpu1").datasheet.name, "NVIDIA H100 SXM5 80GB");
  EXPECT_NE(find_level(p, "gpu0", "HBM")->bandwidth_GBps,
            find_level(p, "gpu1", "HBM")->bandwidth_GBps);
}

TEST(Profile, EightGpusAndTheirPeerMatrix) {
  const Profile p = profile_of({fixture("gpu_node_8")});
  EXPECT_EQ(devices_of_kind(p, DeviceKind::gpu).size(), 8u);
  std::vector<std::string> order;
  for (const auto& [id, d] : p.devices) order.push_back(id);
  EXPECT_EQ(order.front(), "gpu0");
  EXPECT_EQ(order.back(), "gpu7");
  // Copy engine and SMs: one way over every ordered pair, both ways over every pair.
  EXPECT_EQ(p.links.peers.size(), 2u * (8u * 7u + 8u * 7u / 2));
  std::set<int> ranks;
  for (const Collective& c : p.links.nccl) ranks.insert(c.ranks);
  EXPECT_EQ(ranks, (std::set<int>{2, 4, 8}));
  EXPECT_NE(p.ratios.at("gpu3").walls.link.find("NCCL"), std::string::npos);
}

TEST(Profile, TwoNodeMpiRun) {
  const Profile p = profile_of({fixture("mpi_2_nodes")});
  std::set<std::string> placements;
  for (const PointToPoint& x : p.links.mpi_p2p) placements.insert(x.placement);
  EXPECT_TRUE(placements.count("other_node"));
  EXPECT_EQ(p.links.mpi_hosts.size(), 2u);
  EXPECT_FALSE(p.links.mpi_collectives.empty());
  EXPECT_EQ(p.links.mpi_collectives.front().nodes, 2);
}

// A counter declared once in core's schema (IOPS, headline there) is a benchmark's main
// counter, a metric for compare and history, and a headline metric of the gate.
TEST(Schema, ANewCounterFlowsIntoCompareHistoryAndGate) {
  ResultFile f;
  f.path = "io";
  Measurement m = parse_name("io.rand/read/mode:direct/qd:32/bytes:4096");
  m.counters["iops"] = {100000, 110000, 105000};
  m.counters["GBps"] = {0.41, 0.45, 0.43};
  f.measurements.push_back(m);
  EXPECT_STREQ(main_counter(f.measurements[0]), "iops");
  const Profile p = profile_of({f});
  ASSERT_EQ(p.metrics.size(), 1u);
  EXPECT_EQ(p.metrics[0].counter, "iops");
  EXPECT_DOUBLE_EQ(p.metrics[0].best, 110000);
  const auto headline = headline_metrics(p);
  EXPECT_TRUE(headline.count("benchmark/io.rand/read/mode:direct/qd:32/bytes:4096/iops"));
  Profile slower = p;
  for (double& v : slower.metrics[0].samples) v /= 2;
  slower.metrics[0] = make_metric(slower.metrics[0].name, "iops", slower.metrics[0].samples);
  EXPECT_EQ(compare_metrics(p.metrics, slower.metrics, 0.05).regressions, 1);
}

// A family's own counter, declared in its file: the result file says so, the profile keeps it,
// and a profile read back knows it (its direction and that the gate watches it).
TEST(Schema, AFamilysOwnCounterTravelsWithItsResults) {
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_declared";
  fs::create_directories(dir);
  const nlohmann::json counters = nlohmann::json::array({{{"name", "fill_ms"},
                                                          {"unit", "ms"},
                                                          {"higher_is_better", false},
                                                          {"main", true},
                                                          {"headline", true},
                                                          {"meaning", "test"},
                                                          {"scale", 1}}});
  nlohmann::json doc = {
      {"context", {{"memwall_version", "test"}, {"memwall_counters", counters.dump()}}},
      {"benchmarks", nlohmann::json::array()}};
  for (double v : {3.0, 2.0, 4.0})
    doc["benchmarks"].push_back(
        {{"name", "cpu.fill/one/bytes:64/manual_time"}, {"run_type", "iteration"}, {"fill_ms", v}});
  std::ofstream(dir / "bench_fill.json") << doc.dump();
  const Profile p = profile_of({(dir / "bench_fill.json").string()});
  ASSERT_EQ(p.metrics.size(), 1u);
  EXPECT_EQ(p.metrics[0].counter, "fill_ms");
  EXPECT_FALSE(p.metrics[0].higher_is_better);
  EXPECT_DOUBLE_EQ(p.metrics[0].best, 2.0);
  ASSERT_EQ(p.counters.size(), 1u);
  const Profile back = parse_profile(profile_json_text(p), "back");
  EXPECT_EQ(back.counters.size(), 1u);
  EXPECT_TRUE(headline_metrics(back).count("benchmark/cpu.fill/one/bytes:64/fill_ms"));
  fs::remove_all(dir);
}

// Two result files that declare one counter with opposite directions (two tools, two versions of
// a family): each profile is judged by its own declaration, whichever was read first, and keeps
// the declared scale.
TEST(Schema, TwoProfilesDeclaringOneCounterDifferentlyAreEachJudgedByTheirOwn) {
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_two_declarations";
  fs::create_directories(dir);
  auto write = [&](const std::string& name, bool higher_is_better, double scale) {
    const nlohmann::json counters = nlohmann::json::array({{{"name", "score"},
                                                            {"unit", "points"},
                                                            {"higher_is_better", higher_is_better},
                                                            {"main", true},
                                                            {"headline", true},
                                                            {"meaning", "test"},
                                                            {"scale", scale}}});
    nlohmann::json doc = {
        {"context", {{"memwall_version", "test"}, {"memwall_counters", counters.dump()}}},
        {"benchmarks", nlohmann::json::array()}};
    for (double v : {3.0, 2.0, 4.0})
      doc["benchmarks"].push_back(
          {{"name", "cpu.score/one/manual_time"}, {"run_type", "iteration"}, {"score", v}});
    std::ofstream(dir / name) << doc.dump();
    return profile_of({(dir / name).string()});
  };
  const Profile higher = write("bench_higher.json", true, 1);
  const Profile lower = write("bench_lower.json", false, 1e3);
  ASSERT_EQ(higher.metrics.size(), 1u);
  ASSERT_EQ(lower.metrics.size(), 1u);
  EXPECT_TRUE(higher.metrics[0].higher_is_better);
  EXPECT_DOUBLE_EQ(higher.metrics[0].best, 4.0);
  EXPECT_FALSE(lower.metrics[0].higher_is_better);
  EXPECT_DOUBLE_EQ(lower.metrics[0].best, 2.0);
  ASSERT_EQ(higher.counters.size(), 1u);
  EXPECT_DOUBLE_EQ(higher.counters[0].scale, 1);
  // Read back from profile.json, in the other order: each still by its own.
  const Profile lower_back = parse_profile(profile_json_text(lower), "lower");
  const Profile higher_back = parse_profile(profile_json_text(higher), "higher");
  EXPECT_DOUBLE_EQ(lower_back.counters[0].scale, 1e3);
  EXPECT_FALSE(headline_metrics(lower_back).at("benchmark/cpu.score/one/score").higher_is_better);
  EXPECT_TRUE(headline_metrics(higher_back).at("benchmark/cpu.score/one/score").higher_is_better);
  fs::remove_all(dir);
}

TEST(Compare, MannWhitneyKnownValues) {
  EXPECT_NEAR(mann_whitney_p({1, 2, 3}, {4, 5, 6}), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_p({1, 3, 5}, {2, 4, 6}), 0.7, 1e-12);
}

TEST(Compare, PlantedRegressionAndNoise) {
  const std::vector<Metric> base = {make_metric("bw", "GBps", {100, 101, 99, 100.5, 99.5}),
                                    make_metric("lat", "latency_ns", {10, 10.1, 9.9, 10, 10}),
                                    make_metric("gone", "GBps", {1, 1, 1})};
  std::vector<Metric> slower = {make_metric("bw", "GBps", {90, 90.9, 89.1, 90.45, 89.55}),
                                make_metric("lat", "latency_ns", {10.05, 9.95, 10, 10.1, 9.9}),
                                make_metric("new", "GBps", {1, 1, 1})};
  CompareResult r = compare_metrics(base, slower, 0.05);
  EXPECT_EQ(r.regressions, 1);
  EXPECT_EQ(r.rows[0].verdict, Change::regression);
  EXPECT_NEAR(r.rows[0].change, -0.1, 1e-9);
  EXPECT_EQ(r.rows[1].verdict, Change::same);
  EXPECT_EQ(r.only_in_base, std::vector<std::string>{"gone"});
  EXPECT_EQ(r.only_in_new, std::vector<std::string>{"new"});
  r = compare_metrics({make_metric("bw", "GBps", {80, 100, 120})},
                      {make_metric("bw", "GBps", {70, 90, 115})}, 0.05);
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(r.rows[0].verdict, Change::noise);
  r = compare_metrics({make_metric("lat", "latency_ns", {10, 10, 10})},
                      {make_metric("lat", "latency_ns", {12, 12, 12})}, 0.05);
  EXPECT_EQ(r.rows[0].verdict, Change::regression);
}

TEST(History, RoundTrip) {
  const Profile built = build_fixture();
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_history";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path profile = dir / "profile.json";
  std::ofstream(profile) << profile_json_text(built);
  const std::string db = (dir / "h.sqlite").string();
  EXPECT_TRUE(history_add(db, profile.string()));
  EXPECT_FALSE(history_add(db, profile.string()));  // the same profile is not added twice
  const std::string shown = history_show(db);
  EXPECT_NE(shown.find("run 1"), std::string::npos);
  EXPECT_EQ(shown.find("run 2"), std::string::npos);
  const std::string metric = built.metrics[0].name;
  const MetricHistory trend = history_trend(db, metric);
  ASSERT_EQ(trend.runs.size(), 1u);
  EXPECT_EQ(trend.runs[0].best, built.metrics[0].best);
  EXPECT_THROW(history_trend(db, "no/such/metric"), InputError);
  EXPECT_THROW(history_add(db, fixture("run_a/bench_cpu.json")), InputError);  // not a profile
  EXPECT_EQ(history_profiles(db, built, "").size(), 1u);
  fs::remove_all(dir);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')).size(), 64u);
}

namespace {
// A profile whose DRAM bandwidth and fp32 peak are the given values.
Profile tiny_profile(double dram, double peak, double latency) {
  Profile p;
  p.machine = {{"host_name", "h"}, {"cpu_model", "c"}};
  Level l;
  l.name = "DRAM";
  l.bandwidth_GBps = dram;
  l.latency_ns = latency;
  p.memory["cpu"] = {l};
  p.compute["cpu"]["fp32"].peak.best = peak;
  return p;
}
}  // namespace

// Runs that drift by ~10% between them (as this shared machine's memory does) must not flag a
// new run from the same spread; a 40% drop must.
TEST(Gate, JudgesByTheSpreadBetweenRuns) {
  std::vector<Profile> baseline;
  const double drift[] = {1.00, 0.92, 1.07, 0.95, 1.10, 0.97};
  for (double d : drift)
    baseline.push_back(tiny_profile(40 * d, 230 * (1 + (d - 1) / 20), 140 / d));
  GateOptions o;
  for (double d : drift) {  // each run against the others: the A/A experiment in miniature
    std::vector<Profile> others;
    for (double e : drift)
      if (e != d) others.push_back(tiny_profile(40 * e, 230 * (1 + (e - 1) / 20), 140 / e));
    EXPECT_EQ(gate(tiny_profile(40 * d, 230, 140 / d), others, o).regressions, 0) << d;
  }
  const GateResult slow = gate(tiny_profile(24, 230, 200), baseline, o);
  EXPECT_EQ(slow.regressions, 2);  // bandwidth down 40%, latency up 43%; the peak held
  for (const GateRow& r : slow.rows)
    if (r.name == "compute/cpu/fp32/peak_GFLOPps") {
      EXPECT_EQ(r.verdict, Change::ok);
    }
  // Too few runs: every metric is new, none judged.
  o.min_runs = 10;
  EXPECT_EQ(gate(tiny_profile(24, 230, 200), baseline, o).checked, 0);
}
