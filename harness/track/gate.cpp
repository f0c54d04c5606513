#include "harness/track/gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/counter_schema.hpp"
#include "core/stats.hpp"
#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/metric_key.hpp"

namespace memwall::harness {

namespace {

double median_of(std::vector<double> v) {
  return summarize(std::move(v)).median;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * v);
  return buf;
}
std::string num(double v) {
  return sig(v);
}

}  // namespace

std::map<std::string, Headline> headline_metrics(const Profile& p) {
  // The run's state of each figure, as its verdict found it.
  std::map<std::string, std::string> state;
  for (const Verdict& v : p.verdicts)
    if (!v.state.empty()) state[v.key] = v.state;
  std::map<std::string, Headline> out;
  auto put = [&](const MetricKey& key, double value, bool higher, std::string loaded = "") {
    if (value <= 0) return;
    if (const auto it = state.find(key.text); it != state.end()) loaded = it->second;
    out[key.text] = {value, higher, loaded};
  };
  for (const auto& [device, levels] : p.memory)
    for (const Level& l : levels) {
      put(metric_key::level(device, l.name, "bandwidth_GBps"), l.bandwidth_GBps, true);
      put(metric_key::level(device, l.name, "latency_ns"), l.latency_ns, false);
    }
  for (const auto& [device, formats] : p.compute)
    for (const auto& [type, c] : formats)
      put(metric_key::compute(device, type, "peak_GFLOPps"), c.peak.best, true);
  for (const auto& [device, r] : p.ratios) {
    const std::string& type = r.walls.format;
    for (const auto& [level, types] : r.ridge_flop_per_byte) {
      if (!types.count(type)) continue;
      // A higher ridge: a taller memory wall; as loaded as the bandwidth or the peak it divides.
      std::string loaded;
      for (const MetricKey& from : {metric_key::level(device, level, "bandwidth_GBps"),
                                    metric_key::compute(device, type, "peak_GFLOPps")})
        if (const auto it = state.find(from.text); it != state.end() && loaded.empty())
          loaded = it->second;
      put(metric_key::ridge(device, level, type), types.at(type), false, loaded);
    }
  }
  for (const FigureModule& figure : figure_modules())
    if (figure.metrics)
      for (const HeadlineMetric& m : figure.metrics(p)) put(m.key, m.value, m.higher_is_better);
  const Links& l = p.links;
  for (const auto& [distance, v] : l.c2c_median_latency_ns)
    put(metric_key::core_pairs(distance), v, false);
  for (const PointToPoint& x : l.mpi_p2p) {
    put(metric_key::point_to_point(x.placement, "latency_ns"), x.latency_ns, false);
    put(metric_key::point_to_point(x.placement, "bw_GBps"), x.bw_GBps, true);
  }
  for (const auto* list : {&l.mpi_collectives, &l.nccl})
    for (const Collective& c : *list)
      put(metric_key::collective(c.library, c.name, c.inplace, c.ranks,
                                 c.ranks_on == DeviceKind::gpu),
          c.busGBps, true);
  for (const HostLink& h : l.host) {
    put(metric_key::host_link(h.device, h.name, h.memory, h.engine, "bandwidth_GBps"),
        h.bandwidth_GBps, true);
    put(metric_key::host_link(h.device, h.name, h.memory, h.engine, "latency_ns"), h.latency_ns,
        false);
  }
  std::map<std::string, double> slowest_peer;
  for (const PeerLink& x : l.peers) {
    double& s = slowest_peer[x.engine + "/" + x.direction];
    s = s == 0 ? x.bandwidth_GBps : std::min(s, x.bandwidth_GBps);
  }
  for (const auto& [kind, v] : slowest_peer) put(metric_key::slowest_peer(kind), v, true);
  std::vector<CounterInfo> declared;  // the profile's own declarations, not another's
  for (const DeclaredCounter& c : p.counters)
    declared.push_back(
        {c.name, c.unit, c.higher_is_better, c.main, c.headline, c.meaning, c.scale});
  for (const Metric& m : p.metrics) {
    const CounterInfo* c = find_counter(declared, m.counter);
    if (c && c->headline && m.median > 0)
      out[metric_key::benchmark(m.name, m.counter).text] = {m.median, c->higher_is_better,
                                                            m.loaded};
  }
  return out;
}

