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
  std::vector<std::string> parts = {"cpu", "gpu", "comm"};
  std::string out_dir;
  std::map<std::string, std::vector<std::string>> extra_args;  // per part: passed through
  std::vector<std::string> wrapper;  // put in front of every binary ($MEMWALL_WRAPPER)
  int max_restarts = 20;             // crashes survived per binary before giving up on it
  // The MPI families of bench_comm: started by srun inside a Slurm allocation, else mpirun.
  bool mpi_built = false;
  int ranks = 0;  // 0: srun's or the hostfile's count, else one per core (at least 2)
  std::string hostfile;
  bool oversubscribe = false;
};

// One start of a binary: how (a launcher in front, flags after), into which result file.
struct Launch {
  std::string binary, part, stem;     // bench_comm, comm, bench_comm_mpi
  std::vector<std::string> launcher;  // e.g. mpirun -np 2 --bind-to core
  std::vector<std::string> flags;     // e.g. --mpi
  std::string skip;                   // not started, and why
};
// What `memwall run` will start; InputError for options it cannot honour (more ranks than this
// node's cores without --oversubscribe or a hostfile).
std::vector<Launch> plan_launches(const RunOptions& options);

struct RunOutcome {
  std::vector<std::string> notes;  // what the report must say about the run itself
  bool interrupted = false;
  bool failed = false;  // a binary failed, crashed or was given bad input
};

// The binaries memwall knows, for `memwall list`: name, --only part, why it may be missing.
struct BenchBinary {
  const char* name;
  const char* part;
  const char* missing_reason;
};
const std::vector<BenchBinary>& bench_binaries();
// Next to memwall when installed; in the build tree, in the sibling folder of the same name.
std::string find_binary(const std::string& name);

RunOutcome run_binaries(const RunOptions& options);

// Runs argv (argv[0] a path) and waits; returns the exit code, or 128 + the signal.
int run_child(const std::vector<std::string>& argv, int* pid_out = nullptr);

}  // namespace memwall::harness
