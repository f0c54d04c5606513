// Which GPU pairs and how many GPUs the node's GPU families measure, from the GPU count alone
// (so it is tested with any count, no GPU needed). Plans scale with the node, not with the
// number of its GPUs squared: as nvloom samples peers on racks of GPUs.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/registry.hpp"

namespace memwall::comm {

// Ordered (from, to) pairs for peer-to-peer copies. Every ordered pair in full mode, and up to
// eight GPUs in the default mode unless a time budget cut the samples below half
// (`time_scale`, core's --time-scale); otherwise each GPU to its two ring neighbours and to
// the GPU half the node away: 3 pairs per GPU, the near and the far of every GPU.
std::vector<std::pair<int, int>> p2p_pairs(int gpus, RunMode mode, double time_scale = 1);
// What p2p_pairs sampled, for the result file's context.
std::string p2p_sampling(int gpus, RunMode mode, double time_scale = 1);

// The GPU counts NCCL runs over: 2, 4, 8, ... below the node's count, and the count itself
// (8 -> 2, 4, 8; 12 -> 2, 4, 8, 12; 3 -> 2, 3; 1 -> 1).
std::vector<int> nccl_rank_counts(int gpus);

}  // namespace memwall::comm