std::map<std::string, Headline> all_metrics(const Profile& p) {
  std::map<std::string, Headline> out;
  for (const Metric& m : p.metrics) out[m.name] = {m.median, m.higher_is_better, m.loaded};
  return out;
}

GateResult gate(const Profile& profile, const std::vector<Profile>& baseline,
                const GateOptions& o) {
  GateResult r;
  const auto now = o.all ? all_metrics(profile) : headline_metrics(profile);
  std::map<std::string, std::vector<double>> before;
  for (const Profile& b : baseline)
    for (const auto& [name, h] : o.all ? all_metrics(b) : headline_metrics(b))
      before[name].push_back(h.value);
  for (const auto& [name, h] : now) {
    GateRow row;
    row.name = name;
    row.value = h.value;
    const auto it = before.find(name);
    if (it == before.end() || static_cast<int>(it->second.size()) < o.min_runs) {
      row.verdict = Change::added;
      row.runs = it == before.end() ? 0 : static_cast<int>(it->second.size());
      r.rows.push_back(row);
      continue;
    }
    const std::vector<double>& v = it->second;
    row.runs = static_cast<int>(v.size());
    row.baseline = median_of(v);
    std::vector<double> deviations;
    for (double x : v) deviations.push_back(std::fabs(x - row.baseline));
    // 1.4826 MAD estimates the standard deviation of normal noise; relative to the median.
    row.spread = std::max(o.floor, 1.4826 * median_of(deviations) / std::fabs(row.baseline));
    const double change = (h.value - row.baseline) / std::fabs(row.baseline);
    row.change = h.higher_is_better ? change : -change;
    const double band = std::max(o.threshold, o.k * row.spread);
    row.verdict = row.change < -band  ? Change::regression
                  : row.change > band ? Change::improvement
                                      : Change::ok;
    if (row.verdict == Change::regression && !h.loaded.empty()) {
      row.verdict = Change::loaded;
      row.loaded = h.loaded;
      ++r.loaded;
    }
    r.regressions += row.verdict == Change::regression;
    r.improvements += row.verdict == Change::improvement;
    ++r.checked;
    r.rows.push_back(row);
  }
  return r;
}

std::string gate_table(const GateResult& r, const GateOptions& o, bool all_rows) {
  std::ostringstream out;
  out << "memwall gate: " << r.checked << " metrics against the history (a change counts beyond "
      << pct(o.threshold).substr(1) << " and " << num(o.k)
      << " robust standard deviations of the runs before): " << r.regressions << " regressions, "
      << r.improvements << " improvements"
      << (r.loaded > 0 ? ", " + std::to_string(r.loaded) +
                             " worse while the run was loaded (not counted: the load, not the "
                             "hardware)"
                       : "")
      << "\n";
  out << "metric | baseline (median of runs) | spread between runs | now | change | verdict\n";
  for (const GateRow& row : r.rows) {
    if (!all_rows && row.verdict == Change::ok) continue;
    out << row.name << " | " << (row.runs ? num(row.baseline) : "-") << " | "
        << (row.runs ? pct(row.spread).substr(1) : "-") << " (" << row.runs << " runs) | "
        << num(row.value) << " | " << (row.verdict == Change::added ? "-" : pct(row.change))
        << " | " << text(row.verdict) << (row.loaded.empty() ? "" : " (" + row.loaded + ")")
        << "\n";
  }
  return out.str();
}

std::string machine_key(const Profile& profile) {
  return machine_value(profile, "host_name", "?") + " / " +
         machine_value(profile, "cpu_model", "?");
}

}  // namespace memwall::harness
