// The MPI world bench_comm runs in when started by mpirun or srun with --mpi: rank, size and
// where each rank runs. Without MPI built in, none of this exists and --mpi is refused.
#pragma once
#include <string>
#include <vector>

namespace memwall::comm {

bool mpi_built();
// Initializes MPI (threads funneled); false with `why` when this build has no MPI.
bool mpi_start(int* argc, char*** argv, std::string& why);
void mpi_stop();
bool mpi_active();
int mpi_rank();
int mpi_size();
// The host each rank runs on, by rank.
const std::vector<std::string>& rank_hosts();
// The slowest rank's seconds: every rank then reports the same time.
double slowest_seconds(double seconds);
// True on every rank when `ok` is true on every rank.
bool all_ranks_ok(bool ok);
// How this run was launched: "mpirun", "srun" or "MPI (unknown launcher)".
std::string launcher();

}  // namespace memwall::comm
