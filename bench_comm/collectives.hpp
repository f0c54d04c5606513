// The collectives memwall measures (MPI and NCCL alike), with nccl-tests' definitions in one
// place: the bytes a collective's "size" counts, and the factor that turns the algorithm
// bandwidth (size / time) into the bus bandwidth (what each link carries, comparable across
// rank counts). Also the input every rank starts from and the check of what it ends with.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace memwall::comm {

enum class Collective { all_reduce, all_gather, reduce_scatter, broadcast, reduce, all_to_all };

struct CollectiveInfo {
  Collective kind;
  const char* name;      // as nccl-tests names it: all_reduce, all_gather, ...
  const char* mpi_name;  // as the MPI family names it: allreduce, allgather, ...
  bool in_place;         // has an in-place form
};

const std::vector<CollectiveInfo>& collectives();
// By either name; UsageError listing the known ones otherwise.
const CollectiveInfo& find_collective(const std::string& name);

// nccl-tests' bus bandwidth factor: all_reduce 2(n-1)/n; all_gather, reduce_scatter and
// all_to_all (n-1)/n; broadcast and reduce 1.
double bus_factor(Collective c, int ranks);

// Floats each rank sends and receives for a collective whose nccl-tests size is `bytes`:
// all_reduce, broadcast, reduce: the buffer; all_gather: the gathered buffer; reduce_scatter:
// the buffer scattered; all_to_all: each rank's whole buffer. As nccl-tests sizes them, a
// collective that splits its buffer over the ranks rounds its count down to a multiple of the
// ranks, at any rank count (96, 192), and its bytes are counted from that count; all 0 when
// not one element per rank is left.
struct Counts {
  size_t send = 0, recv = 0;
  size_t bytes = 0;  // the size nccl-tests counts algbw and busbw from
};
Counts counts(Collective c, size_t bytes, int ranks);

// Element i of `rank`'s send buffer: small integers, exact in float whatever is summed.
float input_value(int rank, size_t i);
// What `rank` must hold after the collective (root 0 for broadcast and reduce); "" when it
// does, else the first element that differs.
std::string check_collective(Collective c, int rank, int ranks, const float* recv,
                             size_t recv_count);

}  // namespace memwall::comm

namespace memwall::comm {
// For the command line: throws UsageError for a name that is no collective.
inline bool comm_collective_known(const std::string& name) {
  return find_collective(name).name != nullptr;
}
}  // namespace memwall::comm
