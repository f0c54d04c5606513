#include "harness/cli/runner.hpp"

#include <netdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/result_writer.hpp"
#include "core/topology.hpp"
#include "harness/profile/result_file.hpp"

namespace fs = std::filesystem;

namespace memwall::harness {

namespace {

fs::path exe_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : self.parent_path();
}

// Set but empty is unset: a script passing "$VAR" through should not mean "no folders".
std::string bench_path_env() {
  const char* v = std::getenv("MEMWALL_BENCH_PATH");
  return v ? v : "";
}

// The benchmark a crashed run named in its closing entry ("crashed: signal 11 (SIGSEGV)"); or,
// where it crashed between two benchmarks (its file closed with no such entry), the last one it
// finished, `why` then saying so.
std::string crashed_benchmark(const fs::path& file, std::string& why) {
  try {
    const ResultFile f = load_result_file(file.string());
    for (auto m = f.measurements.rbegin(); m != f.measurements.rend(); ++m)
      if (m->error.rfind("crashed:", 0) == 0) {
        why = m->error;
        return m->name;
      }
    if (!f.measurements.empty()) {
      why = "finished, the binary crashed before the next one started";
      return f.measurements.back().name;
    }
  } catch (const InputError&) {
  }
  return "";
}

}  // namespace

std::vector<BenchBinary> find_bench_binaries(const std::vector<std::string>& wrapper) {
  const fs::path dir = exe_dir();
  std::vector<fs::path> candidates;
  auto look_in = [&](const fs::path& folder) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("bench_", 0) == 0 && entry.is_regular_file() &&
          access(entry.path().c_str(), X_OK) == 0)
        candidates.push_back(entry.path());
    }
  };
  // MEMWALL_BENCH_PATH (folders, colon-separated): the bench binaries of another build or
  // install, such as a cross build's run under qemu-user, instead of those beside memwall.
  const std::string bench_path = bench_path_env();
  if (!bench_path.empty()) {
    std::stringstream dirs(bench_path);
    for (std::string d; std::getline(dirs, d, ':');)
      if (!d.empty()) look_in(d);
  } else {
    look_in(dir);
  }
  if (candidates.empty() && bench_path.empty()) {
    // a build tree: build/harness/memwall beside build/bench_cpu/bench_cpu
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec))
      if (entry.is_directory() && entry.path().filename().string().rfind("bench_", 0) == 0)
        look_in(entry.path());
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<BenchBinary> out;
  for (const fs::path& path : candidates) {
    std::string command;
    for (const std::string& w : wrapper) command += w + " ";
    command += "'" + path.string() + "' --describe 2>/dev/null";
    FILE* p = popen(command.c_str(), "r");
    if (!p) continue;
    std::string text;
    char buf[4096];
    while (fgets(buf, sizeof buf, p)) text += buf;
    const int rc = pclose(p);
    try {
      const nlohmann::json d = nlohmann::json::parse(text);
      if (rc != 0 || !d.contains("part")) continue;
      out.push_back({d.value("binary", path.filename().string()), path.string(),
                     d.value("part", ""), d.value("runs_under_mpi", false),
                     d.value("families", std::vector<std::string>{}),
                     d.value("built_with", std::vector<std::string>{}), d.value("devices", 0)});
    } catch (const nlohmann::json::exception&) {  // not one of ours
    }
  }
  return out;
}

namespace {

// Starts `args` (Ctrl-C back to its default in the child), its standard output into
// `stdout_fd` when that is not -1; the child's pid, or -1.
pid_t spawn(const std::vector<std::string>& args, int stdout_fd, int close_fd) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  std::signal(SIGINT, SIG_DFL);
  if (stdout_fd >= 0) dup2(stdout_fd, STDOUT_FILENO), close(stdout_fd);
  if (close_fd >= 0) close(close_fd);
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "memwall: error: cannot start %s: %s\n", argv[0], std::strerror(errno));
  _exit(127);
}

// The exit code of a child, 128 + the signal that ended it.
int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int run_child(const std::vector<std::string>& args, int* pid_out) {
  const pid_t pid = spawn(args, -1, -1);
  if (pid < 0) return -1;
  if (pid_out) *pid_out = pid;
  return wait_for(pid);
}

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

// A partial file a crashed process left: named by its pid, which for an MPI rank is not the
// launcher's; the newest that matches.
fs::path partial_file(const fs::path& dir, const std::string& file_name) {
  fs::path found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind("." + file_name + ".tmp.", 0) == 0)
      found = entry.path();
  return found;
}

