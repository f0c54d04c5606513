#include "harness/cli/plan.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "core/topology.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/report/writers.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string minutes(double s) {
  const long total = std::lround(s);
  std::ostringstream out;
  if (total >= 60) out << total / 60 << "m";
  out << std::setw(total >= 60 ? 2 : 1) << std::setfill('0') << total % 60 << "s";
  return out.str();
}

// The family of a benchmark name: what comes before its first '/'.
std::string family_of(const std::string& name) {
  return name.substr(0, name.find('/'));
}

}  // namespace

double parse_duration(const std::string& text) {
  double total = 0;
  size_t at = 0;
  bool any = false;
  while (at < text.size()) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text.substr(at), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || v < 0) break;
    at += used;
    const char unit = at < text.size() ? text[at] : 's';
    const double scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : unit == 's' ? 1 : 0;
    if (scale == 0) break;
    if (at < text.size()) ++at;
    total += v * scale;
    any = true;
  }
  if (!any || at != text.size() || total <= 0)
    throw InputError("bad duration '" + text + "' (e.g. 90s, 10m, 1h, 2m30s)");
  return total;
}

Plan plan_run(const RunOptions& options, const std::vector<BenchBinary>& binaries) {
  Plan plan;
  plan.time_scale = options.time_scale;
  for (const Launch& launch : plan_launches(options, binaries)) {
    PlannedLaunch p;
    p.stem = launch.stem;
    std::vector<std::string> args = launch_command(options, launch);
    p.command = joined(args);
    if (!launch.skip.empty()) {
      p.skip = launch.skip;
    } else if (!launch.launcher.empty() && topology().foreign) {
      // Ranks of a machine we are not on cannot be started here to ask them.
      p.skip = "planned when launched on that machine (" + joined(launch.launcher) + ")";
    } else {
      args.push_back("--plan");
      std::string text;
      const int rc = run_child_output(args, text);
      if (rc != 0)
        throw InputError(launch.stem + " --plan failed (exit " + std::to_string(rc) +
                         "): its error is above");
      try {
        const json j = json::parse(text);
        p.estimated_s = j.value("estimated_s", 0.0);
        p.benchmarks = static_cast<int>(j.value("benchmarks", json::array()).size());
        p.plan_json = text;
      } catch (const json::exception&) {
        throw InputError(launch.stem + " --plan printed no plan");
      }
    }
    plan.estimated_s += p.estimated_s;
    plan.launches.push_back(p);
  }
  return plan;
}

Plan fit_budget(RunOptions options, const std::vector<BenchBinary>& binaries, double budget_s) {
  options.time_scale = 1;
  Plan full = plan_run(options, binaries);
  full.budget_s = budget_s;
  if (full.estimated_s <= budget_s) return full;
  // Time is about fixed + variable x scale (starts and first touches do not shrink): two
  // plans give both, a third checks the scale chosen, a last one lowers it once more.
  constexpr double kLowest = 0.05;
  options.time_scale = 0.25;
  const Plan quarter = plan_run(options, binaries);
  const double variable = std::max(1e-9, (full.estimated_s - quarter.estimated_s) / 0.75);
  const double fixed = std::max(0.0, full.estimated_s - variable);
  double scale = std::clamp((budget_s - fixed) / variable, kLowest, 1.0);
  Plan fitted;
  for (int attempt = 0; attempt < 3; ++attempt) {
    options.time_scale = scale;
    fitted = plan_run(options, binaries);
    if (fitted.estimated_s <= budget_s * 1.02 || scale == kLowest) break;
    scale = std::max(kLowest, scale * budget_s / fitted.estimated_s * 0.95);
  }
  fitted.budget_s = budget_s;
  std::ostringstream note;
  note << "time budget " << minutes(budget_s) << ": the mode's full sampling was estimated at "
       << minutes(full.estimated_s) << ", so every sample was scaled by " << std::setprecision(2)
       << scale
       << " (shorter repetitions, fewer of them, fewer sizes per octave and core-to-core pairs; "
          "every level, format and distance class kept), estimated "
       << minutes(fitted.estimated_s);
  if (fitted.estimated_s > budget_s * 1.02)
    note << "; the fewest samples memwall takes do not fit the budget";
  fitted.budget_note = note.str();
  return fitted;
}

void write_plan(const Plan& plan, const std::string& out_dir, std::ostream& out) {
  json launches = json::array(), flat = json::array();
  json topo = json::object();
  for (const PlannedLaunch& p : plan.launches) {
    json l = {{"stem", p.stem},
              {"command", p.command},
              {"estimated_s", p.estimated_s},
              {"benchmark_count", p.benchmarks}};
    if (!p.skip.empty()) l["skip"] = p.skip;
    out << p.stem << ": ";
    if (!p.skip.empty()) {
      out << "not planned: " << p.skip << "\n";
      launches.push_back(l);
      continue;
    }
    const json j = json::parse(p.plan_json);
    if (topo.empty()) topo = j.value("topology", json::object());
    l["decisions"] = j.value("decisions", json::object());
    l["repetitions"] = j.value("repetitions", 0);
    l["min_time_s"] = j.value("min_time_s", 0.0);
    std::map<std::string, std::pair<int, double>> by_family;
    for (const json& b : j.value("benchmarks", json::array())) {
      const std::string name = b.value("name", "");
      const double s = b.value("estimated_s", 0.0);
      flat.push_back({{"name", name}, {"estimated_s", s}, {"binary", p.stem}});
      auto& f = by_family[family_of(name)];
      ++f.first;
      f.second += s;
    }
    out << p.benchmarks << " benchmarks, about " << minutes(p.estimated_s) << " ("
        << l["repetitions"].get<int>() << " repetitions)\n";
    for (const auto& [family, f] : by_family)
      out << "  " << std::left << std::setw(24) << family << std::right << std::setw(5) << f.first
          << "  " << minutes(f.second) << "\n";
    for (const auto& [key, value] : l["decisions"].items())
      out << "  " << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
          << "\n";
    launches.push_back(l);
  }
  if (!topo.empty())
    out << "topology: " << topo.value("source", "") << ": " << topo.value("packages", 0)
        << " packages, " << topo.value("cores", 0) << " cores, " << topo.value("pus", 0) << " PUs, "
        << topo.value("numa_nodes", 0) << " NUMA nodes, " << topo.value("last_level_caches", 0)
        << " last-level caches\n";
  out << "in all: about " << minutes(plan.estimated_s);
  if (plan.budget_s > 0) out << " (budget " << minutes(plan.budget_s) << ")";
  out << "\n";
  if (!plan.budget_note.empty()) out << plan.budget_note << "\n";
  const json doc = {{"estimated_s", plan.estimated_s},
                    {"time_scale", plan.time_scale},
                    {"budget_s", plan.budget_s},
                    {"budget_note", plan.budget_note},
                    {"topology", topo},
                    {"launches", launches},
                    {"benchmarks", flat}};
  std::filesystem::create_directories(out_dir);
  write_file_atomically(std::filesystem::path(out_dir) / "plan.json", doc.dump(1) + "\n");
  out << "plan: " << (std::filesystem::path(out_dir) / "plan.json").string() << "\n";
}

}  // namespace memwall::harness
