#include <gtest/gtest.h>

#include "harness/profile/pipeline.hpp"
#include "harness/profile/result_file.hpp"
#include "harness/profile/steps.hpp"

using namespace memwall::harness;

namespace {
std::string fixture(const std::string& name) {
  return std::string(MEMWALL_FIXTURES) + "/" + name;
}

std::string error_of(const std::string& path) {
  try {
    load_result_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Names, GoogleBenchmarkSuffixesAreStripped) {
  EXPECT_EQ(strip_gbench_suffixes("cpu.bw/triad/threads:2/bytes:4096/manual_time"),
            "cpu.bw/triad/threads:2/bytes:4096");
  EXPECT_EQ(strip_gbench_suffixes("cpu.lat/chase/bytes:1/repeats:3/manual_time"),
            "cpu.lat/chase/bytes:1");
  EXPECT_EQ(strip_gbench_suffixes("cpu.bw/triad/threads:2"), "cpu.bw/triad/threads:2");
}

TEST(Names, SplitIntoFamilyVariantAndKeys) {
  const Measurement m = parse_name("cpu.lat/chase/pages:huge/bytes:67108864/manual_time");
  EXPECT_EQ(m.name, "cpu.lat/chase/pages:huge/bytes:67108864");
  EXPECT_EQ(m.family, "cpu.lat");
  EXPECT_EQ(m.variant, "chase");
  EXPECT_EQ(m.keys.at("pages"), "huge");
  EXPECT_DOUBLE_EQ(m.key_number("bytes"), 67108864);
  EXPECT_DOUBLE_EQ(m.key_number("threads", -1), -1);
}

TEST(ResultFile, LoadsRepetitionsAndIgnoresAggregates) {
  const ResultFile f = load_result_file(fixture("bench_cpu_small.json"));
  EXPECT_EQ(f.context["memwall_binary"], "bench_cpu");
  ASSERT_FALSE(f.measurements.empty());
  for (const Measurement& m : f.measurements) {
    EXPECT_TRUE(m.error.empty());
    EXPECT_EQ(m.counters.at("valid").size(), 2u) << m.name;  // two repetitions, no aggregates
    if (m.family == "cpu.bw") {
      EXPECT_GT(m.best("GBps"), 0);
      EXPECT_GE(m.best("GBps"), m.median("GBps"));
    } else {
      EXPECT_LE(m.best("latency_ns"), m.median("latency_ns"));  // best latency is the lowest
    }
  }
}

TEST(ResultFile, BadInputNamesTheFileAndTheProblem) {
  EXPECT_NE(error_of(fixture("truncated.json")).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(fixture("not_json.json")).find("not JSON"), std::string::npos);
  EXPECT_NE(error_of(fixture("foreign_gbench.json")).find("another tool"), std::string::npos);
  EXPECT_NE(error_of(fixture("newer_schema.json")).find("newer"), std::string::npos);
  EXPECT_NE(error_of(fixture("does_not_exist.json")).find("cannot read"), std::string::npos);
  EXPECT_NE(error_of(fixture("truncated.json")).find("truncated.json"), std::string::npos);
}

TEST(Devices, CachesFromTheContextOfTheirOwnRun) {
  ProfileInputs in;
  in.files = {load_result_file(fixture("bench_cpu_small.json"))};
  const auto caches = reported_caches(in, "cpu");
  ASSERT_FALSE(caches.empty());
  EXPECT_EQ(caches.front().level, 1);
  const auto devices = devices_step(in);
  ASSERT_TRUE(devices.count("cpu"));
  EXPECT_FALSE(devices.at("cpu").context.empty());
}

TEST(ResultFile, NonFiniteTokensBecomeNullOutsideStrings) {
  EXPECT_EQ(null_non_finite(R"({"cv": NaN, "x": -nan, "y": inf, "s": "NaN inf"})"),
            R"({"cv": null, "x": null, "y": null, "s": "NaN inf"})");
  EXPECT_EQ(null_non_finite(R"({"info": 1})"), R"({"info": 1})");
}

// A role's contract is checked where a family declares the role and where the harness reads a
// benchmark: a declaration without a field its role needs is kept out with one line to print,
// and a benchmark without a key its role needs fails alone instead of stopping the profile.
TEST(Roles, TheContractIsCheckedWhereARoleIsDeclaredAndRead) {
  EXPECT_EQ(memwall::declaration_problem({"cpu.x", "", {}, "peak", "cpu", {}}),
            "cpu.x declares the role peak without its field 'path'");
  EXPECT_EQ(memwall::declaration_problem({"cpu.x", "", {}, "peek", "cpu", {}}),
            "cpu.x declares an unknown role 'peek'");
  EXPECT_EQ(memwall::declaration_problem({"cpu.x", "", {}, "peak", "cpu", {{"path", "fma"}}}), "");
  EXPECT_EQ(memwall::missing_key("product", {{"op", "qkv"}, {"seq", "1"}}), "batch");
  EXPECT_EQ(memwall::missing_key("product", {{"op", "qkv"}, {"seq", "1"}, {"batch", "1"}}), "");
  EXPECT_THROW(memwall::roles_from_json(R"([{"family": "x.y", "role": "collective"}])"),
               std::invalid_argument);

  ResultFile f = load_result_file(fixture("run_a/bench_cpu.json"));
  Measurement product = parse_name("xfmr.gemv/tiny/decode/op:qkv/seq:128/type:fp32");
  product.counters["GFLOPps"] = {1.0};
  product.counters["GBps"] = {1.0};
  f.measurements.push_back(product);
  f.roles.push_back({"xfmr.gemv", "", {}, "product", "cpu", {}});
  ProfileInputs in;
  in.files = {f};
  in.data_dir = MEMWALL_DATA;
  const Profile p = build_profile(in);
  ASSERT_EQ(p.provenance.failed.size(), 1u);
  EXPECT_EQ(p.provenance.failed[0].name, product.name);
  EXPECT_EQ(p.provenance.failed[0].why,
            "error: the name lacks the key 'batch' that its role (product) needs");
}