// Every host of an mpirun hostfile must resolve: mpirun's own error for one that does not comes
// after it has started the others, and in its words.
void check_hostfile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("--hostfile " + path + ": cannot read it");
  int line_no = 0, hosts = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    std::stringstream words(line.substr(0, line.find('#')));
    std::string host;
    if (!(words >> host)) continue;
    ++hosts;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, nullptr, &found);
    if (found) freeaddrinfo(found);
    if (rc != 0)
      throw InputError("--hostfile " + path + ": line " + std::to_string(line_no) + ": host '" +
                       host + "' does not resolve (" + gai_strerror(rc) + ")");
  }
  if (hosts == 0) throw InputError("--hostfile " + path + ": no hosts in it");
}

}  // namespace

std::vector<Launch> plan_launches(const RunOptions& options,
                                  const std::vector<BenchBinary>& binaries) {
  if (binaries.empty()) {
    const std::string bench_path = bench_path_env();
    throw InputError(!bench_path.empty()
                         ? "no bench binaries in MEMWALL_BENCH_PATH=" + bench_path
                         : "no bench binaries beside memwall (" + exe_dir().string() + ")");
  }
  std::vector<std::string> found;
  for (const BenchBinary& b : binaries) found.push_back(b.part);
  for (const std::string& part : options.parts)
    if (std::find(found.begin(), found.end(), part) == found.end()) {
      std::string list;
      for (const std::string& f : found) list += (list.empty() ? "" : ", ") + f;
      throw InputError("no bench binary of this build measures '" + part + "' (built: " +
                       (list.empty() ? "none" : list) + "; " + options.missing_note + ")");
    }
  std::vector<Launch> plan;
  for (const BenchBinary& b : binaries) {
    if (!options.parts.empty() &&
        std::find(options.parts.begin(), options.parts.end(), b.part) == options.parts.end())
      continue;
    // One start per device (each GPU's own result file, numbered by the GPU), unless the user
    // named one (--gpu-args "--device 1").
    const auto extra = options.extra_args.find(b.part);
    const bool device_given =
        extra != options.extra_args.end() &&
        std::find(extra->second.begin(), extra->second.end(), "--device") != extra->second.end();
    if (b.devices > 1 && !device_given) {
      for (int i = 0; i < b.devices; ++i)
        plan.push_back({b,
                        b.name + "." + b.part + std::to_string(i),
                        {},
                        {"--device", std::to_string(i)},
                        ""});
    } else {
      plan.push_back({b, b.name, {}, {}, ""});
    }
    if (!b.runs_under_mpi) continue;
    Launch mpi{b, b.name + "_mpi", {}, {"--mpi"}, ""};
    const bool slurm = std::getenv("SLURM_JOB_ID") && on_path("srun");
    // The binary's own build says whether it has MPI (MEMWALL_BENCH_PATH may name another's).
    if (std::find(b.built_with.begin(), b.built_with.end(), "MPI") == b.built_with.end()) {
      mpi.skip = "built without MPI (install libopenmpi-dev and rebuild)";
    } else if (std::getenv("SLURM_STEP_ID") && std::getenv("SLURM_JOB_ID")) {
      // One memwall per node (srun --ntasks-per-node=1 memwall run ...): an srun inside the
      // step would start every node's ranks once per node.
      mpi.skip =
          "inside an srun step (one memwall per node): the MPI part runs once per job, from "
          "memwall run in the job's script";
    } else if (slurm) {
      mpi.launcher = {"srun"};
      if (options.ranks > 0)
        mpi.launcher.insert(mpi.launcher.end(), {"-n", std::to_string(options.ranks)});
    } else if (!on_path("mpirun")) {
      mpi.skip = "mpirun not found (install openmpi-bin)";
    } else {
      const int cores = static_cast<int>(memwall::topology().core_cpus.size());
      int ranks = options.ranks;
      if (ranks == 0 && options.hostfile.empty()) ranks = std::max(2, cores);
      if (options.hostfile.empty() && !options.oversubscribe && ranks > cores)
        throw InputError("--ranks " + std::to_string(ranks) + " is above the " +
                         std::to_string(cores) +
                         " cores of this node: add --oversubscribe, or --hostfile for more nodes");
      mpi.launcher = {"mpirun"};
      if (ranks > 0) mpi.launcher.insert(mpi.launcher.end(), {"-np", std::to_string(ranks)});
      mpi.launcher.insert(mpi.launcher.end(), {"--bind-to", "core"});
      if (!options.hostfile.empty()) {
        check_hostfile(options.hostfile);
        mpi.launcher.insert(mpi.launcher.end(), {"--hostfile", options.hostfile});
      }
      if (options.oversubscribe || ranks > cores) mpi.launcher.push_back("--oversubscribe");
      if (geteuid() == 0) mpi.launcher.push_back("--allow-run-as-root");  // only as root
    }
    plan.push_back(mpi);
  }
  return plan;
}

