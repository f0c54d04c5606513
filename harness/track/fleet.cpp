#include "harness/track/fleet.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/stats.hpp"
#include "harness/format.hpp"
#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace fs = std::filesystem;

namespace {

double median_of(std::vector<double> v) {
  return summarize(std::move(v)).median;
}

// What must match for nodes to be compared: the CPU and every device's name.
std::string kind_of(const Profile& p) {
  std::string kind = machine_value(p, "cpu_model", "?");
  for (const auto& [id, d] : p.devices)
    if (d.kind != DeviceKind::cpu) kind += " + " + id + " " + d.name;
  return kind;
}

std::string signed_percent(double v) {
  return (v >= 0 ? "+" : "") + fixed(100 * v, 1) + "%";
}

// How much worse than the fleet, in percent: positive is worse whichever way the metric goes.
}  // namespace

FleetNode load_fleet_node(const std::string& path) {
  FleetNode n;
  n.source = path;
  fs::path file = path;
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    n.name = fs::path(path).lexically_normal().filename().string();
    if (n.name.empty() || n.name == ".") n.name = fs::absolute(path).filename().string();
    file /= "profile.json";
    if (!fs::exists(file, ec)) {
      n.failed = "no profile.json: its run did not finish";
      return n;
    }
  } else if (!fs::exists(file, ec)) {
    throw InputError(path + ": no such profile or results folder");
  }
  const Profile p = load_profile(file.string());
  const std::string host = machine_value(p, "host_name", "");
  if (!host.empty()) n.name = host;
  if (n.name.empty()) n.name = file.parent_path().filename().string();
  n.kind = kind_of(p);
  n.failed_benchmarks = static_cast<int>(p.provenance.failed.size());
  n.metrics = headline_metrics(p);
  return n;
}

FleetResult fleet(std::vector<FleetNode> nodes, const FleetOptions& o) {
  // Hosts that repeat (one node run twice, or folders copied) are named by their folders.
  std::map<std::string, int> seen;
  for (const FleetNode& n : nodes) ++seen[n.name];
  for (FleetNode& n : nodes)
    if (seen[n.name] > 1) n.name = fs::path(n.source).lexically_normal().string();
  std::map<std::string, std::vector<std::string>> kinds;
  for (const FleetNode& n : nodes)
    if (n.failed.empty()) kinds[n.kind].push_back(n.name);
  if (kinds.size() > 1) {
    std::string which;
    for (const auto& [kind, names] : kinds) {
      which += (which.empty() ? "" : "; ") + kind + ": ";
      for (size_t i = 0; i < names.size(); ++i) which += (i ? ", " : "") + names[i];
    }
    throw InputError("the profiles are of different kinds of machine (" + which +
                     "): run memwall fleet on each kind apart");
  }
  const size_t usable = kinds.empty() ? 0 : kinds.begin()->second.size();
  if (usable < 3)
    throw InputError("a fleet needs at least three nodes with a profile (" +
                     std::to_string(usable) + " given): a median of two says nothing");
  FleetResult r;
  r.nodes = std::move(nodes);
  std::set<std::string> names;
  for (const FleetNode& n : r.nodes)
    for (const auto& [name, h] : n.metrics) names.insert(name);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::string& name : names) {
    FleetMetric m;
    m.name = name;
    std::vector<double> present;
    for (const FleetNode& n : r.nodes) {
      const auto it = n.metrics.find(name);
      const bool has = it != n.metrics.end() && std::isfinite(it->second.value);
      m.values.push_back(has ? it->second.value : nan);
      m.loaded.push_back(has ? it->second.loaded : "");
      if (has) {
        present.push_back(it->second.value);
        m.higher_is_better = it->second.higher_is_better;
      }
    }
    if (present.size() < 3) continue;
    m.median = median_of(present);
    if (m.median == 0) continue;
    std::vector<double> deviations;
    for (double v : present) deviations.push_back(std::fabs(v - m.median));
    // 1.4826 MAD estimates the standard deviation of normal noise, as the gate uses it.
    m.spread = std::max(o.floor, 1.4826 * median_of(deviations) / std::fabs(m.median));
    for (size_t i = 0; i < m.values.size(); ++i) {
      const double v = m.values[i];
      const double d = std::isfinite(v) ? (v - m.median) / std::fabs(m.median) : nan;
      m.deviation.push_back(d);
      m.outlier.push_back(std::isfinite(d) && std::fabs(d) >= o.threshold &&
                          std::fabs(d) >= o.k * m.spread && m.loaded[i].empty());
    }
    r.metrics.push_back(m);
  }
  r.outliers.assign(r.nodes.size(), 0);
  r.loaded.assign(r.nodes.size(), 0);
  for (const FleetMetric& m : r.metrics)
    for (size_t i = 0; i < r.nodes.size(); ++i) {
      r.outliers[i] += m.outlier[i] ? 1 : 0;
      r.loaded[i] += m.loaded[i].empty() ? 0 : 1;
    }
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    r.outlier_nodes += r.outliers[i] > 0 ? 1 : 0;
    r.failed_nodes += r.nodes[i].failed.empty() && r.nodes[i].failed_benchmarks == 0 ? 0 : 1;
  }
  return r;
}

