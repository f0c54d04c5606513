// A small SVG chart writer: lines and markers on linear or log axes, labelled vertical marks,
// text notes, a legend; each point's value shows on hover (an SVG <title>, no script). Enough for
// memwall's curves, rooflines, heat map and trend chart without a plotting dependency. The output
// is deterministic (golden tests pin it).
#pragma once
#include <string>
#include <vector>

namespace memwall::harness {

struct PlotSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;
  bool line = true;                 // connect the points
  bool markers = false;             // draw a marker at each point
  std::vector<std::string> labels;  // optional text beside each point (overlaps are dropped)
  std::string color;                // empty: the palette's next colour
  bool dashed = false;
  char marker = 'o';  // o circle, s square, ^ triangle, d diamond
  bool in_legend = true;
  // Measured curves: no line across a gap in the sizes (a step over twice the series' usual
  // step between neighbours), which would draw values that were never measured.
  bool break_at_gaps = false;
  bool values_on_hover = true;  // false for a roof drawn between two made-up ends
};

struct Note {
  double x = 0, y = 0;
  std::string text;
  std::string color = "#333";
};

struct Plot {
  std::string title, x_label, y_label;
  bool log_x = true, log_y = true;
  bool x_bytes = false;  // x ticks as sizes (4 KiB, 1 MiB, ...) at powers of two
  std::vector<PlotSeries> series;
  std::vector<std::pair<double, std::string>> x_marks;  // vertical dashed lines with a label
  std::vector<Note> notes;
  int width = 900, height = 540;
  int legend_width = 250;
};

std::string render_svg(const Plot& plot);

// A matrix as coloured cells with the values written in them (core-to-core latency).
struct HeatMap {
  std::string title, unit;
  std::vector<std::string> row_labels, column_labels;
  std::vector<std::vector<double>> values;  // NaN: not measured
};
std::string render_heat_map(const HeatMap& map);

}  // namespace memwall::harness