std::vector<std::string> launch_command(const RunOptions& options, const Launch& launch) {
  // The wrapper (an emulator, a profiler) runs the bench binary, under the launcher: mpirun
  // starts the wrapped ranks, not a wrapped mpirun.
  std::vector<std::string> args = launch.launcher;
  args.insert(args.end(), options.wrapper.begin(), options.wrapper.end());
  args.push_back(launch.binary.path);
  args.insert(args.end(), launch.flags.begin(), launch.flags.end());
  if (options.quick) args.push_back("--quick");
  if (options.full) args.push_back("--full");
  if (options.time_scale < 1) {
    std::ostringstream scale;
    scale << options.time_scale;
    args.insert(args.end(), {"--time-scale", scale.str()});
  }
  if (options.extra_args.count(launch.binary.part)) {
    const auto& extra = options.extra_args.at(launch.binary.part);
    args.insert(args.end(), extra.begin(), extra.end());
  }
  return args;
}

int run_child_output(const std::vector<std::string>& args, std::string& out) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = spawn(args, fds[1], fds[0]);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return -1;
  }
  char buf[65536];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  return wait_for(pid);
}

RunOutcome run_binaries(const RunOptions& options, const std::vector<BenchBinary>& binaries) {
  RunOutcome outcome;
  for (const Launch& launch : plan_launches(options, binaries)) {
    const std::string what = launch.stem;
    if (!launch.skip.empty()) {
      outcome.notes.push_back(what + " skipped: " + launch.skip);
      std::cerr << "memwall: " << outcome.notes.back() << "\n";
      continue;
    }
    if (outcome.interrupted) continue;
    if (!launch.launcher.empty()) {
      std::string line;
      for (const std::string& a : launch.launcher) line += (line.empty() ? "" : " ") + a;
      outcome.notes.push_back(what + " started by `" + line + "`");
    }
    std::string resume_after;
    for (int attempt = 0; attempt <= options.max_restarts; ++attempt) {
      const std::string file_name =
          what + (attempt ? ".resumed" + std::to_string(attempt) : "") + ".json";
      const fs::path out = fs::path(options.out_dir) / file_name;
      std::vector<std::string> args = launch_command(options, launch);
      args.insert(args.end(), {"--out", out.string()});
      if (!options.command.empty()) args.insert(args.end(), {"--memwall-command", options.command});
      if (!resume_after.empty()) args.insert(args.end(), {"--resume-after", resume_after});
      std::cerr << "memwall: running " << what << (options.quick ? " --quick" : "")
                << (options.full ? " --full" : "")
                << (resume_after.empty() ? "" : " after " + resume_after) << "\n";
      int pid = 0;
      const int rc = run_child(args, &pid);
      if (rc == 0) break;
      if (rc == 130) {
        outcome.interrupted = true;
        outcome.notes.push_back(what + " interrupted; its results so far are kept");
        break;
      }
      outcome.failed = true;
      if (rc == 1 && fs::exists(out)) {
        outcome.notes.push_back(what +
                                ": some benchmarks failed their check or hit an error (listed "
                                "under failed)");
        break;
      }
      if (rc == 2) {
        outcome.notes.push_back(what + " refused its input (exit 2)");
        break;
      }
      // A crash: the binary died of a signal, or (under mpirun) a rank did and the launcher
      // exited non-zero.
      std::string why;
      const std::string crashed = fs::exists(out) ? crashed_benchmark(out, why) : "";
      if (!crashed.empty()) {
        outcome.notes.push_back(crashed + " " + why + "; " + what + " was started again after it");
        std::cerr << "memwall: " << outcome.notes.back() << "\n";
        resume_after = crashed;
        continue;
      }
      // A signal no handler sees (SIGKILL, the OOM killer): close what it wrote.
      const fs::path tmp = partial_file(options.out_dir, file_name);
      const std::string how = rc > 128
                                  ? std::string("killed by signal ") + std::to_string(rc - 128) +
                                        " (" + strsignal(rc - 128) + ")"
                                  : "failed with exit code " + std::to_string(rc);
      const bool kept = !tmp.empty() &&
                        finish_partial_result(tmp.string(), out.string(), launch.binary.name, how);
      outcome.notes.push_back(what + " " + how +
                              (kept ? "; the benchmarks it finished are kept"
                                    : (fs::exists(out) ? "" : " before it wrote any result")));
      break;
    }
    if (!outcome.notes.empty() && outcome.failed)
      std::cerr << "memwall: " << outcome.notes.back() << "\n";
  }
  return outcome;
}

}  // namespace memwall::harness
