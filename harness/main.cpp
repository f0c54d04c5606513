// memwall: runs the bench_* binaries and turns their results into a report.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/units.hpp"
#include "harness/compare.hpp"
#include "harness/history.hpp"
#include "harness/levels_report.hpp"
#include "harness/profile.hpp"
#include "harness/reports.hpp"
#include "harness/result_file.hpp"
#include "harness/summary.hpp"

namespace fs = std::filesystem;
using namespace memwall::harness;

namespace {

struct BenchBinary {
  const char* name;
  const char* part;  // --only key
  const char* missing_reason;
};
constexpr BenchBinary kBinaries[] = {
    {"bench_cpu", "cpu", "not built"},
    {"bench_gpu", "gpu", "not built (it needs the CUDA toolkit at configure time)"},
    {"bench_comm", "comm", "not built (it needs NCCL or MPI at configure time)"},
};

fs::path exe_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : self.parent_path();
}

// Next to memwall when installed; in the build tree, in the sibling folder of the same name.
fs::path find_binary(const std::string& name) {
  const fs::path dir = exe_dir();
  for (const fs::path& p : {dir / name, dir.parent_path() / name / name})
    if (fs::exists(p)) return p;
  return {};
}

int run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::signal(SIGINT, SIG_DFL);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::vector<std::string> result_files_in(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (fs::is_directory(input)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(input)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("bench_", 0) == 0 && entry.path().extension() == ".json")
          found.push_back(entry.path().string());
      }
      if (found.empty()) throw InputError(input + ": no bench_*.json result files in this folder");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

int report(const std::vector<std::string>& inputs, std::string out_dir,
           const std::vector<std::string>& notes) {
  std::vector<ResultFile> files;
  for (const std::string& path : result_files_in(inputs)) files.push_back(load_result_file(path));
  files = merge_by_name(std::move(files));
  if (out_dir.empty())
    out_dir = fs::is_directory(inputs.front()) ? inputs.front()
                                               : fs::path(inputs.front()).parent_path().string();
  if (out_dir.empty()) out_dir = ".";
  fs::create_directories(out_dir);
  const std::string datasheet = (fs::path(data_dir()) / "datasheet_specs.csv").string();
  const LevelReport levels = detect_levels(files);
  const nlohmann::json profile = build_profile(files, levels, datasheet);
  // What `memwall run` noted (binaries skipped or failed) stays with the results, so a later
  // `memwall report` of the folder says it too.
  std::vector<std::string> all_notes = notes;
  const fs::path notes_file = fs::path(out_dir) / "run_notes.txt";
  if (notes.empty() && fs::exists(notes_file)) {
    std::ifstream in(notes_file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) all_notes.push_back(line);
  } else if (!notes.empty()) {
    std::string text;
    for (const std::string& n : notes) text += n + "\n";
    write_file_atomically(notes_file, text);
  }
  const std::vector<std::string> written =
      write_reports(out_dir, files, levels, profile, all_notes, datasheet);
  std::cout << levels_markdown(levels);
  std::cout << "memwall: report written to " << (fs::path(out_dir) / "summary.md").string()
            << " (also";
  for (const std::string& name : written)
    if (name != "summary.md") std::cout << " " << name;
  std::cout << ")\n";
  return 0;
}

