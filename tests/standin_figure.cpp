// TEST DATA ONLY: a stand-in figure in one file, as a new figure would be added: each device's
// fastest level's bandwidth over its memory's, a figure no other file names. Built into a
// memwall of its own with one line of CMake (tests/CMakeLists.txt); the test finds it in
// profile.json, the verdicts, memwall gate and fleet, summary.md, report.html, report.tex and
// profile.csv.
#include <string>

#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"
#include "harness/report/svg.hpp"

namespace memwall::harness {

namespace {

constexpr const char* kName = "standin";

// What the step concluded, as profile.json holds it: device -> the ratio.
std::map<std::string, double> ratios_of(const Profile& p) {
  const auto it = p.figures.find(kName);
  return it == p.figures.end() ? std::map<std::string, double>{}
                               : it->second.get<std::map<std::string, double>>();
}

void step(const ProfileInputs&, Profile& p) {
  nlohmann::json ratios = nlohmann::json::object();
  for (const auto& [device, levels] : p.memory) {
    double fastest = 0, memory = 0;
    for (const Level& l : levels) {
      if (fastest == 0) fastest = l.bandwidth_GBps;
      if (l.kind == LevelKind::memory && l.bandwidth_GBps > 0) memory = l.bandwidth_GBps;
    }
    if (fastest > 0 && memory > 0) ratios[device] = fastest / memory;
  }
  if (!ratios.empty()) p.figures[kName] = ratios;
}

std::string key_of(const std::string& device) {
  return std::string(kName) + "/" + device + "/fastest_over_memory";
}

std::vector<Verdict> verdicts(const Profile& p) {
  std::vector<Verdict> out;
  for (const auto& [device, ratio] : ratios_of(p)) {
    Verdict v;
    v.key = key_of(device);
    v.device = device;
    v.figure = "stand-in: fastest level over memory";
    v.value = ratio;
    v.unit = "x";
    v.verdict = ratio > 1 ? VerdictState::ok : VerdictState::low;
    v.reason = "a cache streams faster than memory";
    out.push_back(v);
  }
  return out;
}

std::vector<HeadlineMetric> metrics(const Profile& p) {
  std::vector<HeadlineMetric> out;
  for (const auto& [device, ratio] : ratios_of(p)) out.push_back({{key_of(device)}, ratio, true});
  return out;
}

void section(const Profile& p, const std::vector<Figure>& figures, Document& doc) {
  const auto ratios = ratios_of(p);
  if (ratios.empty()) return;
  doc.heading(2, "Stand-in figure", kName);
  std::vector<std::vector<std::string>> rows;
  for (const auto& [device, ratio] : ratios) rows.push_back({device, fixed(ratio, 2)});
  doc.table({"device", "fastest over memory"}, "lr", rows, "The stand-in figure's ratios");
  for (const Figure& f : figures)
    if (f.section == kName) doc.figure(f.file, f.caption);
}

std::string tex(const Profile& p) {
  std::string out;
  for (const auto& [device, ratio] : ratios_of(p))
    out += "% stand-in figure\n\\begin{tabular}{lr}\n" + device + " & " + fixed(ratio, 2) +
           " \\\\\n\\end{tabular}\n";
  return out;
}

std::vector<CsvRow> csv(const Profile& p) {
  std::vector<CsvRow> out;
  for (const auto& [device, ratio] : ratios_of(p))
    out.push_back({kName, device, "fastest level / memory", "ratio", ratio, "x"});
  return out;
}

std::vector<Figure> plots(const Profile& p) {
  std::vector<Figure> out;
  if (ratios_of(p).empty()) return out;
  out.push_back({"standin.svg", "The stand-in figure", kName, "", [&p] {
                   Plot plot;
                   plot.title = "Stand-in";
                   PlotSeries s;
                   s.name = "fastest over memory";
                   for (const auto& [device, ratio] : ratios_of(p)) s.points.push_back({1, ratio});
                   plot.series.push_back(s);
                   return render_svg(plot);
                 }});
  return out;
}

const bool registered = add_figure({kName, 35, step, verdicts, metrics, section, tex, csv, plots});

}  // namespace

}  // namespace memwall::harness
