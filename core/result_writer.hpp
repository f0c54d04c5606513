// Result files that survive the process: a Google Benchmark JSON file that is valid after every
// finished benchmark, closed by a signal handler when the process dies of a fatal signal (with
// an entry naming the benchmark that was running), and closable afterwards by whoever ran the
// process when it died of one no handler sees (SIGKILL, the OOM killer).
#pragma once
#include <benchmark/benchmark.h>

#include <string>

// For signal handlers: qemu-user (how the tests emulate other CPUs) can enter a handler with
// the stack misaligned, and the compiler's aligned SSE spills then fault inside the handler.
#if defined(__x86_64__)
#define MEMWALL_SIGNAL_HANDLER __attribute__((force_align_arg_pointer))
#else
#define MEMWALL_SIGNAL_HANDLER
#endif

namespace memwall {

// Google Benchmark's JSON reporter, flushed after the context and after each benchmark, so the
// file holds a prefix that finish_partial_result() can always close.
class IncrementalJsonReporter : public benchmark::JSONReporter {
 public:
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;
};

// SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: append an entry for the running benchmark
// ("crashed: signal 11 (SIGSEGV)"), close the JSON, rename `tmp_path` to `out_path`, say so on
// stderr, and die of the same signal.
void install_crash_handlers(const std::string& binary, const std::string& tmp_path,
                            const std::string& out_path);
// Called as each benchmark starts: the entry the handlers write if it crashes.
void crash_guard_enter(const std::string& benchmark_name);

// Closes a partial result file written by IncrementalJsonReporter (a crashed run's temporary
// file) with an error entry for `name` saying `why`, writes it to `out_path` and removes
// `tmp_path`. Returns false when the file holds no complete context.
bool finish_partial_result(const std::string& tmp_path, const std::string& out_path,
                           const std::string& name, const std::string& why);

// The JSON object Google Benchmark would write for a run that failed with `message`.
std::string error_run_json(const std::string& name, const std::string& message);

}  // namespace memwall
