// The loaded-latency step: each memory node's bandwidth-latency curves (role latency_under_load),
// one per read/write mix, with the node's idle latency, each mix's maximum bandwidth and its
// knee: the bandwidth at which latency reaches twice the idle latency.
#include <algorithm>
#include <map>
#include <tuple>

#include "harness/format.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string key_text(const Measurement& m, const std::string& key, const std::string& fallback) {
  const auto it = m.keys.find(key);
  return it == m.keys.end() ? fallback : it->second;
}

// Along the curve from idle to saturation, where latency first reaches twice the idle latency:
// the bandwidth there, interpolated between the two points around it.
void find_knee(LoadedCurve& c) {
  const double twice = 2 * c.idle_latency_ns;
  double last_bw = 0, last_lat = c.idle_latency_ns;
  for (const LoadedPoint& p : c.points) {
    if (p.latency_ns >= twice) {
      const double f = p.latency_ns > last_lat ? (twice - last_lat) / (p.latency_ns - last_lat) : 1;
      c.knee_GBps = last_bw + f * (p.load_GBps - last_bw);
      return;
    }
    last_bw = p.load_GBps;
    last_lat = p.latency_ns;
  }
  double worst = 0;
  for (const LoadedPoint& p : c.points) worst = std::max(worst, p.latency_ns);
  c.knee_why = "latency stays under twice idle (" + sig(twice) + " ns): at most " + sig(worst) +
               " ns up to " + sig(c.max_GBps) + " GB/s";
}

}  // namespace

std::vector<LoadedCurve> loaded_curves_step(const ProfileInputs& in,
                                            const PerDevice<std::vector<Level>>& memory) {
  // (device, node, kind) -> the idle latency, and mix -> its points
  using Node = std::tuple<std::string, int, std::string>;
  std::map<Node, double> idle;
  std::map<Node, std::map<std::string, LoadedCurve>> curves;
  const Measurement* stream_loaded = nullptr;  // cpu.lat/loaded: one more point of all-read
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty() || !m.has("latency_ns")) continue;
      if (m.role == Role::latency && m.has("load_GBps") && device_of(m) == "cpu")
        stream_loaded = &m;
      if (m.role != Role::latency_under_load) continue;
      const Node node{device_of(m), static_cast<int>(m.key_number("node")),
                      key_text(m, "kind", "DRAM")};
      const std::string mix = key_text(m, "mix", "read");
      if (mix == "idle" || m.key_number("gen") == 0) {
        idle[node] = m.median("latency_ns");
        continue;
      }
      LoadedCurve& c = curves[node][mix];
      c.device = std::get<0>(node);
      c.node = std::get<1>(node);
      c.kind = std::get<2>(node);
      c.mix = mix;
      c.generators = static_cast<int>(m.key_number("gen"));
      c.points.push_back(
          {static_cast<int>(m.key_number("delay")), m.has("load_GBps") ? m.median("load_GBps") : 0,
           m.has("load_hw_GBps") ? m.median("load_hw_GBps")
           : m.has("hw_GBps")    ? m.median("hw_GBps")  // files from before load_hw_GBps
                                 : 0,
           m.median("latency_ns"), m.best("latency_ns")});
    }
  std::vector<LoadedCurve> out;
  std::string last_device;
  for (auto& [node, mixes] : curves) {
    // Each device's first node is the chasing core's own (a GPU has one).
    const bool local = std::get<0>(node) != last_device;
    last_device = std::get<0>(node);
    for (auto& [mix, c] : mixes) {
      if (mix == "read" && stream_loaded && local && c.device == "cpu")
        c.points.push_back({-1, stream_loaded->median("load_GBps"), 0,
                            stream_loaded->median("latency_ns"),
                            stream_loaded->best("latency_ns")});
      // From idle to saturation: the longest delay first.
      std::stable_sort(
          c.points.begin(), c.points.end(), [](const LoadedPoint& a, const LoadedPoint& b) {
            const double da = a.delay < 0 ? -1 : a.delay, db = b.delay < 0 ? -1 : b.delay;
            return da > db;
          });
      c.idle_latency_ns = idle.count(node) ? idle.at(node) : 0;
      for (const LoadedPoint& p : c.points) c.max_GBps = std::max(c.max_GBps, p.load_GBps);
      if (c.idle_latency_ns > 0)
        find_knee(c);
      else
        c.knee_why = "no idle point on this node";
      // The local node's theoretical bandwidth where the profile knows it: the memory level's.
      if (const auto m = memory.find(c.device); local && m != memory.end())
        for (const Level& l : m->second)
          if (l.kind == LevelKind::memory && l.theoretical_GBps > 0)
            c.theoretical_GBps = l.theoretical_GBps;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace memwall::harness
