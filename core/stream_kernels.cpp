#include "core/stream_kernels.hpp"

#include <stdexcept>
#include <string>

namespace memwall {

namespace {
constexpr StreamWeights kTable[] = {
    {"read", 1, 0, false},    {"write", 0, 1, false},   {"copy", 1, 1, false},
    {"scale", 1, 1, false},   {"add", 2, 1, false},     {"triad", 2, 1, false},
    {"dot", 2, 0, false},     {"write_nt", 0, 1, true}, {"copy_nt", 1, 1, true},
    {"triad_nt", 2, 1, true},
};
}  // namespace

std::span<const StreamWeights> stream_weights() {
  return kTable;
}

const StreamWeights& stream_weights(std::string_view name) {
  for (const StreamWeights& k : kTable)
    if (name == k.name) return k;
  throw std::invalid_argument("no STREAM kernel '" + std::string(name) + "'");
}

uint64_t stream_bytes(const StreamWeights& k, uint64_t elements, uint64_t element_bytes) {
  return static_cast<uint64_t>(k.reads + k.writes) * elements * element_bytes;
}

uint64_t write_allocate_bytes(const StreamWeights& k, uint64_t elements, uint64_t element_bytes) {
  const int allocate_reads = k.nontemporal ? 0 : k.writes;
  return static_cast<uint64_t>(k.reads + k.writes + allocate_reads) * elements * element_bytes;
}

}  // namespace memwall
