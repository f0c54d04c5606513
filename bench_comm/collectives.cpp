#include "bench_comm/collectives.hpp"

#include "core/units.hpp"

namespace memwall::comm {

const std::vector<CollectiveInfo>& collectives() {
  static const std::vector<CollectiveInfo> all = {
      {Collective::all_reduce, "all_reduce", "allreduce", true},
      {Collective::all_gather, "all_gather", "allgather", true},
      {Collective::reduce_scatter, "reduce_scatter", "reduce_scatter", true},
      {Collective::broadcast, "broadcast", "broadcast", false},
      {Collective::reduce, "reduce", "reduce", true},
      {Collective::all_to_all, "all_to_all", "alltoall", true},
  };
  return all;
}

const CollectiveInfo& find_collective(const std::string& name) {
  std::string known;
  for (const CollectiveInfo& c : collectives()) {
    if (name == c.name || name == c.mpi_name) return c;
    known += std::string(known.empty() ? "" : ", ") + c.mpi_name;
  }
  throw UsageError("unknown collective '" + name + "' (" + known + ")");
}

double bus_factor(Collective c, int ranks) {
  const double n = ranks;
  switch (c) {
    case Collective::all_reduce:
      return 2 * (n - 1) / n;
    case Collective::all_gather:
    case Collective::reduce_scatter:
    case Collective::all_to_all:
      return (n - 1) / n;
    case Collective::broadcast:
    case Collective::reduce:
      return 1;
  }
  return 1;
}

Counts counts(Collective c, size_t bytes, int ranks) {
  const size_t n = static_cast<size_t>(std::max(1, ranks));
  const size_t floats = bytes / sizeof(float);
  if (floats == 0) return {};
  const size_t per = floats / n, total = per * n;  // the split ones: a multiple of the ranks
  switch (c) {
    case Collective::all_reduce:
    case Collective::broadcast:
    case Collective::reduce:
      return {floats, floats, floats * sizeof(float)};
    case Collective::all_gather:
      return per ? Counts{per, total, total * sizeof(float)} : Counts{};
    case Collective::reduce_scatter:
      return per ? Counts{total, per, total * sizeof(float)} : Counts{};
    case Collective::all_to_all:
      return per ? Counts{total, total, total * sizeof(float)} : Counts{};
  }
  return {};
}

float input_value(int rank, size_t i) {
  return static_cast<float>(rank + 1) + static_cast<float>(i % 5);
}

std::string check_collective(Collective c, int rank, int ranks, const float* recv,
                             size_t recv_count) {
  const size_t n = static_cast<size_t>(ranks);
  auto sum_over_ranks = [&](size_t i) {
    float s = 0;
    for (int r = 0; r < ranks; ++r) s += input_value(r, i);
    return s;
  };
  for (size_t i = 0; i < recv_count; ++i) {
    float want = 0;
    switch (c) {
      case Collective::all_reduce:
        want = sum_over_ranks(i);
        break;
      case Collective::reduce:
        if (rank != 0) return "";  // only the root holds a result
        want = sum_over_ranks(i);
        break;
      case Collective::broadcast:
        want = input_value(0, i);
        break;
      case Collective::all_gather: {
        const size_t per = recv_count / n;
        want = input_value(static_cast<int>(i / per), i % per);
        break;
      }
      case Collective::reduce_scatter:
        want = sum_over_ranks(static_cast<size_t>(rank) * recv_count + i);
        break;
      case Collective::all_to_all: {
        const size_t per = recv_count / n;  // chunk j came from rank j's chunk `rank`
        want = input_value(static_cast<int>(i / per), static_cast<size_t>(rank) * per + i % per);
        break;
      }
    }
    if (recv[i] != want)
      return "rank " + std::to_string(rank) + " element " + std::to_string(i) + " is " +
             std::to_string(recv[i]) + ", expected " + std::to_string(want);
  }
  return "";
}

}  // namespace memwall::comm
