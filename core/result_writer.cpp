#include "core/result_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace memwall {

namespace {

// What the signal handler needs, prepared outside it: it may only call write/open/rename.
enum { kIdle, kArmed, kClosing, kDone };

struct CrashState {
  char binary[64] = "";
  char tmp_path[4096] = "";
  char out_path[4096] = "";
  char entry[2048] = "";  // the running benchmark's error entry for each signal: filled in
  char name[1024] = "";   // by the handler from this name
  std::atomic<bool> context_written{false};
  std::atomic<bool> run_written{false};
  std::atomic<int> state{kIdle};  // kIdle until a file exists, then kArmed, kClosing, kDone
};
CrashState g_crash;

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
    default:
      return "signal";
  }
}

void write_all(int fd, const char* text) {
  size_t left = strlen(text);
  while (left > 0) {
    const ssize_t n = write(fd, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

// Async-signal-safe decimal formatting.
void append_int(char* buf, size_t size, int value) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 15);
  size_t len = strlen(buf);
  while (n > 0 && len + 1 < size) buf[len++] = digits[--n];
  buf[len] = 0;
}

void append(char* buf, size_t size, const char* text) {
  strncat(buf, text, size - strlen(buf) - 1);
}

extern "C" MEMWALL_SIGNAL_HANDLER void on_fatal_signal(int sig) {
  int armed = kArmed;
  if (!g_crash.state.compare_exchange_strong(armed, kClosing) && armed == kClosing) {
    // The same signal on another thread (timeout(1) signals the process, then its group):
    // wait for the first handler, which closes the file and ends the process.
    for (;;) pause();
  }
  if (armed == kArmed && g_crash.context_written.load()) {
    const int fd = open(g_crash.tmp_path, O_WRONLY | O_APPEND);
    if (fd >= 0 && g_crash.name[0] == 0) {
      // Between two benchmarks: nothing was running, the file only needs closing.
      write_all(fd, "\n  ]\n}\n");
      close(fd);
      rename(g_crash.tmp_path, g_crash.out_path);
      char line[1024] = "";
      append(line, sizeof line, g_crash.binary);
      append(line, sizeof line, ": crashed (");
      append(line, sizeof line, signal_name(sig));
      append(line, sizeof line, ") between benchmarks; the ones finished are kept\n");
      write_all(2, line);
    } else if (fd >= 0) {
      char entry[2048] = "";
      append(entry, sizeof entry, g_crash.run_written.load() ? ",\n" : "");
      append(entry, sizeof entry, "    {\"name\": \"");
      append(entry, sizeof entry, g_crash.name);
      append(entry, sizeof entry, "\", \"run_name\": \"");
      append(entry, sizeof entry, g_crash.name);
      append(entry, sizeof entry,
             "\", \"run_type\": \"iteration\", \"error_occurred\": true, "
             "\"error_message\": \"crashed: signal ");
      append_int(entry, sizeof entry, sig);
      append(entry, sizeof entry, " (");
      append(entry, sizeof entry, signal_name(sig));
      append(entry, sizeof entry, ")\"}\n  ]\n}\n");
      write_all(fd, entry);
      close(fd);
      rename(g_crash.tmp_path, g_crash.out_path);
      char line[6000] = "";
      append(line, sizeof line, g_crash.binary);
      append(line, sizeof line, ": ");
      append(line, sizeof line, g_crash.name[0] ? g_crash.name : "a benchmark");
      append(line, sizeof line, " crashed (");
      append(line, sizeof line, signal_name(sig));
      append(line, sizeof line, "); the benchmarks finished before it are in ");
      append(line, sizeof line, g_crash.out_path);
      append(line, sizeof line, "\n");
      write_all(2, line);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string json_string(const std::string& s) {
  return nlohmann::json(s).dump();
}

}  // namespace

bool IncrementalJsonReporter::ReportContext(const Context& context) {
  const bool ok = JSONReporter::ReportContext(context);
  GetOutputStream().flush();
  g_crash.context_written.store(true);
  return ok;
}

void IncrementalJsonReporter::ReportRuns(const std::vector<Run>& runs) {
  JSONReporter::ReportRuns(runs);
  GetOutputStream().flush();
  if (!runs.empty()) g_crash.run_written.store(true);
  // Its results are written: a crash from now until the next benchmark starts is none of its.
  g_crash.name[0] = 0;
}

void IncrementalJsonReporter::Finalize() {
  JSONReporter::Finalize();
  GetOutputStream().flush();
  g_crash.state.store(kDone);  // complete: nothing left for a handler to close
}

void install_crash_handlers(const std::string& binary, const std::string& tmp_path,
                            const std::string& out_path) {
  snprintf(g_crash.binary, sizeof g_crash.binary, "%s", binary.c_str());
  snprintf(g_crash.tmp_path, sizeof g_crash.tmp_path, "%s", tmp_path.c_str());
  snprintf(g_crash.out_path, sizeof g_crash.out_path, "%s", out_path.c_str());
  g_crash.state.store(kArmed);
  // The handler may run on a stack overflow: give it a stack of its own.
  alignas(64) static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(sig, &sa, nullptr);
}

void crash_guard_enter(const std::string& benchmark_name) {
  // Escaped once here; the handler copies the bytes as they are. Names hold no quotes, but a
  // user's model file could.
  const std::string quoted = json_string(benchmark_name);
  const std::string inner = quoted.substr(1, quoted.size() - 2);
  snprintf(g_crash.name, sizeof g_crash.name, "%s", inner.c_str());
}

std::string error_run_json(const std::string& name, const std::string& message) {
  return "    {\"name\": " + json_string(name) + ", \"run_name\": " + json_string(name) +
         ", \"run_type\": \"iteration\", \"error_occurred\": true, \"error_message\": " +
         json_string(message) + "}";
}

bool finish_partial_result(const std::string& tmp_path, const std::string& out_path,
                           const std::string& name, const std::string& why) {
  std::ifstream in(tmp_path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const size_t list = text.find("\"benchmarks\": [");
  if (list == std::string::npos) return false;
  // Keep whole run objects only: each ends with a line of four spaces and '}'.
  const size_t last_run = text.rfind("\n    }");
  const bool has_runs = last_run != std::string::npos && last_run > list;
  text.resize(has_runs ? last_run + 6 : list + 15);
  text += std::string(has_runs ? ",\n" : "\n") + error_run_json(name, why) + "\n  ]\n}\n";
  const std::string staged = out_path + ".closing";
  {
    std::ofstream out(staged, std::ios::binary);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(staged, out_path, ec);
  if (ec) return false;
  std::filesystem::remove(tmp_path, ec);
  return true;
}

}  // namespace memwall
