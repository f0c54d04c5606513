#include "harness/cli/views.hpp"

#include <map>
#include <sstream>

namespace memwall::harness {

HeatMap fleet_heat_map(const FleetResult& r) {
  HeatMap map;
  map.title = "How much worse than the fleet's median each node is, % (darker: worse)";
  map.unit = "% worse";
  for (const FleetNode& n : r.nodes) map.row_labels.push_back(n.name);
  for (size_t c = 0; c < r.metrics.size(); ++c) map.column_labels.push_back(std::to_string(c + 1));
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    std::vector<double> row;
    for (const FleetMetric& m : r.metrics) row.push_back(worse_percent(m, i));
    map.values.push_back(row);
  }
  return map;
}

std::string history_text(const MetricHistory& h) {
  std::ostringstream out;
  for (const MetricHistory::Run& r : h.runs)
    out << r.machine << "  " << r.date << "  " << h.counter << " best " << r.best << " median "
        << r.median << "\n";
  return out.str();
}

std::string history_svg(const MetricHistory& h) {
  std::map<std::string, PlotSeries> series;
  for (const MetricHistory::Run& r : h.runs) {
    PlotSeries& s = series[r.machine];
    s.name = r.machine;
    s.markers = true;
    s.points.push_back({static_cast<double>(s.points.size() + 1), r.best});
  }
  Plot p;
  p.title = h.metric;
  p.x_label = "run (in date order)";
  p.y_label = h.counter;
  p.log_x = false;
  p.log_y = false;
  for (auto& [name, s] : series) p.series.push_back(s);
  return render_svg(p);
}

}  // namespace memwall::harness
