#include "harness/runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/result_writer.hpp"
#include "harness/result_file.hpp"

namespace fs = std::filesystem;

namespace memwall::harness {

namespace {

fs::path exe_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : self.parent_path();
}

// The benchmark a crashed run named in its closing entry ("crashed: signal 11 (SIGSEGV)").
std::string crashed_benchmark(const fs::path& file, std::string& why) {
  try {
    const ResultFile f = load_result_file(file.string());
    for (auto m = f.measurements.rbegin(); m != f.measurements.rend(); ++m)
      if (m->error.rfind("crashed:", 0) == 0) {
        why = m->error;
        return m->name;
      }
  } catch (const InputError&) {
  }
  return "";
}

}  // namespace

const std::vector<BenchBinary>& bench_binaries() {
  static const std::vector<BenchBinary> binaries = {
      {"bench_cpu", "cpu", "not built"},
      {"bench_gpu", "gpu", "not built (it needs the CUDA toolkit at configure time)"},
      {"bench_comm", "comm", "not built"},
  };
  return binaries;
}

std::string find_binary(const std::string& name) {
  const fs::path dir = exe_dir();
  for (const fs::path& p : {dir / name, dir.parent_path() / name / name})
    if (fs::exists(p)) return p.string();
  return "";
}

int run_child(const std::vector<std::string>& args, int* pid_out) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::signal(SIGINT, SIG_DFL);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "memwall: error: cannot start %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  if (pid_out) *pid_out = pid;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

RunOutcome run_binaries(const RunOptions& options) {
  RunOutcome outcome;
  for (const BenchBinary& b : bench_binaries()) {
    if (std::find(options.parts.begin(), options.parts.end(), b.part) == options.parts.end())
      continue;
    const std::string path = find_binary(b.name);
    if (path.empty()) {
      outcome.notes.push_back(std::string(b.name) + " skipped: " + b.missing_reason);
      std::cerr << "memwall: " << outcome.notes.back() << "\n";
      continue;
    }
    if (outcome.interrupted) continue;
    std::string resume_after;
    for (int attempt = 0; attempt <= options.max_restarts; ++attempt) {
      const std::string file_name =
          std::string(b.name) + (attempt ? ".resumed" + std::to_string(attempt) : "") + ".json";
      const fs::path out = fs::path(options.out_dir) / file_name;
      std::vector<std::string> args = options.wrapper;
      args.insert(args.end(), {path, "--out", out.string()});
      if (options.quick) args.push_back("--quick");
      if (options.full) args.push_back("--full");
      if (!resume_after.empty()) args.insert(args.end(), {"--resume-after", resume_after});
      if (options.extra_args.count(b.part)) {
        const auto& extra = options.extra_args.at(b.part);
        args.insert(args.end(), extra.begin(), extra.end());
      }
      std::cerr << "memwall: running " << b.name << (options.quick ? " --quick" : "")
                << (options.full ? " --full" : "")
                << (resume_after.empty() ? "" : " after " + resume_after) << "\n";
      int pid = 0;
      const int rc = run_child(args, &pid);
      if (rc == 0) break;
      if (rc == 130) {
        outcome.interrupted = true;
        outcome.notes.push_back(std::string(b.name) + " interrupted; its results so far are kept");
        break;
      }
      outcome.failed = true;
      if (rc == 1) {
        outcome.notes.push_back(std::string(b.name) +
                                ": some benchmarks failed their check or hit an error (listed "
                                "under failed)");
        break;
      }
      if (rc == 2) {
        outcome.notes.push_back(std::string(b.name) + " refused its input (exit 2)");
        break;
      }
      if (rc > 128) {
        std::string why;
        const std::string crashed = fs::exists(out) ? crashed_benchmark(out, why) : "";
        if (!crashed.empty()) {
          outcome.notes.push_back(crashed + " " + why + "; " + b.name +
                                  " was started again after it");
          std::cerr << "memwall: " << outcome.notes.back() << "\n";
          resume_after = crashed;
          continue;
        }
        // A signal no handler sees (SIGKILL, the OOM killer): close what it wrote.
        const fs::path tmp =
            fs::path(options.out_dir) / ("." + file_name + ".tmp." + std::to_string(pid));
        const std::string what = std::string("killed by signal ") + std::to_string(rc - 128) +
                                 " (" + strsignal(rc - 128) + ")";
        const bool kept = fs::exists(tmp) &&
                          finish_partial_result(tmp.string(), out.string(), b.name, what);
        outcome.notes.push_back(std::string(b.name) + " " + what +
                                (kept ? "; the benchmarks it finished are kept"
                                      : " before it wrote any result"));
        break;
      }
      outcome.notes.push_back(std::string(b.name) + " failed with exit code " +
                              std::to_string(rc));
      break;
    }
    if (!outcome.notes.empty() && outcome.failed) std::cerr << "memwall: " << outcome.notes.back() << "\n";
  }
  return outcome;
}

}  // namespace memwall::harness
