#include "bench_comm/mpi_env.hpp"

#include <cstdlib>

#ifdef MEMWALL_HAVE_MPI
#include <mpi.h>
#endif

namespace memwall::comm {

namespace {
bool g_active = false;
int g_rank = 0, g_size = 1;
std::vector<std::string> g_hosts;
}  // namespace

bool mpi_built() {
#ifdef MEMWALL_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool mpi_start(int* argc, char*** argv, std::string& why) {
#ifdef MEMWALL_HAVE_MPI
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  std::vector<char> all(static_cast<size_t>(g_size) * MPI_MAX_PROCESSOR_NAME);
  MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME,
                MPI_CHAR, MPI_COMM_WORLD);
  for (int r = 0; r < g_size; ++r)
    g_hosts.emplace_back(&all[static_cast<size_t>(r) * MPI_MAX_PROCESSOR_NAME]);
  g_active = true;
  why.clear();
  return true;
#else
  (void)argc, (void)argv;
  why = "this bench_comm was built without MPI (install libopenmpi-dev and rebuild)";
  return false;
#endif
}

void mpi_stop() {
#ifdef MEMWALL_HAVE_MPI
  if (g_active) MPI_Finalize();
#endif
  g_active = false;
}

bool mpi_active() {
  return g_active;
}
int mpi_rank() {
  return g_rank;
}
int mpi_size() {
  return g_size;
}
const std::vector<std::string>& rank_hosts() {
  return g_hosts;
}

double slowest_seconds(double seconds) {
#ifdef MEMWALL_HAVE_MPI
  if (g_active) {
    double slowest = 0;
    MPI_Allreduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
  }
#endif
  return seconds;
}

bool all_ranks_ok(bool ok) {
#ifdef MEMWALL_HAVE_MPI
  if (g_active) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  }
#endif
  return ok;
}

std::string launcher() {
  if (std::getenv("SLURM_STEP_ID") || std::getenv("SLURM_PROCID")) return "srun";
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) return "mpirun (Open MPI)";
  if (std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK")) return "mpirun";
  return "MPI (unknown launcher)";
}

}  // namespace memwall::comm
