// Runs the real binaries: a tiny bench_cpu run must write the schema of DESIGN.md, and bad
// input must give one clear error line and a non-zero exit.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness/profile/model.hpp"
#include "harness/profile/result_file.hpp"
#include "harness/track/gate.hpp"
#include "run_command.hpp"

namespace fs = std::filesystem;
using memwall::harness::DeviceKind;
using memwall::harness::headline_metrics;
using memwall::harness::HostLink;
using memwall::harness::Level;
using memwall::harness::load_profile;
using memwall::harness::machine_value;
using memwall::harness::Product;
using memwall::harness::Profile;

namespace {

// Which binaries the tests start, read at run time so that one build of this driver tests
// others: MEMWALL_TEST_EMULATOR is a command in front of every bench binary (`qemu-x86_64 -cpu
// max`, a CPU without AVX-512; qemu-aarch64), which memwall passes on through MEMWALL_WRAPPER;
// MEMWALL_TEST_BENCH_DIR is the build tree whose bench binaries are tested (a cross build's),
// run by this build's memwall through MEMWALL_BENCH_PATH. Without it memwall runs under the
// emulator too.
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
std::string emulator() {
  return env("MEMWALL_TEST_EMULATOR");
}
bool emulated() {
  return !emulator().empty();
}
std::string under_emulator(const std::string& path) {
  return emulated() ? emulator() + " " + path : path;
}
std::string bench_path(const std::string& name, const std::string& built_here) {
  const std::string dir = env("MEMWALL_TEST_BENCH_DIR");
  return dir.empty() ? built_here : dir + "/" + name + "/" + name;
}
std::string bench_cpu() {
  return under_emulator(bench_path("bench_cpu", BENCH_CPU_PATH));
}
std::string bench_comm() {
  return under_emulator(bench_path("bench_comm", BENCH_COMM_PATH));
}
#ifdef BENCH_GPU_PATH
const std::string kBenchGpuHere = BENCH_GPU_PATH;
#else
const std::string kBenchGpuHere = "";
#endif
// Empty where bench_gpu is not built.
std::string bench_gpu() {
  const std::string path = bench_path("bench_gpu", kBenchGpuHere);
  return !path.empty() && fs::exists(path) ? under_emulator(path) : "";
}
// Test data only (a synthetic GPU result file): this build's, never emulated.
std::string fake_gpu_bench() {
  return FAKE_GPU_BENCH_PATH;
}
std::string memwall_cli() {
  const std::string dir = env("MEMWALL_TEST_BENCH_DIR");
  std::string line;
  if (!dir.empty())
    line +=
        "MEMWALL_BENCH_PATH='" + dir + "/bench_cpu:" + dir + "/bench_comm:" + dir + "/bench_gpu' ";
  if (emulated()) line += "MEMWALL_WRAPPER='" + emulator() + "' ";
  return line + (dir.empty() ? under_emulator(MEMWALL_PATH) : std::string(MEMWALL_PATH));
}

// Whether a bench binary's build found an optional part (MPI, OpenBLAS): asked of the binary,
// which may be another build's.
bool built_with(const std::string& binary, const std::string& part) {
  const Outcome o = run(binary + " --describe");
  if (o.exit_code != 0) return false;
  const nlohmann::json d = nlohmann::json::parse(o.output, nullptr, false);
  if (d.is_discarded() || !d.contains("built_with")) return false;
  for (const auto& p : d["built_with"])
    if (p == part) return true;
  return false;
}

// A command started in the background (exec'd by sh, so its pid is the program's, or its
// emulator's), its output into `log`.
pid_t start(const std::string& command, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string line = "exec " + command + " >'" + log.string() + "' 2>&1";
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits for an event, not for seconds: a file of `dir` whose name starts with `prefix` holding
// `needle` (the first result a bench binary wrote). `guard_s` only ends a wait that would
// never end; false then.
bool wait_for_file(const fs::path& dir, const std::string& prefix, const std::string& needle,
                   double guard_s = 600) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(guard_s);
  while (std::chrono::steady_clock::now() < until) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find(needle) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The exit code of a started command, or 128 + the signal that ended it.
int finish(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Every folder a test makes goes when the program ends, also where an assertion stopped the test
// before its own remove_all: nothing is left in /tmp.
struct TempDirs {
  std::set<fs::path> made;
  ~TempDirs() {
    std::error_code ignored;
    for (const fs::path& dir : made) fs::remove_all(dir, ignored);
  }
};

fs::path temp_dir(const std::string& name) {
  static TempDirs dirs;
  fs::path dir =
      fs::temp_directory_path() / ("memwall_e2e_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  dirs.made.insert(dir);
  return dir;
}

int error_lines(const std::string& output) {
  int n = 0;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.find("error") != std::string::npos) ++n;
  return n;
}

const std::string kTiny =
    " --min-bytes 4KiB --max-bytes 128KiB --points-per-octave 1 --repetitions 2 --min-time 0.001"
    " --benchmark_filter='cpu.bw|cpu.lat'";

}  // namespace

TEST(BenchCpu, TinyRunWritesTheDesignSchema) {
  const fs::path dir = temp_dir("schema");
  const fs::path out = dir / "bench_cpu.json";
  const Outcome o = run(bench_cpu() + kTiny + " --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::json::parse(memwall::harness::null_non_finite(text.str()));
  const auto& ctx = doc["context"];
  for (const char* key : {"memwall_version", "git_commit", "compiler", "flags", "cpu_model",
                          "cpu_mhz_measured", "hwloc_caches", "numa_nodes", "isa"})
    EXPECT_TRUE(ctx.contains(key)) << key;
  EXPECT_TRUE(nlohmann::json::parse(ctx["hwloc_caches"].get<std::string>()).is_array());

  int bw = 0, lat = 0, loaded = 0;
  for (const auto& b : doc["benchmarks"]) {
    if (b["run_type"] != "iteration") continue;
    const auto m = memwall::harness::parse_name(b["name"]);
    EXPECT_TRUE(m.keys.count("bytes")) << m.name;
    EXPECT_EQ(b.value("valid", 0.0), 1.0) << m.name;
    if (m.family == "cpu.bw") {
      ++bw;
      EXPECT_TRUE(m.keys.count("threads") && m.keys.count("pages")) << m.name;
      EXPECT_GT(b["GBps"].get<double>(), 0);
      EXPECT_GE(b["hw_GBps"].get<double>(), b["GBps"].get<double>());
      EXPECT_GT(b["bytes"].get<double>(), 0);
    } else if (m.family == "cpu.lat") {
      ++lat;
      loaded += m.variant == "loaded";
      EXPECT_GT(b["latency_ns"].get<double>(), 0);
    } else {
      ADD_FAILURE() << "unexpected family " << m.family;
    }
  }
  EXPECT_GT(bw, 0);
  EXPECT_GT(lat, 0);
  fs::remove_all(dir);
}

TEST(BenchCpu, UnknownFilterIsAnError) {
  const Outcome o = run(bench_cpu() + kTiny + " --benchmark_filter=no_such_benchmark");
  EXPECT_NE(o.exit_code, 0);
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
}

TEST(BenchCpu, BadSizesAreErrors) {
  for (const char* size : {"0", "12XB", "-1"}) {
    const Outcome o = run(bench_cpu() + " --max-bytes " + size);
    EXPECT_EQ(o.exit_code, 2) << size << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
    EXPECT_NE(o.output.find("bad size"), std::string::npos) << o.output;
  }
}

TEST(BenchCpu, TooManyThreadsIsAnError) {
  const Outcome o = run(bench_cpu() + " --threads 4096");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  EXPECT_NE(o.output.find("above"), std::string::npos) << o.output;
}

TEST(BenchCpu, UnknownFlagAndIsaAreErrors) {
  for (const char* args : {" --no-such-flag", " --isa avx9000", " --bw-pages 1G"}) {
    const Outcome o = run(bench_cpu() + args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
  }
}

TEST(BenchCpu, BadModelsAndShapesAreErrors) {
  const std::string bad_heads = (temp_dir("model") / "bad.json").string();
  std::ofstream(bad_heads) << R"({"name": "bad", "hidden": 100, "ffn": 400, "heads": 3,
                                   "layers": 1, "vocab": 10})";
  for (const std::string& args :
       std::vector<std::string>{" --model gpt-5", " --model " + bad_heads, " --batch 0",
                                " --seq 12x", " --phase train", " --xfmr-type int8"}) {
    const Outcome o = run(bench_cpu() + args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
  }
}

TEST(BenchCpu, TinyTransformerAndPeakRun) {
  if (!built_with(bench_cpu(), "OpenBLAS"))
    GTEST_SKIP() << "built without OpenBLAS: no Transformer products";
  const fs::path dir = temp_dir("xfmr");
  const fs::path model = dir / "tiny.json";
  std::ofstream(model) << R"({"name": "tiny", "hidden": 128, "ffn": 512, "heads": 4,
                               "layers": 2, "vocab": 500, "gated_ffn": true})";
  const Outcome o = run(bench_cpu() + " --model " + model.string() +
                        " --batch 1,2 --seq 16 --repetitions 2 --min-time 0.001 --xfmr-type fp32"
                        " --benchmark_filter='xfmr|cpu.flops/fma/type:fp64/threads:1' --out " +
                        (dir / "bench_cpu.json").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const auto file = memwall::harness::load_result_file((dir / "bench_cpu.json").string());
  int gemm = 0, gemv = 0, layer = 0, flops = 0;
  for (const auto& m : file.measurements) {
    ASSERT_TRUE(m.error.empty()) << m.name << ": " << m.error;
    EXPECT_EQ(m.best("valid"), 1) << m.name;
    gemm += m.family == "xfmr.gemm";
    gemv += m.family == "xfmr.gemv";
    layer += m.family == "xfmr.layer";
    if (m.family == "cpu.flops") {
      ++flops;
      EXPECT_GT(m.best("theoretical_GFLOPps"), 0);
    }
  }
  EXPECT_EQ(gemm, 2 * 8);  // qkv, scores, v, out, up, gate, down, lm_head; two batch sizes
  EXPECT_EQ(gemv, 2 * 8);
  EXPECT_EQ(layer, 4);
  EXPECT_EQ(flops, 1);
  fs::remove_all(dir);
}

TEST(Memwall, ReportOnATinyRunWritesTheSummary) {
  const fs::path dir = temp_dir("report");
  ASSERT_EQ(run(bench_cpu() + kTiny + " --out " + (dir / "bench_cpu.json").string()).exit_code, 0);
  const Outcome o = run(memwall_cli() + " report " + dir.string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(fs::exists(dir / "summary.md"));
  fs::remove_all(dir);
}

// `memwall report profile.json` writes every file `memwall report DIR` writes, the same; and so
// does a folder that holds the profile without the result files it came from.
TEST(Memwall, TheProfileAloneRewritesTheReport) {
  const fs::path dir = temp_dir("profile_alone");
  fs::create_directories(dir / "run");
  for (const auto& entry : fs::directory_iterator(std::string(MEMWALL_FIXTURES) + "/gpu_node_2"))
    fs::copy_file(entry.path(), dir / "run" / entry.path().filename());
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json",
                dir / "run" / "bench_cpu.json");
  ASSERT_EQ(
      run(memwall_cli() + " report " + (dir / "run").string() + " --out " + (dir / "a").string())
          .exit_code,
      0);
  Outcome o = run(memwall_cli() + " report " + (dir / "a" / "profile.json").string() + " --out " +
                  (dir / "b").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  fs::create_directories(dir / "c");
  fs::copy_file(dir / "a" / "profile.json", dir / "c" / "profile.json");
  o = run(memwall_cli() + " report " + (dir / "c").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  auto files = [](const fs::path& d) {
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::directory_iterator(d)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      out[entry.path().filename().string()] = text.str();
    }
    return out;
  };
  auto a = files(dir / "a");
  std::erase_if(a, [](const auto& file) { return file.first.rfind("bench_", 0) == 0; });
  EXPECT_EQ(files(dir / "b"), a);
  EXPECT_EQ(files(dir / "c"), a);
  EXPECT_NE(a["summary.md"].find("NVIDIA H100 80GB HBM3"), std::string::npos);
  o = run(memwall_cli() + " report " + (dir / "c" / "profile.json").string() + " --dram 12x4800");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  fs::remove_all(dir);
}

TEST(Memwall, BadResultFilesGiveOneErrorLine) {
  for (const char* name :
       {"truncated.json", "not_json.json", "foreign_gbench.json", "newer_schema.json"}) {
    const Outcome o = run(memwall_cli() + " report " + MEMWALL_FIXTURES + "/" + name + " --out " +
                          temp_dir("bad").string());
    EXPECT_EQ(o.exit_code, 2) << name << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
    EXPECT_NE(o.output.find(name), std::string::npos) << o.output;
  }
}

// A malformed --dram stops the run before anything runs: one line, exit 2, no result file.
TEST(Memwall, BadDramIsRefusedBeforeTheRun) {
  const fs::path out = temp_dir("dram");
  for (const char* bad : {"12xabc", "12x", "x4800", "12x4800x", "12x4800junk", "0x4800"}) {
    const Outcome o =
        run(memwall_cli() + " run --quick --only cpu --dram " + bad + " --out " + out.string());
    EXPECT_EQ(o.exit_code, 2) << bad << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
    EXPECT_NE(o.output.find("CHANNELSxMT/s"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(out / "bench_cpu.json")) << bad;
  }
  fs::remove_all(out);
}

// A references file with a missing column or a figure that is not a number: one line, exit 2.
TEST(Memwall, BadReferencesFileIsOneErrorLine) {
  const fs::path dir = temp_dir("refs");
  fs::create_directories(dir);
  std::ofstream(dir / "no_column.csv") << "machine,kind,figure,value\nx,cpu,dram_triad,1\n";
  std::ofstream(dir / "not_a_number.csv")
      << "machine,kind,uarch,figure,value,unit,cores,scope,method,source\n"
         "x,cpu,Zen 4,dram_triad,fast,GB/s,,n,m,s\n";
  for (const char* name : {"no_column.csv", "not_a_number.csv"}) {
    const Outcome o =
        run(memwall_cli() + " report " + MEMWALL_FIXTURES + "/run_a/bench_cpu.json --out " +
            (dir / "out").string() + " --references " + (dir / name).string());
    EXPECT_EQ(o.exit_code, 2) << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << o.output;
    EXPECT_NE(o.output.find(name), std::string::npos) << o.output;
  }
  fs::remove_all(dir);
}

TEST(Memwall, InterruptedRunKeepsWhatItMeasured) {
  const fs::path dir = temp_dir("interrupt");
  const fs::path out = dir / "bench_cpu.json";
  // SIGINT once the first result is written: the run must end with a complete JSON file of
  // what it finished.
  const pid_t pid = start(
      bench_cpu() + " --max-bytes 256MiB --repetitions 3 --min-time 0.05 --out " + out.string(),
      dir / "log");
  ASSERT_TRUE(wait_for_file(dir, ".bench_cpu.json.tmp.", "\"run_name\""));
  kill(pid, SIGINT);
  EXPECT_EQ(finish(pid), 130) << slurp(dir / "log");
  ASSERT_TRUE(fs::exists(out)) << slurp(dir / "log");
  const auto file = memwall::harness::load_result_file(out.string());
  int measured = 0;
  for (const auto& m : file.measurements) measured += m.error.empty();
  EXPECT_GT(measured, 0);
  fs::remove_all(dir);
}

TEST(Memwall, InterruptBetweenRepetitionsEndsCleanly) {
  // Google Benchmark aborts when one benchmark's repetitions differ in iteration count; a SIGINT
  // outside the timed loop (in a benchmark's set-up) left the next repetition with none, and
  // bench_comm died of SIGABRT on an H200. Now: exit 130 and the file of what finished.
  const fs::path dir = temp_dir("interrupt_reps");
  const fs::path out = dir / "bench_cpu.json";
  const std::string first = "cpu.bw/read/pages:huge/threads:1/bytes:";
  const Outcome o =
      run("MEMWALL_INJECT_FAULT=interrupt:" + first + "8192 " + bench_cpu() +
          " '--benchmark_filter=" + first + "(4096|8192)/' --repetitions 3 --out " + out.string());
  EXPECT_EQ(o.exit_code, 130) << o.output;
  EXPECT_EQ(o.output.find("Check `"), std::string::npos) << o.output;
  ASSERT_TRUE(fs::exists(out)) << o.output;
  EXPECT_NO_THROW(memwall::harness::load_result_file(out.string()));
  fs::remove_all(dir);
}

TEST(Memwall, CompareExitCodes) {
  const fs::path dir = temp_dir("compare");
  const std::string base = std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json";
  // The same run against itself: nothing changed.
  Outcome o = run(memwall_cli() + " compare " + base + " " + base);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  // A planted 10% bandwidth drop in every repetition of every bandwidth benchmark, and one
  // benchmark removed: a regression (exit 1), and the missing metric is listed, not fatal.
  std::ifstream in(base);
  auto doc = nlohmann::json::parse(in);
  nlohmann::json kept = nlohmann::json::array();
  for (auto& b : doc["benchmarks"]) {
    if (b.contains("GBps") && !b.contains("GFLOPps")) b["GBps"] = b["GBps"].get<double>() * 0.9;
    if (b["name"].get<std::string>().rfind("cpu.lat/chase/pages:huge/bytes:4096/", 0) != 0)
      kept.push_back(b);
  }
  doc["benchmarks"] = kept;
  const fs::path slower = dir / "slower.json";
  std::ofstream(slower) << doc.dump();
  o = run(memwall_cli() + " compare " + base + " " + slower.string());
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_NE(o.output.find("regression"), std::string::npos);
  EXPECT_NE(o.output.find("only in base: cpu.lat/chase/pages:huge/bytes:4096"), std::string::npos)
      << o.output;
  // Bad input: one error line, exit 2.
  o = run(memwall_cli() + " compare " + base + " " + MEMWALL_FIXTURES + "/truncated.json");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  o = run(memwall_cli() + " compare " + base + " " + base + " --threshold abc");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  fs::remove_all(dir);
}

TEST(Memwall, ReportAndHistoryFromTheCommandLine) {
  const fs::path dir = temp_dir("history");
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json", dir / "bench_cpu.json");
  Outcome o = run(memwall_cli() + " report " + dir.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::string db = " --db " + (dir / "h.sqlite").string();
  o = run(memwall_cli() + " history" + db + " add " + (dir / "profile.json").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  o = run(memwall_cli() + " history" + db + " show");
  EXPECT_NE(o.output.find("run 1"), std::string::npos) << o.output;
  o = run(memwall_cli() + " history" + db + " trend cpu.flops/fma/type:fp32/threads:2 --svg " +
          (dir / "t.svg").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("best"), std::string::npos) << o.output;
  EXPECT_TRUE(fs::exists(dir / "t.svg"));
  o = run(memwall_cli() + " history" + db + " trend no_such_metric");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  fs::remove_all(dir);
}

namespace {
memwall::harness::ResultFile load(const fs::path& p) {
  return memwall::harness::load_result_file(p.string());
}
const memwall::harness::Measurement* find(const memwall::harness::ResultFile& f,
                                          const std::string& prefix) {
  for (const auto& m : f.measurements)
    if (m.name.rfind(prefix, 0) == 0) return &m;
  return nullptr;
}
const std::string kFaultRun =
    " --min-bytes 4KiB --max-bytes 16KiB --points-per-octave 1 --repetitions 1 --min-time 0.001"
    " --benchmark_filter='cpu.bw/(read|copy|triad)/' --threads 1";
}  // namespace

// A failed check or an exception in one benchmark is that benchmark's error; the rest run and
// the exit code says something failed.
TEST(Faults, CheckAndExceptionCostOneBenchmark) {
  for (const char* kind : {"check", "throw"}) {
    const fs::path dir = temp_dir(std::string("fault_") + kind);
    const Outcome o = run(std::string("MEMWALL_INJECT_FAULT=") + kind + ":cpu.bw/copy/ " +
                          bench_cpu() + kFaultRun + " --out " + (dir / "r.json").string());
    EXPECT_EQ(o.exit_code, 1) << o.output;
    const auto f = load(dir / "r.json");
    const auto* copy = find(f, "cpu.bw/copy/");
    ASSERT_NE(copy, nullptr);
    EXPECT_NE(copy->error.find("injected fault"), std::string::npos) << copy->error;
    EXPECT_EQ(copy->error.rfind(kind == std::string("check") ? "check failed" : "error:", 0), 0u)
        << copy->error;
    for (const char* other : {"cpu.bw/read/", "cpu.bw/triad/"}) {
      const auto* m = find(f, other);
      ASSERT_NE(m, nullptr) << other;
      EXPECT_TRUE(m->error.empty()) << m->error;
      EXPECT_GT(m->best("GBps"), 0);
    }
    fs::remove_all(dir);
  }
}

// A crash (SIGSEGV) inside one benchmark leaves a valid file with everything finished before
// it and an entry naming the benchmark that crashed.
TEST(Faults, SegvLeavesAValidFileNamingTheBenchmark) {
  const fs::path dir = temp_dir("segv");
  const Outcome o = run("MEMWALL_INJECT_FAULT=segv:cpu.bw/copy/ " + bench_cpu() + kFaultRun +
                        " --out " + (dir / "r.json").string());
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("crashed (SIGSEGV)"), std::string::npos) << o.output;
  const auto f = load(dir / "r.json");
  const auto* read = find(f, "cpu.bw/read/");
  ASSERT_NE(read, nullptr);
  EXPECT_TRUE(read->error.empty());
  const auto* copy = find(f, "cpu.bw/copy/");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->error, "crashed: signal 11 (SIGSEGV)");
  fs::remove_all(dir);
}

// A real crash from outside, mid-run: the file holds what finished. Under qemu-user the signal
// goes to the emulator, not to bench_cpu; once (a fresh-Debian run, aarch64) bench_cpu's handler
// never ran and no file was left, which says more of the emulator than of the handler (the
// injected-crash test above covers it there): under an emulator, one retry; natively, none.
TEST(Faults, KilledWithSegvMidRunKeepsWhatFinished) {
  const fs::path dir = temp_dir("segv_outside");
  const fs::path out = dir / "r.json";
  const int attempts = emulated() ? 2 : 1;
  int rc = 0;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    fs::remove(out);
    // The crash comes once the first result is written, while the next benchmark runs.
    const pid_t pid = start(
        bench_cpu() + " --max-bytes 256MiB --repetitions 2 --min-time 0.01 --out " + out.string(),
        dir / "log");
    EXPECT_TRUE(wait_for_file(dir, ".r.json.tmp.", "\"run_name\""));
    kill(pid, SIGSEGV);
    rc = finish(pid);
    if (fs::exists(out)) break;
  }
  EXPECT_NE(rc, 0) << slurp(dir / "log");
  ASSERT_TRUE(fs::exists(out)) << slurp(dir / "log");
  int measured = 0, crashed = 0;
  for (const auto& m : load(out).measurements) {
    measured += m.error.empty();
    crashed += m.error.rfind("crashed:", 0) == 0;
  }
  EXPECT_GT(measured, 0);
  EXPECT_LE(crashed, 1);  // none where the signal came between two benchmarks
  fs::remove_all(dir);
}

// memwall run starts a crashed binary again after the benchmark that crashed, closes the file
// of one killed outright, reports both, and exits non-zero.
TEST(Faults, MemwallRunSurvivesCrashesAndSaysSo) {
  const std::string args =
      " --cpu-args \"--min-bytes 4KiB --max-bytes 16KiB --points-per-octave 1 --repetitions 1"
      " --min-time 0.001 --threads 1 --benchmark_filter=cpu.bw/(read|copy|triad)/\"";
  {
    const fs::path dir = temp_dir("run_segv");
    const Outcome o = run("MEMWALL_INJECT_FAULT=segv:cpu.bw/copy/pages:huge/threads:1/bytes:8192 " +
                          memwall_cli() + " run --only cpu --out " + dir.string() + args);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    EXPECT_NE(o.output.find("FAILED cpu.bw/copy/"), std::string::npos) << o.output;
    EXPECT_TRUE(fs::exists(dir / "bench_cpu.resumed1.json")) << o.output;
    const auto triad = find(load(dir / "bench_cpu.resumed1.json"), "cpu.bw/triad/");
    ASSERT_NE(triad, nullptr) << "the benchmarks after the crash ran";
    const Profile profile = load_profile((dir / "profile.json").string());
    EXPECT_EQ(profile.provenance.failed.size(), 1u);
    EXPECT_FALSE(profile.provenance.run_notes.empty());
    fs::remove_all(dir);
  }
  {
    const fs::path dir = temp_dir("run_kill");
    const Outcome o = run("MEMWALL_INJECT_FAULT=kill:cpu.bw/copy/ " + memwall_cli() +
                          " run --only cpu --out " + dir.string() + args);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    EXPECT_NE(o.output.find("killed by signal 9"), std::string::npos) << o.output;
    const auto f = load(dir / "bench_cpu.json");
    ASSERT_NE(find(f, "cpu.bw/read/"), nullptr);
    fs::remove_all(dir);
  }
}

TEST(BenchCpu, WorkingSetAboveMemoryIsRefusedFirst) {
  const Outcome o = run(bench_cpu() + " --max-bytes 64TiB");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  EXPECT_NE(o.output.find("memory available"), std::string::npos) << o.output;
}

TEST(BenchCpu, InvalidFilterSaysSo) {
  const Outcome o = run(bench_cpu() + " --benchmark_filter='cpu.bw/(read'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  EXPECT_NE(o.output.find("not a valid regular expression"), std::string::npos) << o.output;
}

TEST(BenchCpu, OneRepetitionHasNoSpread) {
  const Outcome o = run(bench_cpu() + kFaultRun);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("cv -"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("cv  "), std::string::npos) << o.output;
}

namespace {
std::string mpirun() {
  return geteuid() == 0 ? "mpirun --allow-run-as-root" : "mpirun";
}
}  // namespace

// A real mpirun -np 2 of the MPI families on tiny messages: the result file holds every
// family, each checked, with busbw = algbw x nccl-tests' factor.
// Rank counts that divide no power of two (3, 6; real nodes have 96 or 192 cores): every
// collective registers, sized as nccl-tests sizes it (the count rounded down to a multiple of
// the ranks, the bytes counted from it), and every rank's result passes its check.
TEST(BenchComm, EveryCollectiveAtThreeAndSixRanks) {
  if (!built_with(bench_comm(), "MPI")) GTEST_SKIP() << "built without MPI";
  // Six emulated ranks on two cores take minutes; the sizing is unit-tested on every target.
  if (emulated()) GTEST_SKIP() << "under an emulator";
  for (const int ranks : {3, 6}) {
    const fs::path dir = temp_dir("mpi_ranks");
    const Outcome o =
        run(mpirun() + " -np " + std::to_string(ranks) + " --oversubscribe " + bench_comm() +
            " --mpi --max-bytes 64 --repetitions 1 --min-time 0.001 "
            "'--benchmark_filter=comm.mpi/(all|reduce_scatter)' --out " +
            (dir / "r.json").string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    std::set<std::string> seen;
    for (const auto& m : load(dir / "r.json").measurements) {
      ASSERT_TRUE(m.error.empty()) << m.name << ": " << m.error;
      EXPECT_EQ(m.best("valid"), 1) << m.name;
      seen.insert(m.variant);
      if (m.variant == "allgather" || m.variant == "reduce_scatter" || m.variant == "alltoall") {
        EXPECT_EQ(static_cast<int>(m.key_number("bytes")) % (4 * ranks), 0) << m.name;
        EXPECT_NEAR(m.best("busGBps"), m.best("algGBps") * (ranks - 1) / ranks,
                    1e-9 + m.best("algGBps") * 1e-9)
            << m.name;
      }
    }
    for (const char* v : {"allreduce", "allgather", "reduce_scatter", "alltoall"})
      EXPECT_TRUE(seen.count(v)) << ranks << " ranks: " << v;
    fs::remove_all(dir);
  }
}

TEST(BenchComm, TinyMpiRunUnderMpirun) {
  if (!built_with(bench_comm(), "MPI")) GTEST_SKIP() << "built without MPI";
  const fs::path dir = temp_dir("mpi");
  const Outcome o = run(mpirun() + " -np 2 --oversubscribe " + bench_comm() +
                        " --mpi --max-bytes 64 --repetitions 2 --min-time 0.001 --out " +
                        (dir / "r.json").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const auto f = load(dir / "r.json");
  std::set<std::string> seen;
  for (const auto& m : f.measurements) {
    ASSERT_TRUE(m.error.empty()) << m.name << ": " << m.error;
    EXPECT_EQ(m.best("valid"), 1) << m.name;
    seen.insert(m.variant);
    if (m.has("busGBps")) {
      const double factor = m.variant == "allreduce"                            ? 1.0
                            : m.variant == "broadcast" || m.variant == "reduce" ? 1.0
                                                                                : 0.5;
      EXPECT_NEAR(m.best("busGBps"), m.best("algGBps") * factor, 1e-9 + m.best("algGBps") * 1e-9)
          << m.name;
      EXPECT_EQ(m.key_number("ranks"), 2);
    }
    if (m.variant == "latency") {
      EXPECT_GT(m.best("latency_ns"), 0);
    }
  }
  for (const char* v : {"latency", "bw", "bibw", "allreduce", "allgather", "reduce_scatter",
                        "broadcast", "reduce", "alltoall"})
    EXPECT_TRUE(seen.count(v)) << v;
  EXPECT_NE(f.context.value("mpi", "").find("2 ranks"), std::string::npos);
  fs::remove_all(dir);
}

// memwall run --only comm: both starts of bench_comm (direct, and under mpirun), and the
// profile's interconnect section and walls.
TEST(BenchComm, MemwallRunLaunchesBothParts) {
  const fs::path dir = temp_dir("comm_run");
  const Outcome o =
      run(memwall_cli() + " run --only comm --ranks 2 --oversubscribe --out " + dir.string() +
          " --comm-args \"--max-bytes 64 --repetitions 1 --min-time 0.001\"");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const Profile p = load_profile((dir / "profile.json").string());
  EXPECT_FALSE(p.links.c2c.empty());
  // The command that reproduces the run, recorded through each binary's own flag.
  const std::string recorded = machine_value(p, "memwall_command");
  EXPECT_NE(recorded.find(" run --only comm --ranks 2 --oversubscribe --out "), std::string::npos)
      << recorded;
  if (built_with(bench_comm(), "MPI")) {
    ASSERT_FALSE(p.links.mpi_p2p.empty());
    EXPECT_EQ(p.links.mpi_p2p.front().placement, "same_node");
    // The launcher of the MPI run, not the node-local run's "not used".
    EXPECT_NE(p.links.mpi_launcher.find("2 ranks"), std::string::npos) << p.links.mpi_launcher;
    bool said = false;
    for (const std::string& n : p.provenance.run_notes)
      said = said || n.find("mpirun") != std::string::npos;
    EXPECT_TRUE(said);
  }
  fs::remove_all(dir);
}

TEST(BenchComm, BadInputGetsOneErrorLine) {
  for (const char* args :
       {" --max-bytes 0", " --max-bytes 1TiB", " --collectives allsum", " --window 0"}) {
    const Outcome o = run(bench_comm() + args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.output;
    EXPECT_EQ(error_lines(o.output), 1) << args << ": " << o.output;
  }
  if (built_with(bench_comm(), "MPI")) {
    const Outcome o =
        run(memwall_cli() + " run --only comm --ranks 4096 --out " + temp_dir("ranks").string());
    EXPECT_EQ(o.exit_code, 2) << o.output;
    EXPECT_NE(o.output.find("--oversubscribe"), std::string::npos) << o.output;
  }
}

// Where the machine has no GPU (CI, this project's machines): one line, exit 0, and a result
// file that says why.
TEST(BenchGpu, NoGpuIsOneLineAndAResultFileThatSaysWhy) {
  if (bench_gpu().empty()) GTEST_SKIP() << "bench_gpu not built (no CUDA toolkit)";
  const fs::path dir = temp_dir("nogpu");
  const Outcome o = run(bench_gpu() + " --quick --out " + (dir / "bench_gpu.json").string());
  if (o.output.find("skipped") == std::string::npos) GTEST_SKIP() << "this machine has a GPU";
  EXPECT_EQ(o.exit_code, 0) << o.output;
  int skip_lines = 0;
  std::istringstream lines(o.output);
  for (std::string line; std::getline(lines, line);)
    skip_lines +=
        line.find("skipped: ") != std::string::npos && line.find("gpu/all") != std::string::npos;
  EXPECT_EQ(skip_lines, 1) << o.output;
  const auto f = load(dir / "bench_gpu.json");
  ASSERT_EQ(f.measurements.size(), 1u);
  EXPECT_EQ(f.measurements[0].error.rfind("skipped: ", 0), 0u);
  EXPECT_TRUE(f.context.contains("gpu_skipped"));
  fs::remove_all(dir);
}

// A GPU-shaped result file (test data from a synthetic model, written by the benchmark code's
// own writer) beside a CPU run: the profile keys everything by device, the GPU's ridge points
// use the GPU's bandwidths, and CPU and GPU products of one shape stay two rows.
TEST(Memwall, GpuResultsMakeASecondDevice) {
  const fs::path dir = temp_dir("gpu_profile");
  ASSERT_EQ(run(fake_gpu_bench() + " --repetitions 2 --min-time 0.001 --out " +
                (dir / "bench_gpu.json").string())
                .exit_code,
            0);
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json", dir / "bench_cpu.json");
  const Outcome o = run(memwall_cli() + " report " + dir.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const Profile p = load_profile((dir / "profile.json").string());
  EXPECT_EQ(p.devices.at("gpu0").kind, DeviceKind::gpu);
  std::vector<std::string> names;
  for (const Level& l : p.memory.at("gpu0")) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"GPU_L1", "GPU_L2", "HBM"}));
  // The L1s: the curve over the latency plateau times 132 SMs (the kernels use all of them);
  // the L2: its own L1-bypassing benchmark; a product fits an SM's L1 only whole.
  const auto& gpu = p.memory.at("gpu0");
  EXPECT_DOUBLE_EQ(gpu[0].bandwidth_GBps, 9000);
  EXPECT_DOUBLE_EQ(gpu[0].placement_capacity_bytes, 262144);
  EXPECT_DOUBLE_EQ(gpu[1].bandwidth_GBps, 5200);
  EXPECT_EQ(gpu[1].bandwidth_kernel, "gpu.l2");
  // Energy: the fastest GEMM of each format that recorded it, in pJ per FLOP.
  ASSERT_EQ(p.energy.at("gpu0").rows.size(), 2u);
  EXPECT_EQ(p.energy.at("gpu0").rows[0].what, "bf16 GEMM");
  EXPECT_NEAR(p.energy.at("gpu0").rows[0].energy_pJ.median, 1.0, 1e-9);
  const double hbm = gpu[2].bandwidth_GBps;
  const double cpu_dram = p.memory.at("cpu").back().bandwidth_GBps;
  const double peak = p.compute.at("gpu0").at("bf16").peak.best;
  EXPECT_DOUBLE_EQ(p.ratios.at("gpu0").ridge_flop_per_byte.at("HBM").at("bf16"), peak / hbm);
  EXPECT_NE(peak / hbm, peak / cpu_dram);
  EXPECT_EQ(p.ratios.at("gpu0").walls.memory_level, "HBM");
  int gpu_rows = 0, cpu_rows = 0;
  for (const Product& op : p.transformer.ops) {
    gpu_rows += op.device == "gpu0";
    cpu_rows += op.device == "cpu";
    if (op.device == "gpu0") {
      const std::string at = op.operands_fit_in;  // one of the GPU's own levels
      EXPECT_TRUE(at == "GPU_L1" || at == "GPU_L2" || at == "HBM") << at;
    }
  }
  EXPECT_EQ(gpu_rows, 2);
  EXPECT_GT(cpu_rows, 0);
  EXPECT_TRUE(fs::exists(dir / "roofline_gpu0_bf16.svg"));
  EXPECT_TRUE(fs::exists(dir / "latency_gpu0.svg"));
  fs::remove_all(dir);
}

// Result files written before families declared their roles are read by
// data/roles_before_declarations.json, frozen to the families and variants of those files:
// each of its rows must still be what today's binaries declare for those names (a default
// device aside: products always carry theirs), or old files would mean something else than new
// ones. Variants that came after (cpu.bw's read after:xfmr, the loaded-latency curves) are
// read by their files' own declarations alone, and have no row.
TEST(Roles, TheBinariesDeclareWhatOlderFilesAreReadAs) {
  const auto& before = memwall::harness::roles_before_declarations(MEMWALL_DATA);
  std::vector<memwall::RoleDeclaration> today;
  for (const std::string& binary : {bench_cpu(), bench_comm(), bench_gpu()}) {
    if (binary.empty()) continue;
    const Outcome o = run(binary + " --describe");
    ASSERT_EQ(o.exit_code, 0) << o.output;
    const nlohmann::json d = nlohmann::json::parse(o.output.substr(o.output.find('{')));
    for (const auto& declared : memwall::roles_from_json(d["roles"].dump()))
      today.push_back(declared);
  }
  int checked = 0;
  for (const auto& b : before) {
    if (std::none_of(today.begin(), today.end(),
                     [&](const auto& t) { return t.family == b.family; }))
      continue;  // a binary not built here (bench_gpu without CUDA)
    const bool same = std::any_of(today.begin(), today.end(), [&](const auto& t) {
      return b.family == t.family && b.variant == t.variant && b.keys == t.keys &&
             b.role == t.role && b.fields == t.fields;
    });
    EXPECT_TRUE(same) << b.family << " " << b.variant << " " << b.role
                      << ": data/roles_before_declarations.json reads old files otherwise than "
                         "today's binaries declare";
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

// A declaration that breaks its role's contract is one line at start-up, exit 2.
TEST(Roles, ABrokenDeclarationIsOneLineAtStartUp) {
  const Outcome o = run(std::string(BROKEN_ROLE_BENCH_PATH) + " --quick --out /dev/null");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("error: comm.rccl declares the role collective without its field "
                          "'library' (core/roles.hpp)"),
            std::string::npos)
      << o.output;
  EXPECT_EQ(std::count(o.output.begin(), o.output.end(), '\n'), 1) << o.output;
}

// A family the harness has never heard of, added in one file (tests/standin_family.cpp): a GPU
// texture cache declaring the level_bandwidth role and a C2C host link declaring host_link reach
// the profile, compare, the gate's headline metrics, the fleet view and the report.
TEST(Roles, AStandInFamilyFlowsThroughEveryCommand) {
  const fs::path root = temp_dir("standin");
  std::vector<std::string> folders;
  for (const char* node : {"a", "b", "c"}) {
    const fs::path dir = root / node;
    fs::create_directories(dir);
    ASSERT_EQ(run(std::string(STANDIN_GPU_BENCH_PATH) + " --repetitions 2 --min-time 0.001 --out " +
                  (dir / "bench_gpu.json").string())
                  .exit_code,
              0);
    const Outcome o = run(memwall_cli() + " report " + dir.string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    folders.push_back(dir.string());
  }
  const Profile p = load_profile(folders[0] + "/profile.json");
  const Level* tex = nullptr;
  for (const Level& l : p.memory.at("gpu0"))
    if (l.name == "GPU_TEX") tex = &l;
  ASSERT_NE(tex, nullptr);
  EXPECT_DOUBLE_EQ(tex->bandwidth_GBps, 7000);
  EXPECT_EQ(tex->bandwidth_kernel, "gpu.tex");
  const HostLink* c2c = nullptr;
  for (const HostLink& l : p.links.host)
    if (l.name == "C2C_H2D") c2c = &l;
  ASSERT_NE(c2c, nullptr);
  EXPECT_EQ(c2c->link, "NVLink-C2C");
  EXPECT_DOUBLE_EQ(c2c->bandwidth_GBps, 410);
  const auto headline = headline_metrics(p);
  EXPECT_TRUE(headline.count("memory/gpu0/GPU_TEX/bandwidth_GBps"));
  EXPECT_TRUE(headline.count("interconnect/host/gpu0/C2C_H2D/pinned/ce/bandwidth_GBps"));

  Outcome o = run(memwall_cli() + " compare --all " + folders[0] + "/profile.json " + folders[1] +
                  "/profile.json");
  EXPECT_NE(o.output.find("gpu.tex/read/bytes:65536"), std::string::npos) << o.output;
  o = run(memwall_cli() + " fleet " + folders[0] + " " + folders[1] + " " + folders[2] + " --out " +
          (root / "fleet").string());
  std::ifstream fleet(root / "fleet" / "fleet.json");
  std::stringstream fleet_text;
  fleet_text << fleet.rdbuf();
  EXPECT_NE(fleet_text.str().find("memory/gpu0/GPU_TEX/bandwidth_GBps"), std::string::npos)
      << o.output;
  std::ifstream summary(folders[0] + "/summary.md");
  std::stringstream summary_text;
  summary_text << summary.rdbuf();
  EXPECT_NE(summary_text.str().find("GPU_TEX"), std::string::npos);
  EXPECT_NE(summary_text.str().find("NVLink-C2C"), std::string::npos);
  fs::remove_all(root);
}

// A figure no other file names, added in one file (tests/standin_figure.cpp) and registered in
// the figures' table: it reaches profile.json, the verdicts, memwall gate and memwall fleet,
// summary.md, report.html, report.tex and profile.csv with no other edit.
TEST(Figures, AStandInFigureFlowsThroughEveryCommand) {
  const fs::path root = temp_dir("standin_figure");
  // As memwall_cli(): memwall is the host's build where the bench binaries are another's.
  const std::string memwall = env("MEMWALL_TEST_BENCH_DIR").empty()
                                  ? under_emulator(MEMWALL_STANDIN_PATH)
                                  : std::string(MEMWALL_STANDIN_PATH);
  std::vector<std::string> profiles;
  for (const char* run_date : {"2026-01-01", "2026-01-02", "2026-01-03"}) {
    const fs::path dir = root / run_date;
    fs::create_directories(dir);
    // Three runs of one machine that differ in their date, so the history holds three.
    std::ifstream in(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    doc["context"]["date"] = std::string(run_date) + "T00:00:00+00:00";
    std::ofstream(dir / "bench_cpu.json") << doc.dump();
    const Outcome o = run(memwall + " report " + dir.string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    profiles.push_back((dir / "profile.json").string());
  }
  const Profile p = load_profile(profiles[0]);
  ASSERT_TRUE(p.figures.count("standin")) << "profile.json";
  EXPECT_GT(p.figures.at("standin").at("cpu").get<double>(), 1);
  EXPECT_TRUE(std::any_of(p.verdicts.begin(), p.verdicts.end(), [](const auto& v) {
    return v.key == "standin/cpu/fastest_over_memory";
  })) << "verdicts";
  auto text_of = [](const fs::path& path) {
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    return text.str();
  };
  const fs::path first = fs::path(profiles[0]).parent_path();
  EXPECT_NE(text_of(first / "summary.md").find("## Stand-in figure"), std::string::npos);
  EXPECT_NE(text_of(first / "summary.md").find("standin.svg"), std::string::npos);
  EXPECT_NE(text_of(first / "report.html").find("Stand-in figure"), std::string::npos);
  EXPECT_NE(text_of(first / "report.tex").find("% stand-in figure"), std::string::npos);
  EXPECT_NE(text_of(first / "profile.csv").find("standin,cpu,fastest level / memory,ratio,"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(first / "standin.svg"));

  const std::string db = " --db " + (root / "h.sqlite").string();
  for (size_t i = 0; i + 1 < profiles.size(); ++i)
    ASSERT_EQ(run(memwall + " history" + db + " add " + profiles[i]).exit_code, 0);
  Outcome o = run(memwall + " gate " + profiles.back() + db + " --min-runs 2 --show-all");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("standin/cpu/fastest_over_memory"), std::string::npos) << o.output;
  std::string folders;
  for (const std::string& profile : profiles)
    folders += " " + fs::path(profile).parent_path().string();
  o = run(memwall + " fleet" + folders + " --out " + (root / "fleet").string());
  EXPECT_NE(text_of(root / "fleet" / "fleet.json").find("standin/cpu/fastest_over_memory"),
            std::string::npos)
      << o.output;
  // The same report from profile.json alone.
  const fs::path again = root / "again";
  fs::create_directories(again);
  fs::copy_file(profiles[0], again / "profile.json");
  ASSERT_EQ(run(memwall + " report " + (again / "profile.json").string()).exit_code, 0);
  EXPECT_EQ(text_of(again / "summary.md"), text_of(first / "summary.md"));
  fs::remove_all(root);
}

// memwall predict: a model the catalog lacks (a Hugging Face config.json as published, dense
// and mixture of experts) on a measured machine, from its profile alone; a model larger than
// one GPU's memory spills over its measured host link; every bad input is one line, exit 2.
TEST(Predict, AModelTheCatalogLacksFromTheProfileAlone) {
  const fs::path dir = temp_dir("predict");
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json", dir / "bench_cpu.json");
  ASSERT_EQ(run(memwall_cli() + " report " + dir.string()).exit_code, 0);
  const std::string profile = (dir / "profile.json").string();
  const std::string hf = std::string(MEMWALL_FIXTURES) + "/hf/";
  for (const std::string model : {"Mistral-7B-v0.1", "Mixtral-8x7B-v0.1"}) {
    const Outcome o = run(memwall_cli() + " predict " + profile + " --model " + hf + model +
                          "/config.json --batch 1 --context 512 --type fp32");
    ASSERT_EQ(o.exit_code, 0) << o.output;
    EXPECT_NE(o.output.find(model + " fp32 on cpu"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("tokens/s (memory-bound"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("time to first token of a 512-token prompt"), std::string::npos);
    EXPECT_NE(o.output.find("compute-bound from batch "), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("experts") != std::string::npos, model == "Mixtral-8x7B-v0.1");
  }
  // The H200's 141 GB do not hold Llama-2-70B in fp32: the rest streams over its host link.
  const Outcome big = run(memwall_cli() + " predict " + MEMWALL_REPORTS +
                          "/nvidia-h200/profile.json --model llama-2-70b --type fp32");
  ASSERT_EQ(big.exit_code, 0) << big.output;
  EXPECT_NE(big.output.find("does not hold the weights"), std::string::npos) << big.output;
  EXPECT_NE(big.output.find("spill over PCIe"), std::string::npos) << big.output;
  const std::string bad_config = (dir / "config.json").string();
  std::ofstream(bad_config) << R"({"hidden_size": 4096, "intermediate_size": 0,
    "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 32000})";
  for (const std::string& args : std::vector<std::string>{
           " --model " + bad_config, " --model llama-3-8b --type fp12",
           " --model llama-3-8b --batch 0", " --model llama-3-8b --context 0", " --model gpt-5"}) {
    const Outcome o = run(memwall_cli() + " predict " + profile + args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.output;
    EXPECT_EQ(std::count(o.output.begin(), o.output.end(), '\n'), 1) << args << ": " << o.output;
  }
  fs::remove_all(dir);
}

// A measured step's own seconds per product (seconds_in_<op>, as xfmr.step writes them) name
// the product that keeps it from its prediction, with no product measured apart: here a step of
// GPT-2 (this guest's measured shares) whose ffn_up took 50 ms.
TEST(Models, AStepsOwnProductSharesNameWhatMisses) {
  const fs::path dir = temp_dir("step_shares");
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json", dir / "bench_cpu.json");
  nlohmann::json step = {{"name", "xfmr.step/gpt2/decode/batch:1/seq:1024/type:fp32/manual_time"},
                         {"run_name", "xfmr.step/gpt2/decode/batch:1/seq:1024/type:fp32"},
                         {"run_type", "iteration"},
                         {"repetitions", 1},
                         {"repetition_index", 0},
                         {"iterations", 2},
                         {"real_time", 64.5},
                         {"time_unit", "ms"},
                         {"layers", 12},
                         {"layers_run", 8},
                         {"seconds", 0.0645},
                         {"seconds_in_qkv", 0.0026},
                         {"seconds_in_attn_scores", 0.0017},
                         {"seconds_in_attn_v", 0.0022},
                         {"seconds_in_out_proj", 0.0009},
                         {"seconds_in_ffn_up", 0.05},
                         {"seconds_in_ffn_down", 0.0038},
                         {"seconds_in_lm_head", 0.0032},
                         {"valid", 1}};
  const nlohmann::json file = {
      {"context",
       {{"memwall_version", "0.1.0"},
        {"memwall_result_schema", "1"},
        {"memwall_test_data", "one step's counters, its ffn_up share made 50 ms"},
        {"memwall_roles", R"([{"device":"cpu","family":"xfmr.step","role":"step"}])"}}},
      {"benchmarks", nlohmann::json::array({step})}};
  std::ofstream(dir / "bench_cpu_steps.json") << file.dump();
  ASSERT_EQ(run(memwall_cli() + " report " + dir.string()).exit_code, 0);
  std::ifstream summary(dir / "summary.md");
  std::stringstream text;
  text << summary.rdbuf();
  EXPECT_NE(text.str().find("gpt2 decode on cpu (fp32) takes "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("misses most, as the step ran it, is `ffn_up` at "), std::string::npos)
      << text.str();
  fs::remove_all(dir);
}

TEST(Memwall, GateNeedsHistoryAndSaysSo) {
  const fs::path dir = temp_dir("gate");
  fs::copy_file(std::string(MEMWALL_FIXTURES) + "/run_a/bench_cpu.json", dir / "bench_cpu.json");
  ASSERT_EQ(run(memwall_cli() + " report " + dir.string()).exit_code, 0);
  const std::string db = " --db " + (dir / "h.sqlite").string();
  ASSERT_EQ(
      run(memwall_cli() + " history" + db + " add " + (dir / "profile.json").string()).exit_code,
      0);
  const Outcome o = run(memwall_cli() + " gate " + (dir / "profile.json").string() + db);
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(error_lines(o.output), 1) << o.output;
  EXPECT_NE(o.output.find("earlier runs"), std::string::npos) << o.output;
  EXPECT_EQ(run(memwall_cli() + " gate " + (dir / "nothing.json").string() + db).exit_code, 2);
  fs::remove_all(dir);
}
