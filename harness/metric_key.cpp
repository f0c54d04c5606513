#include "harness/metric_key.hpp"

#include <algorithm>
#include <cctype>

namespace memwall::harness::metric_key {

MetricKey level(const std::string& device, const std::string& level, const std::string& quantity) {
  return {"memory/" + device + "/" + level + "/" + quantity};
}

MetricKey compute(const std::string& device, const std::string& type, const std::string& quantity) {
  return {"compute/" + device + "/" + type + "/" + quantity};
}

MetricKey ridge(const std::string& device, const std::string& level, const std::string& type) {
  return {"ridge/" + device + "/" + level + "/" + type};
}

MetricKey loaded(const std::string& device, int node, const std::string& mix,
                 const std::string& quantity) {
  return {"loaded/" + device + "/node:" + std::to_string(node) + "/" + mix + "/" + quantity};
}

MetricKey host_link(const std::string& device, const std::string& name, const std::string& memory,
                    const std::string& engine, const std::string& quantity) {
  return {"interconnect/host/" + device + "/" + name + "/" + memory + "/" + engine + "/" +
          quantity};
}

MetricKey slowest_peer(const std::string& engine_direction) {
  return {"interconnect/p2p/" + engine_direction + "/slowest_pair_GBps"};
}

MetricKey collective(const std::string& library, const std::string& name,
                     const std::string& inplace, int ranks, bool ranks_in_key) {
  std::string lib = library;
  std::transform(lib.begin(), lib.end(), lib.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return {"interconnect/" + lib + "/" + name + "/inplace:" + inplace +
          (ranks_in_key ? "/ranks:" + std::to_string(ranks) : "") + "/busGBps"};
}

MetricKey point_to_point(const std::string& placement, const std::string& quantity) {
  return {"interconnect/mpi/" + placement + "/" + quantity};
}

MetricKey core_pairs(const std::string& shared) {
  return {"interconnect/c2c/" + shared + "/latency_ns"};
}

MetricKey benchmark(const std::string& name, const std::string& counter) {
  return {"benchmark/" + name + "/" + counter};
}

}  // namespace memwall::harness::metric_key
