// comm.mpi/latency, bw and bibw: point-to-point between rank 0 and one partner on the same
// node and one on another node, where the run has them, as the OSU micro-benchmarks measure:
// latency is half a ping-pong's round trip (osu_latency), bandwidth a window of non-blocking
// sends answered by one ack (osu_bw), bidirectional the same both ways at once (osu_bibw),
// bytes counted once per message (both directions for bibw). Every rank takes part in every
// repetition; the reported time is the slowest rank's.
#ifdef MEMWALL_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <vector>

#include "bench_comm/mpi_env.hpp"
#include "bench_comm/options.hpp"
#include "core/bench_main.hpp"
#include "core/buffer.hpp"
#include "core/memory.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/units.hpp"

namespace memwall::comm {

namespace {

unsigned char pattern(int rank, size_t i) {
  return static_cast<unsigned char>((i * 7 + static_cast<size_t>(rank) * 13 + 1) & 0xff);
}

// What arrived is what `from` sent: every byte of small messages, 256 of large ones.
bool holds_pattern(const unsigned char* buf, size_t bytes, int from) {
  const size_t step = std::max<size_t>(1, bytes / 256);
  for (size_t i = 0; i < bytes; i += step)
    if (buf[i] != pattern(from, i)) return false;
  return bytes == 0 || buf[bytes - 1] == pattern(from, bytes - 1);
}

enum class Kind { latency, bw, bibw };

// OSU's counts: 10000 round trips (1000 above 8 KiB), 100 windows (20 above 8 KiB).
// The family's flags: the bandwidth window, the page size of the message buffers.
struct P2pFlags {
  int window = 64;
  std::string page_name = "4k";
  Pages pages = Pages::small4k;
} g_flags;

int iterations_for(Kind kind, size_t bytes) {
  if (kind == Kind::latency) return bytes <= (8 << 10) ? 10000 : 1000;
  return bytes <= (8 << 10) ? 100 : 20;
}

void run_p2p(benchmark::State& state, Kind kind, int partner, size_t bytes) {
  const int rank = mpi_rank();
  const bool sender = rank == 0, receiver = rank == partner;
  const int window = g_flags.window;
  // One send and one receive buffer, every message of a window into the same one, page-aligned
  // on ordinary pages, as OSU and most applications allocate them (--mpi-pages huge for huge
  // pages, which speed up large shared-memory copies).
  Buffer out_buffer(std::max<size_t>(64, bytes), g_flags.pages);
  Buffer in_buffer(std::max<size_t>(64, bytes), g_flags.pages);
  unsigned char* out = out_buffer.as<unsigned char>();
  unsigned char* in = in_buffer.as<unsigned char>();
  std::fill_n(in, in_buffer.bytes(), 0);
  for (size_t i = 0; i < bytes; ++i) out[i] = pattern(rank, i);
  const int count = static_cast<int>(bytes);
  const int iters = iterations_for(kind, bytes);
  std::vector<MPI_Request> requests(2 * static_cast<size_t>(window));
  char ack = 0;
  auto exchange = [&] {
    if (!sender && !receiver) return;
    const int peer = sender ? partner : 0;
    if (kind == Kind::latency) {
      if (sender) {
        MPI_Send(out, count, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
        MPI_Recv(in, count, MPI_BYTE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(in, count, MPI_BYTE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(out, count, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
      }
      return;
    }
    int n = 0;
    const bool sends = sender || kind == Kind::bibw, receives = receiver || kind == Kind::bibw;
    for (int w = 0; receives && w < window; ++w)
      MPI_Irecv(in, count, MPI_BYTE, peer, 2, MPI_COMM_WORLD, &requests[n++]);
    for (int w = 0; sends && w < window; ++w)
      MPI_Isend(out, count, MPI_BYTE, peer, 2, MPI_COMM_WORLD, &requests[n++]);
    MPI_Waitall(n, requests.data(), MPI_STATUSES_IGNORE);
    if (sender) MPI_Recv(&ack, 1, MPI_CHAR, peer, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (receiver) MPI_Send(&ack, 1, MPI_CHAR, peer, 3, MPI_COMM_WORLD);
  };
  for (int w = 0; w < 5; ++w) exchange();  // warm-up, as OSU skips its first iterations
  const double seconds = measure(state, [&] {
    return time_after([] { MPI_Barrier(MPI_COMM_WORLD); },
                      [&] {
                        for (int i = 0; i < iters; ++i) exchange();
                      });
  });
  if (seconds == 0) return;
  bool ok = true;  // what each side received: osu_bw's sender receives only acks
  if (receiver || (sender && kind != Kind::bw)) ok = holds_pattern(in, bytes, sender ? partner : 0);
  if (!check_result(state, all_ranks_ok(ok), "a message did not arrive as sent")) return;
  Work work;
  if (kind == Kind::latency) {
    work.accesses = iters;  // round trips: one way is half of one, as osu_latency
    work.latency_divisor = 2;
  } else {
    work.bytes = static_cast<double>(bytes) * window * iters * (kind == Kind::bibw ? 2 : 1);
  }
  report_work(state, work, seconds);
  state.counters["bytes"] = static_cast<double>(bytes);  // the message's, as OSU's size column
  state.counters["ranks"] = mpi_size();
}

void register_p2p(const RunConfig& config) {
  g_flags.pages = parse_pages(g_flags.page_name);
  // A window of messages must fit in memory, on every rank of this node.
  const uint64_t largest = options().largest_message(config);
  const uint64_t need = largest * static_cast<uint64_t>(g_flags.window + 2) *
                        static_cast<uint64_t>(std::max(1, mpi_size()));
  const uint64_t available = memory_available_bytes();
  if (available > 0 && need > available)
    throw UsageError("messages of " + format_bytes(largest) + " need " + format_bytes(need) +
                     " on this node, above the " + format_bytes(available) +
                     " available (lower --max-bytes or --window)");
  if (!mpi_active() || mpi_size() < 2) return;
  // One partner on rank 0's node and one on another node, where there are such ranks.
  const auto& hosts = rank_hosts();
  std::vector<std::pair<int, const char*>> pairs;
  for (int r = 1; r < mpi_size(); ++r)
    if (hosts[r] == hosts[0]) {
      pairs.push_back({r, "same_node"});
      break;
    }
  for (int r = 1; r < mpi_size(); ++r)
    if (hosts[r] != hosts[0]) {
      pairs.push_back({r, "other_node"});
      break;
    }
  for (const auto& [partner, placement] : pairs)
    for (const auto& [kind, name, floor] :
         {std::tuple{Kind::latency, "latency", 1}, std::tuple{Kind::bw, "bw", 1},
          std::tuple{Kind::bibw, "bibw", 1}})
      for (uint64_t bytes : options().message_sizes(floor, config)) {
        const int p = partner;
        const Kind k = kind;
        add_benchmark("comm.mpi/" + std::string(name) + "/placement:" + placement + "/pair:0-" +
                          std::to_string(partner) + "/bytes:" + std::to_string(bytes),
                      [p, k, bytes](benchmark::State& state) { run_p2p(state, k, p, bytes); }, 0,
                      {nominal::message_s(static_cast<double>(bytes))});
      }
}

const bool registered = add_family(
    {"comm.mpi.p2p",
     [](Flags& flags) {
       flags.add("--window", g_flags.window, "messages in flight for bandwidth (64, as osu_bw)")
           .range(1, 4096);
       flags.add("--mpi-pages", g_flags.page_name, "page size of MPI buffers: 4k (as OSU) or huge");
     },
     register_p2p});
const bool roles =
    declare_role({"comm.mpi", "", {{"placement", "*"}}, "point_to_point", "comm", {}});

}  // namespace

}  // namespace memwall::comm
#endif
