// memwall run: starts each bench_* binary that was built, the way it must be started, and
// keeps going when one crashes: a binary that dies of a signal in one benchmark is started
// again after that benchmark, so a crash costs that benchmark only.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace memwall::harness {

struct RunOptions {
  bool quick = false, full = false;
  std::vector<std::string> parts;  // empty: every part a binary was found for
  std::string out_dir;
  std::map<std::string, std::vector<std::string>> extra_args;  // per part: passed through
  std::vector<std::string> wrapper;  // put in front of every binary ($MEMWALL_WRAPPER)
  int max_restarts = 20;             // crashes survived per binary before giving up on it
  // The MPI families of bench_comm: started by srun inside a Slurm allocation, else mpirun.
  int ranks = 0;  // 0: srun's or the hostfile's count, else one per core (at least 2)
  std::string hostfile;
  bool oversubscribe = false;
  std::string missing_note;  // what configure left out, for the error of an unknown part
  double time_scale = 1;     // what a time budget leaves of the samples (bench --time-scale)
  std::string command;       // the memwall command the result files record (--memwall-command)
};

// A bench binary memwall found, and what it said of itself (--describe).
struct BenchBinary {
  std::string name, path, part;  // bench_comm, .../bench_comm, comm
  bool runs_under_mpi = false;   // also started under mpirun or srun, with --mpi
  std::vector<std::string> families;
  std::vector<std::string> built_with;  // the optional parts its build found: MPI, OpenBLAS...
  int devices = 0;  // measured one at a time (bench_gpu's GPUs): one start per device
};
// Every bench_* binary beside memwall (installed: its bin/ folder) or, from a build tree, in
// the sibling folders (build/bench_cpu/bench_cpu), in name order; each is asked what it is, so
// a new binary needs no edit here. `wrapper` goes in front (an emulator).
std::vector<BenchBinary> find_bench_binaries(const std::vector<std::string>& wrapper);

// One start of a binary: how (a launcher in front, flags after), into which result file.
struct Launch {
  BenchBinary binary;
  std::string stem;                   // bench_comm_mpi: the result file's name
  std::vector<std::string> launcher;  // e.g. mpirun -np 2 --bind-to core
  std::vector<std::string> flags;     // e.g. --mpi
  std::string skip;                   // not started, and why
};
// What `memwall run` will start; InputError for options it cannot honour (a part no binary
// measures, more ranks than this node's cores without --oversubscribe or a hostfile).
std::vector<Launch> plan_launches(const RunOptions& options,
                                  const std::vector<BenchBinary>& binaries);

// The command line of a launch, without its result file: launcher, wrapper, binary, flags.
std::vector<std::string> launch_command(const RunOptions& options, const Launch& launch);

struct RunOutcome {
  std::vector<std::string> notes;  // what the report must say about the run itself
  bool interrupted = false;
  bool failed = false;  // a binary failed, crashed or was given bad input
};

RunOutcome run_binaries(const RunOptions& options, const std::vector<BenchBinary>& binaries);

// Runs argv (argv[0] a path) and waits; returns the exit code, or 128 + the signal.
int run_child(const std::vector<std::string>& argv, int* pid_out = nullptr);
// As run_child, with the child's standard output captured into `out`.
int run_child_output(const std::vector<std::string>& argv, std::string& out);

}  // namespace memwall::harness
