#include "harness/gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/stats.hpp"
#include "harness/json_util.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

using nlohmann::json;

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
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

std::map<std::string, Headline> headline_metrics(const json& p) {
  std::map<std::string, Headline> out;
  for (const auto& [device, levels] : member(p, "memory").items())
    for (const json& l : levels) {
      const std::string base = "memory/" + device + "/" + l.value("name", "?") + "/";
      if (l.value("bandwidth_GBps", 0.0) > 0)
        out[base + "bandwidth_GBps"] = {l["bandwidth_GBps"], true};
      if (l.value("latency_ns", 0.0) > 0) out[base + "latency_ns"] = {l["latency_ns"], false};
    }
  for (const auto& [device, formats] : member(p, "compute").items())
    for (const auto& [type, c] : formats.items())
      if (c.value("peak_GFLOPps", 0.0) > 0)
        out["compute/" + device + "/" + type + "/peak_GFLOPps"] = {c["peak_GFLOPps"], true};
  for (const auto& [device, r] : member(p, "ratios").items()) {
    const json walls = r.value("walls", json::object());
    if (!walls.contains("format")) continue;
    const std::string type = walls["format"];
    for (const auto& [level, types] : member(r, "ridge_flop_per_byte").items())
      if (types.contains(type))  // a higher ridge: a taller memory wall
        out["ridge/" + device + "/" + level + "/" + type] = {types[type], false};
  }
  const json link = p.value("interconnect", json::object());
  if (link.contains("c2c"))
    for (const auto& [distance, v] : link["c2c"]["median_latency_ns_by_shared"].items())
      out["interconnect/c2c/" + distance + "/latency_ns"] = {v, false};
  if (link.contains("mpi")) {
    for (const auto& [placement, e] : member(link["mpi"], "p2p").items()) {
      if (e.contains("latency_ns"))
        out["interconnect/mpi/" + placement + "/latency_ns"] = {e["latency_ns"], false};
      if (e.contains("bw_GBps"))
        out["interconnect/mpi/" + placement + "/bw_GBps"] = {e["bw_GBps"], true};
    }
    for (const auto& [name, e] : member(link["mpi"], "collectives").items())
      out["interconnect/mpi/" + name + "/busGBps"] = {e["busGBps"], true};
  }
  for (const auto& [name, e] : member(link, "nccl").items())
    out["interconnect/nccl/" + name + "/busGBps"] = {e["busGBps"], true};
  return out;
}

std::map<std::string, Headline> all_metrics(const json& p) {
  std::map<std::string, Headline> out;
  for (const json& m : p.value("metrics", json::array()))
    out[m.value("name", "")] = {m.value("median", 0.0), m.value("higher_is_better", true)};
  return out;
}

GateResult gate(const json& profile, const std::vector<json>& baseline, const GateOptions& o) {
  GateResult r;
  const auto now = o.all ? all_metrics(profile) : headline_metrics(profile);
  std::map<std::string, std::vector<double>> before;
  for (const json& b : baseline)
    for (const auto& [name, h] : o.all ? all_metrics(b) : headline_metrics(b))
      before[name].push_back(h.value);
  for (const auto& [name, h] : now) {
    GateRow row;
    row.name = name;
    row.value = h.value;
    const auto it = before.find(name);
    if (it == before.end() || static_cast<int>(it->second.size()) < o.min_runs) {
      row.verdict = "new";
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
    row.verdict = row.change < -band ? "regression" : row.change > band ? "improvement" : "ok";
    r.regressions += row.verdict == "regression";
    r.improvements += row.verdict == "improvement";
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
      << r.improvements << " improvements\n";
  out << "metric | baseline (median of runs) | spread between runs | now | change | verdict\n";
  for (const GateRow& row : r.rows) {
    if (!all_rows && row.verdict == "ok") continue;
    out << row.name << " | " << (row.runs ? num(row.baseline) : "-") << " | "
        << (row.runs ? pct(row.spread).substr(1) : "-") << " (" << row.runs << " runs) | "
        << num(row.value) << " | " << (row.verdict == "new" ? "-" : pct(row.change)) << " | "
        << row.verdict << "\n";
  }
  return out.str();
}

std::string machine_key(const json& profile) {
  const json m = profile.value("machine", json::object());
  return m.value("host_name", "?") + " / " + m.value("cpu_model", "?");
}

}  // namespace memwall::harness
