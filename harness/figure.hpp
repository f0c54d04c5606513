// A figure (latency under load, a stand-in, ...) is one module: its profile step, its verdicts,
// its headline metrics (the keys gate, fleet and compare read), its section of the report
// (summary.md and report.html render one Document), its report.tex table, its profile.csv rows
// and its plots, registered once in one table. The pipeline, the verdicts, gate, fleet and every
// writer iterate that table, so adding a figure is one file and one line of CMake
// (harness/figures/), as a benchmark family is (core/registry.hpp).
//
// A module registers from a static initialiser; it is linked as an object library so that no
// linker drops it (harness/CMakeLists.txt).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "harness/metric_key.hpp"
#include "harness/profile/model.hpp"

namespace memwall::harness {

struct ProfileInputs;  // profile/pipeline.hpp
struct Document;       // report/document.hpp
struct Figure;         // report/plots.hpp: an SVG the report draws

// One headline metric: its key (as verdicts, gate, fleet and compare name it), value and
// direction.
struct HeadlineMetric {
  MetricKey key;
  double value = 0;
  bool higher_is_better = true;
};

// One row of profile.csv (section,device,item,quantity,value,unit).
struct CsvRow {
  std::string section, device, item, quantity;
  double value = 0;
  std::string unit;
};

struct FigureModule {
  // Its name: the key of its data in profile.json's "figures" where it keeps its own, and the
  // first part of its metric keys.
  std::string name;
  // Where its section stands in the report, among the built-in sections (report/content.cpp
  // numbers them: memory 30, storage 50, ...).
  int section_order = 1000;
  // Its part of the profile, from the result files and the parts the pipeline built before it.
  std::function<void(const ProfileInputs&, Profile&)> step;
  // Its verdicts, from the profile alone.
  std::function<std::vector<Verdict>(const Profile&)> verdicts;
  std::function<std::vector<HeadlineMetric>(const Profile&)> metrics;
  std::function<void(const Profile&, const std::vector<Figure>&, Document&)> section;
  std::function<std::string(const Profile&)> tex;
  std::function<std::vector<CsvRow>(const Profile&)> csv;
  std::function<std::vector<Figure>(const Profile&)> plots;
};

bool add_figure(FigureModule module);
// Every registered figure, by section order and then name (stable from run to run).
const std::vector<FigureModule>& figure_modules();

}  // namespace memwall::harness