double parse_threshold(const std::string& text) {
  std::string t = text;
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != t.size() || v < 0)
    throw InputError("bad threshold '" + text + "' (e.g. 5%)");
  return percent || v >= 1 ? v / 100 : v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"memwall: measure the memory wall of this machine"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "run the benchmarks that were built, then report");
  bool quick = false, full = false;
  std::string only = "cpu,gpu,comm";
  std::string out_dir;
  run->add_flag("--quick", quick, "quick characterization (about 2 minutes on 2 cores)");
  run->add_flag("--full", full, "every size, thread count and variant (long)");
  run->add_option("--only", only, "parts to run: cpu,gpu,comm");
  run->add_option("--out", out_dir, "folder for the results (default results/<host>-<time>)");

  auto* rep = app.add_subcommand("report", "merge result files into a report");
  std::vector<std::string> inputs;
  std::string report_out;
  rep->add_option("inputs", inputs, "result folder or bench_*.json files")->required();
  rep->add_option("--out", report_out, "folder for the report (default: the input folder)");

  auto* cmp = app.add_subcommand("compare", "compare two runs (profiles or bench JSON files)");
  std::string base, now, threshold_text = "5%";
  bool all_rows = false;
  cmp->add_option("base", base, "profile.json or bench_*.json of the base run")->required();
  cmp->add_option("new", now, "the run to compare with it")->required();
  cmp->add_option("--threshold", threshold_text, "smallest relative change that counts (5%)");
  cmp->add_flag("--all", all_rows, "list unchanged metrics too");
  std::string only_regex;
  cmp->add_option("--only", only_regex, "compare only benchmarks whose name matches this regex");

  auto* hist = app.add_subcommand("history", "keep profiles in SQLite and follow metrics");
  std::string db = default_history_path();
  hist->add_option("--db", db, "history database (default " + db + ")");
  hist->require_subcommand(1);
  std::string add_path, trend_metric, trend_svg;
  hist->add_subcommand("add", "add a profile.json")->add_option("profile", add_path)->required();
  hist->add_subcommand("show", "list the runs per machine");
  auto* trend = hist->add_subcommand("trend", "one metric over the runs");
  trend->add_option("metric", trend_metric, "benchmark name")->required();
  trend->add_option("--svg", trend_svg, "also plot it into this SVG file");

  auto* list = app.add_subcommand("list", "the benchmarks each binary offers");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "memwall: error: " << e.what() << " (see memwall --help)\n";
    return 2;
  }

  try {
    if (*cmp) {
      const double threshold = parse_threshold(threshold_text);
      auto selected = [&](std::vector<Metric> metrics) {
        if (only_regex.empty()) return metrics;
        std::regex re;
        try {
          re = std::regex(only_regex, std::regex::extended);
        } catch (const std::regex_error&) {
          throw InputError("bad --only regex '" + only_regex + "'");
        }
        std::erase_if(metrics, [&](const Metric& m) { return !std::regex_search(m.name, re); });
        return metrics;
      };
      const CompareResult r =
          compare_metrics(selected(load_metrics(base)), selected(load_metrics(now)), threshold);
      std::cout << compare_table(r, threshold, all_rows);
      return r.regressions > 0 ? 1 : 0;
    }
    if (*hist) {
      if (hist->got_subcommand("add")) {
        const bool added = history_add(db, add_path);
        std::cout << (added ? "added " : "already in the history: ") << add_path << " (" << db
                  << ")\n";
      } else if (hist->got_subcommand("show")) {
        std::cout << history_show(db);
      } else {
        std::cout << history_trend(db, trend_metric, trend_svg);
      }
      return 0;
    }
    if (*list) {
      std::cout << "optional parts built: " << MEMWALL_OPTIONAL_FOUND
                << "; missing (skipped): " << MEMWALL_OPTIONAL_MISSING << "\n";
      for (const BenchBinary& b : kBinaries) {
        const fs::path path = find_binary(b.name);
        if (path.empty()) {
          std::cout << b.name << ": " << b.missing_reason << "\n";
          continue;
        }
        std::cout << b.name << ": " << path.string() << "\n" << std::flush;
        FILE* names = popen((path.string() + " --benchmark_list_tests").c_str(), "r");
        if (!names) continue;
        char line[1024];
        while (fgets(line, sizeof line, names)) {
          std::string name(line);
          name.erase(name.find_last_not_of("\r\n") + 1);
          std::cout << "  " << strip_gbench_suffixes(name) << "\n";
        }
        pclose(names);
      }
      return 0;
    }
    if (*rep) return report(inputs, report_out, {});

    // memwall run
    if (quick && full) throw InputError("--quick and --full exclude each other");
    const std::vector<std::string> parts = memwall::split_list(only);
    for (const std::string& p : parts)
      if (p != "cpu" && p != "gpu" && p != "comm")
        throw InputError("unknown part '" + p + "' in --only (use cpu, gpu, comm)");
    if (out_dir.empty()) {
      char host[256] = "host";
      gethostname(host, sizeof host - 1);
      char stamp[32];
      const time_t now = time(nullptr);
      strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
      out_dir = (fs::path("results") / (std::string(host) + "-" + stamp)).string();
    }
    fs::create_directories(out_dir);
    // Ctrl-C reaches the running benchmark too; it stops cleanly and we report what it kept.
    std::signal(SIGINT, SIG_IGN);
    std::vector<std::string> notes;
    bool interrupted = false;
    for (const BenchBinary& b : kBinaries) {
      if (std::find(parts.begin(), parts.end(), b.part) == parts.end()) continue;
      const fs::path path = find_binary(b.name);
      if (path.empty()) {
        notes.push_back(std::string(b.name) + " skipped: " + b.missing_reason);
        std::cerr << "memwall: " << notes.back() << "\n";
        continue;
      }
      if (interrupted) continue;
      std::vector<std::string> args = {
          path.string(), "--out", (fs::path(out_dir) / (std::string(b.name) + ".json")).string()};
      if (quick) args.push_back("--quick");
      if (full) args.push_back("--full");
      std::cerr << "memwall: running " << b.name
                << (quick  ? " --quick"
                    : full ? " --full"
                           : "")
                << "\n";
      const int rc = run_child(args);
      if (rc == 130) {
        interrupted = true;
        notes.push_back(std::string(b.name) + " interrupted; its results so far are kept");
      } else if (rc == 1) {
        notes.push_back(std::string(b.name) + ": some kernels failed their output check");
      } else if (rc != 0) {
        notes.push_back(std::string(b.name) + " failed with exit code " + std::to_string(rc));
      }
      if (rc != 0) std::cerr << "memwall: " << notes.back() << "\n";
    }
    try {
      report({out_dir}, out_dir, notes);
    } catch (const InputError& e) {
      std::cerr << "memwall: error: " << e.what() << "\n";
      return 1;
    }
    return interrupted ? 130 : 0;
  } catch (const InputError& e) {
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 2;
  }
}