std::string fleet_table(const FleetResult& r, const FleetOptions& o) {
  std::ostringstream out;
  out << "# Fleet: " << r.nodes.size() << " nodes, " << r.metrics.size() << " metrics\n\n"
      << "A node is an outlier on a metric when it differs from the fleet's median by at least "
      << fixed(100 * o.threshold, 0) << "% and by " << sig(o.k)
      << " robust standard deviations of the fleet (1.4826 MAD).\n\n"
      << "node | outliers | the most unlike (vs the fleet's median)\n---|---|---\n";
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const FleetNode& n = r.nodes[i];
    out << n.name << " | ";
    if (!n.failed.empty()) {
      out << "failed | " << n.failed << "\n";
      continue;
    }
    out << r.outliers[i] << " | ";
    std::vector<std::pair<double, std::string>> worst;
    for (const FleetMetric& m : r.metrics)
      if (m.outlier[i])
        worst.push_back(
            {-std::fabs(m.deviation[i]), m.name + " " + signed_percent(m.deviation[i])});
    std::sort(worst.begin(), worst.end());
    for (size_t w = 0; w < std::min<size_t>(3, worst.size()); ++w)
      out << (w ? "; " : "") << worst[w].second;
    if (worst.empty()) out << "like the others";
    if (n.failed_benchmarks) out << " (" << n.failed_benchmarks << " benchmarks failed in its run)";
    if (r.loaded[i] > 0)
      for (const FleetMetric& m : r.metrics)
        if (!m.loaded[i].empty()) {
          out << " (" << r.loaded[i] << " metrics measured under load, not judged: " << m.loaded[i]
              << ")";
          break;
        }
    out << "\n";
  }
  out << "\nmetric | median | spread";
  for (const FleetNode& n : r.nodes) out << " | " << n.name;
  out << "\n---|---|---";
  for (size_t i = 0; i < r.nodes.size(); ++i) out << "|---";
  out << "\n";
  for (const FleetMetric& m : r.metrics) {
    out << m.name << " | " << sig(m.median) << " | " << fixed(100 * m.spread, 1) << "%";
    for (size_t i = 0; i < r.nodes.size(); ++i) {
      out << " | ";
      if (!std::isfinite(m.deviation[i])) {
        out << "-";
        continue;
      }
      out << (m.outlier[i] ? "**" : "") << signed_percent(m.deviation[i])
          << (m.outlier[i] ? "**" : "");
    }
    out << "\n";
  }
  return out.str();
}

double worse_percent(const FleetMetric& m, size_t node) {
  const double d = m.deviation[node];
  return std::isfinite(d) ? 100 * (m.higher_is_better ? -d : d) : d;
}

std::string fleet_json(const FleetResult& r) {
  nlohmann::json nodes = nlohmann::json::array(), metrics = nlohmann::json::array();
  for (size_t i = 0; i < r.nodes.size(); ++i)
    nodes.push_back({{"name", r.nodes[i].name},
                     {"source", r.nodes[i].source},
                     {"failed", r.nodes[i].failed},
                     {"failed_benchmarks", r.nodes[i].failed_benchmarks},
                     {"outliers", r.outliers[i]},
                     {"loaded_metrics", r.loaded[i]}});
  for (size_t c = 0; c < r.metrics.size(); ++c) {
    const FleetMetric& m = r.metrics[c];
    nlohmann::json values = nlohmann::json::array();
    for (size_t i = 0; i < r.nodes.size(); ++i)
      values.push_back(std::isfinite(m.values[i])
                           ? nlohmann::json{{"value", m.values[i]},
                                            {"deviation", m.deviation[i]},
                                            {"outlier", static_cast<bool>(m.outlier[i])},
                                            {"loaded", m.loaded[i]}}
                           : nlohmann::json(nullptr));
    metrics.push_back({{"column", c + 1},
                       {"name", m.name},
                       {"higher_is_better", m.higher_is_better},
                       {"median", m.median},
                       {"spread", m.spread},
                       {"nodes", values}});
  }
  return nlohmann::json{{"nodes", nodes},
                        {"metrics", metrics},
                        {"outlier_nodes", r.outlier_nodes},
                        {"failed_nodes", r.failed_nodes}}
             .dump(1) +
         "\n";
}

}  // namespace memwall::harness
